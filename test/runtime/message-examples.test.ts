// The four message examples (line-echo, pipe-relay, rpc-server, chat-client) generated, compiled and run as real
// processes against real peers on 127.0.0.1, as a user would run them: socat and Node clients and servers, streams of
// ~100 MB checked by hash, lines and frames cut anywhere, peers that vanish, and the signals that stop them.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { ROOT, buildProgramFrom, hasCommand, interpreterTrace, removePrograms, startProgram, untimed, type Program } from './program-helpers.js';
import { socatEcho } from './relay/relay-helpers.js';
import { Changes, Cleanup, absenceWindow, closedPort, connectTo, fillAcceptQueue, seededRandom, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

const MiB = 1024 * 1024;
const LF = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');
/**
 * Bytes of the big streams: each way through the relay, and the lines sent to the line echo. The line echo costs the
 * server some 6 µs of CPU per line (~100 bytes), 100 MB about 10 s on a shared 2-core machine, so it streams 32 MB
 * unless MESSAGE_EXAMPLES_MB=N sets both.
 */
const RELAY_BYTES = Number(process.env.MESSAGE_EXAMPLES_MB ?? 100) * MiB;
const LINE_BYTES = Number(process.env.MESSAGE_EXAMPLES_MB ?? 32) * MiB;

const example = (name: string): string => readFileSync(path.join(ROOT, 'examples', `${name}.fsm`), 'utf8');
const LINE_ECHO = example('line-echo');
const PIPE_RELAY = example('pipe-relay');
const RPC_SERVER = example('rpc-server');
const CHAT_CLIENT = example('chat-client');

/** The RPC session's user code: the reply is the request reversed; a request is valid when not empty and not `?…`. */
const RPC_SESSION_ACTIONS = `// The user code of RpcSession for the test: replies with the request reversed.
import type { RpcSessionActions } from './rpc-session.events.js';

export const rpcSessionActions: RpcSessionActions = {
    answer(machine, payload) {
        machine.sockets.peer.send(Buffer.from(payload).reverse());
    },
    valid(_machine, payload) {
        return payload.length > 0 && payload[0] !== 0x3f;
    },
    logFailure(machine, payload) {
        const code = 'code' in payload ? String(payload.code) : payload.message;
        console.error(\`FAILED \${machine.name} \${code}\`);
    },
};
`;

/** The chat client's user code: its guards read the current line; pong answers a PING with its token. */
const CHAT_CLIENT_ACTIONS = `// The user code of ChatClient for the test: guards on the line, PONG with the PING's token, lines shown.
import type { ChatClientActions } from './chat-client.events.js';

export const chatClientActions: ChatClientActions = {
    welcome(_machine, payload) {
        return payload.toString('utf8').includes(' 001 ');
    },
    pong(machine, payload) {
        machine.sockets.irc.send('PONG ' + payload.toString('utf8').slice('PING '.length));
    },
    ping(_machine, payload) {
        return payload.toString('utf8').startsWith('PING ');
    },
    show(_machine, payload) {
        console.log('SHOW ' + payload.toString('utf8'));
    },
};
`;

let lineEchoDir = '';
let pipeRelayDir = '';
let rpcServerDir = '';
let chatClientDir = '';

beforeAll(async () => {
    // line-echo and pipe-relay as generated: their actions files are the empty stubs, which must compile as they are.
    lineEchoDir = await buildProgramFrom(LINE_ECHO, {});
    pipeRelayDir = await buildProgramFrom(PIPE_RELAY, {});
    rpcServerDir = await buildProgramFrom(RPC_SERVER, { 'rpc-session.actions.ts': RPC_SESSION_ACTIONS });
    chatClientDir = await buildProgramFrom(CHAT_CLIENT, { 'chat-client.actions.ts': CHAT_CLIENT_ACTIONS });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// Helpers: programs, traces, peers.

/** Resolves once something listens on 127.0.0.1:port (read from /proc/net/tcp: no probe connection, no session). */
async function listening(port: number, program: Program): Promise<void> {
    const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    for (let waited = 0; ; waited += 20) {
        const table = await readFile('/proc/net/tcp', 'utf8');
        if (table.split('\n').some((row) => {
            const fields = row.trim().split(/\s+/);
            return fields[1] === local && fields[3] === '0A';
        })) {
            return;
        }
        if (program.child.exitCode !== null || program.child.signalCode !== null) {
            throw new Error(`the program ended before listening on ${port}:\n${program.output}`);
        }
        if (waited > 10_000) {
            throw new Error(`nothing listens on 127.0.0.1:${port} after 10 s:\n${program.output}`);
        }
        await absenceWindow(20);
    }
}

/** Resolves once nothing listens on 127.0.0.1:port any more (the program closed its listener). */
async function notListening(port: number): Promise<void> {
    const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    for (let waited = 0; ; waited += 20) {
        const table = await readFile('/proc/net/tcp', 'utf8');
        if (!table.split('\n').some((row) => {
            const fields = row.trim().split(/\s+/);
            return fields[1] === local && fields[3] === '0A';
        })) {
            return;
        }
        if (waited > 10_000) {
            throw new Error(`127.0.0.1:${port} still listens after 10 s`);
        }
        await absenceWindow(20);
    }
}

/** Starts a server program with its listener (`variable`) on a free port of 127.0.0.1, and waits until it listens. */
async function startServer(dir: string, variable: string, options: { args?: string[]; env?: Record<string, string> } = {}): Promise<{ program: Program; port: number }> {
    const port = await closedPort();
    const program = startProgram(dir, { [variable]: `127.0.0.1:${port}`, ...options.env }, cleanup, [], { args: options.args ?? ['--trace=json'] });
    await listening(port, program);
    return { program, port };
}

/** Resolves once the program's JSON trace satisfies `match`. */
function traced(program: Program, what: string, match: (lines: TraceLine[]) => boolean, timeoutMs = 10_000): Promise<true> {
    return program.until(() => (match(program.jsonTrace) ? true : undefined), timeoutMs, what);
}

const io = (lines: readonly TraceLine[], machine: string, socket: string, what: string): Array<Extract<TraceLine, { kind: 'io' }>> =>
    lines.filter((line): line is Extract<TraceLine, { kind: 'io' }> => line.kind === 'io' && line.machine === machine && line.socket === socket && line.what === what);
/** The last `count` trace lines of `machine`, without their time. */
const tail = (program: Program, machine: string, count: number): Array<Partial<TraceLine>> =>
    program.jsonTrace.filter((line) => line.machine === machine).slice(-count).map((line) => ({ ...line, t: undefined }));
const finished = (lines: readonly TraceLine[], machine: string): boolean => lines.some((line) => line.kind === 'finish' && line.machine === machine);
const transitionTo = (lines: readonly TraceLine[], machine: string, to: string): boolean => lines.some((line) => line.kind === 'transition' && line.machine === machine && line.to === to);

/** A TCP peer (client or accepted socket) that keeps what it receives and says when it closed. */
class Peer {
    readonly chunks: Buffer[] = [];
    received = 0;
    ended = false;
    closed = false;
    error: Error | undefined;
    readonly closedAt: Promise<number>;
    private readonly changes = new Changes();

    constructor(readonly socket: Socket) {
        socket.on('data', (chunk: Buffer) => {
            this.chunks.push(chunk);
            this.received += chunk.byteLength;
            this.changes.notify();
        });
        socket.on('end', () => {
            this.ended = true;
            this.changes.notify();
        });
        socket.on('error', (error) => {
            this.error = error;
        });
        this.closedAt = new Promise((resolve) =>
            socket.once('close', () => {
                this.closed = true;
                resolve(performance.now());
                this.changes.notify();
            })
        );
    }

    /** What arrived so far, as latin1 text. */
    get text(): string {
        return Buffer.concat(this.chunks).toString('latin1');
    }

    /** Resolves once `probe` returns something; rejects when the socket closed first or after `timeoutMs`. */
    until<T>(probe: (peer: this) => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
        return this.changes.wait(
            () => {
                const value = probe(this);
                if (value === undefined && this.closed) {
                    throw new Error(`the connection closed before ${what}; received ${JSON.stringify(this.text.slice(-200))}`);
                }
                return value;
            },
            timeoutMs,
            () => `timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(this.text.slice(-200))}`
        );
    }

    /** Resolves once the text received is exactly `expected` (rejects early when it can no longer become it). */
    async receives(expected: string, what: string, timeoutMs = 10_000): Promise<void> {
        await this.until(
            (peer) => {
                const text = peer.text;
                if (!expected.startsWith(text)) {
                    throw new Error(`${what}: received ${JSON.stringify(text)}, expected ${JSON.stringify(expected)}`);
                }
                return text === expected ? true : undefined;
            },
            what,
            timeoutMs
        );
    }

    /** Resolves once the socket has closed. */
    close(what: string, timeoutMs = 10_000): Promise<number> {
        return within(this.closedAt, timeoutMs, what);
    }
}

async function connectPeer(port: number): Promise<Peer> {
    return new Peer(await connectTo(cleanup, port));
}

/** Resolves with the error of a connect to 127.0.0.1:port that fails (rejects when it succeeds). */
function refusedConnect(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        socket.once('connect', () => reject(new Error(`a connect to ${port} succeeded`)));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
}

/** A server on 127.0.0.1 whose accepted sockets become Peers (in order of arrival). */
async function peerServer(onPeer: (peer: Peer) => void = () => undefined, options: { allowHalfOpen?: boolean } = {}): Promise<{ server: Server; port: number; peers: Peer[]; next: (index: number) => Promise<Peer> }> {
    const peers: Peer[] = [];
    const changes = new Changes();
    const server = cleanup.server(
        createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => {
            cleanup.socket(socket);
            const peer = new Peer(socket);
            peers.push(peer);
            onPeer(peer);
            changes.notify();
        })
    );
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const next = (index: number): Promise<Peer> => changes.wait(() => peers[index], 10_000, () => `timed out waiting for connection ${index + 1}`);
    return { server, port: (server.address() as AddressInfo).port, peers, next };
}

/**
 * `socat -t 5 - TCP:127.0.0.1:PORT`: a client nobody here wrote; its stdin goes to the server, the server's bytes to its
 * stdout. When the server closes first, socat keeps its own side open until its stdin ends (or 5 s): `end()` then.
 */
class SocatClient {
    readonly child: ChildProcessWithoutNullStreams;
    output = '';
    /** What socat logs on stderr (`-d -d`: connects, EOFs, exit). */
    log = '';
    readonly exited: Promise<number | null>;
    private readonly changes = new Changes();

    constructor(port: number) {
        this.child = cleanup.child(spawn('socat', ['-d', '-d', '-t', '5', '-', `TCP:127.0.0.1:${port}`], { stdio: 'pipe' }));
        this.child.stdout.setEncoding('latin1');
        this.child.stdout.on('data', (text: string) => {
            this.output += text;
            this.changes.notify();
        });
        this.child.stderr.setEncoding('utf8');
        this.child.stderr.on('data', (text: string) => {
            this.log += text;
            this.changes.notify();
        });
        this.exited = new Promise((resolve) =>
            this.child.once('close', (code) => {
                if (code !== 0) {
                    console.error(`socat exited with ${code}: ${this.log}`);
                }
                resolve(code);
            })
        );
    }

    write(text: string): void {
        this.child.stdin.write(text, 'latin1');
    }

    /** Ends its stdin: socat shuts down its side of the connection and waits (up to 5 s) for the server's close. */
    end(): void {
        this.child.stdin.end();
    }

    receives(expected: string, what: string): Promise<true> {
        return this.changes.wait(
            () => {
                if (!expected.startsWith(this.output)) {
                    throw new Error(`${what}: socat printed ${JSON.stringify(this.output)}, expected ${JSON.stringify(expected)}`);
                }
                return this.output === expected ? true : undefined;
            },
            10_000,
            () => `timed out waiting for ${what}: socat printed ${JSON.stringify(this.output)}`
        );
    }

    /** Resolves once socat has read the end of the connection (`-d -d` logs `socket 2 (fd N) is at EOF`). */
    connectionEnded(): Promise<true> {
        return this.changes.wait(() => (/socket 2 \(fd \d+\) is at EOF/.test(this.log) ? true : undefined), 10_000, () => `socat to see the end of the connection:\n${this.log}`);
    }
}

/** A block of random bytes that streams are cut from (slices at random offsets: no allocation per chunk). */
function randomPool(size: number, seed: number, printable: boolean): Buffer {
    const random = seededRandom(seed);
    const pool = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) {
        pool[i] = printable ? 0x20 + Math.floor(random() * 95) : Math.floor(random() * 256);
    }
    return pool;
}

const BINARY_POOL = randomPool(4 * MiB, 7, false);

/** Writes `total` bytes cut from the pool to `socket`, honouring backpressure; resolves with their SHA-256 once written. */
async function pumpBytes(socket: Socket, total: number, seed: number): Promise<{ sha256: string; sent: number }> {
    const random = seededRandom(seed);
    const hash = createHash('sha256');
    let sent = 0;
    while (sent < total && socket.writable) {
        const size = Math.min(64 * 1024, total - sent);
        const offset = Math.floor(random() * (BINARY_POOL.byteLength - size));
        const chunk = BINARY_POOL.subarray(offset, offset + size);
        hash.update(chunk);
        sent += size;
        if (!socket.write(chunk)) {
            await new Promise<void>((resolve) => {
                const done = (): void => {
                    socket.off('drain', done);
                    socket.off('close', done);
                    resolve();
                };
                socket.on('drain', done);
                socket.on('close', done);
            });
        }
    }
    return { sha256: hash.digest('hex'), sent };
}

/** Hashes everything `socket` receives; `done(n)` resolves once n bytes arrived (rejects if it closes first). */
function hashIncoming(socket: Socket): { received: () => number; done: (bytes: number, timeoutMs: number) => Promise<string> } {
    const hash = createHash('sha256');
    const changes = new Changes();
    let received = 0;
    let closed = false;
    let digest: string | undefined;
    socket.on('data', (chunk: Buffer) => {
        if (digest === undefined) {
            hash.update(chunk);
        }
        received += chunk.byteLength;
        changes.notify();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
        closed = true;
        changes.notify();
    });
    return {
        received: () => received,
        done: (bytes, timeoutMs) =>
            changes.wait(
                () => {
                    if (received >= bytes) {
                        digest ??= hash.digest('hex');
                        return digest;
                    }
                    if (closed) {
                        throw new Error(`the connection closed after ${received} of ${bytes} bytes`);
                    }
                    return undefined;
                },
                timeoutMs,
                () => `timed out with ${received} of ${bytes} bytes received`
            )
    };
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat (in clock ticks of 1/100 s). */
async function cpuSeconds(program: Program): Promise<number> {
    const stat = await readFile(`/proc/${program.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cpuOf = (usage: NodeJS.CpuUsage): string => ((usage.user + usage.system) / 1e6).toFixed(1);
const mbps = (bytes: number, seconds: number): string => `${(bytes / MiB / seconds).toFixed(0)} MB/s`;

// ---------------------------------------------------------------------------------------------------------------

describe('line-echo (examples/line-echo.fsm, no hand-written code)', () => {
    it('socat as a client: lines cut anywhere (CRLF split between writes, an empty line) come back whole with LF; traced as the interpreter', async (context) => {
        if (!hasCommand('socat')) {
            context.skip();
        }
        const { program, port } = await startServer(lineEchoDir, 'LINE_ECHO_LISTENER');
        const socat = new SocatClient(port);
        await traced(program, 'the accept', (lines) => io(lines, 'LineEcho', 'listener', 'accept').length === 1);
        const chunks = ['hel', 'lo\r', '\nwor', 'ld\n\nsplit ', 'across\r\nthree', ' writes\n'];
        for (const [index, chunk] of chunks.entries()) {
            socat.write(chunk);
            // Each write is read on its own: the next one goes out once the program has traced this one's data.
            await traced(program, `the data of write ${index + 1}`, (lines) => io(lines, 'LineEchoSession#1', 'peer', 'data').length === index + 1);
        }
        await socat.receives('hello\nworld\n\nsplit across\nthree writes\n', 'the echoed lines');
        // socat ends its side; the session finishes and closes the connection; socat sees the end and exits 0.
        socat.end();
        expect(await within(socat.exited, 8_000, 'socat to exit')).toBe(0);
        await traced(program, 'the session to finish', (lines) => finished(lines, 'LineEchoSession#1'));
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);

        const scenario = ['listener accept', ...chunks.map((chunk) => `LineEchoSession#1.peer data ${JSON.stringify(chunk)}`), 'LineEchoSession#1.peer closed', 'signal SIGTERM'];
        expect(untimed(program.jsonTrace)).toEqual(untimed(await interpreterTrace(LINE_ECHO, scenario.join('\n'))));
    }, 20_000);

    it('two socat clients at once, writes interleaved: each gets its own lines; SIGTERM with both connected closes them and exits 0', async (context) => {
        if (!hasCommand('socat')) {
            context.skip();
        }
        const { program, port } = await startServer(lineEchoDir, 'LINE_ECHO_LISTENER');
        const first = new SocatClient(port);
        await traced(program, 'the first accept', (lines) => io(lines, 'LineEcho', 'listener', 'accept').length === 1);
        const second = new SocatClient(port);
        await traced(program, 'the second accept', (lines) => io(lines, 'LineEcho', 'listener', 'accept').length === 2);
        const writes: Array<[SocatClient, string, string]> = [
            [first, 'LineEchoSession#1', 'one\nt'],
            [second, 'LineEchoSession#2', 'uno\r\nd'],
            [first, 'LineEchoSession#1', 'wo\nthr'],
            [second, 'LineEchoSession#2', 'os\n'],
            [first, 'LineEchoSession#1', 'ee\r\n']
        ];
        for (const [index, [client, session, text]] of writes.entries()) {
            const before = writes.slice(0, index).filter(([, other]) => other === session).length;
            client.write(text);
            await traced(program, `the data of write ${index + 1}`, (lines) => io(lines, session, 'peer', 'data').length === before + 1);
        }
        await first.receives('one\ntwo\nthree\n', 'the first client\'s lines');
        await second.receives('uno\ndos\n', 'the second client\'s lines');
        // SIGTERM: the server stops; the sessions' connections are closed gracefully (socat reads their end), and each
        // session ends when its client closes its side in answer.
        program.child.kill('SIGTERM');
        await Promise.all([first.connectionEnded(), second.connectionEnded()]);
        first.end();
        second.end();
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(await within(Promise.all([first.exited, second.exited]), 8_000, 'socat to exit')).toEqual([0, 0]);
        const trace = program.jsonTrace;
        expect(transitionTo(trace, 'LineEcho', 'Stopped')).toBe(true);
        for (const session of ['LineEchoSession#1', 'LineEchoSession#2']) {
            expect(tail(program, session, 3), program.output).toEqual([
                { kind: 'io', machine: session, socket: 'peer', what: 'close', hadError: false },
                { kind: 'transition', machine: session, from: 'Echoing', event: 'Gone', to: 'Done' },
                { kind: 'finish', machine: session, state: 'Done' }
            ]);
        }
        expect(program.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'))).toEqual([]);
    }, 20_000);

    it(`a Node client streams ${LINE_BYTES / MiB} MB of lines (1..200 bytes, a quarter CRLF) while reading the echo: the echo is the lines with LF`, async () => {
        const { program, port } = await startServer(lineEchoDir, 'LINE_ECHO_LISTENER', { args: [] });
        const socket = await connectTo(cleanup, port);
        const random = seededRandom(42);
        const pool = randomPool(MiB, 43, true);
        const incoming = hashIncoming(socket);
        const expected = createHash('sha256');
        let sent = 0;
        let echoTotal = 0;
        let lines = 0;
        const started = performance.now();
        const clientCpu = process.cpuUsage();
        while (sent < LINE_BYTES) {
            // A block of whole lines, and the same lines with LF as the echo should hold them.
            const wire: Buffer[] = [];
            const echo: Buffer[] = [];
            for (let size = 0; size < 256 * 1024; lines++) {
                const length = 1 + Math.floor(random() * 200);
                const offset = Math.floor(random() * (pool.byteLength - length));
                const text = pool.subarray(offset, offset + length);
                const crlf = random() < 0.25;
                wire.push(text, crlf ? CRLF : LF);
                echo.push(text, LF);
                size += length + (crlf ? 2 : 1);
            }
            const block = Buffer.concat(wire);
            const echoBlock = Buffer.concat(echo);
            expected.update(echoBlock);
            echoTotal += echoBlock.byteLength;
            // Written in pieces cut anywhere (inside a line, between CR and LF), honouring backpressure.
            for (let at = 0; at < block.byteLength; ) {
                const piece = block.subarray(at, at + 1 + Math.floor(random() * 64 * 1024));
                at += piece.byteLength;
                sent += piece.byteLength;
                if (!socket.write(piece)) {
                    await within(new Promise((resolve) => socket.once('drain', resolve)), 20_000, `drain after ${sent} bytes sent, ${incoming.received()} echoed\n${program.output}`);
                }
            }
        }
        const echoed = await incoming.done(echoTotal, 30_000);
        const seconds = (performance.now() - started) / 1_000;
        expect(incoming.received()).toBe(echoTotal);
        expect(echoed).toBe(expected.digest('hex'));
        console.log(
            `line-echo: ${(sent / MiB).toFixed(0)} MB, ${lines} lines, echoed in ${seconds.toFixed(1)} s (${mbps(sent, seconds)}, ${(lines / seconds / 1000).toFixed(0)}k lines/s); CPU: the server ${(await cpuSeconds(program)).toFixed(1)} s, this client ${cpuOf(process.cpuUsage(clientCpu))} s`
        );
        socket.end();
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
        expect(program.stderr).toBe('');
    }, 60_000);

    it('a client sending a line over 64 KiB is dropped (ERR_FRAME_TOO_LONG) while another client keeps being served; SIGTERM exits 0', async () => {
        const { program, port } = await startServer(lineEchoDir, 'LINE_ECHO_LISTENER');
        const other = await connectPeer(port);
        other.socket.write('before\n');
        await other.receives('before\n', 'the other client\'s first echo');
        const long = await connectPeer(port);
        long.socket.write('ok\n');
        await long.receives('ok\n', 'the echo of the short line');
        long.socket.write(Buffer.alloc(64 * 1024 + 100, 'x'));
        long.socket.write('\nnever echoed\n');
        await long.close('the long line\'s client to be dropped');
        expect(long.text).toBe('ok\n');
        other.socket.write('after\n');
        await other.receives('before\nafter\n', 'the other client\'s second echo');
        await traced(program, 'LineEchoSession#2 to finish', (lines) => finished(lines, 'LineEchoSession#2'));
        const trace = program.jsonTrace;
        const errors = io(trace, 'LineEchoSession#2', 'peer', 'error');
        expect(errors.map((line) => line.code), program.output).toEqual(['ERR_FRAME_TOO_LONG']);
        expect(tail(program, 'LineEchoSession#2', 3), program.output).toEqual([
            { kind: 'io', machine: 'LineEchoSession#2', socket: 'peer', what: 'error', code: 'ERR_FRAME_TOO_LONG' },
            { kind: 'transition', machine: 'LineEchoSession#2', from: 'Echoing', event: 'Failed', to: 'Done' },
            { kind: 'finish', machine: 'LineEchoSession#2', state: 'Done' }
        ]);
        expect(io(trace, 'LineEchoSession#1', 'peer', 'error')).toEqual([]);
        expect(finished(trace, 'LineEchoSession#1')).toBe(false);
        program.child.kill('SIGTERM');
        // The server closes the other client's connection gracefully; the Node client ends its side in answer.
        await other.close('the other client to be closed by the server');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
    }, 20_000);
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * An echo upstream that is slow to accept: a Node child listening with a backlog of 1, stopped (SIGSTOP) with its
 * accept queue filled, so that a connect to it hangs (Linux drops the SYN; the client sends it again after 1 s) until
 * `start()` (SIGCONT). It prints `DATA <base64>` for every chunk it receives, and echoes it.
 */
async function slowUpstream(): Promise<{ port: number; received: () => Buffer; start: () => void }> {
    const script = `
const net = require('node:net');
const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
        process.stdout.write('DATA ' + data.toString('base64') + '\\n');
        socket.write(data);
    });
});
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => process.stdout.write('PORT ' + server.address().port + '\\n'));`;
    const child = cleanup.child(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
    let output = '';
    const changes = new Changes();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
        output += text;
        changes.notify();
    });
    const port = Number(await changes.wait(() => /^PORT (\d+)$/m.exec(output)?.[1], 5_000, () => 'the slow upstream to listen'));
    child.kill('SIGSTOP');
    cleanup.add(() => child.kill('SIGCONT'));
    await fillAcceptQueue(cleanup, port);
    const received = (): Buffer =>
        Buffer.concat(
            output
                .split('\n')
                .filter((line) => line.startsWith('DATA '))
                .map((line) => Buffer.from(line.slice('DATA '.length), 'base64'))
        );
    return { port, received, start: () => child.kill('SIGCONT') };
}

describe('pipe-relay (examples/pipe-relay.fsm, no hand-written code)', () => {
    it('a client that writes before the upstream has accepted: its bytes wait, and reach the upstream after the connect, none lost', async () => {
        const upstream = await slowUpstream();
        const { program, port } = await startServer(pipeRelayDir, 'PIPE_RELAY_LISTENER', { env: { PIPE_UPSTREAM: `127.0.0.1:${upstream.port}` } });
        const client = await connectPeer(port);
        const early = 'SELECT 1;\n'.repeat(1_000);
        client.socket.write(early);
        await traced(program, 'Pipe#1 dialing', (lines) => lines.some((line) => line.kind === 'start' && line.machine === 'Pipe#1' && line.state === 'Dialing'));
        // The upstream has not accepted: no connect yet, and the client's bytes are not read (they wait in the kernel).
        await absenceWindow(300);
        expect(io(program.jsonTrace, 'Pipe#1', 'upstream', 'connect'), program.output).toEqual([]);
        expect(io(program.jsonTrace, 'Pipe#1', 'downstream', 'data')).toEqual([]);
        const startedAt = performance.now();
        upstream.start();
        await client.receives(early, 'the early bytes echoed through the upstream', 8_000);
        console.log(`pipe-relay: the upstream connect completed ${((performance.now() - startedAt) / 1_000).toFixed(1)} s after the upstream started accepting`);
        expect(upstream.received().toString('latin1')).toBe(early);
        const trace = program.jsonTrace;
        const connectAt = trace.findIndex((line) => line.kind === 'io' && line.machine === 'Pipe#1' && line.socket === 'upstream' && line.what === 'connect');
        const firstData = trace.findIndex((line) => line.kind === 'io' && line.machine === 'Pipe#1' && line.socket === 'downstream' && line.what === 'data');
        expect(connectAt).toBeGreaterThan(-1);
        expect(firstData, program.output).toBeGreaterThan(connectAt);
        client.socket.write('later\n');
        await client.receives(`${early}later\n`, 'later bytes');
        client.socket.end();
        await traced(program, 'Pipe#1 to finish', (lines) => finished(lines, 'Pipe#1'));
        program.child.kill('SIGINT');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
    }, 20_000);

    it(`${RELAY_BYTES / MiB} MB each way at once between a Node client and a Node upstream: both ends' hashes match`, async () => {
        const upstream = await peerServer();
        const { program, port } = await startServer(pipeRelayDir, 'PIPE_RELAY_LISTENER', { args: [], env: { PIPE_UPSTREAM: `127.0.0.1:${upstream.port}` } });
        const client = await connectTo(cleanup, port);
        const started = performance.now();
        const testCpu = process.cpuUsage();
        const downIncoming = hashIncoming(client);
        const far = (await upstream.next(0)).socket;
        far.removeAllListeners('data');
        const upIncoming = hashIncoming(far);
        const [downSent, upSent, atUpstream, atClient] = await Promise.all([
            pumpBytes(client, RELAY_BYTES, 1),
            pumpBytes(far, RELAY_BYTES, 2),
            upIncoming.done(RELAY_BYTES, 50_000),
            downIncoming.done(RELAY_BYTES, 50_000)
        ]);
        const seconds = (performance.now() - started) / 1_000;
        console.log(`pipe-relay: ${RELAY_BYTES / MiB} MB each way in ${seconds.toFixed(1)} s (${mbps(RELAY_BYTES, seconds)} each way); CPU: the relay ${(await cpuSeconds(program)).toFixed(1)} s, both ends here ${cpuOf(process.cpuUsage(testCpu))} s`);
        expect(downSent.sent).toBe(RELAY_BYTES);
        expect(upSent.sent).toBe(RELAY_BYTES);
        expect(upIncoming.received()).toBe(RELAY_BYTES);
        expect(downIncoming.received()).toBe(RELAY_BYTES);
        expect(atUpstream).toBe(downSent.sha256);
        expect(atClient).toBe(upSent.sha256);
        client.end();
        await within(new Promise((resolve) => far.once('close', resolve)), 10_000, 'the upstream connection to close after the client left');
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
        expect(program.stderr).toBe('');
    }, 60_000);

    it('the client destroyed mid-stream: the relay closes the upstream connection, and the upstream sees it close', async () => {
        const upstream = await peerServer();
        const { program, port } = await startServer(pipeRelayDir, 'PIPE_RELAY_LISTENER', { env: { PIPE_UPSTREAM: `127.0.0.1:${upstream.port}` } });
        const client = await connectTo(cleanup, port);
        client.on('error', () => undefined);
        const atClient = hashIncoming(client);
        const far = await upstream.next(0);
        void pumpBytes(client, 64 * MiB, 3);
        void pumpBytes(far.socket, 64 * MiB, 4);
        await atClient.done(4 * MiB, 10_000);
        await far.until((peer) => (peer.received >= 4 * MiB ? true : undefined), 'the upstream to receive 4 MB');
        client.destroy();
        const destroyedAt = performance.now();
        const closedAt = await far.close('the upstream connection to close after the client was destroyed', 5_000);
        expect(far.ended, 'the relay ended the upstream connection (FIN)').toBe(true);
        console.log(`pipe-relay: the upstream closed ${(closedAt - destroyedAt).toFixed(0)} ms after the client was destroyed`);
        await traced(program, 'Pipe#1 to finish', (lines) => finished(lines, 'Pipe#1'));
        const trace = program.jsonTrace.filter((line) => line.machine === 'Pipe#1' && line.kind !== 'io' && line.kind !== 'internal' && !(line.kind === 'action' && line.name.startsWith('send ')));
        expect(trace.slice(-3).map((line) => ({ ...line, t: undefined })), program.output).toEqual([
            { kind: 'action', machine: 'Pipe#1', name: 'close upstream', state: 'Piping', phase: 'transition' },
            { kind: 'transition', machine: 'Pipe#1', from: 'Piping', event: 'DownGone', to: 'Done' },
            { kind: 'finish', machine: 'Pipe#1', state: 'Done' }
        ]);
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
    }, 30_000);

    it('SIGINT drains: the listener stops accepting, the open session keeps relaying (to socat), and the program exits 0 once it ends', async (context) => {
        if (!hasCommand('socat')) {
            context.skip();
        }
        const echo = await socatEcho(cleanup);
        const { program, port } = await startServer(pipeRelayDir, 'PIPE_RELAY_LISTENER', { env: { PIPE_UPSTREAM: `127.0.0.1:${echo.port}` } });
        const client = await connectPeer(port);
        client.socket.write('before\n');
        await client.receives('before\n', 'the echo through the relay');
        program.child.kill('SIGINT');
        await traced(program, 'the listener closed', (lines) => lines.some((line) => line.kind === 'action' && line.machine === 'PipeRelay' && line.name === 'close listener'));
        await notListening(port);
        expect(await refusedConnect(port)).toBe('ECONNREFUSED');
        client.socket.write('during\n');
        await client.receives('before\nduring\n', 'the echo while draining');
        await absenceWindow(200);
        expect(program.child.exitCode, 'the program waits for its open session').toBeNull();
        const trace = program.jsonTrace;
        expect(transitionTo(trace, 'PipeRelay', 'Draining')).toBe(true);
        expect(transitionTo(trace, 'PipeRelay', 'Stopped')).toBe(false);
        client.socket.end();
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(tail(program, 'PipeRelay', 3)).toEqual([
            { kind: 'io', machine: 'PipeRelay', socket: 'listener', what: 'close', hadError: false },
            { kind: 'transition', machine: 'PipeRelay', from: 'Draining', event: 'ListenerClosed', to: 'Stopped' },
            { kind: 'finish', machine: 'PipeRelay', state: 'Stopped' }
        ]);
    }, 20_000);
});

// ---------------------------------------------------------------------------------------------------------------

/** A length-4 frame: the big-endian length, then the bytes. */
function frame(body: Buffer | string): Buffer {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(bytes.byteLength);
    return Buffer.concat([prefix, bytes]);
}

/** The length-4 frames in `bytes`, and what is left of an incomplete one. */
function frames(bytes: Buffer): { frames: Buffer[]; rest: number } {
    const found: Buffer[] = [];
    let at = 0;
    while (at + 4 <= bytes.byteLength) {
        const length = bytes.readUInt32BE(at);
        if (at + 4 + length > bytes.byteLength) {
            break;
        }
        found.push(bytes.subarray(at + 4, at + 4 + length));
        at += 4 + length;
    }
    return { frames: found, rest: bytes.byteLength - at };
}

const reversed = (body: Buffer | string): string => Buffer.from(typeof body === 'string' ? Buffer.from(body, 'latin1') : body).reverse().toString('latin1');

describe('rpc-server (examples/rpc-server.fsm, the answer written in the test)', () => {
    it('requests split and merged across writes: one framed reply each, in order; malformed ones get the framed error text', async () => {
        const { program, port } = await startServer(rpcServerDir, 'RPC_SERVER_LISTENER', { args: [] });
        const client = await connectPeer(port);
        const big = Buffer.from(BINARY_POOL.subarray(1000, 1000 + MiB));
        big[0] = 0x41;
        const requests: Array<Buffer | string> = ['ping', 'sum 1 2', '', '?help', 'x', BINARY_POOL.subarray(5, 5 + 70_000), big, 'last'];
        const expected = requests.map((request) => {
            const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
            return bytes.byteLength === 0 || bytes[0] === 0x3f ? 'error: malformed request' : reversed(bytes);
        });
        const wire = Buffer.concat(requests.map(frame));
        const random = seededRandom(9);
        const cuts = [1, 2, 3, 5, 9, 40, 1_000, 65_536, 300_000];
        let writes = 0;
        for (let at = 0; at < wire.byteLength; writes++) {
            const piece = wire.subarray(at, at + cuts[Math.floor(random() * cuts.length)]!);
            at += piece.byteLength;
            client.socket.write(piece);
            // Now and then a pause, so that a request (or a prefix) is cut across reads, not only across writes.
            if (random() < 0.3) {
                await absenceWindow(5);
            }
        }
        const replies = await client.until((peer) => {
            const parsed = frames(Buffer.concat(peer.chunks));
            return parsed.frames.length >= requests.length ? parsed : undefined;
        }, 'every reply');
        expect(replies.rest).toBe(0);
        expect(replies.frames.length).toBe(requests.length);
        replies.frames.forEach((reply, index) => expect(reply.toString('latin1'), `reply ${index + 1}`).toBe(expected[index]));
        expect(writes).toBeGreaterThan(requests.length);
        client.socket.end();
        await client.close('the server to close the connection after the client');
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
        expect(program.stderr).toBe('');
    }, 20_000);

    it('a request whose prefix says 2 MiB (max 1 MiB): ERR_FRAME_TOO_LONG, the connection closed by the server; another client is still answered', async () => {
        const { program, port } = await startServer(rpcServerDir, 'RPC_SERVER_LISTENER');
        const other = await connectPeer(port);
        const bad = await connectPeer(port);
        bad.socket.write(frame('fine'));
        await bad.until((peer) => (frames(Buffer.concat(peer.chunks)).frames.length === 1 ? true : undefined), 'the reply to a good request');
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(2 * MiB);
        bad.socket.write(Buffer.concat([prefix, BINARY_POOL.subarray(0, 100_000)]));
        await bad.close('the server to close the connection');
        expect(frames(Buffer.concat(bad.chunks)).frames.map((reply) => reply.toString('latin1'))).toEqual([reversed('fine')]);
        await traced(program, 'RpcSession#2 to finish', (lines) => finished(lines, 'RpcSession#2'));
        const trace = program.jsonTrace;
        expect(io(trace, 'RpcSession#2', 'peer', 'error').map((line) => line.code), program.output).toEqual(['ERR_FRAME_TOO_LONG']);
        expect(trace.some((line) => line.kind === 'action' && line.machine === 'RpcSession#2' && line.name === 'logFailure')).toBe(true);
        expect(program.stderrLines.filter((line) => line.startsWith('FAILED'))).toEqual(['FAILED RpcSession#2 ERR_FRAME_TOO_LONG']);
        other.socket.write(frame('still here'));
        await other.until((peer) => (frames(Buffer.concat(peer.chunks)).frames.length === 1 ? true : undefined), 'the other client\'s reply');
        expect(frames(Buffer.concat(other.chunks)).frames[0]!.toString('latin1')).toBe(reversed('still here'));
        other.socket.end();
        await other.close('the other connection to close');
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);
    }, 20_000);

    it('SIGTERM drains: no new connections, the open session still answers, and the program exits 0 once it has ended', async () => {
        const { program, port } = await startServer(rpcServerDir, 'RPC_SERVER_LISTENER');
        const client = await connectPeer(port);
        client.socket.write(frame('one'));
        await client.until((peer) => (frames(Buffer.concat(peer.chunks)).frames.length === 1 ? true : undefined), 'the first reply');
        program.child.kill('SIGTERM');
        await traced(program, 'the listener closed', (lines) => lines.some((line) => line.kind === 'action' && line.machine === 'RpcServer' && line.name === 'close listener'));
        await notListening(port);
        expect(await refusedConnect(port)).toBe('ECONNREFUSED');
        client.socket.write(frame('two'));
        await client.until((peer) => (frames(Buffer.concat(peer.chunks)).frames.length === 2 ? true : undefined), 'the reply while draining');
        expect(frames(Buffer.concat(client.chunks)).frames.map((reply) => reply.toString('latin1'))).toEqual(['eno', 'owt']);
        await absenceWindow(200);
        expect(program.child.exitCode, 'the program waits for its open session').toBeNull();
        client.socket.end();
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(tail(program, 'RpcServer', 3)).toEqual([
            { kind: 'io', machine: 'RpcServer', socket: 'listener', what: 'close', hadError: false },
            { kind: 'transition', machine: 'RpcServer', from: 'Draining', event: 'Closed', to: 'Stopped' },
            { kind: 'finish', machine: 'RpcServer', state: 'Stopped' }
        ]);
    }, 20_000);
});

// ---------------------------------------------------------------------------------------------------------------

/** A fake IRC server's view of one connection: the lines it received, split on LF (each must end in LF, not CRLF). */
function linesOf(peer: Peer): string[] {
    const text = peer.text;
    const lines = text.split('\n');
    lines.pop();
    return lines;
}

const REGISTRATION = ['NICK reactor', 'USER reactor 0 * :Reactor FSM bot'];

/** Plays the server's side of a registration: NOTICE, PING, then the welcome (cut in two writes) once NICK and USER came. */
async function register(peer: Peer): Promise<void> {
    await peer.receives(REGISTRATION.map((line) => `${line}\n`).join(''), 'NICK and USER');
    peer.socket.write(':irc.local NOTICE * :Looking up your hostname\r\n');
    peer.socket.write('PING :token-42\r\n');
    await peer.receives(`${REGISTRATION.map((line) => `${line}\n`).join('')}PONG :token-42\n`, 'the PONG');
    peer.socket.write(':irc.local 001 reactor :Wel');
    peer.socket.write('come\r\n:irc.local 002 reactor :Your host is irc.local\r\n');
    await peer.until((p) => (linesOf(p).length >= 4 ? true : undefined), 'the JOIN');
}

describe('chat-client (examples/chat-client.fsm, guards and pong written in the test)', () => {
    it('registers (NICK, USER), answers the PING, joins on 001; on SIGINT says QUIT :bye and exits 0 once the server has closed', async () => {
        const irc = await peerServer(() => undefined, { allowHalfOpen: true });
        const program = startProgram(chatClientDir, { CHAT_CLIENT_IRC: `127.0.0.1:${irc.port}` }, cleanup, [], { args: ['--trace=json'] });
        const peer = await irc.next(0);
        await register(peer);
        expect(peer.text).toBe('NICK reactor\nUSER reactor 0 * :Reactor FSM bot\nPONG :token-42\nJOIN #reactor\n');
        await program.until((lines) => (lines.includes('SHOW :irc.local 002 reactor :Your host is irc.local') ? true : undefined), 5_000, 'the 002 line shown');
        expect(program.lines.filter((line) => line.startsWith('SHOW '))).toEqual(['SHOW :irc.local NOTICE * :Looking up your hostname', 'SHOW :irc.local 002 reactor :Your host is irc.local']);
        expect(transitionTo(program.jsonTrace, 'ChatClient', 'Joined')).toBe(true);
        program.child.kill('SIGINT');
        await peer.until((p) => (p.ended ? true : undefined), 'the client to end its side');
        expect(linesOf(peer).slice(4)).toEqual(['QUIT :bye']);
        expect(peer.text.endsWith('QUIT :bye\n')).toBe(true);
        // The client waits for the server's close (up to its linger) before it exits.
        await absenceWindow(300);
        expect(program.child.exitCode, 'the client waits for the server to close').toBeNull();
        const serverClosedAt = performance.now();
        peer.socket.end();
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(exit.at).toBeGreaterThanOrEqual(serverClosedAt);
        expect(irc.peers.length).toBe(1);
        expect(tail(program, 'ChatClient', 3)).toEqual([
            { kind: 'io', machine: 'ChatClient', socket: 'irc', what: 'close', hadError: false },
            { kind: 'transition', machine: 'ChatClient', from: 'Leaving', event: 'Dropped', to: 'Done' },
            { kind: 'finish', machine: 'ChatClient', state: 'Done' }
        ]);
    }, 20_000);

    it('the server drops the link: the client reconnects after about 1 s and registers again; SIGINT then quits', async () => {
        const irc = await peerServer(() => undefined, { allowHalfOpen: true });
        const program = startProgram(chatClientDir, { CHAT_CLIENT_IRC: `127.0.0.1:${irc.port}` }, cleanup, [], { args: ['--trace=json'] });
        const first = await irc.next(0);
        await register(first);
        expect(linesOf(first)).toEqual([...REGISTRATION, 'PONG :token-42', 'JOIN #reactor']);
        first.socket.destroy();
        const droppedAt = performance.now();
        const second = await irc.next(1);
        const reconnectMs = performance.now() - droppedAt;
        console.log(`chat-client: reconnected ${reconnectMs.toFixed(0)} ms after the drop`);
        // reconnect 1s..30s: the first delay is 1 s with jitter (between half and all of it).
        expect(reconnectMs).toBeGreaterThanOrEqual(450);
        expect(reconnectMs).toBeLessThan(2_000);
        await second.receives(REGISTRATION.map((line) => `${line}\n`).join(''), 'the registration again');
        await traced(program, 'Registering again', (lines) => lines.filter((line) => line.kind === 'transition' && line.machine === 'ChatClient' && line.to === 'Registering').length === 2);
        program.child.kill('SIGINT');
        await second.until((p) => (p.ended ? true : undefined), 'the client to end its side');
        expect(linesOf(second)).toEqual([...REGISTRATION, 'QUIT :bye']);
        second.socket.end();
        expect((await program.exit(5_000)).code, program.output).toBe(0);
        expect(irc.peers.length).toBe(2);
        const route = program.jsonTrace.filter((line) => line.kind === 'transition').map((line) => (line.kind === 'transition' ? `${line.from}>${line.to}` : ''));
        expect(route).toEqual(['Offline>Registering', 'Registering>Joined', 'Joined>Offline', 'Offline>Registering', 'Registering>Leaving', 'Leaving>Done']);
    }, 20_000);
});
