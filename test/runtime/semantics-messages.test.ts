// Framing, `send` and read interest in generated programs as real processes, against real peers on 127.0.0.1: their
// traces are, line for line, what the interpreter (the definition) prints for the same occurrences, and the peer
// receives exactly the framed bytes the model sends — without one line of hand-written code.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { buildProgramFrom, interpreterTrace, removePrograms, startProgram, untimed, type Program } from './program-helpers.js';
import { absenceWindow, Cleanup, closedPort, connectTo } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

const LINES = `
machine Lines {
    events Up, Line, Hold, Go, Failed, Down
    initial state Echoing {
        on Up / send upstream "hello"
        on Line / send upstream payload
        on Hold -> Holding / pause upstream
        on Failed -> Done
        on Down -> Done
    }
    state Holding {
        on Go -> Echoing / resume upstream
        on Line / send upstream payload
        on Failed -> Done
        on Down -> Done
    }
    final state Done
    client upstream connect 127.0.0.1:9 {
        framing lines max 64
        connect -> Up
        read -> Line
        error -> Failed
        close -> Down
    }
    signal SIGUSR1 -> Hold
    signal SIGUSR2 -> Go
}`;

const RPC = `
machine Rpc {
    events Request, Gone, Failed
    initial state Serving {
        on Request / send peer payload
        on Failed -> Closed
        on Gone -> Closed
    }
    final state Closed
    connection peer {
        framing length 2 max 1KiB
        read -> Request
        error -> Failed
        close -> Gone
    }
}

machine RpcServer {
    events Quit
    initial state Up { on Quit -> Down }
    final state Down
    server listener listen 127.0.0.1:0 { session Rpc }
    signal SIGTERM -> Quit
}`;

const SHOUT = `
machine Shout {
    events Line(string), Loud(string), Down
    initial state Talking {
        on Line / raise Loud(payload)
        on Loud / shout
        on Down -> Done
    }
    final state Done
    client upstream connect 127.0.0.1:9 {
        framing lines
        read -> Line
        close -> Down
    }
}`;

/** Typed payloads in user code: \`payload\` is a string here, or the strict tsconfig refuses the project. */
const SHOUT_ACTIONS = `import type { ShoutActions } from './shout.events.js';

export const shoutActions: ShoutActions = {
    shout(machine, payload) {
        machine.sockets.upstream.send(payload.toUpperCase());
    },
};
`;

let linesDir = '';
let rpcDir = '';
let shoutDir = '';

beforeAll(async () => {
    [linesDir, rpcDir, shoutDir] = await Promise.all([buildProgramFrom(LINES, {}), buildProgramFrom(RPC, {}), buildProgramFrom(SHOUT, { 'shout.actions.ts': SHOUT_ACTIONS })]);
}, 120_000);

/** A peer server on 127.0.0.1 that keeps what it receives from its one connection. */
async function peerServer(): Promise<{ server: Server; port: number; connection: Promise<Socket>; received: () => string }> {
    let text = '';
    let accepted!: (socket: Socket) => void;
    const connection = new Promise<Socket>((resolve) => (accepted = resolve));
    const server = cleanup.server(
        createServer((socket) => {
            cleanup.socket(socket);
            socket.setEncoding('latin1');
            socket.on('data', (chunk: string) => (text += chunk));
            accepted(socket);
        })
    );
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    return { server, port: (server.address() as AddressInfo).port, connection, received: () => text };
}

function traced(program: Program, what: string, match: (lines: TraceLine[]) => boolean): Promise<true> {
    return program.until(() => (match(program.jsonTrace) ? true : undefined), 10_000, what);
}

const count = (lines: TraceLine[], kind: string, what?: string): number => lines.filter((line) => line.kind === kind && (what === undefined || (line as { what?: string }).what === what || (line as { to?: string }).to === what)).length;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
    for (let waited = 0; !condition(); waited += 10) {
        if (waited > 10_000) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

describe('framing lines, send and pause/resume, traced against the interpreter', () => {
    it('a line split across chunks, a pause that holds bytes, a resume that delivers them in order, the peer closing', async () => {
        const peer = await peerServer();
        const program = startProgram(linesDir, { LINES_UPSTREAM: `127.0.0.1:${peer.port}` }, cleanup, [], { args: ['--trace=json'] });
        const socket = await peer.connection;
        await waitFor(() => peer.received() === 'hello\n', 'the greeting');
        socket.write('a\nb');
        await waitFor(() => peer.received() === 'hello\na\n', 'the echo of a');
        program.child.kill('SIGUSR1');
        await traced(program, 'Holding', (lines) => count(lines, 'transition', 'Holding') === 1);
        socket.write('c\nd\n');
        // Paused: the bytes wait in the kernel. Nothing may be read (a bounded look, then the resume proves they waited).
        await absenceWindow(200);
        expect(count(program.jsonTrace, 'io', 'data')).toBe(1);
        program.child.kill('SIGUSR2');
        await waitFor(() => peer.received() === 'hello\na\nbc\nd\n', 'the held lines, echoed in order');
        // The last line has no line break: the peer's FIN ends it, and it is still echoed (our side ends after it).
        socket.end('e');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);

        const expected = await interpreterTrace(
            LINES,
            ['upstream connected', 'upstream data "a\\nb"', 'signal SIGUSR1', 'upstream data "c\\nd\\n"', 'signal SIGUSR2', 'upstream data "e"', 'upstream closed'].join('\n')
        );
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
        await waitFor(() => peer.received() === 'hello\na\nbc\nd\ne\n', 'the last line, echoed after the FIN');
    }, 30_000);

    it('a line longer than max: error ERR_FRAME_TOO_LONG, the connection destroyed, nothing of it echoed', async () => {
        const peer = await peerServer();
        const program = startProgram(linesDir, { LINES_UPSTREAM: `127.0.0.1:${peer.port}` }, cleanup, [], { args: ['--trace=json'] });
        const socket = await peer.connection;
        await waitFor(() => peer.received() === 'hello\n', 'the greeting');
        const long = 'x'.repeat(100);
        socket.write(`ok\n${long}`);
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        const expected = await interpreterTrace(LINES, ['upstream connected', `upstream data "ok\\n${long}"`].join('\n'));
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
        expect(program.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', what: 'error', code: 'ERR_FRAME_TOO_LONG' }));
        expect(peer.received()).toBe('hello\nok\n');
    }, 30_000);
});

describe('typed payloads', () => {
    it('an event declared Line(string) reads text (typed string in the actions), raise Loud(payload) passes it on', async () => {
        const peer = await peerServer();
        const program = startProgram(shoutDir, { SHOUT_UPSTREAM: `127.0.0.1:${peer.port}` }, cleanup, [], { args: ['--trace=json'] });
        const socket = await peer.connection;
        socket.write('héllo\nwor');
        await waitFor(() => peer.received() === Buffer.from('HÉLLO\n').toString('latin1'), 'the first line, shouted');
        socket.end('ld\n');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(Buffer.from(peer.received(), 'latin1').toString('utf8')).toBe('HÉLLO\nWORLD\n');
        const expected = await interpreterTrace(SHOUT, ['upstream connected', 'upstream data "héllo\\nwor"', 'upstream data "ld\\n"', 'upstream closed'].join('\n'));
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
    }, 30_000);
});

/** A length-2 frame: the big-endian length, then the ASCII text. */
const frame = (text: string): string => String.fromCharCode(text.length >> 8, text.length & 0xff) + text;
/** The same bytes as a JSON string for a scenario step. */
const json = (bytes: string): string => JSON.stringify(bytes);

describe('framing length 2 on a session, sent back with send … payload', () => {
    it('an RPC echo server: frames split and merged across writes come back whole, one per request; a truncated frame is an error', async () => {
        const port = await closedPort();
        const program = startProgram(rpcDir, { RPC_SERVER_LISTENER: `127.0.0.1:${port}` }, cleanup, [], { args: ['--trace=json'] });
        await traced(program, 'the start', (lines) => lines.some((line) => line.kind === 'start'));
        let client: Socket | undefined;
        for (let attempt = 0; client === undefined; attempt++) {
            try {
                client = await connectTo(cleanup, port);
            } catch (error) {
                if (attempt > 100) {
                    throw error;
                }
                await absenceWindow(20);
            }
        }
        let echoed = '';
        client.setEncoding('latin1');
        client.on('data', (chunk: string) => (echoed += chunk));
        const chunks = [frame('one') + frame('tw'), frame('two').slice(0, 1), frame('two').slice(1) + frame(''), frame('three').slice(0, 4)];
        const expectedEcho = [frame('one'), frame('tw'), frame('two'), frame('')];
        const waits = [frame('one') + frame('tw'), '', frame('one') + frame('tw') + frame('two') + frame('')];
        for (const [index, chunk] of chunks.entries()) {
            client.write(chunk, 'latin1');
            const wait = waits[index];
            if (wait) {
                await waitFor(() => echoed === wait, `the echo after chunk ${index}`);
            } else if (index < chunks.length - 1) {
                await absenceWindow(100);
            }
        }
        client.end();
        await traced(program, 'the session finished', (lines) => lines.some((line) => line.kind === 'finish' && line.machine === 'Rpc#1'));
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(echoed).toBe(expectedEcho.join(''));

        const expected = await interpreterTrace(
            RPC,
            ['listener accept', ...chunks.map((chunk) => `Rpc#1.peer data ${json(chunk)}`), 'Rpc#1.peer closed', 'signal SIGTERM'].join('\n')
        );
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
        expect(program.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', machine: 'Rpc#1', what: 'error', code: 'ERR_FRAME_TRUNCATED' }));
    }, 30_000);
});
