// `reactor-fsm check-trace` on traces that generated programs really wrote (--trace=json): the echo examples talking
// to each other over 127.0.0.1, a hierarchical oven on the manual clock; doctored copies fail at the right lines.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, removePrograms, startProgram, type Program } from '../runtime/program-helpers.js';
import { Cleanup, closedPort, connectTo, listen } from '../runtime/runtime-helpers.js';
import type { CoverageCount } from '../../language/semantics/trace-check.js';
import { EXAMPLES, ROOT, removeTempFolders, runCli, tempFolder } from './cli-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(async () => {
    await removePrograms();
    await removeTempFolders();
});

const OVEN = path.join(ROOT, 'test', 'fixtures', 'check-trace', 'oven.fsm');
const read = (file: string): string => readFileSync(file, 'utf8');

/** The trace lines a program wrote with --trace=json (standard error), as NDJSON text. */
function ndjson(program: Program): string {
    return program.stderrLines.filter((line) => line.startsWith('{')).join('\n') + '\n';
}

/** What check-trace prints after its first line for a trace that conforms. */
function coverageOf(stdout: string): string[] {
    return stdout.trimEnd().split('\n').slice(1);
}

interface Recorded {
    /** A folder holding the models (echo-client.fsm, echo-server.fsm, edge-gateway.fsm, oven.fsm) and the traces (*.ndjson). */
    folder: string;
    client: string;
    server: string;
    gateway: string;
    oven: string;
    refused: string;
}

let recorded: Recorded;

/** Connects until the program listens (bounded): each attempt that connects is closed at once, a session that only starts and ends. */
async function untilListening(port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
        try {
            const socket = await connectTo(cleanup, port);
            socket.end();
            return;
        } catch (error) {
            if (Date.now() > deadline) {
                throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }
}

beforeAll(async () => {
    const [serverDir, clientDir, gatewayDir, ovenDir] = await Promise.all([
        buildProgramFrom(read(path.join(EXAMPLES, 'echo-server.fsm')), {
            'echo-server.actions.ts': read(path.join(EXAMPLES, 'actions', 'echo-server.actions.ts')),
            'echo-session.actions.ts': read(path.join(EXAMPLES, 'actions', 'echo-session.actions.ts'))
        }),
        buildProgramFrom(read(path.join(EXAMPLES, 'echo-client.fsm')), {
            'echo-client.actions.ts': read(path.join(ROOT, 'test', 'fixtures', 'runtime', 'echo-client', 'echo-client.actions.ts.txt'))
        }),
        buildProgramFrom(read(path.join(EXAMPLES, 'edge-gateway.fsm')), {
            'edge-gateway.actions.ts': read(path.join(ROOT, 'test', 'fixtures', 'check-trace', 'edge-gateway.actions.ts.txt'))
        }),
        buildProgramFrom(read(OVEN), {})
    ]);

    // The echo server and client, for real: the client connects, greets, gets its line back, and stops on SIGTERM
    // (closing its connection, which ends its session); then the server stops on SIGTERM.
    const port = await closedPort();
    const server = startProgram(serverDir, { ECHO_SERVER_LISTENER: `127.0.0.1:${port}` }, cleanup, [], { args: ['--trace=json'] });
    await untilListening(port);
    const client = startProgram(clientDir, { ECHO_CLIENT_UPSTREAM: `127.0.0.1:${port}` }, cleanup, [], { args: ['--trace=json'] });
    await client.line(/^REPLY hello from reactor-fsm$/, 10_000);
    client.child.kill('SIGTERM');
    expect((await client.exit(10_000)).code, client.output).toBe(0);
    await server.untilStderr((lines) => (lines.filter((line) => line.includes('"kind":"finish"')).length === 2 ? true : undefined), 10_000, 'both sessions to finish');
    server.child.kill('SIGTERM');
    expect((await server.exit(10_000)).code, server.output).toBe(0);

    // The echo client with nobody listening: refused, a second of backoff, again; SIGTERM while it backs off.
    const refused = startProgram(clientDir, { ECHO_CLIENT_UPSTREAM: `127.0.0.1:${await closedPort()}` }, cleanup, [], { args: ['--trace=json'] });
    await refused.untilStderr((lines) => (lines.filter((line) => line.includes('"kind":"unhandled"')).length === 2 ? true : undefined), 10_000, 'the second refusal');
    refused.child.kill('SIGTERM');
    expect((await refused.exit(10_000)).code, refused.output).toBe(0);

    // The edge gateway (a parallel state): both regions connect, a key in one, an ACK in the other, then SIGTERM; the
    // peers end their side when the program ends its own.
    const peers = await Promise.all(
        [0, 1].map(async () => {
            const sockets: Socket[] = [];
            const { port: peerPort } = await listen(cleanup, (socket) => {
                sockets.push(socket);
                socket.on('end', () => socket.end());
                socket.on('error', () => undefined);
            });
            return { port: peerPort, sockets };
        })
    );
    const [collector, consolePeer] = peers as [(typeof peers)[number], (typeof peers)[number]];
    // The program's `connect` can be traced before this process has run its server's connection callback: wait for it.
    const accepted = async (peer: (typeof peers)[number]): Promise<Socket> => {
        const end = Date.now() + 10_000;
        while (peer.sockets.length === 0) {
            if (Date.now() > end) {
                throw new Error('the program connected, but the peer never saw the connection');
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return peer.sockets[0]!;
    };
    const gateway = startProgram(gatewayDir, { EDGE_GATEWAY_UPLINK: `127.0.0.1:${collector.port}`, EDGE_GATEWAY_CONSOLE: `127.0.0.1:${consolePeer.port}` }, cleanup, [], { args: ['--trace=json'] });
    const traced = (pattern: RegExp): Promise<boolean> => gateway.untilStderr((lines) => (lines.some((line) => pattern.test(line)) ? true : undefined), 10_000, `a trace line matching ${pattern}`);
    await traced(/"event":"UplinkUp"/);
    await traced(/"event":"ConsoleUp"/);
    (await accepted(consolePeer)).write('k');
    await traced(/"kind":"internal".*"event":"Key"/);
    (await accepted(collector)).write('ACK\n');
    await traced(/"kind":"internal".*"event":"Ack"/);
    gateway.child.kill('SIGTERM');
    expect((await gateway.exit(10_000)).code, gateway.output).toBe(0);

    // The oven on the manual clock: five seconds of timers, then it has finished.
    const oven = startProgram(ovenDir, {}, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
    oven.child.stdin!.end('advance 5s\n');
    expect((await oven.exit(10_000)).code, oven.output).toBe(0);

    const folder = await tempFolder({
        'echo-client.fsm': read(path.join(EXAMPLES, 'echo-client.fsm')),
        'echo-server.fsm': read(path.join(EXAMPLES, 'echo-server.fsm')),
        'edge-gateway.fsm': read(path.join(EXAMPLES, 'edge-gateway.fsm')),
        'oven.fsm': read(OVEN),
        'gateway.ndjson': ndjson(gateway),
        'refused.ndjson': ndjson(refused),
        'client.ndjson': ndjson(client),
        'server.ndjson': ndjson(server),
        'oven.ndjson': ndjson(oven)
    });
    recorded = { folder, client: ndjson(client), server: ndjson(server), gateway: ndjson(gateway), oven: ndjson(oven), refused: ndjson(refused) };
}, 180_000);

/** A recorded trace with line `traceLine` (1-based) changed by `change`, written as `name` in the folder. */
async function doctor(trace: string, traceLine: number, change: (line: Record<string, unknown>) => Record<string, unknown> | string, name: string): Promise<string> {
    const lines = trace.trimEnd().split('\n');
    const changed = change(JSON.parse(lines[traceLine - 1]!) as Record<string, unknown>);
    lines[traceLine - 1] = typeof changed === 'string' ? changed : JSON.stringify(changed);
    await writeFile(path.join(recorded.folder, name), `${lines.join('\n')}\n`);
    return name;
}

/** The 1-based number of the first line of `trace` that matches all of `fields`. */
function lineOf(trace: string, fields: Record<string, unknown>): number {
    const index = trace
        .trimEnd()
        .split('\n')
        .findIndex((line) => {
            const parsed = JSON.parse(line) as Record<string, unknown>;
            return Object.entries(fields).every(([key, value]) => parsed[key] === value);
        });
    expect(index, `a line with ${JSON.stringify(fields)}`).toBeGreaterThanOrEqual(0);
    return index + 1;
}

describe('reactor-fsm check-trace on real traces', () => {
    it("the echo client's trace conforms: three of its four states, three of its ten transitions", async () => {
        const result = await runCli(['check-trace', 'echo-client.fsm', 'client.ndjson'], recorded.folder);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^client\.ndjson: \d+ lines conform to echo-client\.fsm\n/);
        expect(coverageOf(result.stdout)).toEqual([
            'states entered: 3/4 (75%)',
            '  not entered: EchoClient Backoff (echo-client.fsm:10)',
            'transitions taken: 3/10 (30%)',
            '  not taken: EchoClient Connecting --Failed--> Backoff (echo-client.fsm:7)',
            '  not taken: EchoClient Connecting --Shutdown--> Done (echo-client.fsm:8)',
            '  not taken: EchoClient Backoff --after 1s--> Connecting (echo-client.fsm:11)',
            '  not taken: EchoClient Backoff --Shutdown--> Done (echo-client.fsm:12)',
            '  not taken: EchoClient Backoff --Connected--> Online (echo-client.fsm:13)',
            '  not taken: EchoClient Online --HeartbeatLost--> Backoff (echo-client.fsm:18)',
            '  not taken: EchoClient Online --Closed--> Backoff (echo-client.fsm:19)'
        ]);
    });

    it('the echo client refused twice: its backoff timer, on the real clock, fired no earlier than its second', async () => {
        expect(recorded.refused).toContain('"event":"after 1s"');
        const result = await runCli(['check-trace', 'echo-client.fsm', 'refused.ndjson'], recorded.folder);
        expect(result.stderr).toBe('');
        expect(result.code, result.stdout).toBe(0);
        expect(coverageOf(result.stdout)).toEqual([
            'states entered: 3/4 (75%)',
            '  not entered: EchoClient Online (echo-client.fsm:15)',
            'transitions taken: 3/10 (30%)',
            '  not taken: EchoClient Connecting --Connected--> Online (echo-client.fsm:6)',
            '  not taken: EchoClient Connecting --Shutdown--> Done (echo-client.fsm:8)',
            '  not taken: EchoClient Backoff --Connected--> Online (echo-client.fsm:13)',
            '  not taken: EchoClient Online: Data (internal) (echo-client.fsm:17)',
            '  not taken: EchoClient Online --HeartbeatLost--> Backoff (echo-client.fsm:18)',
            '  not taken: EchoClient Online --Closed--> Backoff (echo-client.fsm:19)',
            '  not taken: EchoClient Online --Shutdown--> Done (echo-client.fsm:20)'
        ]);
    });

    it("the echo server's trace conforms, its sessions (EchoSession#N) followed as instances of EchoSession", async () => {
        expect(recorded.server).toContain('"machine":"EchoSession#2"');
        const result = await runCli(['check-trace', 'echo-server.fsm', 'server.ndjson'], recorded.folder);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(coverageOf(result.stdout)).toEqual([
            'states entered: 4/5 (80%)',
            '  not entered: EchoSession Closing (echo-server.fsm:26)',
            'transitions taken: 4/8 (50%)',
            '  not taken: EchoSession Open --Idle--> Closing (echo-server.fsm:22)',
            '  not taken: EchoSession Open --Failed--> Closed (echo-server.fsm:24)',
            '  not taken: EchoSession Closing --after 2s--> Closed (echo-server.fsm:28)',
            '  not taken: EchoSession Closing --PeerClosed--> Closed (echo-server.fsm:29)'
        ]);
    });

    it("the edge gateway's trace conforms: two regions side by side, guards chosen by the lines", async () => {
        const result = await runCli(['check-trace', 'edge-gateway.fsm', 'gateway.ndjson', '--json'], recorded.folder);
        expect(result.stderr).toBe('');
        expect(result.code, result.stdout).toBe(0);
        const { coverage } = JSON.parse(result.stdout) as { coverage: { states: CoverageCount; transitions: CoverageCount } };
        expect(coverage.states).toEqual({ covered: 7, total: 8, uncovered: [{ name: 'Dimmed', machine: 'EdgeGateway', line: 47, file: 'edge-gateway.fsm' }] });
        // Stopping is left by whichever close the program hears last (its guard asks whether the other socket is still open).
        expect(coverage.transitions.covered).toBe(6);
        expect(coverage.transitions.total).toBe(15);
        expect(coverage.transitions.uncovered.filter((item) => !item.name.startsWith('Stopping ')).map((item) => `${item.name} (${item.line})`)).toEqual([
            'Offline: UplinkFailed (internal) (24)',
            'Online --UplinkDown--> Offline (30)',
            'Online --UplinkFailed--> Offline (31)',
            'Lit --after 30s--> Dimmed (43)',
            'Lit --ConsoleDown--> Unplugged (44)',
            'Dimmed --Key--> Lit (48)',
            'Dimmed --ConsoleDown--> Unplugged (49)'
        ]);
        expect(coverage.transitions.uncovered.filter((item) => item.name.startsWith('Stopping '))).toHaveLength(2);
    });

    it("the oven's trace (composite and parallel states, timers, `on done`) conforms; --json gives the same as an object", async () => {
        const text = await runCli(['check-trace', 'oven.fsm', 'oven.ndjson'], recorded.folder);
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/^oven\.ndjson: \d+ lines conform to oven\.fsm\n/);
        const json = await runCli(['check-trace', 'oven.fsm', 'oven.ndjson', '--json'], recorded.folder);
        expect(json.code).toBe(0);
        expect(JSON.parse(json.stdout)).toEqual({
            ok: true,
            coverage: {
                states: {
                    covered: 10,
                    total: 12,
                    uncovered: [
                        { name: 'DoorOpen', machine: 'Oven', line: 23, file: 'oven.fsm' },
                        { name: 'Idle', machine: 'Oven', line: 26, file: 'oven.fsm' }
                    ]
                },
                transitions: {
                    covered: 6,
                    total: 11,
                    uncovered: [
                        { name: 'Cooking --Open--> DoorOpen', machine: 'Oven', line: 8, file: 'oven.fsm' },
                        { name: 'Cooking --Stop--> Idle', machine: 'Oven', line: 9, file: 'oven.fsm' },
                        { name: 'Baking --Ready--> Baked', machine: 'Oven', line: 18, file: 'oven.fsm' },
                        { name: 'DoorOpen --Close--> Resume', machine: 'Oven', line: 24, file: 'oven.fsm' },
                        { name: 'Idle --Start--> Cooking', machine: 'Oven', line: 27, file: 'oven.fsm' }
                    ]
                }
            }
        });
    });
});

describe('reactor-fsm check-trace on doctored traces', () => {
    it('a wrong target: exit 1, the trace line and the model line of the transition', async () => {
        const line = lineOf(recorded.client, { kind: 'transition', event: 'Connected' });
        const file = await doctor(recorded.client, line, (each) => ({ ...each, to: 'Backoff' }), 'wrong-target.ndjson');
        const result = await runCli(['check-trace', 'echo-client.fsm', file], recorded.folder);
        expect(result.code).toBe(1);
        expect(result.stdout.split('\n')[0]).toBe(`wrong-target.ndjson:${line}: EchoClient: on 'Connected' Connecting goes to Online, not Backoff (model echo-client.fsm:6 transition Connecting --Connected--> Online)`);
        const json = await runCli(['check-trace', 'echo-client.fsm', file, '--json'], recorded.folder);
        expect(json.code).toBe(1);
        expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstProblem: { traceLine: line, modelLine: 6, modelFile: 'echo-client.fsm' } });
    });

    it('an event the state does not handle, a wrong action, finish in a state that is not final, a timer too early', async () => {
        const online = lineOf(recorded.client, { kind: 'transition', event: 'Connected' });
        const ping = await doctor(recorded.client, online, (each) => ({ ...each, event: 'Closed', from: 'Connecting' }), 'unhandled.ndjson');
        const wrongEvent = await runCli(['check-trace', 'echo-client.fsm', ping], recorded.folder);
        expect(wrongEvent.code).toBe(1);
        expect(wrongEvent.stdout.split('\n')[0]).toBe(`unhandled.ndjson:${online}: EchoClient: no transition from Connecting on 'Closed' (model echo-client.fsm:5 state Connecting)`);

        const greet = lineOf(recorded.client, { kind: 'action', name: 'greet' });
        const wave = await doctor(recorded.client, greet, (each) => ({ ...each, name: 'wave' }), 'wrong-action.ndjson');
        const wrongAction = await runCli(['check-trace', 'echo-client.fsm', wave], recorded.folder);
        expect(wrongAction.code).toBe(1);
        expect(wrongAction.stdout.split('\n')[0]).toBe(`wrong-action.ndjson:${greet}: EchoClient: the model expects 'entry greet' here, not 'entry wave' (model echo-client.fsm:15 state Online)`);

        const finished = await doctor(recorded.client, greet, (each) => `${JSON.stringify(each)}\n${JSON.stringify({ t: each.t, kind: 'finish', machine: 'EchoClient', state: 'Online' })}`, 'early-finish.ndjson');
        const earlyFinish = await runCli(['check-trace', 'echo-client.fsm', finished], recorded.folder);
        expect(earlyFinish.code).toBe(1);
        expect(earlyFinish.stdout.split('\n')[0]).toBe(
            `early-finish.ndjson:${greet + 1}: EchoClient: finishes in Online, which is not a final state, and nothing stopped the program (no 'stop' ran) (model echo-client.fsm:15 state Online)`
        );

        const baking = lineOf(recorded.oven, { kind: 'transition', event: 'after 2s' });
        const early = await doctor(recorded.oven, baking, (each) => ({ ...each, t: 2500 }), 'early-timer.ndjson');
        const earlyTimer = await runCli(['check-trace', 'oven.fsm', early], recorded.folder);
        expect(earlyTimer.code).toBe(1);
        expect(earlyTimer.stdout.split('\n')[0]).toBe(`early-timer.ndjson:${baking}: Oven: 'after 2s' fired 1500 ms after Baking was entered (t=1000), before its delay of 2000 ms (model oven.fsm:19 timer after 2s of Baking)`);
    });

    it('an unknown machine: exit 1 at its first line', async () => {
        const file = await doctor(recorded.server, 2, (each) => ({ ...each, machine: 'EchoSessions#1' }), 'unknown-machine.ndjson');
        const result = await runCli(['check-trace', 'echo-server.fsm', file], recorded.folder);
        expect(result.code).toBe(1);
        expect(result.stdout.split('\n')[0]).toBe("unknown-machine.ndjson:2: unknown machine 'EchoSessions#1' (the model's machines: EchoServer, EchoSession)");
    });

    it('unusable input: a line that is not JSON or not a trace line, no lines, no file (exit 2, with the line number)', async () => {
        const notJson = await doctor(recorded.client, 3, () => '   12 ms  EchoClient  starts in Connecting', 'text.ndjson');
        const text = await runCli(['check-trace', 'echo-client.fsm', notJson], recorded.folder);
        expect(text.code).toBe(2);
        expect(text.stdout).toBe('');
        expect(text.stderr).toBe('text.ndjson:3: not JSON (a trace has one JSON object per line, as --trace=json writes it)\n');

        const notTrace = await doctor(recorded.client, 2, (each) => ({ ...each, kind: 'jump' }), 'kind.ndjson');
        const kind = await runCli(['check-trace', 'echo-client.fsm', notTrace], recorded.folder);
        expect(kind.code).toBe(2);
        expect(kind.stderr).toMatch(/^kind\.ndjson:2: not a trace line: 'kind' is not one of start, transition, /);

        await writeFile(path.join(recorded.folder, 'empty.ndjson'), '\n');
        const empty = await runCli(['check-trace', 'echo-client.fsm', 'empty.ndjson'], recorded.folder);
        expect(empty.code).toBe(2);
        expect(empty.stderr).toMatch(/^empty\.ndjson: no trace lines/);

        const missing = await runCli(['check-trace', 'echo-client.fsm', 'missing.ndjson'], recorded.folder);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toBe("reactor-fsm: cannot read the trace 'missing.ndjson': no such file\n");
    });

    it('a model with errors is refused (exit 1), as simulate and generate refuse it', async () => {
        const folder = await tempFolder({ 'broken.fsm': 'machine M {\n    initial state A { on Go -> B }\n}\n', 'trace.ndjson': '{"t":0,"kind":"start","machine":"M","state":"A"}\n' });
        const result = await runCli(['check-trace', 'broken.fsm', 'trace.ndjson'], folder);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^broken\.fsm:2:\d+ error /);
        expect(result.stderr).toContain('reactor-fsm: not checking a trace against broken.fsm: fix the');
    });
});


describe('the example of docs/language.md, "Checking a recorded trace"', () => {
    it('prints what the page shows', async () => {
        const page = readFileSync(path.join(ROOT, 'docs', 'language.md'), 'utf8');
        const section = /^### Checking a recorded trace\n([\s\S]*?)^## /m.exec(page)?.[1];
        expect(section, 'the section').toBeDefined();
        const model = /^```\n(machine Kettle[\s\S]*?)^```$/m.exec(section!)?.[1];
        /** The lines of the indented block whose first line starts with `first`, unindented. */
        const indented = (first: string): string[] => {
            const lines = section!.split('\n');
            const start = lines.findIndex((line) => line.startsWith(`    ${first}`));
            expect(start, `an indented block starting with ${first}`).toBeGreaterThanOrEqual(0);
            const end = lines.findIndex((line, index) => index > start && !line.startsWith('    '));
            return lines.slice(start, end).map((line) => line.slice(4));
        };
        const trace = indented('{"t"');
        const [command, ...shown] = indented('$ reactor-fsm check-trace');
        expect(command).toBe('$ reactor-fsm check-trace kettle.fsm kettle.ndjson');
        const folder = await tempFolder({ 'kettle.fsm': model!, 'kettle.ndjson': `${trace.join('\n')}\n` });
        const result = await runCli(command!.split(' ').slice(2), folder);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('');
        expect(result.stdout.trimEnd().split('\n')).toEqual(shown);
    });
});
