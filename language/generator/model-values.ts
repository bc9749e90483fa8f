// Values the generator reads from a checked model: durations in milliseconds, and a node's text for comments.
import { parseDuration } from '../model/quantities.js';

/** A node's source text on one line, as comments and traces quote it. */
export function sourceText(node: { $cstNode?: { text: string } }): string {
    return (node.$cstNode?.text ?? '').replace(/\s+/g, ' ').trim();
}

/** A duration of the model (`1s`, `250ms`) in milliseconds; the model is checked, so it always parses. */
export function durationMs(text: string): number {
    const parsed = parseDuration(text);
    if (!parsed.ok) {
        throw new Error(`internal: invalid duration '${text}' reached the generator`);
    }
    return parsed.value;
}
