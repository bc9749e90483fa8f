// Runs a measurement repeatedly: warm-ups first, then timed runs, with fewer runs when one run is slow.
import { collectGarbage } from './gc.js';

export interface MeasurePlan {
    readonly warmups: number;
    readonly runs: number;
    /** Never fewer timed runs than this, whatever the budget says. */
    readonly minRuns: number;
    /** Wall-clock budget for warm-ups plus timed runs, in ms; the plan shrinks to fit it. */
    readonly budgetMs: number;
}

/** `sample` runs once and returns its own measurement (so set-up and clean-up can stay off the clock). */
export async function measure<T extends { ms: number }>(plan: MeasurePlan, sample: () => Promise<T>): Promise<T[]> {
    const started = performance.now();
    const first = await run(sample);
    // A slow case gets fewer warm-ups and runs so the whole benchmark stays within its budget.
    const estimate = Math.max(first.ms, 1);
    const affordable = Math.floor(plan.budgetMs / estimate);
    const warmups = Math.max(0, Math.min(plan.warmups - 1, affordable - plan.minRuns - 1));
    for (let i = 0; i < warmups; i++) {
        await run(sample);
    }
    const runs = Math.max(plan.minRuns, Math.min(plan.runs, affordable - warmups - 1));
    const results: T[] = [];
    for (let i = 0; i < runs; i++) {
        results.push(await run(sample));
        const spent = performance.now() - started;
        if (results.length >= plan.minRuns && spent > plan.budgetMs * 1.5) {
            break; // slower than the first run suggested
        }
    }
    return results;
}

async function run<T>(sample: () => Promise<T>): Promise<T> {
    collectGarbage();
    return sample();
}
