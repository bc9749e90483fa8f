// Where a node stands in its file, for messages that point at another place ("line 12").
import type { AstNode } from 'langium';

/** The 1-based line a node starts on, or '?' for a node without text. */
export function lineOf(node: AstNode): number | '?' {
    const start = node.$cstNode?.range.start.line;
    return start === undefined ? '?' : start + 1;
}
