// A generated echo server run as a real process with --inspect-fsm: the inspector's port on stderr, the snapshot, a
// session's lines, pausing a session (its echo waits, then arrives whole), and the start failures (port in use, bad value).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, FIXTURES, ROOT, removePrograms, startProgram, type Program } from './program-helpers.js';
import { absenceWindow, Changes, Cleanup, closedPort, listen, sha256, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let serverDir = '';
let workersDir = '';
let panelDir = '';

beforeAll(async () => {
    // A line echo with `workers 2` (the workers tests' model).
    panelDir = await buildProgramFrom(await readFile(path.join(FIXTURES, 'inspector-panel.fsm'), 'utf8'), {});
    workersDir = await buildProgramFrom(await readFile(path.join(ROOT, 'test', 'runtime', 'workers-fixtures', 'line-echo-workers.fsm'), 'utf8'), {});
    // Generated in this process from the sources (the CLI bundle may be older than the templates).
    const [model, serverActions, sessionActions] = await Promise.all(
        ['echo-server.fsm', 'echo-server/echo-server.actions.ts.txt', 'echo-server/echo-session.actions.ts.txt'].map((name) => readFile(path.join(FIXTURES, name), 'utf8'))
    );
    serverDir = await buildProgramFrom(model!, { 'echo-server.actions.ts': serverActions!, 'echo-session.actions.ts': sessionActions! });
}, 90_000);

afterAll(() => removePrograms());

const ANNOUNCEMENT = /^reactor-fsm: inspector listening on 127\.0\.0\.1:(\d+)$/;

type Line = Record<string, unknown>;

/** A debugger's end of the inspector connection: the lines read, parsed. */
class InspectorClient {
    readonly lines: Line[] = [];
    closed = false;
    private partial = '';
    private readonly changes = new Changes();

    constructor(readonly socket: Socket) {
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => {
            const parts = (this.partial + text).split('\n');
            this.partial = parts.pop()!;
            this.lines.push(...parts.map((part) => JSON.parse(part) as Line));
            this.changes.notify();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
            this.closed = true;
            this.changes.notify();
        });
    }

    static async connect(port: number): Promise<InspectorClient> {
        const client = new InspectorClient(cleanup.socket(netConnect({ host: '127.0.0.1', port })));
        await client.next({ kind: 'snapshot' });
        return client;
    }

    /** The first line after the first `skip` with these fields. */
    next(fields: Line, timeoutMs = 5_000, skip = 0): Promise<Line> {
        return this.changes.wait(
            () => this.lines.slice(skip).find((line) => Object.entries(fields).every(([key, value]) => line[key] === value)),
            timeoutMs,
            () => `timed out after ${timeoutMs} ms waiting for ${JSON.stringify(fields)}; lines:\n${this.lines.map((line) => JSON.stringify(line)).join('\n')}`
        );
    }

    /** Sends a command and resolves with the first line after it with these fields. */
    ask(command: Line, fields: Line): Promise<Line> {
        const skip = this.lines.length;
        this.socket.write(`${JSON.stringify(command)}\n`);
        return this.next(fields, 5_000, skip);
    }

    closedWithin(timeoutMs: number): Promise<true> {
        return this.changes.wait(() => (this.closed ? true : undefined), timeoutMs, () => 'the inspector connection to close');
    }
}

/** A peer of the echo server: counts and keeps what comes back. */
class EchoPeer {
    readonly received: Buffer[] = [];
    private readonly changes = new Changes();

    constructor(readonly socket: Socket) {
        socket.on('data', (chunk: Buffer) => {
            this.received.push(chunk);
            this.changes.notify();
        });
        socket.on('error', () => undefined);
    }

    get bytes(): number {
        return this.received.reduce((sum, chunk) => sum + chunk.length, 0);
    }

    untilBytes(count: number, timeoutMs: number): Promise<true> {
        return this.changes.wait(() => (this.bytes >= count ? true : undefined), timeoutMs, () => `${count} bytes echoed (got ${this.bytes})`);
    }
}

/** Starts the echo server with `args` and resolves with its inspector's port (from stderr) and its server's port. */
async function startInspected(args: readonly string[]): Promise<{ program: Program; inspectorPort: number; echoPort: number }> {
    const program = startProgram(serverDir, { ECHO_SERVER_LISTENER: '127.0.0.1:0' }, cleanup, [], { args });
    const announced = await program.untilStderr((lines) => lines.map((line) => ANNOUNCEMENT.exec(line)).find((match) => match !== null), 10_000, 'the inspector announcement');
    const listening = await program.line(/^LISTENING (\d+)$/, 10_000);
    return { program, inspectorPort: Number(announced[1]), echoPort: Number(listening[1]) };
}

/** An IPv4 address of this machine other than loopback, if it has one. */
function otherAddress(): string | undefined {
    return Object.values(networkInterfaces())
        .flat()
        .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
}

/** The local addresses (hex, as the kernel lists them) of the TCP sockets listening on `port`, IPv4 and IPv6. */
async function listeningAddresses(port: number): Promise<string[]> {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8').catch(() => '')));
    return tables
        .flatMap((table) => table.split('\n').slice(1))
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length > 3 && fields[3] === '0A' && fields[1]!.endsWith(`:${hexPort}`))
        .map((fields) => fields[1]!.slice(0, -5));
}

/** Whether address:port accepts a TCP connection (bounded). */
function connects(address: string, port: number): Promise<boolean> {
    return within(
        new Promise<boolean>((resolve) => {
            const socket = netConnect({ host: address, port });
            socket.once('connect', () => {
                socket.destroy();
                resolve(true);
            });
            socket.once('error', () => resolve(false));
        }),
        3_000,
        `a connection to ${address}:${port}`
    );
}

describe('a generated program with --inspect-fsm', () => {
    it('serves the snapshot and the lines, and a paused session echoes nothing until it is resumed, then every byte', async () => {
        const { program, inspectorPort, echoPort } = await startInspected(['--inspect-fsm=0']);
        const inspector = await InspectorClient.connect(inspectorPort);
        expect(inspector.lines[0]).toMatchObject({ reactorFsm: 'inspect', version: 1, pid: program.child.pid });
        expect(inspector.lines[1]).toMatchObject({ kind: 'snapshot', instances: [{ machine: 'EchoServer', state: 'Serving', finished: false }] });

        const peer = new EchoPeer(cleanup.socket(netConnect({ host: '127.0.0.1', port: echoPort })));
        expect(await inspector.next({ kind: 'start', machine: 'EchoSession#1' })).toMatchObject({ state: 'Open' });
        peer.socket.write('hello\n');
        await peer.untilBytes(6, 5_000);

        // A second debugger sees the session in its snapshot.
        const second = await InspectorClient.connect(inspectorPort);
        expect(second.lines[1]!.instances).toEqual([
            { machine: 'EchoServer', state: 'Serving', finished: false },
            { machine: 'EchoSession#1', state: 'Open', finished: false }
        ]);

        expect(await inspector.ask({ command: 'pause', machine: 'EchoSession#1' }, { kind: 'paused' })).toEqual({ kind: 'paused', machine: 'EchoSession#1', state: 'Open' });
        const payload = randomBytes(256 * 1024);
        const pausedAt = inspector.lines.length;
        peer.socket.write(payload);
        // The paused session reads nothing (the bytes wait in the kernel): no io line, nothing comes back.
        await absenceWindow(500);
        expect(inspector.lines.slice(pausedAt).filter((line) => line.machine === 'EchoSession#1')).toEqual([]);
        expect(peer.bytes).toBe(6);

        expect(await inspector.ask({ command: 'resume', machine: 'EchoSession#1' }, { kind: 'resumed' })).toEqual({ kind: 'resumed', machine: 'EchoSession#1' });
        await peer.untilBytes(6 + payload.length, 10_000);
        expect(sha256(peer.received)).toBe(sha256([Buffer.from('hello\n'), payload]));

        // The end: SIGTERM, the finish lines reach the debugger, its connection closes, the program exits 0.
        program.child.kill('SIGTERM');
        await inspector.next({ kind: 'finish', machine: 'EchoServer' });
        await inspector.closedWithin(5_000);
        expect((await program.exit(10_000)).code).toBe(0);
    }, 60_000);

    it('a breakpoint pauses the next session in its first state; the debugger leaving resumes it', async () => {
        const { program, inspectorPort, echoPort } = await startInspected(['--inspect-fsm=0']);
        const inspector = await InspectorClient.connect(inspectorPort);
        inspector.socket.write(`${JSON.stringify({ command: 'breakOn', states: ['Open'], machine: 'EchoSession' })}\n`);
        await inspector.ask({ command: 'resume', machine: 'EchoServer' }, { kind: 'resumed' });
        const peer = new EchoPeer(cleanup.socket(netConnect({ host: '127.0.0.1', port: echoPort })));
        expect(await inspector.next({ kind: 'paused', reason: 'breakpoint' })).toEqual({ kind: 'paused', machine: 'EchoSession#1', state: 'Open', reason: 'breakpoint' });
        peer.socket.write('waits\n');
        await absenceWindow(300);
        expect(peer.bytes).toBe(0);
        inspector.socket.destroy();
        await peer.untilBytes(6, 5_000);
        expect(Buffer.concat(peer.received).toString()).toBe('waits\n');
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code).toBe(0);
    }, 60_000);

    it('a paused session reads nothing: what its client sends waits in the kernel (the writes back up); after resume every byte is echoed', async () => {
        const { program, inspectorPort, echoPort } = await startInspected(['--inspect-fsm=0']);
        const inspector = await InspectorClient.connect(inspectorPort);
        const peer = new EchoPeer(cleanup.socket(netConnect({ host: '127.0.0.1', port: echoPort })));
        await inspector.next({ kind: 'start', machine: 'EchoSession#1' });
        await inspector.ask({ command: 'pause', machine: 'EchoSession#1' }, { kind: 'paused' });
        // 32 MB: far more than the kernel's buffers on both sides hold.
        const data = randomBytes(32 * 1024 * 1024);
        const written = new Promise<void>((resolve) => peer.socket.write(data, () => resolve()));
        let flushed = false;
        void written.then(() => (flushed = true));
        await absenceWindow(500);
        // The program took only what its socket read before the pause: the rest waits, so the client cannot finish writing.
        expect(flushed).toBe(false);
        expect(peer.socket.writableLength).toBeGreaterThan(16 * 1024 * 1024);
        expect(peer.bytes).toBe(0);
        await inspector.ask({ command: 'resume', machine: 'EchoSession#1' }, { kind: 'resumed' });
        await peer.untilBytes(data.length, 30_000);
        await written;
        expect(sha256(peer.received)).toBe(sha256([data]));
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code).toBe(0);
    }, 90_000);

    it('listens on 127.0.0.1 only', async () => {
        const { program, inspectorPort } = await startInspected(['--inspect-fsm=0']);
        const address = otherAddress();
        if (address !== undefined) {
            expect(await connects(address, inspectorPort)).toBe(false);
        }
        expect(await connects('127.0.0.1', inspectorPort)).toBe(true);
        // The kernel's own list: one listening socket on that port, bound to 127.0.0.1 (0100007F).
        expect(await listeningAddresses(inspectorPort)).toEqual(['0100007F']);
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code).toBe(0);
    }, 30_000);

    it('exits 1 before running any machine when the port is in use, and 2 for a bad value', async () => {
        const { port } = await listen(cleanup, () => undefined);
        const busy = startProgram(serverDir, { ECHO_SERVER_LISTENER: '127.0.0.1:0' }, cleanup, [], { args: [`--inspect-fsm=${port}`] });
        const { code } = await busy.exit(10_000);
        expect(code).toBe(1);
        expect(busy.stderr).toBe(`reactor-fsm: the inspector cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)\n`);
        expect(busy.lines.filter((line) => line.startsWith('LISTENING'))).toEqual([]);

        for (const bad of ['--inspect-fsm=abc', '--inspect-fsm=70000']) {
            const program = startProgram(serverDir, { ECHO_SERVER_LISTENER: '127.0.0.1:0' }, cleanup, [], { args: [bad] });
            expect((await program.exit(10_000)).code).toBe(2);
            expect(program.stderr).toMatch(new RegExp(`^${bad}: expected a port from 0 to 65535`));
            expect(program.lines.filter((line) => line.startsWith('LISTENING'))).toEqual([]);
        }
    }, 30_000);

    it('parallel regions: the state is the active atomic states; a breakpoint on the composite holds its signals until resumed', async () => {
        const program = startProgram(panelDir, {}, cleanup, [], { args: ['--inspect-fsm=0', '--trace=json'] });
        const announced = await program.untilStderr((lines) => lines.map((line) => ANNOUNCEMENT.exec(line)).find((match) => match !== null), 10_000, 'the inspector announcement');
        const port = Number(announced[1]);
        const inspector = await InspectorClient.connect(port);
        expect(inspector.lines[1]!.instances).toEqual([{ machine: 'Panel', state: 'Idle', finished: false }]);
        inspector.socket.write(`${JSON.stringify({ command: 'breakOn', states: ['Busy'], machine: 'Panel' })}\n`);
        await inspector.ask({ command: 'resume', machine: 'Panel' }, { kind: 'resumed' });

        program.child.kill('SIGUSR1');
        const paused = await inspector.next({ kind: 'paused', reason: 'breakpoint' });
        expect(paused).toEqual({ kind: 'paused', machine: 'Panel', state: 'Busy', reason: 'breakpoint' });
        // The whole step came first: every state entered, the regions' initial states included.
        const entered = inspector.lines.slice(0, inspector.lines.indexOf(paused)).filter((line) => line.kind === 'enter').map((line) => line.state);
        expect(entered).toEqual(expect.arrayContaining(['Busy', 'L1', 'R1']));
        const second = await InspectorClient.connect(port);
        expect(second.lines[1]!.instances).toEqual([{ machine: 'Panel', state: 'L1, R1', finished: false }]);

        // Signals wait while paused, in order.
        const skip = inspector.lines.length;
        program.child.kill('SIGUSR1');
        await absenceWindow(300);
        program.child.kill('SIGTERM');
        await absenceWindow(300);
        expect(inspector.lines.slice(skip)).toEqual([]);
        await inspector.ask({ command: 'resume', machine: 'Panel' }, { kind: 'resumed' });
        const go = await inspector.next({ kind: 'transition', event: 'Go' }, 5_000, skip);
        const shutdown = await inspector.next({ kind: 'transition', event: 'Shutdown' }, 5_000, skip);
        expect(go).toMatchObject({ from: 'L1', to: 'L2' });
        expect(inspector.lines.indexOf(go)).toBeLessThan(inspector.lines.indexOf(shutdown));
        await inspector.next({ kind: 'finish', machine: 'Panel', state: 'Done' });
        expect((await program.exit(10_000)).code).toBe(0);
        // The inspector's trace lines are the --trace=json lines from when it connected; each observer reads the clock
        // itself, so `t` may differ by a millisecond or two.
        const traced = program.stderrLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Line);
        const served = inspector.lines.filter((line) => 't' in line && 'kind' in line && line.kind !== 'snapshot');
        expect(served.length).toBeGreaterThan(10);
        const tail = traced.slice(traced.length - served.length);
        const withoutTime = (lines: Line[]): Line[] => lines.map(({ t: _t, ...rest }) => rest);
        expect(withoutTime(served)).toEqual(withoutTime(tail));
        served.forEach((line, index) => expect(Math.abs((line.t as number) - (tail[index]!.t as number))).toBeLessThanOrEqual(5));
    }, 60_000);

    it('with workers 2: each worker serves its own trace, on PORT + N - 1 (each on a port of its own for 0)', async () => {
        for (const option of ['0', 'base']) {
            const base = option === 'base' ? await closedPort() : 0;
            const program = startProgram(workersDir, { LINE_ECHO_SERVER_LISTENER: `127.0.0.1:${await closedPort()}` }, cleanup, [], { args: [`--inspect-fsm=${base}`] });
            cleanup.add(() => killWorkers(program));
            const ports = await program.untilStderr((lines) => {
                const found = lines.flatMap((line) => ANNOUNCEMENT.exec(line)?.[1] ?? []).map(Number);
                return found.length >= 2 ? found.sort((a, b) => a - b) : undefined;
            }, 30_000, 'two inspector announcements');
            if (base !== 0) {
                expect(ports).toEqual([base, base + 1]);
            }
            const hellos = await Promise.all(ports.map(async (port) => (await InspectorClient.connect(port)).lines));
            const pids = hellos.map((lines) => lines[0]!.pid);
            expect(new Set(pids).size).toBe(2);
            expect(pids).not.toContain(program.child.pid);
            for (const lines of hellos) {
                expect(lines[1]).toMatchObject({ kind: 'snapshot', instances: [{ machine: 'LineEchoServer', state: 'Serving', finished: false }] });
            }
            program.child.kill('SIGTERM');
            expect((await program.exit(15_000)).code).toBe(0);
        }
    }, 60_000);
});

/** Kills the workers of a cluster's primary that a test left running (their pids from the primary's lines). */
function killWorkers(program: Program): void {
    for (const line of program.stderrLines) {
        const pid = /^reactor: worker \d+ started \(pid (\d+)\)$/.exec(line)?.[1];
        if (pid !== undefined) {
            try {
                process.kill(Number(pid), 'SIGKILL');
            } catch {
                // already gone
            }
        }
    }
}
