// Traces of generated programs as real processes: `--trace=json` (NDJSON on stderr) and `--trace` (text on stdout),
// on the manual clock (`advance MS` on stdin), line by line what the interpreter prints for the same scenario; and the
// example of docs/generated-code.md ("Tracing and replay") is what the program really prints.
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildProgramFrom, interpreterTrace, removePrograms, startProgram, untimed, type Program } from './program-helpers.js';
import { Cleanup } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

/** The fenced blocks of the doc's "Tracing and replay" section, in order. */
function tracingSectionBlocks(): string[][] {
    const text = readFileSync(path.join(ROOT, 'docs', 'generated-code.md'), 'utf8');
    const section = text.slice(text.indexOf('\n## Tracing and replay\n'));
    const end = section.indexOf('\n## ', 5);
    const body = end < 0 ? section : section.slice(0, end);
    return [...body.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => match[1]!.replace(/\n$/, '').split('\n'));
}

const PROBE = `
machine Probe {
    events Up, Data, Down, Lost, Poke
    initial state Connecting {
        on Up -> Online
    }
    state Online {
        entry greet
        on Data / show
        on Lost -> Gone / close upstream
        on Down -> Gone
    }
    final state Gone
    client upstream connect 127.0.0.1:9 {
        heartbeat 1s timeout 3s -> Lost
        connect -> Up
        read -> Data
        close -> Down
    }
    signal SIGUSR2 -> Poke
}`;

const PROBE_ACTIONS = `import type { ProbeActions } from './probe.events.js';

export const probeActions: ProbeActions = {
    greet(machine) {
        machine.sockets.upstream.write('hello\\n');
    },
    show(_machine, _payload) {},
    heartbeatUpstream(machine) {
        machine.sockets.upstream.write('ping\\n');
    },
};
`;

let kettleDir = '';
let probeDir = '';
const blocks = tracingSectionBlocks();

beforeAll(async () => {
    kettleDir = await buildProgramFrom(blocks[0]!.join('\n'), {});
    probeDir = await buildProgramFrom(PROBE, { 'probe.actions.ts': PROBE_ACTIONS });
}, 120_000);

/** Waits until the JSON trace has a line for which `match` holds. */
function traced(program: Program, what: string, match: (line: Record<string, unknown>) => boolean): Promise<true> {
    return program.until(() => (program.jsonTrace.some((line) => match(line as unknown as Record<string, unknown>)) ? true : undefined), 5_000, what);
}

describe('the example of docs/generated-code.md, "Tracing and replay"', () => {
    it('has a model, a scenario and the two outputs', () => {
        expect(blocks).toHaveLength(4);
        expect(blocks[0]![0]).toMatch(/^machine Kettle/);
        expect(blocks[2]![0]).toMatch(/^\$ reactor-fsm simulate .* --json$/);
        expect(blocks[3]![0]).toMatch(/^\$ reactor-fsm simulate /);
    });

    it('--trace=json --clock=manual with the scenario on stdin writes exactly the JSON lines shown, to stderr', async () => {
        const program = startProgram(kettleDir, {}, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        program.child.stdin!.end(`${blocks[1]!.join('\n')}\n`);
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.stderrLines).toEqual(blocks[2]!.slice(1));
        expect(program.lines).toEqual([]);
    });

    it('--trace --clock=manual writes exactly the text lines shown, to stdout', async () => {
        const program = startProgram(kettleDir, {}, cleanup, [], { args: ['--trace', '--clock=manual'], stdin: 'pipe' });
        program.child.stdin!.end(`${blocks[1]!.join('\n')}\n`);
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.lines).toEqual(blocks[3]!.slice(1));
        expect(program.stderr).toBe('');
    });
});

describe('a client with heartbeat, traced against the interpreter', () => {
    it('connect, data, an internal transition, an unhandled signal, heartbeat actions, the heartbeat lost, close upstream', async () => {
        const peers: Socket[] = [];
        const received: string[] = [];
        const server = cleanup.server(
            createServer((socket) => {
                cleanup.socket(socket);
                peers.push(socket);
                socket.setEncoding('utf8');
                socket.on('data', (text: string) => received.push(text));
                socket.write('hi');
            })
        );
        await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
        const port = (server.address() as AddressInfo).port;
        const program = startProgram(probeDir, { PROBE_UPSTREAM: `127.0.0.1:${port}` }, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        await traced(program, 'the data', (line) => line.kind === 'io' && line.what === 'data');
        program.child.kill('SIGUSR2');
        await traced(program, 'Poke', (line) => line.kind === 'unhandled');
        program.send('advance 1000');
        program.send('advance 1s');
        await traced(program, 'the second heartbeat', () => program.jsonTrace.filter((line) => line.kind === 'action' && line.phase === 'heartbeat').length === 2);
        program.send('advance 1000');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);

        const expected = await interpreterTrace(PROBE, ['upstream connected', 'upstream data "hi"', 'signal SIGUSR2', 'advance 1s', 'advance 1s', 'advance 1s'].join('\n'));
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
        expect(program.jsonTrace.map((line) => line.t)).toEqual(expected.map((line) => line.t));
        expect(program.jsonTrace.filter((line) => line.kind === 'action').map((line) => line.kind === 'action' && `${line.name}@${line.state}/${line.phase}`)).toEqual([
            'greet@Online/entry',
            'show@Online/transition',
            'heartbeat upstream@Online/heartbeat',
            'heartbeat upstream@Online/heartbeat',
            'close upstream@Online/transition'
        ]);
        expect(received.join('')).toBe('hello\nping\nping\n');
    });
});
