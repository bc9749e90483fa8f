// Plain-text tables for the benchmark's results.
import { formatMs } from './stats.js';

export type Row = readonly string[];

/** Columns padded to their widest cell; numbers (anything starting with a digit) are right-aligned. */
export function table(header: Row, rows: readonly Row[]): string {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
    const format = (row: Row): string =>
        row
            .map((cell, column) => (/^[\d~<>]/.test(cell) && column > 0 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
            .join('  ')
            .trimEnd();
    return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)].join('\n');
}

export function count(n: number): string {
    return n.toLocaleString('en-US');
}

export function ms(value: number | undefined): string {
    return value === undefined ? '-' : formatMs(value);
}
