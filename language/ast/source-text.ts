// A node's source text on one line, as diagrams, comments and traces quote it.

/** The text `node` was parsed from, its runs of white space (line breaks included) folded to one space. */
export function sourceText(node: { $cstNode?: { text: string } }): string {
    return (node.$cstNode?.text ?? '').replace(/\s+/g, ' ').trim();
}
