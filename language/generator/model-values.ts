// Values the generator reads from a checked model: durations in milliseconds.
import { parseDuration } from '../values/quantities.js';

/** A duration of the model (`1s`, `250ms`) in milliseconds; the model is checked, so it always parses. */
export function durationMs(text: string): number {
    const parsed = parseDuration(text);
    if (!parsed.ok) {
        throw new Error(`internal: invalid duration '${text}' reached the generator`);
    }
    return parsed.value;
}
