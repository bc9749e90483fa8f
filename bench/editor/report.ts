// Printing for the editor benchmarks: load average, percentiles, PASS/MISS against a target. Never asserts.
import { availableParallelism, loadavg } from 'node:os';
import { median as medianOf } from '../stats.js';

/** The value at percentile `p` (0–100), nearest-rank on the sorted values. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) {
        return Number.NaN;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median, or NaN (printed as n/a) for a series that has no values. */
export function median(values: readonly number[]): number {
    return values.length === 0 ? Number.NaN : medianOf(values);
}

export function ms(value: number): string {
    return Number.isNaN(value) ? 'n/a' : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
}

/** min / median / p95 / max of a series, on one line. */
export function series(label: string, values: readonly number[]): string {
    return `${label}: n=${values.length}  min ${ms(Math.min(...values))}  median ${ms(median(values))}  p95 ${ms(percentile(values, 95))}  max ${ms(Math.max(...values))}`;
}

/** Prints the load average and warns when the machine is busy (1-minute load above 70% of the CPUs). */
export function printLoad(title: string): void {
    const cpus = availableParallelism();
    const [one, five, fifteen] = loadavg() as [number, number, number];
    console.log(`${title}`);
    console.log(`node ${process.version}, ${cpus} CPU(s), load average at start: ${one.toFixed(2)} ${five.toFixed(2)} ${fifteen.toFixed(2)}`);
    if (one > cpus * 0.7) {
        console.log(`WARNING: the machine is busy (1-min load ${one.toFixed(2)} on ${cpus} CPU(s)); timings may be inflated.`);
    }
}

/** `PASS`/`MISS` line for a measured value against an upper bound. */
export function verdict(what: string, value: number, limit: number): boolean {
    const pass = value < limit;
    console.log(`${pass ? 'PASS' : 'MISS'}  ${what}: ${ms(value)} (target < ${ms(limit)})`);
    return pass;
}
