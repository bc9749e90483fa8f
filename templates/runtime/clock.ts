// Time for the runtime: Node's timers, or a manual clock that only moves when told (replaying scenarios, tests).
import { createInterface } from 'node:readline';

/** A timer armed on a clock; pass it back to `clear`. */
export type ClockTimer = { readonly due: number } | ReturnType<typeof setTimeout>;

export interface Clock {
    /** Milliseconds since the clock started. */
    now(): number;
    /** Calls `callback` once, `ms` from now. Timers due at the same time run in the order they were armed. */
    set(ms: number, callback: () => void): ClockTimer;
    clear(timer: ClockTimer): void;
    /** A number in [0, 1) for backoff jitter; the manual clock answers 1 - ε, the whole delay, as the interpreter does. */
    random(): number;
}

/** Node's timers and `performance.now()`. */
export class RealClock implements Clock {
    private readonly origin = performance.now();

    now(): number {
        return Math.round(performance.now() - this.origin);
    }

    set(ms: number, callback: () => void): ClockTimer {
        return setTimeout(callback, ms);
    }

    clear(timer: ClockTimer): void {
        clearTimeout(timer as ReturnType<typeof setTimeout>);
    }

    random(): number {
        return Math.random();
    }
}

interface ManualTimer {
    readonly due: number;
    readonly order: number;
    callback: (() => void) | undefined;
}

/** A clock that stands still until `advance`: due timers then run in time order, the clock set to each one's time. */
export class ManualClock implements Clock {
    private time = 0;
    private order = 0;
    private timers: ManualTimer[] = [];

    now(): number {
        return this.time;
    }

    set(ms: number, callback: () => void): ClockTimer {
        const timer: ManualTimer = { due: this.time + Math.max(0, ms), order: this.order++, callback };
        this.timers.push(timer);
        return timer;
    }

    clear(timer: ClockTimer): void {
        const manual = timer as ManualTimer;
        manual.callback = undefined;
        this.timers = this.timers.filter((t) => t !== manual);
    }

    random(): number {
        return 1 - Number.EPSILON;
    }

    /** Moves the clock `ms` on; a timer armed by a callback runs in the same move when its time comes. */
    advance(ms: number): void {
        const end = this.time + ms;
        for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
            this.fire(next);
        }
        this.time = end;
    }

    /**
     * Like `advance`, but after each timer the event loop runs until it is idle again, so what a callback set off
     * (a destroyed socket's 'close', a promise) happens at that timer's time, before the next timer: as the
     * interpreter runs a model. The program's `--clock=manual` moves time this way.
     */
    async advanceSettled(ms: number): Promise<void> {
        const end = this.time + ms;
        for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
            this.fire(next);
            await settle();
        }
        this.time = end;
    }

    private nextDue(end: number): ManualTimer | undefined {
        let next: ManualTimer | undefined;
        for (const timer of this.timers) {
            if (timer.due <= end && (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order))) {
                next = timer;
            }
        }
        return next;
    }

    private fire(timer: ManualTimer): void {
        this.timers = this.timers.filter((t) => t !== timer);
        this.time = timer.due;
        const callback = timer.callback;
        timer.callback = undefined;
        callback?.();
    }

    /** Armed timers, for tests. */
    get pending(): number {
        return this.timers.length;
    }
}

/**
 * Two turns of the event loop: microtasks and next-tick callbacks, then the check phase, then close callbacks (a
 * destroyed socket's 'close' is emitted from there), then the next turn's check phase.
 */
async function settle(): Promise<void> {
    for (let turn = 0; turn < 2; turn++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Drives a manual clock from the lines of `input` (a generated program's stdin under `--clock=manual`):
 * `advance MS` moves it on (`advance 1500`, or with a unit: `advance 2s`); empty lines and `# comments` are skipped.
 * Returns the function that stops reading (the program calls it once every machine has finished).
 */
export function driveManualClock(clock: ManualClock, input: NodeJS.ReadableStream = process.stdin): () => void {
    const lines = createInterface({ input, crlfDelay: Infinity });
    // One move at a time, in the order the lines came.
    let moving = Promise.resolve();
    lines.on('line', (line) => {
        const text = line.replace(/#.*/, '').trim();
        if (text === '') {
            return;
        }
        const match = /^advance\s+([0-9]+)(ms|s|m|h)?$/.exec(text);
        if (!match) {
            process.emitWarning(`--clock=manual: cannot read ${JSON.stringify(line)}: expected 'advance MS'`, 'ReactorClock');
            return;
        }
        const ms = Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
        moving = moving.then(() => clock.advanceSettled(ms));
    });
    return () => {
        lines.close();
        if ('destroy' in input && typeof input.destroy === 'function') {
            (input as NodeJS.ReadableStream & { destroy(): void }).destroy();
        }
    };
}
