// Number formatting for the runtime benchmark (and the shared median).

export { median } from '../stats.js';

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
