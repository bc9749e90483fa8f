// Summaries of repeated timings.

export interface Summary {
    readonly runs: number;
    readonly median: number;
    readonly min: number;
    readonly max: number;
}

export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new Error('median of no values');
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
    return { runs: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(ms: number): string {
    return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
