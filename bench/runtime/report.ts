// The result table: one row per target, PASS or MISS.

export interface TargetRow {
    readonly target: string;
    readonly measured: string;
    readonly baseline: string;
    readonly ratio: string;
    readonly goal: string;
    /** undefined: not measured (skipped or failed). */
    readonly pass: boolean | undefined;
}

/** Columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
    const format = (row: readonly string[]): string =>
        row
            .map((cell, column) => cell.padEnd(widths[column]!))
            .join('  ')
            .trimEnd();
    return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)].join('\n');
}

export function targetTable(rows: readonly TargetRow[]): string {
    return table(
        ['target', 'measured', 'baseline', 'ratio', 'goal', 'result'],
        rows.map((row) => [row.target, row.measured, row.baseline, row.ratio, row.goal, row.pass === undefined ? 'n/a' : row.pass ? 'PASS' : 'MISS'])
    );
}
