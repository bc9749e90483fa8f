// Medians and number formatting for the runtime benchmark.

export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new Error('median of no values');
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A rate or size with thousands separators: 12,345,678. */
export function count(value: number): string {
    return Math.round(value).toLocaleString('en-US');
}

/** A ratio: 0.87×, 1,234×. */
export function ratio(value: number): string {
    if (!Number.isFinite(value)) {
        return '-';
    }
    return value >= 100 ? `${count(value)}×` : `${value.toFixed(2)}×`;
}

export function megabytes(bytes: number): string {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(2)} s`;
}
