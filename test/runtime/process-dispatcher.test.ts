// The runtime's ProcessDispatcher with real child processes: stdout framed as a socket's reads, the exit after every
// message, failed spawns, stdin with backpressure both ways (with sockets too), pause holding the exit, and graceful close.
import { spawn as spawnChild } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientDispatcher } from '../../templates/runtime/client-dispatcher.js';
import { DEFAULT_MAX_FRAME, DEFAULT_MAX_LINE, type FramingSpec } from '../../templates/runtime/framing.js';
import type { IoDetail } from '../../templates/runtime/machine.js';
import { ProcessDispatcher, type ProcessEvents, type ProcessOptions } from '../../templates/runtime/process-dispatcher.js';
import { NO_EVENT } from '../../templates/runtime/stream-dispatcher.js';
import type { IoWhat } from '../../templates/runtime/trace-format.js';
import { absenceWindow, alive, Changes, Cleanup, collectWarnings, listen, prefixedEventNames, RecordingMachine, streamEventsOfBlock, TestHost, within, type Recorded } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const FIXTURES = fileURLToPath(new URL('./process-fixtures/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

/** A machine with one process: its events are 0–3. */
const NAMES = ['stdout', 'exit', 'error', 'drain'];
const EVENTS: ProcessEvents = { stdout: 0, exit: 1, error: 2, drain: 3 };

const LINES: FramingSpec = { kind: 'lines', maxLength: DEFAULT_MAX_LINE };

interface Occurrence {
    what: IoWhat;
    detail: IoDetail;
}

interface Rig {
    machine: RecordingMachine;
    proc: ProcessDispatcher;
    /** The process's occurrences, as observers see them. */
    io: Occurrence[];
    /** Occurrences and events in one order: `io:data:5`, `stdout:alpha`, `io:exit:0`, `exit:0`, … */
    order: string[];
    /** Notified at every occurrence. */
    changes: Changes;
}

function describeEvent(record: Recorded): string {
    const payload = record.payload;
    if (typeof payload === 'string' || typeof payload === 'number') {
        return `${record.event}:${payload}`;
    }
    if (Buffer.isBuffer(payload)) {
        return `${record.event}:${payload.toString('latin1')}`;
    }
    if (payload instanceof Error) {
        return `${record.event}:${(payload as NodeJS.ErrnoException).code ?? '?'}`;
    }
    return record.event;
}

/** A machine (events as NAMES, then any `extra`) and a process dispatcher `worker`, killed after the test if still running. */
function rig(options: ProcessOptions, events: ProcessEvents = EVENTS, names: readonly string[] = NAMES): Rig {
    const io: Occurrence[] = [];
    const order: string[] = [];
    const changes = new Changes();
    const host = new TestHost();
    host.observers.push({
        io: (_machine, socket, what, detail) => {
            if (socket === 'worker') {
                io.push({ what, detail });
                order.push(`io:${what}${detail.bytes !== undefined ? `:${detail.bytes}` : ''}${detail.status !== undefined ? `:${detail.status}` : ''}${detail.code !== undefined ? `:${detail.code}` : ''}`);
            }
            changes.notify();
        }
    });
    const machine = new RecordingMachine(host, names);
    const proc = new ProcessDispatcher(machine, 'worker', events, options);
    const inner = machine.reaction;
    machine.reaction = (record, m) => {
        order.push(describeEvent(record));
        inner?.(record, m);
    };
    cleanup.add(() => killNow(proc));
    machine.start();
    return { machine, proc, io, order, changes };
}

/** Kills the dispatcher's child if it still runs, and waits for its exit. */
function killNow(proc: ProcessDispatcher): Promise<void> | undefined {
    const child = proc.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
        return undefined;
    }
    return new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
    });
}

/** Sets a reaction run for every event (after the rig's own bookkeeping). */
function react(machine: RecordingMachine, reaction: (record: Recorded) => void): void {
    const previous = machine.reaction;
    machine.reaction = (record, m) => {
        previous?.(record, m);
        reaction(record);
    };
}

const node = (script: string, ...args: string[]): ProcessOptions => ({ command: process.execPath, args: [fixture(script), ...args] });
const sh = (script: string): ProcessOptions => ({ command: 'sh', args: ['-c', script] });

function payloads(machine: RecordingMachine, event = 'stdout'): unknown[] {
    return machine.named(event).map((record) => record.payload);
}

function errorCodes(machine: RecordingMachine): string[] {
    return machine.named('error').map((record) => (record.payload as NodeJS.ErrnoException).code ?? '?');
}

function exitOf(machine: RecordingMachine, timeoutMs = 20_000): Promise<number> {
    return machine.next('exit', timeoutMs).then((record) => record.payload as number);
}

describe('stdout as messages', () => {
    it('lines cut anywhere across chunks (one chunk per piece: the child waits for an ack) come whole; the last one without LF at the exit; each chunk traced before its lines', async () => {
        const pieces = ['al', 'pha\nbe', 'ta\r\ngam', 'ma\n', '', 'del', 'ta'].filter((piece) => piece !== '');
        const options = node('pieces.mjs', JSON.stringify(pieces.map((piece) => Buffer.from(piece).toString('base64'))));
        const { machine, proc, io, order, changes } = rig({ ...options, framing: LINES, readText: true });
        proc.spawn();
        for (let i = 1; i <= pieces.length; i++) {
            await changes.wait(() => (io.filter((o) => o.what === 'data').length >= i ? true : undefined), 5_000, () => `chunk ${i}`);
            expect(proc.send('ack')).toBe(true);
        }
        expect(await exitOf(machine)).toBe(0);
        expect(payloads(machine)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
        expect(order).toEqual(['io:data:2', 'io:data:6', 'stdout:alpha', 'io:data:7', 'stdout:beta', 'io:data:3', 'stdout:gamma', 'io:data:3', 'io:data:2', 'stdout:delta', 'io:exit:0', 'exit:0']);
        expect(proc.running).toBe(false);
        expect(proc.bytesIn).toBe(pieces.join('').length);
    });

    it('without readText a message is a Buffer; the last line without LF comes at the exit, before it', async () => {
        const { machine, proc, order } = rig({ ...sh("printf 'one\\ntwo'"), framing: LINES });
        proc.spawn();
        expect(await exitOf(machine)).toBe(0);
        const lines = payloads(machine);
        expect(lines.every((line) => Buffer.isBuffer(line))).toBe(true);
        expect(lines.map((line) => (line as Buffer).toString())).toEqual(['one', 'two']);
        expect(order.filter((entry) => !entry.startsWith('io:data'))).toEqual(['stdout:one', 'stdout:two', 'io:exit:0', 'exit:0']);
    });

    it('framing none: the chunks as they come, all of them before the exit', async () => {
        const { machine, proc } = rig(sh('seq 1 30000'));
        proc.spawn();
        expect(await exitOf(machine)).toBe(0);
        const text = Buffer.concat(payloads(machine) as Buffer[]).toString();
        expect(text).toBe(`${Array.from({ length: 30000 }, (_, i) => i + 1).join('\n')}\n`);
        expect(machine.sequence.at(-1)).toBe('exit');
    });

    it('length-prefixed messages cut inside the prefix and the body come whole, and send frames what goes to stdin', async () => {
        const frame = (text: string): Buffer => Buffer.concat([Buffer.from([0, Buffer.byteLength(text)]), Buffer.from(text)]);
        const stream = Buffer.concat([frame('first'), frame(''), frame('the third one'), frame('é')]);
        // Cut at 1 (inside the first prefix), 8 (inside the second prefix), 14 (inside the third body).
        const cuts = [0, 1, 8, 14, stream.length];
        const pieces = cuts.slice(1).map((end, i) => stream.subarray(cuts[i], end).toString('base64'));
        const framing: FramingSpec = { kind: 'length', bytes: 2, maxLength: DEFAULT_MAX_FRAME };
        const { machine, proc, io, changes } = rig({ ...node('pieces.mjs', JSON.stringify(pieces)), framing, readText: true });
        proc.spawn();
        // The fixture reads lines: with this framing, the ack is any bytes holding an LF (a frame whose body is an LF).
        for (let i = 1; i <= pieces.length; i++) {
            await changes.wait(() => (io.filter((o) => o.what === 'data').length >= i ? true : undefined), 5_000, () => `chunk ${i}`);
            proc.send('\n');
        }
        expect(await exitOf(machine)).toBe(0);
        expect(payloads(machine)).toEqual(['first', '', 'the third one', 'é']);

        // send with a 2-byte prefix, echoed by cat and cut again by the same framing.
        const echo = rig({ command: 'cat', args: [], framing, readText: true });
        echo.proc.spawn();
        expect(echo.proc.send('hello')).toBe(true);
        expect(echo.proc.send(Buffer.from('wörld'))).toBe(true);
        await echo.machine.until((log) => log.filter((r) => r.event === 'stdout').length >= 2 || undefined, 5_000, 'two echoed frames');
        expect(payloads(echo.machine)).toEqual(['hello', 'wörld']);
        await echo.proc.close();
        expect(echo.machine.named('exit').map((r) => r.payload)).toEqual([0]);
    });

    it('a length-prefixed message cut short by the exit is ERR_FRAME_TRUNCATED, then the exit', async () => {
        const framing: FramingSpec = { kind: 'length', bytes: 2, maxLength: DEFAULT_MAX_FRAME };
        const { machine, proc } = rig({ ...sh("printf '\\000\\002ok\\000\\005ab'"), framing, readText: true });
        proc.spawn();
        expect(await exitOf(machine)).toBe(0);
        expect(machine.sequence).toEqual(['stdout', 'error', 'exit']);
        expect(payloads(machine)).toEqual(['ok']);
        expect(errorCodes(machine)).toEqual(['ERR_FRAME_TRUNCATED']);
    });

    it('a line longer than maxLength: ERR_FRAME_TOO_LONG, the rest of stdout is dropped, sends fail, and the child is ended with SIGTERM (143)', async () => {
        const { machine, proc } = rig({ ...sh("printf 'ok\\n%0100d' 0; exec sleep 30"), framing: { kind: 'lines', maxLength: 16 }, readText: true });
        react(machine, (record) => {
            if (record.event === 'error' && machine.named('error').length === 1) {
                proc.send('too late');
            }
        });
        proc.spawn();
        expect(await exitOf(machine)).toBe(143);
        expect(machine.sequence).toEqual(['stdout', 'error', 'error', 'exit']);
        expect(payloads(machine)).toEqual(['ok']);
        expect(errorCodes(machine)).toEqual(['ERR_FRAME_TOO_LONG', 'ERR_PROCESS_NOT_RUNNING']);
    });

    it('after a framing error, a child that ignores SIGTERM is killed with SIGKILL after the linger (137); close waits for it', async () => {
        const { machine, proc } = rig({ ...node('ignore-sigterm.mjs', '100'), framing: { kind: 'lines', maxLength: 16 }, readText: true, lingerMs: 50 });
        proc.spawn();
        await machine.next('error', 5_000);
        await within(proc.close(), 5_000, 'the close');
        expect(machine.sequence).toEqual(['stdout', 'error', 'exit']);
        expect(errorCodes(machine)).toEqual(['ERR_FRAME_TOO_LONG']);
        expect(payloads(machine, 'exit')).toEqual([137]);
    });
});

describe('the exit', () => {
    it.each([
        ['true', 0],
        ['exit 3', 3],
        ['kill -9 $$', 137],
        ['kill -TERM $$', 143]
    ])('`sh -c "%s"` exits with status %i, traced as io exit', async (script, status) => {
        const { machine, proc, io } = rig(sh(script));
        proc.spawn();
        expect(await exitOf(machine)).toBe(status);
        expect(io.filter((o) => o.what === 'exit').map((o) => o.detail.status)).toEqual([status]);
        expect(machine.sequence).toEqual(['exit']);
        expect(proc.running).toBe(false);
    });

    it('a child killed mid-stream: every line it wrote comes before the exit (137)', async () => {
        const { machine, proc } = rig({ ...sh('seq 1 20000; kill -9 $$'), framing: LINES, readText: true });
        proc.spawn();
        expect(await exitOf(machine)).toBe(137);
        const lines = payloads(machine);
        expect(lines.length).toBe(20000);
        expect(lines.every((line, i) => line === String(i + 1))).toBe(true);
        expect(machine.sequence.at(-1)).toBe('exit');
    });

    it('spawn while a child runs is ignored; after its exit, spawn starts a new one', async () => {
        const { machine, proc } = rig({ command: 'cat', args: [], framing: LINES, readText: true });
        proc.spawn();
        const pid = proc.pid;
        proc.spawn();
        expect(proc.pid).toBe(pid);
        proc.send('one');
        await machine.next('stdout', 5_000);
        await proc.close();
        proc.spawn();
        expect(proc.pid).not.toBe(pid);
        proc.send('two');
        await machine.until((log) => log.filter((r) => r.event === 'stdout').length >= 2 || undefined, 5_000, 'the second echo');
        await proc.close();
        expect(machine.sequence).toEqual(['stdout', 'exit', 'stdout', 'exit']);
        expect(payloads(machine)).toEqual(['one', 'two']);
    });
});

describe('spawn failures', () => {
    it('a missing command is the error event ENOENT (no exit); a file that is not executable EACCES; once it is, spawn works', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'reactor-process-'));
        cleanup.add(() => rm(dir, { recursive: true, force: true }));
        const tool = join(dir, 'tool');
        const { machine, proc, io } = rig({ command: tool, args: ['x'], framing: LINES, readText: true });
        proc.spawn();
        const enoent = await machine.next('error', 5_000);
        expect((enoent.payload as NodeJS.ErrnoException).code).toBe('ENOENT');
        expect(enoent.payload).toBeInstanceOf(Error);
        expect(proc.running).toBe(false);
        expect(io.map((o) => `${o.what}:${o.detail.code ?? ''}`)).toEqual(['error:ENOENT']);

        await writeFile(tool, '#!/bin/sh\necho "hi $1"\n', { mode: 0o644 });
        proc.spawn();
        await machine.until((log) => log.filter((r) => r.event === 'error').length >= 2 || undefined, 5_000, 'the second error');
        expect(errorCodes(machine)).toEqual(['ENOENT', 'EACCES']);
        expect(proc.running).toBe(false);

        await chmod(tool, 0o755);
        proc.spawn();
        expect(await exitOf(machine)).toBe(0);
        expect(machine.sequence).toEqual(['error', 'error', 'stdout', 'exit']);
        expect(payloads(machine)).toEqual(['hi x']);
    });

    it('without an error mapping a failed spawn is a process warning, not a crash', async () => {
        const warnings = collectWarnings(cleanup);
        const { machine, proc } = rig({ command: join(tmpdir(), `no-such-command-${process.pid}`), args: [] }, { ...EVENTS, error: NO_EVENT });
        proc.spawn();
        const changes = new Changes();
        const notify = (): void => changes.notify();
        process.on('warning', notify);
        cleanup.add(() => process.off('warning', notify));
        const warning = await changes.wait(() => warnings.find((w) => w.name === 'ReactorProcessError'), 5_000, () => 'the warning');
        expect(warning.message).toMatch(/^Recorder\.worker: .*ENOENT/);
        expect(machine.sequence).toEqual([]);
        expect(proc.running).toBe(false);
    });
});

describe('stdin', () => {
    it('send while no child runs is ERR_PROCESS_NOT_RUNNING; a payload that is not bytes ERR_PAYLOAD_NOT_BYTES; a line holding an LF ERR_FRAME_INVALID', async () => {
        const { machine, proc } = rig({ command: 'cat', args: [], framing: LINES });
        expect(proc.send('early')).toBe(false);
        proc.spawn();
        expect(proc.send(42)).toBe(false);
        expect(proc.send('two\nlines')).toBe(false);
        const closing = proc.close();
        expect(proc.send('late')).toBe(false);
        await closing;
        expect(proc.send('after')).toBe(false);
        expect(errorCodes(machine)).toEqual(['ERR_PROCESS_NOT_RUNNING', 'ERR_PAYLOAD_NOT_BYTES', 'ERR_FRAME_INVALID', 'ERR_PROCESS_NOT_RUNNING', 'ERR_PROCESS_NOT_RUNNING']);
        expect(machine.named('exit').map((r) => r.payload)).toEqual([0]);
        expect(proc.bytesOut).toBe(0);
    });

    it('a child that closed its stdin: EPIPE once, however many sends follow; every byte not delivered is counted in a warning', async () => {
        const warnings = collectWarnings(cleanup);
        const { machine, proc } = rig({ ...sh('exec 0<&-; echo ready; exec sleep 30'), readText: true, lingerMs: 50 });
        proc.spawn();
        await machine.next('stdout', 5_000);
        const big = 'x'.repeat(256 * 1024);
        proc.send(big);
        await machine.next('error', 5_000);
        for (let i = 0; i < 5; i++) {
            expect(proc.send(big)).toBe(false);
        }
        await proc.close();
        expect(errorCodes(machine)).toEqual(['EPIPE']);
        expect(machine.named('exit').map((r) => r.payload)).toEqual([143]);
        await new Promise((resolve) => setImmediate(resolve));
        const lost = warnings.filter((w) => w.name === 'ReactorProcessError').map((w) => Number(/(\d+) bytes sent to the process's stdin were not delivered/.exec(w.message)?.[1] ?? 0));
        expect(lost.reduce((sum, bytes) => sum + bytes, 0)).toBe(6 * big.length);
    });

    it('32 MB through cat, sent on every drain: the same bytes come back (hashed both ways), and the child exits 0 on close', async () => {
        const total = 32 * 1024 * 1024;
        const chunk = randomBytes(1024 * 1024);
        const { machine, proc } = rig({ command: 'cat', args: [] });
        const sentHash = createHash('sha256');
        const readHash = createHash('sha256');
        let sent = 0;
        let read = 0;
        let queued = 0;
        /** Sends until stdin queues or everything is sent; then the close (stdin ends after what is queued). */
        const pump = (): void => {
            while (sent < total) {
                const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
                sent += piece.length;
                sentHash.update(piece);
                if (!proc.send(piece)) {
                    queued++;
                    return;
                }
            }
            void proc.close();
        };
        react(machine, (record) => {
            if (record.event === 'stdout') {
                read += (record.payload as Buffer).length;
                readHash.update(record.payload as Buffer);
            } else if (record.event === 'drain') {
                // cat's own event: its stdout must be read on, or cat would stop reading its stdin.
                pump();
            }
        });
        proc.spawn();
        pump();
        expect(await exitOf(machine)).toBe(0);
        expect(read).toBe(total);
        expect(readHash.digest('hex')).toBe(sentHash.digest('hex'));
        expect(queued).toBeGreaterThan(0);
        expect(machine.named('drain').length).toBe(queued);
        expect(errorCodes(machine)).toEqual([]);
        expect(proc.bytesOut).toBe(total);
        expect(proc.bytesIn).toBe(total);
    });

    it('a child that does not read its stdin: send returns false, no drain until it reads, then every byte arrives', async () => {
        const { machine, proc, io } = rig({ ...node('read-on-signal.mjs'), readText: true });
        proc.spawn();
        await machine.next('stdout', 5_000);
        const data = randomBytes(1024 * 1024);
        expect(proc.send(data)).toBe(false);
        await absenceWindow(50);
        expect(machine.named('drain')).toEqual([]);
        process.kill(proc.pid!, 'SIGUSR1');
        await machine.next('drain', 5_000);
        await proc.close();
        expect(payloads(machine).join('')).toBe(`ready\n${data.length} ${createHash('sha256').update(data).digest('hex')}\n`);
        expect(machine.named('exit').map((r) => r.payload)).toEqual([0]);
        expect(machine.named('drain').length).toBe(1);
        expect(io.filter((o) => o.what === 'drain').length).toBe(1);
    });
});

/** The bytes `produce.mjs <megabytes> <seed>` writes, hashed, from a run of its own. */
async function producedHash(megabytes: number, seed: number): Promise<{ bytes: number; hash: string }> {
    const child = cleanup.child(spawnChild(process.execPath, [fixture('produce.mjs'), String(megabytes), String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const hash = createHash('sha256');
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
    });
    await within(new Promise((resolve) => child.once('close', resolve)), 20_000, 'the reference run');
    return { bytes, hash: hash.digest('hex') };
}

describe('backpressure between a process and a socket', () => {
    /** Socket `b` (events 0–7) and the process `worker` (8–11) on one machine. */
    const NAMES_WITH_SOCKET = [...prefixedEventNames('b'), 'stdout', 'exit', 'error', 'drain'];
    const WORKER: ProcessEvents = { stdout: 8, exit: 9, error: 10, drain: 11 };

    /** A client `b` connected to a server socket (paused: it reads nothing until the test resumes it). */
    async function socketB(machine: RecordingMachine): Promise<{ b: ClientDispatcher; peer: Socket }> {
        let peer: Socket | undefined;
        const { port } = await listen(cleanup, (socket) => {
            socket.pause();
            socket.on('error', () => undefined);
            peer = socket;
        });
        const b = new ClientDispatcher(machine, 'b', streamEventsOfBlock(0), { host: '127.0.0.1', port });
        cleanup.add(() => b.destroy());
        b.connect();
        await machine.next('b.connect', 5_000);
        return { b, peer: await machine.until(() => peer, 5_000, 'the server to accept') };
    }

    it("the child's stdout forwarded into a socket that backs up: stdout stops until the socket drains; every byte arrives", async () => {
        const megabytes = 24;
        const { machine, proc } = rig(node('produce.mjs', String(megabytes), '7'), WORKER, NAMES_WITH_SOCKET);
        const { b, peer } = await socketB(machine);
        let queued = 0;
        let held = false;
        let pausedWhenHeld = 0;
        let stdoutWhileHeld = 0;
        react(machine, (record) => {
            if (record.event === 'stdout') {
                if (held) {
                    stdoutWhileHeld++;
                }
                if (!b.send(record.payload)) {
                    queued++;
                    held = true;
                    if (proc.child?.stdout.isPaused()) {
                        pausedWhenHeld++;
                    }
                }
            } else if (record.event === 'b.drain') {
                held = false;
            } else if (record.event === 'exit') {
                void b.close();
            }
        });
        const hash = createHash('sha256');
        let received = 0;
        const changes = new Changes();
        peer.on('data', (chunk: Buffer) => {
            received += chunk.length;
            hash.update(chunk);
            changes.notify();
        });
        proc.spawn();
        await machine.until(() => queued > 0 || undefined, 10_000, 'a send into b to queue');
        peer.resume();
        expect(await exitOf(machine)).toBe(0);
        await changes.wait(() => (received >= megabytes * 1024 * 1024 ? true : undefined), 20_000, () => `all bytes at the peer (${received})`);
        const reference = await producedHash(megabytes, 7);
        expect(received).toBe(reference.bytes);
        expect(hash.digest('hex')).toBe(reference.hash);
        expect(pausedWhenHeld, 'each queued send paused the child stdout').toBe(queued);
        expect(stdoutWhileHeld, 'no stdout event while b was full').toBe(0);
        // A send that queued just before the exit closed b gets no drain (none comes after end()).
        expect(machine.named('b.drain').length + (held ? 1 : 0)).toBe(queued);
    });

    it("a socket's data forwarded into a child that does not read its stdin: the socket stops until stdin drains; every byte arrives", async () => {
        const { machine, proc } = rig({ ...node('read-on-signal.mjs'), readText: true }, WORKER, NAMES_WITH_SOCKET);
        const { b, peer } = await socketB(machine);
        const data = randomBytes(8 * 1024 * 1024);
        let queued = 0;
        let held = false;
        let pausedWhenHeld = 0;
        let readsWhileHeld = 0;
        react(machine, (record) => {
            if (record.event === 'b.read') {
                if (held) {
                    readsWhileHeld++;
                }
                if (!proc.send(record.payload)) {
                    queued++;
                    held = true;
                    if (b.socket?.isPaused()) {
                        pausedWhenHeld++;
                    }
                }
            } else if (record.event === 'drain') {
                held = false;
            } else if (record.event === 'b.close') {
                void proc.close();
            }
        });
        proc.spawn();
        await machine.next('stdout', 5_000);
        peer.end(data);
        peer.resume();
        await machine.until(() => queued > 0 || undefined, 10_000, 'a send into the child to queue');
        await absenceWindow(50);
        expect(readsWhileHeld, 'no read from b while the child did not read').toBe(0);
        process.kill(proc.pid!, 'SIGUSR1');
        expect(await exitOf(machine)).toBe(0);
        expect(payloads(machine).join('')).toBe(`ready\n${data.length} ${createHash('sha256').update(data).digest('hex')}\n`);
        expect(pausedWhenHeld, 'each queued send paused b').toBe(queued);
        expect(readsWhileHeld).toBe(0);
        expect(machine.named('drain').length).toBeGreaterThan(0);
    });
});

describe('backpressure and the model\'s own pause', () => {
    const NAMES_WITH_SOCKET = [...prefixedEventNames('b'), 'stdout', 'exit', 'error', 'drain'];
    const WORKER: ProcessEvents = { stdout: 8, exit: 9, error: 10, drain: 11 };

    async function socketB(machine: RecordingMachine): Promise<{ b: ClientDispatcher; peer: Socket }> {
        let peer: Socket | undefined;
        const { port } = await listen(cleanup, (socket) => {
            socket.pause();
            socket.on('error', () => undefined);
            peer = socket;
        });
        const b = new ClientDispatcher(machine, 'b', streamEventsOfBlock(0), { host: '127.0.0.1', port });
        cleanup.add(() => b.destroy());
        b.connect();
        await machine.next('b.connect', 5_000);
        return { b, peer: await machine.until(() => peer, 5_000, 'the server to accept') };
    }

    it("the socket's drain releases the child's stdout, not the model's pause of it", async () => {
        const { machine, proc } = rig(node('produce.mjs', '24', '3'), WORKER, NAMES_WITH_SOCKET);
        const { b, peer } = await socketB(machine);
        let queuedAt = -1;
        react(machine, (record) => {
            if (record.event === 'stdout' && queuedAt < 0 && !b.send(record.payload)) {
                queuedAt = machine.named('stdout').length;
                proc.pauseReading();
            }
        });
        proc.spawn();
        await machine.until(() => queuedAt > 0 || undefined, 10_000, 'a send into b to queue');
        peer.resume();
        await machine.next('b.drain', 10_000);
        await absenceWindow(100);
        expect(machine.named('stdout').length, 'no stdout after the drain: the model paused it').toBe(queuedAt);
        expect(proc.child?.stdout.isPaused()).toBe(true);
        proc.resumeReading();
        await machine.until((log) => log.filter((r) => r.event === 'stdout').length > queuedAt || undefined, 5_000, 'stdout after resume');
        await proc.close();
    });

    it("the child's stdin drain releases the socket, not the model's pause of it", async () => {
        const { machine, proc } = rig({ ...node('read-on-signal.mjs'), readText: true }, WORKER, NAMES_WITH_SOCKET);
        const { b, peer } = await socketB(machine);
        let queuedAt = -1;
        react(machine, (record) => {
            if (record.event === 'b.read' && queuedAt < 0 && !proc.send(record.payload)) {
                queuedAt = machine.named('b.read').length;
                b.pauseReading();
            }
        });
        proc.spawn();
        await machine.next('stdout', 5_000);
        peer.write(randomBytes(8 * 1024 * 1024));
        await machine.until(() => queuedAt > 0 || undefined, 10_000, 'a send into the child to queue');
        process.kill(proc.pid!, 'SIGUSR1');
        await machine.next('drain', 10_000);
        await absenceWindow(100);
        expect(machine.named('b.read').length, 'no read after the drain: the model paused b').toBe(queuedAt);
        expect(b.socket?.isPaused()).toBe(true);
        b.resumeReading();
        await machine.until((log) => log.filter((r) => r.event === 'b.read').length > queuedAt || undefined, 5_000, 'reads after resume');
    });
});

describe('pause and resume', () => {
    it('paused after the 10th line: the child has exited, yet its exit waits behind the 90 unread lines until resume', async () => {
        const { machine, proc } = rig({ ...sh('seq 1 100'), framing: LINES, readText: true });
        react(machine, (record) => {
            if (record.event === 'stdout' && record.payload === '10') {
                proc.pauseReading();
            }
        });
        proc.spawn();
        const child = proc.child!;
        await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
        await absenceWindow(100);
        expect(machine.sequence).toEqual(Array.from({ length: 10 }, () => 'stdout'));
        expect(proc.running).toBe(true);
        proc.resumeReading();
        expect(await exitOf(machine)).toBe(0);
        expect(payloads(machine)).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1)));
        expect(machine.sequence.at(-1)).toBe('exit');
    });

    it('framing none, paused at its only chunk: the child has exited, yet its exit waits for resume', async () => {
        const { machine, proc } = rig(sh("printf 'abc'"));
        react(machine, () => proc.pauseReading());
        proc.spawn();
        const child = proc.child!;
        await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
        await machine.next('stdout', 5_000);
        await absenceWindow(100);
        expect(machine.sequence).toEqual(['stdout']);
        expect(proc.running).toBe(true);
        proc.resumeReading();
        expect(await exitOf(machine)).toBe(0);
        expect(machine.sequence).toEqual(['stdout', 'exit']);
    });

    it('a pause holds when the child exits (Node resumes the stdout of a child that exits): the rest only after resume, then the exit', async () => {
        const { machine, proc } = rig(sh('printf "one\\n"; sleep 0.3; printf "two\\n"; exit 0'));
        react(machine, (record) => {
            if (record.event === 'stdout' && machine.named('stdout').length === 1) {
                proc.pauseReading();
            }
        });
        proc.spawn();
        await machine.next('stdout', 5_000);
        const child = proc.child!;
        await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
        await absenceWindow(300);
        expect(machine.sequence).toEqual(['stdout']);
        proc.resumeReading();
        expect(await exitOf(machine)).toBe(0);
        expect(machine.sequence).toEqual(['stdout', 'stdout', 'exit']);
        expect(Buffer.concat(payloads(machine) as Buffer[]).toString()).toBe('one\ntwo\n');
    });

    it('framing none, paused at the first chunk: nothing more until resume, then the rest comes before the exit', async () => {
        const { machine, proc } = rig(sh('seq 1 50000'));
        let chunks = 0;
        react(machine, (record) => {
            if (record.event === 'stdout' && ++chunks === 1) {
                proc.pauseReading();
            }
        });
        proc.spawn();
        await machine.next('stdout', 5_000);
        await absenceWindow(200);
        expect(machine.sequence).toEqual(['stdout']);
        proc.resumeReading();
        expect(await exitOf(machine)).toBe(0);
        expect(Buffer.concat(payloads(machine) as Buffer[]).toString()).toBe(`${Array.from({ length: 50000 }, (_, i) => i + 1).join('\n')}\n`);
    });
});

describe('close', () => {
    it('a child that exits when its stdin ends: exit 0, before the linger; close resolves after the exit event', async () => {
        const { machine, proc } = rig({ command: 'cat', args: [], framing: LINES, readText: true, lingerMs: 5_000 });
        proc.spawn();
        proc.send('last words');
        await proc.close();
        expect(machine.sequence).toEqual(['stdout', 'exit']);
        expect(payloads(machine)).toEqual(['last words']);
        expect(machine.named('exit')[0]!.payload).toBe(0);
        expect(proc.running).toBe(false);
    });

    it('a child that ignores the end of its stdin is ended with SIGTERM after the linger (143)', async () => {
        const { machine, proc } = rig({ ...sh('exec sleep 30'), lingerMs: 50 });
        proc.spawn();
        await proc.close();
        expect(payloads(machine, 'exit')).toEqual([143]);
    });

    it('a child that ignores SIGTERM too is killed with SIGKILL after another linger (137)', async () => {
        const { machine, proc } = rig({ ...node('ignore-sigterm.mjs'), framing: LINES, readText: true, lingerMs: 50 });
        proc.spawn();
        await machine.next('stdout', 5_000);
        await proc.close();
        expect(payloads(machine)).toEqual(['ready']);
        expect(payloads(machine, 'exit')).toEqual([137]);
    });

    it('a child that exited while a process it started holds its stdout: close gives up on stdout after the lingers (ERR_LINGER_EXPIRED), then the exit', async () => {
        const { machine, proc } = rig({ ...sh('sleep 30 & echo $!'), framing: LINES, readText: true, lingerMs: 50 });
        proc.spawn();
        const grandchild = Number((await machine.next('stdout', 5_000)).payload);
        cleanup.add(() => alive(grandchild) && process.kill(grandchild, 'SIGKILL'));
        await within(proc.close(), 5_000, 'the close');
        expect(machine.sequence).toEqual(['stdout', 'error', 'exit']);
        expect(errorCodes(machine)).toEqual(['ERR_LINGER_EXPIRED']);
        expect(payloads(machine, 'exit')).toEqual([0]);
        expect(alive(grandchild)).toBe(true);
    });

    it('when the program handles SIGINT, the child leads its own process group: close signals the group, so what it started ends too', async () => {
        const onSigint = (): void => undefined;
        process.on('SIGINT', onSigint);
        cleanup.add(() => process.off('SIGINT', onSigint));
        const { machine, proc } = rig({ ...sh('sleep 30 & echo $!'), framing: LINES, readText: true, lingerMs: 50 });
        proc.spawn();
        const grandchild = Number((await machine.next('stdout', 5_000)).payload);
        cleanup.add(() => alive(grandchild) && process.kill(grandchild, 'SIGKILL'));
        await within(proc.close(), 5_000, 'the close');
        expect(machine.sequence).toEqual(['stdout', 'exit']);
        expect(payloads(machine, 'exit')).toEqual([0]);
        for (let attempt = 0; attempt < 100 && alive(grandchild); attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(alive(grandchild)).toBe(false);
    });

    it('close while no child runs resolves at once; twice gives the same promise', async () => {
        const { machine, proc } = rig(sh('true'));
        await proc.close();
        proc.spawn();
        expect(await exitOf(machine)).toBe(0);
        const first = proc.close();
        expect(proc.close()).toBe(first);
        await first;
    });

    it('the machine finishing closes its child: no exit event, and the process is gone (no orphan)', async () => {
        const { machine, proc } = rig({ ...sh('exec sleep 30'), lingerMs: 50 });
        proc.spawn();
        const pid = proc.pid!;
        await within(machine.finish(), 5_000, 'the machine to finish');
        expect(alive(pid)).toBe(false);
        expect(proc.running).toBe(false);
        expect(machine.sequence).toEqual([]);
        proc.spawn();
        expect(proc.running).toBe(false);
    });
});

describe('a program that exits without closing its processes', () => {
    it('process.exit with a child still running: the child does not outlive the program', async () => {
        const script = fixture('exit-with-child.ts');
        const program = spawnChild(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        program.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
        const code = await within(new Promise<number | null>((resolve) => program.once('exit', resolve)), 20_000, 'the fixture program');
        expect(code).toBe(3);
        const pid = Number(out.trim());
        expect(pid).toBeGreaterThan(0);
        // SIGKILL came at the program's exit: the child is gone at once (or a zombie being reaped by init).
        for (let attempt = 0; attempt < 100 && alive(pid); attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const survived = alive(pid);
        if (survived) {
            process.kill(pid, 'SIGKILL');
        }
        expect(survived).toBe(false);
    });
});
