// Start-up and socket failures of generated programs, as real processes: a malformed address override is one line
// and exit status 2; a port in use without an `error` mapping is one line and exit status 1 (with one, the model
// hears it); a refused connect without an `error` mapping is traced and warned, never silent.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, interpreterTrace, removePrograms, startProgram, untimed } from './program-helpers.js';
import { Cleanup, closedPort } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

const VISIT = `
machine Visit {
    events Bye
    initial state Open { on Bye -> Gone }
    final state Gone
    connection conn { close -> Bye }
    client backend connect 127.0.0.1:9 { }
}`;

const HOLDER = `
machine Holder {
    events Shutdown
    initial state Up { on Shutdown -> Done }
    final state Done
    server listener listen 127.0.0.1:7000 { session Visit }
    signal SIGTERM -> Shutdown
}
${VISIT}`;

const MAPPED = `
machine Mapped {
    events Failed
    initial state Up { on Failed -> Done / noteFailure }
    final state Done
    server listener listen 127.0.0.1:7000 { session Visit  error -> Failed }
}
${VISIT}`;

const MAPPED_ACTIONS = `import { writeSync } from 'node:fs';
import type { MappedActions } from './mapped.events.js';

export const mappedActions: MappedActions = {
    noteFailure(_machine, payload) {
        writeSync(1, \`FAILED \${(payload as NodeJS.ErrnoException).code}\\n\`);
    },
};
`;

const DIALER = `
machine Dialer {
    events Up, Shutdown
    initial state Dialing {
        on Up -> Dialing
        on Shutdown -> Done
    }
    final state Done
    client upstream connect 127.0.0.1:9 { connect -> Up }
    signal SIGTERM -> Shutdown
}`;

let holderDir = '';
let mappedDir = '';
let dialerDir = '';

beforeAll(async () => {
    holderDir = await buildProgramFrom(HOLDER, {});
    mappedDir = await buildProgramFrom(MAPPED, { 'mapped.actions.ts': MAPPED_ACTIONS });
    dialerDir = await buildProgramFrom(DIALER, {});
}, 180_000);

/** A listener on 127.0.0.1 holding a port, so that the program cannot have it. */
async function busyPort(): Promise<number> {
    const server: Server = cleanup.server(createServer());
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, resolve));
    return (server.address() as AddressInfo).port;
}

describe('address overrides', () => {
    it.each([
        ['HOLDER_LISTENER', 'not-an-address'],
        ['HOLDER_LISTENER', '127.0.0.1:70000'],
        ['HOLDER_LISTENER', '::1:7000'],
        ['VISIT_BACKEND', 'db 1:5432'] // a session's client is checked at start-up too, not when the first connection comes
    ])('%s=%s: one line on stderr naming the variable and the expected form, exit status 2', async (variable, value) => {
        const program = startProgram(holderDir, { [variable]: value }, cleanup, [], { args: [] });
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(2);
        expect(program.lines).toEqual([]);
        expect(program.stderr).toBe(`${variable}=${JSON.stringify(value)} is not an address: expected HOST:PORT, like 127.0.0.1:7000, db-1.internal:5432 or [::1]:7000 (port 0-65535), or unix:PATH (at most 107 bytes)\n`);
    });
});

describe('a server that cannot listen', () => {
    it('without an error mapping: one clear line, every machine finishes, exit status 1', async () => {
        const port = await busyPort();
        const program = startProgram(holderDir, { HOLDER_LISTENER: `127.0.0.1:${port}` }, cleanup, [], { args: [] });
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(1);
        expect(program.stderr).toBe(`Holder.listener: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)\n`);
    });

    it('traced as the interpreter traces it: the io error, then the machine finishes', async () => {
        const port = await busyPort();
        const program = startProgram(holderDir, { HOLDER_LISTENER: `127.0.0.1:${port}` }, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(1);
        expect(program.jsonTrace).toEqual([
            { t: 0, kind: 'start', machine: 'Holder', state: 'Up' },
            { t: 0, kind: 'io', machine: 'Holder', socket: 'listener', what: 'error', code: 'EADDRINUSE' },
            { t: 0, kind: 'finish', machine: 'Holder', state: 'Up' }
        ]);
        expect(untimed(program.jsonTrace)).toEqual(untimed(await interpreterTrace(HOLDER, 'listener error EADDRINUSE')));
        expect(program.stderrLines.filter((line) => !line.startsWith('{'))).toEqual([`Holder.listener: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`]);
    });

    it('with an error mapping: the model gets the error event and decides (here: it finishes, exit status 0)', async () => {
        const port = await busyPort();
        const program = startProgram(mappedDir, { MAPPED_LISTENER: `127.0.0.1:${port}` }, cleanup, [], { args: [] });
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.lines).toEqual(['FAILED EADDRINUSE']);
        expect(program.stderr).toBe('');
    });
});

describe('a client whose connect is refused and whose model maps no error', () => {
    it('traces the error and the close, and prints a warning; the program runs on until SIGTERM', async () => {
        const port = await closedPort();
        const program = startProgram(dialerDir, { DIALER_UPSTREAM: `127.0.0.1:${port}` }, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        await program.untilStderr((lines) => (lines.some((line) => line.includes('"what":"close"')) ? true : undefined), 5_000, 'the close after the refusal');
        program.child.kill('SIGTERM');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.jsonTrace).toEqual([
            { t: 0, kind: 'start', machine: 'Dialer', state: 'Dialing' },
            { t: 0, kind: 'io', machine: 'Dialer', socket: 'upstream', what: 'error', code: 'ECONNREFUSED' },
            { t: 0, kind: 'io', machine: 'Dialer', socket: 'upstream', what: 'close', hadError: true },
            { t: 0, kind: 'transition', machine: 'Dialer', from: 'Dialing', event: 'Shutdown', to: 'Done' },
            { t: 0, kind: 'finish', machine: 'Dialer', state: 'Done' }
        ]);
        expect(untimed(program.jsonTrace)).toEqual(untimed(await interpreterTrace(DIALER, 'upstream refused\nsignal SIGTERM')));
        const warnings = program.stderrLines.filter((line) => !line.startsWith('{') && !line.includes('--trace-warnings'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(new RegExp(`ReactorSocketError: Dialer\\.upstream: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    });
});
