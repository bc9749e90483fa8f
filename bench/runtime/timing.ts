// How the runtime benchmarks time a machine implementation: events per second of whole passes, after a full GC,
// generated and switch interleaved so a change in machine load hits both alike, XState warmed on a prefix.
import { collectGarbage } from './gc.js';
import { median } from './stats.js';

/** Feeds the first `limit` events of the sequence to a fresh instance. */
export type Runner = (events: Int32Array, limit: number) => void;

/** Events per second of one pass over the first `limit` events. */
export function timed(run: Runner, events: Int32Array, limit = events.length): number {
    collectGarbage();
    const start = process.hrtime.bigint();
    run(events, limit);
    return limit / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The action counts one whole pass leaves in `state` (every implementation must leave the same). */
export function countsOf(run: Runner, state: { readonly counts: { fill(value: number): unknown } & Iterable<number> }, events: Int32Array): number[] {
    state.counts.fill(0);
    run(events, events.length);
    return [...state.counts];
}

export interface TimingPlan {
    readonly warmups: number;
    readonly runs: number;
    /** XState is hundreds of times slower: one warm-up on a prefix of the sequence, fewer runs. */
    readonly xstateWarmupEvents: number;
    readonly xstateRuns: number;
}

export interface Timings {
    /** Median events/s of each implementation. */
    readonly generated: number;
    readonly switch: number;
    readonly xstate: number;
    readonly runs: { readonly generated: number[]; readonly switch: number[]; readonly xstate: number[] };
}

/** Warm-ups, then generated and switch runs interleaved, then XState's: the medians and every run. */
export function timeThree(runners: { readonly generated: Runner; readonly switch: Runner; readonly xstate: Runner }, events: Int32Array, plan: TimingPlan): Timings {
    for (let i = 0; i < plan.warmups; i++) {
        timed(runners.generated, events);
        timed(runners.switch, events);
    }
    const runs = { generated: [] as number[], switch: [] as number[], xstate: [] as number[] };
    for (let i = 0; i < plan.runs; i++) {
        runs.generated.push(timed(runners.generated, events));
        runs.switch.push(timed(runners.switch, events));
    }
    timed(runners.xstate, events, Math.min(plan.xstateWarmupEvents, events.length));
    for (let i = 0; i < plan.xstateRuns; i++) {
        runs.xstate.push(timed(runners.xstate, events));
    }
    return { generated: median(runs.generated), switch: median(runs.switch), xstate: median(runs.xstate), runs };
}
