// Backpressure per source, with the runtime's own dispatchers on loopback sockets: a write that backs up pauses the
// socket whose event is being handled (machine.source), until the written socket drains, dies or is closed; nothing else.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientDispatcher } from '../../templates/runtime/client-dispatcher.js';
import { ConnectionDispatcher } from '../../templates/runtime/connection-dispatcher.js';
import type { EventSource } from '../../templates/runtime/machine.js';
import type { StreamDispatcher } from '../../templates/runtime/stream-dispatcher.js';
import { Cleanup, RecordingMachine, TestHost, absenceWindow, connectTo, listen, prefixedEventNames, streamEventsOfBlock, within, type Recorded } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Event names: a.*, b.*, c.* (eight each), then `tick`, an event no socket produces (a timer's, a raised one). */
const NAMES = [...prefixedEventNames('a', 'b', 'c'), 'tick'];
const TICK = NAMES.indexOf('tick');

interface Upstream {
    dispatcher: ClientDispatcher;
    /** The upstream's end of the connection: it reads nothing until `resume()`. */
    peer: Socket;
}

/**
 * A relay-like machine: `a`, a connection accepted from `peerA`, and two clients `b` and `c`, each connected to an
 * upstream of its own that reads nothing until the test resumes it (so writes to b and c back up).
 */
async function wire(): Promise<{ machine: RecordingMachine; a: ConnectionDispatcher; peerA: Socket; b: Upstream; c: Upstream }> {
    const machine = new RecordingMachine(new TestHost(), NAMES);
    let a: ConnectionDispatcher | undefined;
    const downstream = await listen(cleanup, (socket) => {
        a = new ConnectionDispatcher(machine, 'a', streamEventsOfBlock(0), {}, socket);
        cleanup.add(() => a?.destroy());
    });
    machine.start();
    const peerA = await connectTo(cleanup, downstream.port);
    peerA.on('error', () => undefined);
    await machine.until(() => a, 2_000, 'a accepted');
    const upstream = async (name: 'b' | 'c', block: number): Promise<Upstream> => {
        let peer: Socket | undefined;
        const { port } = await listen(cleanup, (socket) => {
            peer = socket;
            socket.pause();
            socket.on('error', () => undefined);
        });
        const dispatcher = new ClientDispatcher(machine, name, streamEventsOfBlock(block), { host: '127.0.0.1', port });
        cleanup.add(() => dispatcher.destroy());
        dispatcher.connect();
        await machine.next(`${name}.connect`, 2_000);
        return { dispatcher, peer: await machine.until(() => peer, 2_000, `${name}'s upstream to accept`) };
    };
    return { machine, a: a!, peerA, b: await upstream('b', 1), c: await upstream('c', 2) };
}

const CHUNK = randomBytes(1024 * 1024);

/** Writes 1 MB chunks until `write` returns false (loopback's buffers take a few MB first); returns false then. */
function fill(sink: StreamDispatcher): boolean {
    let flushed = true;
    for (let i = 0; i < 64 && flushed; i++) {
        flushed = sink.write(CHUNK);
    }
    return flushed;
}

function paused(dispatcher: StreamDispatcher): boolean {
    return dispatcher.socket!.isPaused();
}

/** The records of `event`, in order. */
function all(machine: RecordingMachine, event: string): Recorded[] {
    return machine.named(event);
}

describe('backpressure per source', () => {
    it('a write that backs up pauses only its source; the written socket and the other sockets keep reading; the source resumes on drain', async () => {
        const { machine, a, peerA, b, c } = await wire();
        let flushed: boolean | undefined;
        machine.reaction = (record) => {
            if (record.event === 'a.read' && flushed === undefined) {
                flushed = fill(b.dispatcher);
            }
        };
        peerA.write('go\n');
        await machine.next('a.read', 2_000);
        expect(flushed).toBe(false);
        expect(paused(a)).toBe(true);
        expect(paused(b.dispatcher), 'the written socket itself keeps reading').toBe(false);
        expect(paused(c.dispatcher), 'an unrelated socket keeps reading').toBe(false);
        // b's and c's peers talk: both are heard while b is still backed up.
        b.peer.write('from b\n');
        c.peer.write('from c\n');
        expect(String((await machine.next('b.read', 2_000)).payload)).toBe('from b\n');
        expect(String((await machine.next('c.read', 2_000)).payload)).toBe('from c\n');
        // a's peer talks too: a is paused, so nothing arrives until b drains.
        peerA.write('more\n');
        await absenceWindow(200);
        expect(all(machine, 'a.read')).toHaveLength(1);
        expect(all(machine, 'b.drain')).toHaveLength(0);
        b.peer.resume();
        const more = await machine.until((log) => log.filter((r) => r.event === 'a.read')[1], 5_000, 'a to read again');
        expect(String(more.payload)).toBe('more\n');
        const drain = all(machine, 'b.drain');
        expect(drain).toHaveLength(1);
        expect(machine.log.indexOf(drain[0]!)).toBeLessThan(machine.log.indexOf(more));
        expect(paused(a)).toBe(false);
    });

    it('a source that filled two sockets resumes only once neither still waits for drain', async () => {
        const { machine, a, peerA, b, c } = await wire();
        const flushed: boolean[] = [];
        let pausedAtFirstDrain: boolean | undefined;
        machine.reaction = (record) => {
            if (record.event === 'a.read' && flushed.length === 0) {
                flushed.push(fill(b.dispatcher), fill(c.dispatcher));
            } else if (record.event === 'b.drain') {
                pausedAtFirstDrain = paused(a);
            }
        };
        peerA.write('go\n');
        await machine.next('a.read', 2_000);
        expect(flushed).toEqual([false, false]);
        expect(paused(a)).toBe(true);
        b.peer.resume();
        await machine.next('b.drain', 5_000);
        expect(pausedAtFirstDrain, 'c still waits: a stays paused').toBe(true);
        peerA.write('more\n');
        await absenceWindow(200);
        expect(all(machine, 'a.read')).toHaveLength(1);
        c.peer.resume();
        await machine.next('c.drain', 5_000);
        const more = await machine.until((log) => log.filter((r) => r.event === 'a.read')[1], 5_000, 'a to read again');
        expect(String(more.payload)).toBe('more\n');
    });

    it('the source resumes when the written socket is destroyed by the machine or closed gracefully (no drain comes after either)', async () => {
        const { machine, a, peerA, b, c } = await wire();
        const flushed: boolean[] = [];
        machine.reaction = (record) => {
            if (record.event === 'a.read' && flushed.length === 0) {
                flushed.push(fill(b.dispatcher), fill(c.dispatcher));
            }
        };
        peerA.write('go\n');
        await machine.next('a.read', 2_000);
        expect(flushed).toEqual([false, false]);
        expect(paused(a)).toBe(true);
        b.dispatcher.destroy();
        await machine.next('b.close', 2_000);
        expect(paused(a), 'c still waits').toBe(true);
        // A graceful close of c: its queued bytes still flush, but it takes no more writes, so a reads on at once.
        void c.dispatcher.close();
        expect(paused(a)).toBe(false);
        peerA.write('more\n');
        const more = await machine.until((log) => log.filter((r) => r.event === 'a.read')[1], 2_000, 'a to read again');
        expect(String(more.payload)).toBe('more\n');
        // The bytes b had queued when it was destroyed are reported, not dropped silently.
        const errors = all(machine, 'b.error').map((r) => r.payload as { code?: string; unsentBytes?: number });
        expect(errors.map((e) => e.code)).toEqual(['ERR_UNFLUSHED']);
        expect(errors[0]!.unsentBytes).toBeGreaterThan(0);
    });

    it('a write with no source pauses nothing: outside any event, from a raised event, from a timer', async () => {
        const { machine, a, peerA, b } = await wire();
        // Outside any event (like a write from your own code after an await).
        expect(fill(b.dispatcher)).toBe(false);
        expect(paused(a)).toBe(false);
        expect(paused(b.dispatcher)).toBe(false);
        // From an event raised while a's data is handled: it is queued without a source.
        const inTick: Array<{ source: EventSource | undefined; flushed: boolean; paused: boolean }> = [];
        machine.reaction = (record, m) => {
            if (record.event === 'a.read') {
                m.dispatch(TICK);
            } else if (record.event === 'tick') {
                const flushed = fill(b.dispatcher);
                inTick.push({ source: m.source, flushed, paused: paused(a) });
            }
        };
        peerA.write('raise\n');
        await machine.next('tick', 2_000);
        // From a timer.
        machine.armTimer(0, 1, TICK);
        await machine.until((log) => log.filter((r) => r.event === 'tick')[1], 2_000, 'the timer');
        expect(inTick).toEqual([
            { source: undefined, flushed: false, paused: false },
            { source: undefined, flushed: false, paused: false }
        ]);
        peerA.write('still reading\n');
        const read = await machine.until((log) => log.filter((r) => r.event === 'a.read')[1], 2_000, 'a second a.read');
        expect(String(read.payload)).toBe('still reading\n');
    });

    it('a socket being closed gracefully is not held by a socket it filled, so its peer\'s close is seen', async () => {
        const { machine, a, peerA, b } = await wire();
        let flushed: boolean | undefined;
        machine.reaction = (record) => {
            if (record.event === 'a.read' && flushed === undefined) {
                flushed = fill(b.dispatcher);
            }
        };
        peerA.write('go\n');
        await machine.next('a.read', 2_000);
        expect(flushed).toBe(false);
        expect(paused(a)).toBe(true);
        const closed = a.close();
        expect(paused(a)).toBe(false);
        // a's peer answers the FIN with its own (and some last bytes, which the machine still reads).
        peerA.end('bye\n');
        await within(closed, 2_000, 'a to close');
        expect(all(machine, 'a.close').map((r) => r.payload)).toEqual([false]);
        expect(all(machine, 'b.drain')).toHaveLength(0);
        expect(all(machine, 'a.read').map((r) => String(r.payload))).toEqual(['go\n', 'bye\n']);
    });

    it('an event source that is not a socket dispatcher is paused with pauseReading and resumed with resumeReading, if it has one', async () => {
        const { machine, b } = await wire();
        const calls: string[] = [];
        const source: EventSource & { resumeReading(): void } = {
            pauseReading: () => calls.push('pause'),
            resumeReading: () => calls.push('resume')
        };
        const seen: Array<EventSource | boolean | undefined> = [];
        machine.reaction = (record, m) => {
            if (record.event === 'tick') {
                // Writing again while b still waits does not pause the source twice.
                seen.push(m.source, fill(b.dispatcher), b.dispatcher.write('x'));
            }
        };
        machine.dispatch(TICK, undefined, source);
        expect(seen).toEqual([source, false, false]);
        expect(calls).toEqual(['pause']);
        b.peer.resume();
        await machine.next('b.drain', 5_000);
        expect(calls).toEqual(['pause', 'resume']);
    });
});
