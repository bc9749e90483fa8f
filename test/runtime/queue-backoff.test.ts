// Run-to-completion dispatch, the event queue's ring buffer, and the backoff's delays, without sockets.
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../templates/runtime/backoff.js';
import { EventQueue } from '../../templates/runtime/event-queue.js';
import { RecordingMachine, TestHost, seededRandom } from './runtime-helpers.js';

const NAMES = ['A', 'B', 'C', 'D', 'E'];
const [A, B, C, D, E] = [0, 1, 2, 3, 4] as const;

describe('run-to-completion', () => {
    it('queues events dispatched while one is processed and handles them in order after it, with their payloads', () => {
        const machine = new RecordingMachine(new TestHost(), NAMES);
        const trace: string[] = [];
        machine.reaction = (record, m) => {
            trace.push(`begin ${record.event}:${String(record.payload)}`);
            if (record.event === 'A') {
                m.dispatch(B, 'b');
                m.dispatch(C, 'c');
                // The machine's payload is still A's while A is processed.
                trace.push(`A still sees ${String(m.payload)}`);
            } else if (record.event === 'B') {
                m.dispatch(D, 'd');
            }
            trace.push(`end ${record.event}`);
        };
        machine.start();
        machine.dispatch(A, 'a');
        expect(trace).toEqual([
            'begin A:a',
            'A still sees a',
            'end A',
            'begin B:b',
            'end B',
            'begin C:c',
            'end C',
            'begin D:d',
            'end D'
        ]);
        // Nothing stays queued, and the payload is cleared once processing ends.
        expect(machine.payload).toBeUndefined();
        machine.dispatch(E, 'e');
        expect(machine.sequence).toEqual(['A', 'B', 'C', 'D', 'E']);
    });

    it('an action that throws, in a step or in a queued event, is reported to the error observers; the machine stays idle and takes the next event', () => {
        const host = new TestHost();
        const failures: string[] = [];
        host.observers.push({ error: (_machine, error, event) => failures.push(`${event}: ${(error as Error).message}`) });
        const machine = new RecordingMachine(host, NAMES);
        machine.reaction = (record, m) => {
            if (record.event === 'A') {
                throw new Error('A failed');
            }
            if (record.event === 'B') {
                m.dispatch(C, 'c');
                throw new Error('B failed');
            }
            if (record.event === 'C') {
                throw new Error('C failed');
            }
        };
        machine.start();
        machine.dispatch(A, 'a');
        expect(machine.status).toBe('idle');
        expect(machine.payload).toBeUndefined();
        machine.dispatch(B, 'b');
        machine.dispatch(D, 'd');
        expect(failures).toEqual(['A: A failed', 'B: B failed', 'C: C failed']);
        expect(machine.sequence).toEqual(['A', 'B', 'C', 'D']);
        expect(machine.status).toBe('idle');
        expect(machine.payload).toBeUndefined();
        expect(machine.source).toBeUndefined();
    });

    it('an error observer that throws itself: the error reaches the caller, and the machine is idle again, not stuck busy', () => {
        const host = new TestHost();
        host.observers.push({
            error: () => {
                throw new Error('observer failed');
            }
        });
        const machine = new RecordingMachine(host, NAMES);
        machine.reaction = (record) => {
            if (record.event === 'A') {
                throw new Error('A failed');
            }
        };
        machine.start();
        expect(() => machine.dispatch(A, 'a')).toThrow('observer failed');
        expect(machine.status).toBe('idle');
        expect(machine.payload).toBeUndefined();
        machine.dispatch(B);
        expect(machine.sequence).toEqual(['A', 'B']);
    });

    it('keeps order and payloads when many events are raised at once (the queue grows), and drops queued events once the machine finishes', async () => {
        const machine = new RecordingMachine(new TestHost(), NAMES);
        machine.reaction = (record, m) => {
            if (record.event === 'A') {
                for (let i = 0; i < 100; i++) {
                    m.dispatch(B, i);
                }
            }
            if (record.event === 'B' && record.payload === 49) {
                void m.finish();
            }
        };
        machine.start();
        machine.dispatch(A);
        const payloads = machine.named('B').map((record) => record.payload);
        expect(payloads).toEqual(Array.from({ length: 50 }, (_, i) => i));
        expect(machine.finished).toBe(true);
        machine.dispatch(C);
        expect(machine.named('C')).toHaveLength(0);
        await machine.finish();
    });

    it('after the built-in stop in the middle of a step, the rest of the step runs but arms no timer and takes no raised event', async () => {
        const machine = new RecordingMachine(new TestHost(), NAMES);
        const timeoutsBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
        const afterStop: string[] = [];
        machine.reaction = (record, m) => {
            if (record.event === 'A') {
                void m.finish(); // what `stop` does to every machine, this one included
                afterStop.push('action');
                m.armTimer(0, 60_000, C); // an `after` of the next state's entry
                m.dispatch(B); // a `raise`
                afterStop.push('entry');
            }
        };
        machine.start();
        machine.dispatch(A);
        expect(afterStop).toEqual(['action', 'entry']);
        expect(machine.sequence).toEqual(['A']);
        expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(timeoutsBefore);
        await machine.finish();
    });

    it('stopReactor (the built-in stop) in a step: the step completes, then the host stops; what the step raised is dropped', () => {
        const host = new TestHost();
        const machine = new RecordingMachine(host, NAMES);
        const seen: string[] = [];
        machine.reaction = (record, m) => {
            if (record.event === 'A') {
                m.stopReactor();
                seen.push(`stops during the step: ${host.stops}`);
                m.dispatch(B); // a `raise` after the stop
                seen.push('the rest of the step ran');
            }
        };
        machine.start();
        machine.dispatch(C);
        machine.dispatch(A);
        expect(seen).toEqual(['stops during the step: 0', 'the rest of the step ran']);
        expect(host.stops).toBe(1);
        expect(machine.sequence).toEqual(['C', 'A']);
        // Outside a step (a heartbeat callback, your own code) it stops at once.
        machine.stopReactor();
        expect(host.stops).toBe(2);
    });

    it('status follows the life of the machine: new, idle, busy, stopping, closing, done', async () => {
        const host = new TestHost();
        const machine = new RecordingMachine(host, NAMES);
        const seen: string[] = [];
        machine.reaction = (record, m) => {
            seen.push(`${record.event}: ${m.status}`);
            if (record.event === 'A') {
                m.stopReactor();
                seen.push(`after stop: ${m.status}`);
            }
        };
        expect(machine.status).toBe('new');
        machine.dispatch(C); // before start: processed at once, and the machine is still new
        expect(machine.status).toBe('new');
        machine.start();
        expect(machine.status).toBe('idle');
        machine.dispatch(B);
        machine.dispatch(A);
        expect(seen).toEqual(['C: busy', 'B: busy', 'A: busy', 'after stop: stopping']);
        expect(machine.status).toBe('idle');
        expect(host.stops).toBe(1);
        const closed = machine.finish();
        expect(machine.status).toBe('closing');
        expect(machine.finished).toBe(true);
        await closed;
        expect(machine.status).toBe('done');
        machine.start(); // a finished machine does not start again
        expect(machine.status).toBe('done');
    });

    it('a step that runs stop and then finishes the machine (a final state) stops the host once, after the machine has finished', async () => {
        const host = new TestHost();
        const machine = new RecordingMachine(host, NAMES);
        const order: string[] = [];
        machine.reaction = (record, m) => {
            if (record.event === 'A') {
                m.stopReactor();
                m.dispatch(B); // dropped: raised after the stop
                order.push(`finishing; stops ${host.stops}`);
                void m.finish(); // entering a final state, at the end of the step
                order.push(`finished: ${host.finished.length}, stops ${host.stops}`);
            }
        };
        machine.start();
        machine.dispatch(A);
        expect(order).toEqual(['finishing; stops 0', 'finished: 1, stops 1']);
        expect(host.stops).toBe(1);
        expect(machine.sequence).toEqual(['A']);
        await machine.finish();
        expect(host.stops).toBe(1);
    });

    it('keeps the timers\' entry point private: only the machine\'s own timers dispatch through it', () => {
        const machine = new RecordingMachine(new TestHost(), NAMES);
        // @ts-expect-error fireTimer is private to Machine (it was public, "used by timers").
        const fire: unknown = machine.fireTimer;
        expect(typeof fire).toBe('function');
    });

    it('EventQueue keeps FIFO order across wrap-around and growth', () => {
        const queue = new EventQueue(4);
        const taken: Array<[number, unknown]> = [];
        const take = (n: number): void => {
            for (let i = 0; i < n; i++) {
                const event = queue.peekEvent();
                taken.push([event, queue.takePayload()]);
            }
        };
        for (let i = 0; i < 3; i++) {
            queue.push(i, `p${i}`);
        }
        take(2);
        // Head is now at slot 2: these wrap around, then force two growths.
        for (let i = 3; i < 20; i++) {
            queue.push(i, `p${i}`);
        }
        expect(queue.length).toBe(18);
        take(18);
        expect(queue.length).toBe(0);
        expect(taken).toEqual(Array.from({ length: 20 }, (_, i) => [i, `p${i}`]));
    });
});

describe('Backoff', () => {
    it('gives delays with equal jitter: each in [c/2, c] for c = min·2ⁿ capped at max, reproducible with a seeded random', () => {
        const minMs = 100;
        const maxMs = 3_000;
        const ceilings = [100, 200, 400, 800, 1_600, 3_000, 3_000, 3_000, 3_000, 3_000];
        const backoff = new Backoff(minMs, maxMs, seededRandom(42));
        const delays = ceilings.map(() => backoff.next());
        // Reproducible: the same seed gives the same delays.
        const again = new Backoff(minMs, maxMs, seededRandom(42));
        expect(ceilings.map(() => again.next())).toEqual(delays);
        const random = seededRandom(42);
        delays.forEach((delay, n) => {
            const c = ceilings[n]!;
            expect(delay, `delay ${n}`).toBeGreaterThanOrEqual(c / 2);
            expect(delay, `delay ${n}`).toBeLessThanOrEqual(c);
            expect(delay, `delay ${n}`).toBe(Math.round(c / 2 + random() * (c / 2)));
        });
        // While the ceiling doubles, a delay is never shorter than the one before.
        for (let n = 1; n < 6; n++) {
            expect(delays[n]!, `delay ${n} after ${delays[n - 1]}`).toBeGreaterThanOrEqual(delays[n - 1]!);
        }
        expect(backoff.attempts).toBe(10);
    });

    it('covers the whole [c/2, c] range at the extremes of the random and starts over after reset', () => {
        const low = new Backoff(20, 200, () => 0);
        expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([10, 20, 40, 80, 100, 100]);
        const high = new Backoff(20, 200, () => 0.999999);
        expect([1, 2, 3, 4, 5, 6].map(() => high.next())).toEqual([20, 40, 80, 160, 200, 200]);
        high.reset();
        expect(high.attempts).toBe(0);
        expect(high.next()).toBe(20);
        // Far past the cap the exponent stays bounded (no Infinity or NaN).
        const long = new Backoff(1, 1_000, () => 0.5);
        for (let i = 0; i < 100; i++) {
            long.next();
        }
        expect(long.next()).toBe(750);
    });
});
