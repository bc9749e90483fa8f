// Diagnostics in a form two sources (the server over stdio, the services in-process) can be compared by.
import type { Diagnostic } from 'vscode-languageserver-protocol';

/** `code severity line:col-line:col message`, one string per diagnostic, in the order given. */
export function comparable(diagnostics: readonly Diagnostic[]): string[] {
    return diagnostics.map((d) => {
        const { start, end } = d.range;
        const message = typeof d.message === 'string' ? d.message : d.message.value;
        return `${String(d.code)} ${String(d.severity)} ${start.line}:${start.character}-${end.line}:${end.character} ${message}`;
    });
}

/** How many diagnostics of each code, e.g. `{ 'unresolved-reference': 3 }`. */
export function countByCode(diagnostics: readonly Diagnostic[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const diagnostic of diagnostics) {
        const code = String(diagnostic.code);
        counts[code] = (counts[code] ?? 0) + 1;
    }
    return counts;
}

export function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
    const left = comparable(a);
    const right = comparable(b);
    return left.length === right.length && left.every((line, i) => line === right[i]);
}
