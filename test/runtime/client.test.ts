// ClientDispatcher over real loopback sockets: connect timeout, reconnect with backoff, heartbeat.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientDispatcher, type ClientOptions } from '../../templates/runtime/client-dispatcher.js';
import { ManualClock } from '../../templates/runtime/clock.js';
import { ReactorError } from '../../templates/runtime/errors.js';
import type { Machine } from '../../templates/runtime/machine.js';
import type { StreamEvents } from '../../templates/runtime/stream-dispatcher.js';
import { Cleanup, RecordingMachine, TestHost, absenceWindow, closedPort, collectWarnings, fullBacklogPort, listen, streamEvents } from './runtime-helpers.js';

/** A host whose clock only moves when the test says so (as a program under --clock=manual). */
class ManualHost extends TestHost {
    override readonly clock = new ManualClock();
}

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A client whose socket and reconnect timer are torn down after the test. */
function client(machine: Machine, events: StreamEvents, options: ClientOptions): ClientDispatcher {
    const dispatcher = new ClientDispatcher(machine, 'upstream', events, options);
    cleanup.add(() => {
        void dispatcher.close();
        dispatcher.destroy();
    });
    return dispatcher;
}

/** Records the reconnect delay the dispatcher plans each time its socket closes. */
class PlanningClient extends ClientDispatcher {
    readonly planned: Array<number | undefined> = [];

    protected override socketClosed(socket: Socket, hadError: boolean): void {
        super.socketClosed(socket, hadError);
        if (this.socket === socket) {
            this.planned.push(this.nextReconnectMs);
        }
    }
}

/** A client that writes a ping at every heartbeat and records when it did. */
class PingingClient extends ClientDispatcher {
    readonly beats: number[] = [];

    override handleHeartbeat(): void {
        this.beats.push(performance.now());
        this.write('ping\n');
    }
}

describe('ClientDispatcher', () => {
    it('raises timeout with ReactorError ETIMEDOUT after connectTimeoutMs when the listener never completes the handshake', async () => {
        const port = await fullBacklogPort(cleanup);
        const machine = new RecordingMachine();
        const dispatcher = client(machine, streamEvents(), { host: '127.0.0.1', port, connectTimeoutMs: 300 });
        const started = performance.now();
        dispatcher.connect();
        expect(dispatcher.active).toBe(true);
        const timeout = await machine.next('timeout', 3_000);
        const elapsed = timeout.at - started;
        expect(elapsed).toBeGreaterThanOrEqual(295);
        expect(elapsed).toBeLessThan(300 + 400);
        expect(timeout.payload).toBeInstanceOf(ReactorError);
        expect((timeout.payload as ReactorError).code).toBe('ETIMEDOUT');
        expect((timeout.payload as ReactorError).message).toContain(`127.0.0.1:${port}`);
        // The abandoned socket then closes; it never connected and no error was raised besides the timeout.
        await machine.next('close', 1_000);
        expect(machine.sequence).toEqual(['timeout', 'close']);
        expect(dispatcher.active).toBe(false);
    });

    it('raises error with ReactorError ETIMEDOUT when the model maps no timeout event', async () => {
        const port = await fullBacklogPort(cleanup);
        const machine = new RecordingMachine();
        const dispatcher = client(machine, streamEvents('timeout'), { host: '127.0.0.1', port, connectTimeoutMs: 250 });
        const started = performance.now();
        dispatcher.connect();
        const error = await machine.next('error', 3_000);
        expect(error.at - started).toBeGreaterThanOrEqual(245);
        expect(error.at - started).toBeLessThan(250 + 400);
        expect((error.payload as ReactorError).code).toBe('ETIMEDOUT');
        await machine.next('close', 1_000);
        expect(machine.named('error')).toHaveLength(1);
        expect(machine.named('connect')).toHaveLength(0);
    });

    it('retries a refused connect with growing delays up to the cap, connects once a server appears, and then starts the backoff over', async () => {
        const port = await closedPort();
        const machine = new RecordingMachine();
        const dispatcher = new PlanningClient(machine, 'upstream', streamEvents(), { host: '127.0.0.1', port, reconnect: { minMs: 20, maxMs: 200 } });
        cleanup.add(() => {
            void dispatcher.close();
            dispatcher.destroy();
        });
        const warnings = collectWarnings(cleanup);
        dispatcher.connect();
        // Seven refusals: the ceilings 20, 40, 80, 160 double, then 200 is the cap.
        await machine.until((log) => log.filter((r) => r.event === 'close').length >= 7, 5_000, '7 refused attempts');
        const errors = machine.named('error');
        expect(errors.length).toBeGreaterThanOrEqual(7);
        for (const error of errors) {
            expect((error.payload as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
        }
        const planned = dispatcher.planned.slice(0, 7) as number[];
        const ceilings = [20, 40, 80, 160, 200, 200, 200];
        planned.forEach((delay, n) => {
            expect(delay, `planned delay ${n} of ${planned.join(', ')}`).toBeGreaterThanOrEqual(ceilings[n]! / 2);
            expect(delay, `planned delay ${n} of ${planned.join(', ')}`).toBeLessThanOrEqual(ceilings[n]!);
        });
        for (let n = 1; n < 4; n++) {
            expect(planned[n]!, `delays grow until the cap: ${planned.join(', ')}`).toBeGreaterThanOrEqual(planned[n - 1]!);
        }
        // The attempts really were that far apart (timers may fire a millisecond early). Only lower bounds are
        // checked on measured times: a loaded machine adds its own delays, so measured gaps need not grow.
        const gaps = errors.slice(1, 7).map((error, n) => error.at - errors[n]!.at);
        gaps.forEach((gap, n) => {
            expect(gap, `gap ${n} of ${gaps.map(Math.round).join(', ')} vs planned ${planned.join(', ')}`).toBeGreaterThanOrEqual(planned[n]! - 2);
        });

        // A server appears on that port: the next attempt connects.
        const accepted: Socket[] = [];
        await listen(cleanup, (socket) => accepted.push(socket), port);
        const connected = await machine.next('connect', 2_000);
        expect(connected.at).toBeGreaterThan(errors[errors.length - 1]!.at);
        expect(accepted).toHaveLength(1);
        // The server drops it: the reconnect delay starts again from the shortest one.
        const closesBefore = dispatcher.planned.length;
        accepted[0]!.destroy();
        await machine.until((log) => log.filter((r) => r.event === 'close').length > closesBefore, 2_000, 'close after the drop');
        const afterDrop = dispatcher.planned[closesBefore]!;
        expect(afterDrop).toBeGreaterThanOrEqual(10);
        expect(afterDrop).toBeLessThanOrEqual(20);
        // Closing stops reconnecting.
        await dispatcher.close();
        expect(dispatcher.nextReconnectMs).toBeUndefined();
        expect(warnings).toEqual([]);
    });

    it('calls handleHeartbeat every interval while the peer answers, and raises heartbeatLost only after heartbeatTimeoutMs of silence', async () => {
        const ANSWERS = 4;
        let lastPong = 0;
        let pingsSeen = 0;
        const { port } = await listen(cleanup, (socket) => {
            socket.setNoDelay(true);
            socket.setEncoding('utf8');
            socket.on('data', (text: string) => {
                const pings = text.split('\n').filter((line) => line === 'ping').length;
                for (let i = 0; i < pings; i++) {
                    pingsSeen++;
                    // Answers the first pings, then keeps the socket open and silent.
                    if (pingsSeen <= ANSWERS) {
                        socket.write('pong\n');
                        lastPong = performance.now();
                    }
                }
            });
        });
        const HEARTBEAT = 60;
        const TIMEOUT = 240;
        const machine = new RecordingMachine();
        const dispatcher = new PingingClient(machine, 'upstream', streamEvents(), {
            host: '127.0.0.1',
            port,
            noDelay: true,
            heartbeatMs: HEARTBEAT,
            heartbeatTimeoutMs: TIMEOUT
        });
        cleanup.add(() => dispatcher.destroy());
        dispatcher.connect();
        await machine.next('connect', 2_000);
        const lost = await machine.next('heartbeatLost', 3_000);
        const reads = machine.named('read');
        expect(reads.length).toBeGreaterThanOrEqual(1);
        const lastRead = reads[reads.length - 1]!.at;
        expect(lastPong).toBeGreaterThan(0);
        // Not before: the silence lasted at least the timeout; and found within one heartbeat interval after it (plus scheduling slack).
        const silence = lost.at - lastRead;
        expect(silence, `silence before heartbeatLost`).toBeGreaterThanOrEqual(TIMEOUT - 2);
        expect(silence, `silence before heartbeatLost`).toBeLessThan(TIMEOUT + HEARTBEAT + 150);
        expect(lost.payload).toBeInstanceOf(ReactorError);
        expect((lost.payload as ReactorError).code).toBe('EHEARTBEAT');
        // While the peer answered, a ping went out at every interval.
        const beatsWhileAnswered = dispatcher.beats.filter((at) => at <= lastRead);
        expect(beatsWhileAnswered.length).toBeGreaterThanOrEqual(ANSWERS);
        const gaps = dispatcher.beats.slice(1).map((at, n) => at - dispatcher.beats[n]!);
        for (const gap of gaps) {
            expect(gap, `heartbeat gaps ${gaps.map(Math.round).join(', ')}`).toBeGreaterThanOrEqual(HEARTBEAT - 2);
            expect(gap, `heartbeat gaps ${gaps.map(Math.round).join(', ')}`).toBeLessThan(HEARTBEAT + 100);
        }
        // Once lost, the heartbeat stops: no more pings and no second heartbeatLost over the next intervals.
        const beatsAtLoss = dispatcher.beats.length;
        await absenceWindow(3 * HEARTBEAT);
        expect(dispatcher.beats.length).toBe(beatsAtLoss);
        expect(machine.named('heartbeatLost')).toHaveLength(1);
        // The socket itself stayed open: losing the heartbeat is the model's to act on.
        expect(machine.named('close')).toHaveLength(0);
        expect(dispatcher.writable).toBe(true);
    });

    it('on a manual clock: the connect timeout fires only when the clock reaches it', async () => {
        const port = await fullBacklogPort(cleanup);
        const host = new ManualHost();
        const machine = new RecordingMachine(host);
        const dispatcher = client(machine, streamEvents(), { host: '127.0.0.1', port, connectTimeoutMs: 300 });
        dispatcher.connect();
        await absenceWindow(400);
        expect(machine.sequence).toEqual([]);
        host.clock.advance(299);
        expect(machine.sequence).toEqual([]);
        host.clock.advance(1);
        expect(machine.sequence).toEqual(['timeout']);
        await machine.next('close', 1_000);
    });

    it('on a manual clock: reconnect delays are whole steps (no jitter, as in the interpreter) and wait for the clock', async () => {
        const port = await closedPort();
        const host = new ManualHost();
        const machine = new RecordingMachine(host);
        const dispatcher = new PlanningClient(machine, 'upstream', streamEvents(), { host: '127.0.0.1', port, reconnect: { minMs: 100, maxMs: 400 } });
        cleanup.add(() => {
            void dispatcher.close();
            dispatcher.destroy();
        });
        dispatcher.connect();
        for (const [attempt, step] of [100, 200, 400, 400].entries()) {
            await machine.until((log) => log.filter((r) => r.event === 'close').length === attempt + 1, 2_000, `refusal ${attempt + 1}`);
            expect(dispatcher.planned.at(-1)).toBe(step);
            await absenceWindow(50);
            host.clock.advance(step - 1);
            expect(machine.named('close')).toHaveLength(attempt + 1);
            host.clock.advance(1);
        }
        await machine.until((log) => log.filter((r) => r.event === 'close').length === 5, 2_000, 'refusal 5');
        expect(host.clock.now()).toBe(100 + 200 + 400 + 400);
    });
});
