// Source ranges as the diagram's elements carry them (`data-range="L:C:L:C"`, 0-based).
import type { SourceRange } from './messages.js';

export function parseRange(text: string | null): SourceRange | undefined {
    const parts = text?.split(':').map(Number);
    if (!parts || parts.length !== 4 || parts.some((part) => !Number.isFinite(part))) {
        return undefined;
    }
    return { start: { line: parts[0]!, character: parts[1]! }, end: { line: parts[2]!, character: parts[3]! } };
}
