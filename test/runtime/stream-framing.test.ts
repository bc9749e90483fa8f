// Framing, send and pause/resume of the runtime's stream dispatchers over real loopback sockets: messages cut anywhere,
// limits and truncation as errors, framed writes byte for byte, held messages and closes, and big echoes under backpressure.
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientDispatcher } from '../../templates/runtime/client-dispatcher.js';
import { ConnectionDispatcher } from '../../templates/runtime/connection-dispatcher.js';
import { ReactorError } from '../../templates/runtime/errors.js';
import { DEFAULT_MAX_FRAME, DEFAULT_MAX_LINE, FramingError, type FramingSpec } from '../../templates/runtime/framing.js';
import type { StreamDispatcher } from '../../templates/runtime/stream-dispatcher.js';
import { absenceWindow, Changes, Cleanup, closedPort, EV, listen, RecordingMachine, streamEvents, TestHost, within, type Recorded } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** The stream events (ids 0–7, as EV), then `tick`: an event no socket produces, like a timer's or a signal's. */
const NAMES = [...Object.keys(EV), 'tick'];
const TICK = NAMES.indexOf('tick');

const LINES: FramingSpec = { kind: 'lines', maxLength: DEFAULT_MAX_LINE };
const length = (bytes: 1 | 2 | 4, maxLength = DEFAULT_MAX_FRAME): FramingSpec => ({ kind: 'length', bytes, maxLength });
const delimiter = (text: string, maxLength = DEFAULT_MAX_LINE): FramingSpec => ({ kind: 'delimiter', delimiter: text, maxLength });

/** A machine with one stream socket (`conn`, accepted, or `up`, a client) and the peer at the socket's other end. */
interface Rig {
    machine: RecordingMachine;
    dispatcher: StreamDispatcher;
    peer: Socket;
    /** The size of each chunk the dispatcher read, in order (from its `io data` occurrences). */
    chunks: number[];
    /** Notified at every socket occurrence and every event: `until` waits on it. */
    changes: Changes;
}

/** A host whose observer records the chunk sizes the sockets read and wakes up waits at every occurrence. */
function probingHost(chunks: number[], changes: Changes): TestHost {
    const host = new TestHost();
    host.observers.push({
        io: (_machine, _socket, what, detail) => {
            if (what === 'data') {
                chunks.push(detail.bytes ?? -1);
            }
            changes.notify();
        }
    });
    return host;
}

/** A plain socket connected to 127.0.0.1:port; `allowHalfOpen` lets it write on after the other side's FIN. */
function peerSocket(port: number, allowHalfOpen = false): Promise<Socket> {
    return new Promise((resolve, reject) => {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port, allowHalfOpen }));
        socket.once('connect', () => {
            socket.off('error', reject);
            socket.on('error', () => undefined);
            resolve(socket);
        });
        socket.once('error', reject);
    });
}

/** A session: an accepted connection run by a ConnectionDispatcher (`conn`) with `framing`, and its peer. */
async function session(framing: FramingSpec, peerHalfOpen = false): Promise<Rig> {
    const chunks: number[] = [];
    const changes = new Changes();
    const machine = new RecordingMachine(probingHost(chunks, changes), NAMES);
    let dispatcher: ConnectionDispatcher | undefined;
    const { port } = await listen(cleanup, (socket) => {
        dispatcher = new ConnectionDispatcher(machine, 'conn', streamEvents(), { framing }, socket);
        cleanup.add(() => dispatcher?.destroy());
        machine.start();
        changes.notify();
    });
    const peer = await peerSocket(port, peerHalfOpen);
    await changes.wait(() => dispatcher, 2_000, () => 'the server to accept');
    return { machine, dispatcher: dispatcher!, peer, chunks, changes };
}

/** A client (`up`, a ClientDispatcher with `framing`) connected to a plain server socket, its peer. Its machine outlives its connection. */
async function client(framing: FramingSpec): Promise<Rig> {
    const chunks: number[] = [];
    const changes = new Changes();
    const machine = new RecordingMachine(probingHost(chunks, changes), NAMES);
    let peer: Socket | undefined;
    const { port } = await listen(cleanup, (socket) => {
        socket.on('error', () => undefined);
        peer = socket;
        changes.notify();
    });
    machine.start();
    const dispatcher = new ClientDispatcher(machine, 'up', streamEvents(), { host: '127.0.0.1', port, framing });
    cleanup.add(() => dispatcher.destroy());
    dispatcher.connect();
    await machine.next('connect', 2_000);
    await changes.wait(() => peer, 2_000, () => 'the server to accept');
    return { machine, dispatcher, peer: peer!, chunks, changes };
}

/** Waits until `condition` holds, checked at every socket occurrence and every event of the rig. */
function until(rig: Rig, condition: () => boolean, what: string, timeoutMs = 5_000): Promise<true> {
    const machine = rig.machine;
    const check = (): true | undefined => (condition() ? true : undefined);
    const fromLog = machine.until(check, timeoutMs, what);
    const fromIo = rig.changes.wait(check, timeoutMs, () => `timed out after ${timeoutMs} ms waiting for ${what}; events: ${machine.sequence.join(', ')}`);
    return Promise.race([fromLog, fromIo]);
}

/** Writes `piece` and waits until the dispatcher has read it, so that the next write is a chunk of its own. */
async function writeChunk(rig: Rig, piece: Buffer | string): Promise<void> {
    const target = rig.dispatcher.bytesIn + Buffer.byteLength(piece);
    rig.peer.write(piece);
    await until(rig, () => rig.dispatcher.bytesIn >= target, `the dispatcher to read ${target} bytes`);
}

function reads(machine: RecordingMachine): Recorded[] {
    return machine.named('read');
}

function texts(records: readonly Recorded[]): string[] {
    return records.map((record) => (record.payload as Buffer).toString('latin1'));
}

/** The codes of the error events, in order. */
function errorCodes(machine: RecordingMachine): string[] {
    return machine.named('error').map((record) => (record.payload as { code?: string }).code ?? '?');
}

/** Everything the peer receives, with a wait for a number of bytes. */
function received(rig: Rig): { bytes: () => Buffer; atLeast: (count: number) => Promise<Buffer> } {
    const parts: Buffer[] = [];
    let total = 0;
    const changes = new Changes();
    rig.peer.on('data', (data: Buffer) => {
        parts.push(data);
        total += data.byteLength;
        changes.notify();
    });
    const bytes = (): Buffer => Buffer.concat(parts);
    return {
        bytes,
        atLeast: (count) => changes.wait(() => (total >= count ? bytes() : undefined), 5_000, () => `timed out: the peer received ${total} of ${count} bytes`)
    };
}

/** The pieces `stream` falls into when cut at `points` (sorted, inside it). */
function cutAt(stream: Buffer, points: readonly number[]): Buffer[] {
    const pieces: Buffer[] = [];
    let start = 0;
    for (const point of [...points, stream.length]) {
        pieces.push(stream.subarray(start, point));
        start = point;
    }
    return pieces;
}

/**
 * Sends `stream` (whose messages are `messages`) once cut at each single byte boundary, then once byte by byte; each
 * piece is a chunk of its own at the dispatcher. Expects exactly the messages, in order, each round.
 */
async function everyCut(rig: Rig, stream: Buffer, messages: readonly string[]): Promise<void> {
    const inner = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    const cuttings = [...inner.map((point) => [point]), inner];
    const expected: string[] = [];
    for (const points of cuttings) {
        const pieces = cutAt(stream, points);
        const chunksBefore = rig.chunks.length;
        for (const piece of pieces) {
            await writeChunk(rig, piece);
        }
        expect(rig.chunks.length - chunksBefore, `stream cut at ${points.join(',')}: one chunk per piece`).toBe(pieces.length);
        expected.push(...messages);
        await until(rig, () => reads(rig.machine).length >= expected.length, `${expected.length} reads`);
    }
    await absenceWindow(50);
    const got = reads(rig.machine);
    expect(texts(got)).toEqual(expected);
    for (const record of got) {
        expect(Buffer.isBuffer(record.payload)).toBe(true);
    }
}

function prefixed(bytes: 1 | 2 | 4, message: Buffer | string): Buffer {
    const data = typeof message === 'string' ? Buffer.from(message, 'latin1') : message;
    const prefix = Buffer.alloc(bytes);
    prefix.writeUIntBE(data.length, 0, bytes);
    return Buffer.concat([prefix, data]);
}

describe('framed reads', () => {
    it('lines: a stream cut at every byte boundary (also between CR and LF) reads exactly its lines, without terminators', async () => {
        const rig = await session(LINES);
        await everyCut(rig, Buffer.from('a\r\nbb\nccc\n'), ['a', 'bb', 'ccc']);
        expect(rig.machine.sequence.every((event) => event === 'read')).toBe(true);
    });

    it('delimiter "\\u0000": cut at every byte boundary, empty messages included', async () => {
        const rig = await session(delimiter('\u0000'));
        await everyCut(rig, Buffer.from('one\0\0two\0'), ['one', '', 'two']);
    });

    it('delimiter of several bytes, cut inside the delimiter too', async () => {
        const rig = await session(delimiter('\r\n\r\n'));
        await everyCut(rig, Buffer.from('ab\r\n\r\nc\r\n\r\n'), ['ab', 'c']);
    });

    for (const [bytes, size] of [
        [4, 5 * 1024 * 1024],
        [2, 0xffff],
        [1, 0xff]
    ] as const) {
        it(`length ${bytes}: a ${size}-byte message in many chunks (its prefix split too) is one read; small messages in one chunk are one read each`, async () => {
            const rig = await session(length(bytes));
            const big = randomBytes(size);
            const frame = prefixed(bytes, big);
            const chunksBefore = rig.chunks.length;
            if (bytes > 1) {
                await writeChunk(rig, frame.subarray(0, 1));
            }
            // The rest in a few pieces, each its own chunk (loopback cuts the 5 MB one by itself).
            const rest = frame.subarray(bytes > 1 ? 1 : 0);
            if (size > 1024 * 1024) {
                rig.peer.write(rest);
            } else {
                const piece = Math.ceil(rest.length / 5);
                for (let offset = 0; offset < rest.length; offset += piece) {
                    await writeChunk(rig, rest.subarray(offset, offset + piece));
                }
            }
            const first = await rig.machine.next('read', 10_000);
            expect(rig.chunks.length - chunksBefore, 'the message came in several chunks').toBeGreaterThan(1);
            expect(rig.dispatcher.bytesIn).toBe(frame.length);
            expect(Buffer.isBuffer(first.payload)).toBe(true);
            expect((first.payload as Buffer).equals(big)).toBe(true);
            expect(reads(rig.machine)).toHaveLength(1);
            // Four messages, one of them empty, in one write: one chunk, four reads.
            const small = Buffer.concat(['x', '', 'yz', 'end'].map((message) => prefixed(bytes, message)));
            const chunksThen = rig.chunks.length;
            rig.peer.write(small);
            await until(rig, () => reads(rig.machine).length >= 5, '5 reads');
            expect(rig.chunks.length - chunksThen).toBe(1);
            await absenceWindow(50);
            expect(texts(reads(rig.machine).slice(1))).toEqual(['x', '', 'yz', 'end']);
            expect(rig.machine.named('error')).toHaveLength(0);
        });
    }

    it('a line longer than max: error ERR_FRAME_TOO_LONG (the bytes not delivered), then close after an error; nothing after', async () => {
        const rig = await client({ kind: 'lines', maxLength: 16 });
        let bytesInAtError = -1;
        rig.machine.reaction = (record) => {
            if (record.event === 'error') {
                bytesInAtError = rig.dispatcher.bytesIn;
            }
        };
        rig.peer.write(`ok\n${'x'.repeat(40)}\nlater\n`);
        const close = await rig.machine.next('close', 3_000);
        expect(rig.machine.sequence).toEqual(['connect', 'read', 'error', 'close']);
        expect(texts(reads(rig.machine))).toEqual(['ok']);
        const error = rig.machine.named('error')[0]!.payload as FramingError;
        expect(error).toBeInstanceOf(FramingError);
        expect(error.code).toBe('ERR_FRAME_TOO_LONG');
        // Everything received after "ok\n" was not delivered.
        expect(error.bytes).toBe(bytesInAtError - 3);
        expect(error.message).toContain(`${error.bytes} bytes received were not delivered`);
        expect(close.payload).toBe(true);
        expect(rig.dispatcher.writable).toBe(false);
        // The peer sees its connection end; the machine, which runs on, hears nothing more.
        await within(new Promise((resolve) => rig.peer.once('close', resolve)), 3_000, 'the peer to see the close');
        await absenceWindow(100);
        expect(rig.machine.sequence).toEqual(['connect', 'read', 'error', 'close']);
    });

    it('a length prefix announcing more than max is an error at once, before the body arrives', async () => {
        const rig = await client(length(2, 100));
        rig.peer.write(Buffer.concat([prefixed(2, 'fine'), Buffer.from([0, 101]), randomBytes(10)]));
        const close = await rig.machine.next('close', 3_000);
        expect(rig.machine.sequence).toEqual(['connect', 'read', 'error', 'close']);
        const error = rig.machine.named('error')[0]!.payload as FramingError;
        expect(error.code).toBe('ERR_FRAME_TOO_LONG');
        expect(error.bytes).toBe(rig.dispatcher.bytesIn - 6);
        expect(close.payload).toBe(true);
    });

    it('the stream ends inside a length-prefixed message: error ERR_FRAME_TRUNCATED, then close (false)', async () => {
        const rig = await client(length(4));
        const cutShort = prefixed(4, randomBytes(100)).subarray(0, 54);
        rig.peer.end(Buffer.concat([prefixed(4, 'whole'), cutShort]));
        const close = await rig.machine.next('close', 3_000);
        expect(rig.machine.sequence).toEqual(['connect', 'read', 'error', 'close']);
        expect(texts(reads(rig.machine))).toEqual(['whole']);
        const error = rig.machine.named('error')[0]!.payload as FramingError;
        expect(error).toBeInstanceOf(FramingError);
        expect(error.code).toBe('ERR_FRAME_TRUNCATED');
        expect(error.bytes).toBe(54);
        expect(close.payload).toBe(false);
    });

    it('the stream ends the last line and the last delimited message: each is a last read before close (false)', async () => {
        for (const [framing, stream, messages] of [
            [LINES, 'one\r\ntwo', ['one', 'two']],
            [delimiter('\u0000'), 'a\0b', ['a', 'b']],
            [LINES, 'whole\n', ['whole']]
        ] as const) {
            const rig = await client(framing);
            // The last piece comes on its own, with the FIN.
            await writeChunk(rig, stream.slice(0, 2));
            rig.peer.end(stream.slice(2));
            const close = await rig.machine.next('close', 3_000);
            expect(rig.machine.sequence, stream).toEqual(['connect', ...messages.map(() => 'read'), 'close']);
            expect(texts(reads(rig.machine))).toEqual(messages);
            expect(close.payload).toBe(false);
        }
    });
});

describe('send', () => {
    it('lines: each message gets its LF; a line holding a line break, a payload that is not bytes, a closed socket: errors, nothing written', async () => {
        const rig = await client(LINES);
        const peer = received(rig);
        const { dispatcher, machine } = rig;
        expect(dispatcher.send('hello')).toBe(true);
        dispatcher.send(Buffer.from('wörld'));
        dispatcher.send(new Uint8Array([0x41, 0x42]));
        dispatcher.send(Buffer.from('xABy').subarray(1, 3));
        dispatcher.send('');
        const sentSoFar = dispatcher.bytesOut;
        expect(dispatcher.send('a\nb')).toBe(false);
        expect(dispatcher.send('a\r\n')).toBe(false);
        expect(dispatcher.send(42)).toBe(false);
        expect(dispatcher.send({ text: 'hi' })).toBe(false);
        expect(dispatcher.send(undefined)).toBe(false);
        expect(dispatcher.bytesOut, 'nothing written for the refused ones').toBe(sentSoFar);
        expect(errorCodes(machine)).toEqual(['ERR_FRAME_INVALID', 'ERR_FRAME_INVALID', 'ERR_PAYLOAD_NOT_BYTES', 'ERR_PAYLOAD_NOT_BYTES', 'ERR_PAYLOAD_NOT_BYTES']);
        const invalid = machine.named('error')[0]!.payload as ReactorError;
        expect(invalid).toBeInstanceOf(ReactorError);
        expect(invalid.unsentBytes).toBe(3);
        dispatcher.send('end');
        const expected = Buffer.from('hello\nwörld\nAB\nAB\n\nend\n');
        const got = await peer.atLeast(expected.length);
        await absenceWindow(50);
        expect(peer.bytes().equals(expected), JSON.stringify(peer.bytes().toString())).toBe(true);
        expect(got.length).toBe(expected.length);
        // The peer closes: the socket is closed, and a send is an error.
        rig.peer.end();
        await machine.next('close', 3_000);
        expect(dispatcher.send('late')).toBe(false);
        expect(errorCodes(machine).slice(5)).toEqual(['ERR_SOCKET_CLOSED']);
        expect(machine.sequence.slice(-2)).toEqual(['close', 'error']);
    });

    for (const [framing, messages, wire] of [
        [length(4), ['abc', ''], '\0\0\0\x03abc\0\0\0\0'],
        [length(2), ['abc', 'z'], '\0\x03abc\0\x01z'],
        [length(1), ['abc', ''], '\x03abc\0'],
        [delimiter('\u0000'), ['abc', ''], 'abc\0\0'],
        [delimiter('--'), ['a-b', 'c'], 'a-b--c--']
    ] as const) {
        it(`${framing.kind} ${framing.kind === 'length' ? framing.bytes : JSON.stringify(framing.kind === 'delimiter' ? framing.delimiter : '')}: the peer receives exactly the framed bytes`, async () => {
            const rig = await client(framing);
            const peer = received(rig);
            for (const message of messages) {
                expect(rig.dispatcher.send(message)).toBe(true);
            }
            // One too long for a 1-byte prefix, one holding the delimiter: refused, nothing written.
            const refused = framing.kind === 'length' ? 'x'.repeat(framing.bytes === 1 ? 256 : 0x10000) : `a${framing.kind === 'delimiter' ? framing.delimiter : ''}b`;
            const before = rig.dispatcher.bytesOut;
            const accepted = rig.dispatcher.send(refused);
            if (framing.kind === 'length' && framing.bytes === 4) {
                // 64 KiB fits a 4-byte prefix: sent.
                expect(accepted).toBe(true);
            } else {
                expect(accepted).toBe(false);
                expect(rig.dispatcher.bytesOut).toBe(before);
                expect(errorCodes(rig.machine)).toEqual([framing.kind === 'length' ? 'ERR_FRAME_TOO_LONG' : 'ERR_FRAME_INVALID']);
            }
            const expected = Buffer.concat([Buffer.from(wire, 'latin1'), accepted ? prefixed(4, refused) : Buffer.alloc(0)]);
            await peer.atLeast(expected.length);
            await absenceWindow(50);
            expect(peer.bytes().equals(expected)).toBe(true);
        });
    }
});

describe('pause and resume', () => {
    it('a pause on the first of three lines holds the other two until resume; they come after the step, in order; a second pause holds again', async () => {
        const rig = await session(LINES);
        const { machine, dispatcher } = rig;
        let readsAtEndOfTick = -1;
        machine.reaction = (record) => {
            if (record.event === 'read' && reads(machine).length <= 2) {
                dispatcher.pauseReading();
            } else if (record.event === 'tick') {
                dispatcher.resumeReading();
                readsAtEndOfTick = reads(machine).length;
            }
        };
        const chunksBefore = rig.chunks.length;
        rig.peer.write('one\ntwo\nthree\n');
        await machine.next('read', 2_000);
        await absenceWindow(150);
        expect(rig.chunks.length - chunksBefore, 'the three lines came in one chunk').toBe(1);
        expect(texts(reads(machine))).toEqual(['one']);
        // Resumed in a step (a timer's, a signal's): nothing is delivered within it.
        machine.dispatch(TICK);
        expect(readsAtEndOfTick).toBe(1);
        expect(reads(machine)).toHaveLength(1);
        await until(rig, () => reads(machine).length >= 2, 'the second line');
        await absenceWindow(150);
        expect(texts(reads(machine)), 'paused again on the second line').toEqual(['one', 'two']);
        machine.dispatch(TICK);
        await until(rig, () => reads(machine).length >= 3, 'the third line');
        expect(machine.sequence).toEqual(['read', 'tick', 'read', 'tick', 'read']);
        expect(texts(reads(machine))).toEqual(['one', 'two', 'three']);
        // Reading goes on normally after that.
        rig.peer.write('four\n');
        await until(rig, () => reads(machine).length >= 4, 'the fourth line');
        expect(texts(reads(machine)).slice(3)).toEqual(['four']);
    });

    it('bytes arriving while paused wait too, and are read in order after resume', async () => {
        const rig = await session(LINES);
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read' && reads(machine).length === 1) {
                dispatcher.pauseReading();
            }
        };
        rig.peer.write('one\ntw');
        await machine.next('read', 2_000);
        rig.peer.write('o\nthree\n');
        rig.peer.write('four\n');
        await absenceWindow(150);
        expect(texts(reads(machine))).toEqual(['one']);
        dispatcher.resumeReading();
        expect(reads(machine)).toHaveLength(1);
        await until(rig, () => reads(machine).length >= 4, 'four lines');
        expect(texts(reads(machine))).toEqual(['one', 'two', 'three', 'four']);
    });

    it('the peer closing while lines are held: the close waits for resume, after the remaining lines, and for a second pause', async () => {
        const rig = await session(LINES);
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read' && reads(machine).length <= 2) {
                dispatcher.pauseReading();
            }
        };
        rig.peer.end('one\ntwo\nthree');
        await machine.next('read', 2_000);
        await absenceWindow(200);
        expect(machine.sequence).toEqual(['read']);
        dispatcher.resumeReading();
        await until(rig, () => reads(machine).length >= 2, 'the second line');
        await absenceWindow(150);
        expect(machine.sequence, 'paused again by the second line').toEqual(['read', 'read']);
        dispatcher.resumeReading();
        const close = await machine.next('close', 3_000);
        expect(machine.sequence).toEqual(['read', 'read', 'read', 'close']);
        expect(texts(reads(machine))).toEqual(['one', 'two', 'three']);
        expect(close.payload).toBe(false);
    });

    it('the peer closing after the pause, with nothing held: the close waits for resume', async () => {
        const rig = await session(LINES);
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read') {
                dispatcher.pauseReading();
            }
        };
        await writeChunk(rig, 'one\n');
        expect(machine.sequence).toEqual(['read']);
        const peerClosed = new Promise((resolve) => rig.peer.once('end', resolve));
        rig.peer.end();
        await absenceWindow(200);
        expect(machine.sequence, 'the close waits while reading is paused').toEqual(['read']);
        dispatcher.resumeReading();
        const close = await machine.next('close', 3_000);
        expect(close.payload).toBe(false);
        expect(machine.sequence).toEqual(['read', 'close']);
        await within(peerClosed, 3_000, 'the peer to see the end');
    });

    it('the peer resetting while a line is held: error ECONNRESET and close (true) wait for resume, after the line', async () => {
        const rig = await session(LINES);
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read' && reads(machine).length === 1) {
                dispatcher.pauseReading();
            }
        };
        rig.peer.write('one\ntwo\n');
        await machine.next('read', 2_000);
        rig.peer.resetAndDestroy();
        await absenceWindow(200);
        expect(machine.sequence).toEqual(['read']);
        dispatcher.resumeReading();
        const close = await machine.next('close', 3_000);
        expect(machine.sequence).toEqual(['read', 'read', 'error', 'close']);
        expect(texts(reads(machine))).toEqual(['one', 'two']);
        expect(errorCodes(machine)).toEqual(['ECONNRESET']);
        expect(close.payload).toBe(true);
    });

    it('without a framing too: the peer closing while paused is seen after resume', async () => {
        const rig = await client({ kind: 'none' });
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read') {
                dispatcher.pauseReading();
            }
        };
        await writeChunk(rig, 'first');
        rig.peer.end('last');
        await absenceWindow(200);
        expect(machine.sequence).toEqual(['connect', 'read']);
        dispatcher.resumeReading();
        await until(rig, () => reads(machine).length >= 2, 'the last chunk');
        await absenceWindow(100);
        expect(machine.sequence, 'paused again by the last chunk').toEqual(['connect', 'read', 'read']);
        dispatcher.resumeReading();
        const close = await machine.next('close', 3_000);
        expect(texts(reads(machine))).toEqual(['first', 'last']);
        expect(machine.sequence).toEqual(['connect', 'read', 'read', 'close']);
        expect(close.payload).toBe(false);
    });

    it("close() of a paused socket whose peer's close is held: the held lines, then close (false)", async () => {
        const rig = await client(LINES);
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read' && reads(machine).length === 1) {
                dispatcher.pauseReading();
            }
        };
        rig.peer.end('one\ntwo\nthree');
        await machine.next('read', 2_000);
        await absenceWindow(200);
        expect(machine.sequence).toEqual(['connect', 'read']);
        await within(dispatcher.close(), 3_000, 'close() to resolve');
        const close = await machine.next('close', 3_000);
        expect(texts(reads(machine))).toEqual(['one', 'two', 'three']);
        expect(machine.sequence).toEqual(['connect', 'read', 'read', 'read', 'close']);
        expect(close.payload).toBe(false);
    });

    it('a client paused while connecting: a refused connect is reported at once (only a connection holds its close)', async () => {
        const machine = new RecordingMachine(new TestHost(), NAMES);
        machine.start();
        const dispatcher = new ClientDispatcher(machine, 'up', streamEvents(), { host: '127.0.0.1', port: await closedPort(), framing: LINES });
        cleanup.add(() => dispatcher.destroy());
        dispatcher.connect();
        dispatcher.pauseReading();
        const close = await machine.next('close', 3_000);
        expect(machine.sequence).toEqual(['error', 'close']);
        expect(errorCodes(machine)).toEqual(['ECONNREFUSED']);
        expect(close.payload).toBe(true);
    });

    it('close() of a paused socket reads on: the held line, then what the peer sends before closing, then close (false)', async () => {
        const rig = await session(LINES, true);
        const { machine, dispatcher } = rig;
        machine.reaction = (record) => {
            if (record.event === 'read') {
                dispatcher.pauseReading(); // ignored once closing
            }
        };
        rig.peer.on('end', () => rig.peer.end('three\nfour'));
        rig.peer.write('one\ntwo\n');
        await machine.next('read', 2_000);
        await absenceWindow(100);
        expect(texts(reads(machine))).toEqual(['one']);
        const closed = dispatcher.close();
        await within(closed, 3_000, 'the graceful close to complete');
        await machine.next('close', 1_000);
        expect(texts(reads(machine))).toEqual(['one', 'two', 'three', 'four']);
        expect(machine.sequence).toEqual(['read', 'read', 'read', 'read', 'close']);
        expect(machine.named('close')[0]!.payload).toBe(false);
    });
});

const TEXT = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX'.repeat(10);

/** Line `i` of a long exchange: its number and a text of varying length (0–599 bytes, 300 on average). */
function lineOf(i: number): string {
    return `${i}:${TEXT.slice(0, (i * 7) % 600)}`;
}

/** Writes `count` messages (from `make`) in batches of about 64 KiB, waiting for 'drain' whenever the socket says so. */
async function writeAll(socket: Socket, count: number, make: (i: number) => Buffer | string, onWait: () => void): Promise<void> {
    let i = 0;
    while (i < count) {
        const batch: Array<Buffer | string> = [];
        let size = 0;
        for (; i < count && size < 64 * 1024; i++) {
            const message = make(i);
            batch.push(message);
            size += message.length;
        }
        const data = batch.every((m) => typeof m === 'string') ? batch.join('') : Buffer.concat(batch.map((m) => (typeof m === 'string' ? Buffer.from(m) : m)));
        if (!socket.write(data)) {
            onWait();
            await new Promise<void>((resolve, reject) => {
                const closed = (): void => reject(new Error(`the peer's socket closed after ${i} of ${count} messages`));
                socket.once('close', closed);
                socket.once('drain', () => {
                    socket.off('close', closed);
                    resolve();
                });
            });
        }
    }
}

/** Writes 1 MB blocks outside any event (no source pauses) until the socket queues them: its peer reads nothing yet. */
function fill(dispatcher: StreamDispatcher): number {
    const block = randomBytes(1024 * 1024);
    let written = 0;
    for (let i = 0; i < 64; i++) {
        written += block.length;
        if (!dispatcher.write(block)) {
            return written;
        }
    }
    throw new Error('64 MB written without the socket backing up');
}

describe('messages held by backpressure', () => {
    it('a send that backs up holds the rest of the chunk: those messages come after drain, with nothing more from the peer', async () => {
        const rig = await session(LINES);
        const { machine, dispatcher, peer } = rig;
        const flushed: boolean[] = [];
        machine.reaction = (record) => {
            if (record.event === 'read') {
                flushed.push(dispatcher.send(record.payload));
            }
        };
        peer.pause();
        const filled = fill(dispatcher);
        const echo = received(rig);
        peer.pause();
        const chunksBefore = rig.chunks.length;
        peer.write('a\nb\nc\n');
        await machine.next('read', 2_000);
        await absenceWindow(150);
        expect(rig.chunks.length - chunksBefore).toBe(1);
        expect(flushed).toEqual([false]);
        expect(dispatcher.socket!.isPaused()).toBe(true);
        expect(machine.sequence).toEqual(['read']);
        // The peer reads: the socket drains, and the two messages that waited come, though the peer sends nothing more.
        peer.resume();
        await until(rig, () => reads(machine).length >= 3, 'the held lines');
        expect(machine.sequence).toEqual(['read', 'drain', 'read', 'read']);
        expect(texts(reads(machine))).toEqual(['a', 'b', 'c']);
        const all = await echo.atLeast(filled + 6);
        expect(all.subarray(filled).toString()).toBe('a\nb\nc\n');
    });

    it('close() of a source held by a backed-up socket: the messages that waited are read at once, not when the peer closes', async () => {
        // The peer does not answer a FIN with its own (half-open): it closes when the test says so.
        const rig = await session(LINES, true);
        const { machine, dispatcher, peer } = rig;
        // A second socket of the machine, whose events it does not map: what `up` reads is relayed to it.
        let sinkPeer: Socket | undefined;
        const { port } = await listen(cleanup, (socket) => {
            socket.pause();
            socket.on('error', () => undefined);
            sinkPeer = socket;
            rig.changes.notify();
        });
        const sink = new ClientDispatcher(machine, 'sink', streamEvents(...(Object.keys(EV) as Array<keyof typeof EV>)), { host: '127.0.0.1', port });
        cleanup.add(() => sink.destroy());
        sink.connect();
        await until(rig, () => sinkPeer !== undefined && sink.socket?.connecting === false, 'the sink to connect');
        const relayed: boolean[] = [];
        machine.reaction = (record) => {
            if (record.event === 'read') {
                relayed.push(sink.send(record.payload));
            }
        };
        fill(sink);
        peer.write('a\nb\nc\n');
        await machine.next('read', 2_000);
        await absenceWindow(100);
        expect(relayed).toEqual([false]);
        expect(machine.sequence).toEqual(['read']);
        // The sink stays backed up and the peer stays open: only the close makes `conn` read on.
        const peerEnded = new Promise((resolve) => peer.once('end', resolve));
        const closed = dispatcher.close();
        await within(peerEnded, 2_000, 'the FIN at the peer');
        await until(rig, () => reads(machine).length >= 3, 'the held lines after close()');
        expect(texts(reads(machine))).toEqual(['a', 'b', 'c']);
        expect(machine.sequence, errorCodes(machine).join()).toEqual(['read', 'read', 'read']);
        peer.end();
        await within(closed, 3_000, 'the close to complete');
        const close = await machine.next('close', 2_000);
        expect(close.payload).toBe(false);
        expect(machine.sequence).toEqual(['read', 'read', 'read', 'close']);
        // The session has finished with its connection, so the sink is closing gracefully: once its peer reads what
        // it was sent, it closes with nothing left unsent.
        const sinkSocket = sink.socket!;
        const sinkClosed = new Promise((resolve) => sinkSocket.once('close', resolve));
        sinkPeer!.on('data', () => undefined);
        sinkPeer!.resume();
        await within(sinkClosed, 3_000, 'the sink to close');
    });
});

/** What the echoing machine saw. */
interface EchoRecord {
    reads: number;
    /** The first read that was not what the peer sent, if any. */
    mismatch: string | undefined;
    /** Sends that were queued (write returned false), and how many of those left the source paused. */
    queuedSends: number;
    pausedAfterQueued: number;
    drains: number;
    /** Any other event (an error, a close): none is expected. */
    others: string[];
}

/**
 * A peer sends `count` messages (`make(i)`, framed) while a machine echoes every message it reads with `send(payload)`,
 * checking it with `expected(i)`; the peer hands what it receives to `onEcho` and must be told (`done`) when it has all.
 * The peer's reading makes the echo back up again and again, with no timing: it reads `gulp` bytes, then reads nothing
 * more until a send of the machine is queued (so the machine pauses reading) or until it has written everything; then
 * it reads on at least until the machine's socket has drained.
 */
async function echoExchange(
    rig: Rig,
    options: { count: number; make: (i: number) => Buffer | string; expected: (i: number) => Buffer | string; gulp: number; onEcho: (data: Buffer) => boolean }
): Promise<{ echo: EchoRecord; elapsedMs: number; peerWaits: number }> {
    const { machine, dispatcher, peer } = rig;
    const echo: EchoRecord = { reads: 0, mismatch: undefined, queuedSends: 0, pausedAfterQueued: 0, drains: 0, others: [] };
    let writerDone = false;
    let sinceStop = 0;
    /** A send was queued and the socket has not drained since. */
    let backedUp = false;
    machine.reaction = (record) => {
        if (record.event === 'read') {
            const message = record.payload as Buffer;
            if (echo.mismatch === undefined && !message.equals(Buffer.from(options.expected(echo.reads)))) {
                echo.mismatch = `read ${echo.reads}: ${JSON.stringify(message.subarray(0, 80).toString('latin1'))}`;
            }
            echo.reads++;
            if (!dispatcher.send(message)) {
                echo.queuedSends++;
                if (dispatcher.socket!.isPaused()) {
                    echo.pausedAfterQueued++;
                }
                // The echo backed up: the peer reads again.
                backedUp = true;
                peer.resume();
            }
        } else if (record.event === 'drain') {
            echo.drains++;
            backedUp = false;
        } else {
            echo.others.push(record.event);
        }
        // The log would hold every message: keep none.
        machine.log.length = 0;
    };
    const allEchoed = new Promise<void>((resolve, reject) => {
        peer.on('data', (data: Buffer) => {
            sinceStop += data.length;
            if (options.onEcho(data)) {
                resolve();
            } else if (sinceStop >= options.gulp && !writerDone && !backedUp) {
                sinceStop = 0;
                peer.pause();
            }
        });
        peer.on('close', () => reject(new Error('the peer closed before it had the whole echo')));
    });
    void allEchoed.catch(() => undefined); // awaited below, unless the writing fails first
    peer.pause();
    let peerWaits = 0;
    const started = performance.now();
    await within(
        writeAll(peer, options.count, options.make, () => peerWaits++),
        20_000,
        'the peer to write everything'
    );
    writerDone = true;
    peer.resume();
    await within(allEchoed, 20_000, 'the whole echo');
    return { echo, elapsedMs: performance.now() - started, peerWaits };
}

describe('many messages both ways, under backpressure', () => {
    it('100,000 lines to a session that echoes each with send(payload): every line arrives intact and in order on both sides', async () => {
        const COUNT = 100_000;
        const rig = await session(LINES);
        // The peer splits the echo into lines on its own.
        let echoed = 0;
        let echoMismatch: string | undefined;
        let partial = '';
        const onEcho = (data: Buffer): boolean => {
            const lines = (partial + data.toString('latin1')).split('\n');
            partial = lines.pop()!;
            for (const line of lines) {
                if (echoMismatch === undefined && line !== lineOf(echoed)) {
                    echoMismatch = `echo ${echoed}: ${JSON.stringify(line)}`;
                }
                echoed++;
            }
            return echoed >= COUNT;
        };
        // Every seventh line ends in CRLF: the echo ends each in LF.
        const { echo, elapsedMs, peerWaits } = await echoExchange(rig, {
            count: COUNT,
            make: (i) => `${lineOf(i)}${i % 7 === 0 ? '\r\n' : '\n'}`,
            expected: lineOf,
            gulp: 256 * 1024,
            onEcho
        });
        const { dispatcher } = rig;
        expect(echo.mismatch).toBeUndefined();
        expect(echoMismatch).toBeUndefined();
        expect(echo.reads).toBe(COUNT);
        expect(echoed).toBe(COUNT);
        expect(partial).toBe('');
        expect(dispatcher.bytesOut).toBe(dispatcher.bytesIn - Math.ceil(COUNT / 7));
        expect(echo.others).toEqual([]);
        expect(echo.queuedSends, 'the echo backed up').toBeGreaterThan(0);
        expect(echo.pausedAfterQueued, 'each queued send paused the source').toBe(echo.queuedSends);
        expect(echo.drains, 'and the socket drained after each').toBe(echo.queuedSends);
        console.info(
            `stream-framing: ${COUNT} lines each way (${(dispatcher.bytesIn / 1e6).toFixed(1)} MB in, ${(dispatcher.bytesOut / 1e6).toFixed(1)} MB out) in ${Math.round(elapsedMs)} ms; ` +
                `${echo.queuedSends} sends queued, ${echo.drains} drains, the peer waited for drain ${peerWaits} times`
        );
    });

    it('200 MB in length-4 frames of 64 KiB, echoed: one read per frame, the echo identical byte for byte (SHA-256), the source paused for the echo', async () => {
        const FRAME = 64 * 1024;
        const COUNT = 3_200; // 200 MiB of messages
        const rig = await client(length(4));
        // Message i: its number, then random bytes (one block, shifted by i, so that no two messages are alike).
        const block = randomBytes(FRAME * 2);
        const messageOf = (i: number): Buffer => {
            const data = Buffer.from(block.subarray(i % FRAME, (i % FRAME) + FRAME));
            data.writeUInt32BE(i, 0);
            return data;
        };
        const sentHash = createHash('sha256');
        const echoHash = createHash('sha256');
        const total = COUNT * (FRAME + 4);
        let echoedBytes = 0;
        const { echo, elapsedMs, peerWaits } = await echoExchange(rig, {
            count: COUNT,
            make: (i) => {
                const frame = prefixed(4, messageOf(i));
                sentHash.update(frame);
                return frame;
            },
            expected: messageOf,
            gulp: 16 * 1024 * 1024,
            onEcho: (data) => {
                echoHash.update(data);
                echoedBytes += data.length;
                return echoedBytes >= total;
            }
        });
        const { dispatcher } = rig;
        expect(echo.mismatch).toBeUndefined();
        expect(echo.reads).toBe(COUNT);
        expect(echoedBytes).toBe(total);
        expect(echoHash.digest('hex')).toBe(sentHash.digest('hex'));
        expect(dispatcher.bytesIn).toBe(total);
        expect(dispatcher.bytesOut).toBe(total);
        expect(echo.queuedSends, 'the echo backed up').toBeGreaterThan(1);
        expect(echo.pausedAfterQueued, 'each queued send paused the source').toBe(echo.queuedSends);
        expect(echo.drains, 'and the socket drained after each').toBe(echo.queuedSends);
        expect(echo.others).toEqual([]);
        console.info(
            `stream-framing: ${(total / 1e6).toFixed(0)} MB in ${COUNT} frames echoed in ${Math.round(elapsedMs)} ms (${((2 * total) / 1e6 / (elapsedMs / 1000)).toFixed(0)} MB/s in and out); ` +
                `${echo.queuedSends} sends queued, ${echo.drains} drains, the peer waited for drain ${peerWaits} times`
        );
    });
});
