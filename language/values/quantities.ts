// Durations (`250ms`, `3s`, `2m`, `1h`) and counts (`511`) as written in a model, checked and converted.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The longest delay Node's timers accept (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

const QUANTITY = /^(-?)([0-9]+(?:\.[0-9]+)?)([a-zA-Z_]*)$/;

/** A duration in whole milliseconds, greater than zero and no longer than Node's timers allow. */
export function parseDuration(text: string): Parsed<number> {
    const match = QUANTITY.exec(text);
    if (!match) {
        return { ok: false, message: `'${text}' is not a duration: write a number and a unit, like 250ms, 3s, 2m or 1h.` };
    }
    const [, sign, digits, unit] = match as unknown as [string, string, string, string];
    if (unit === '') {
        return { ok: false, message: `'${text}' has no unit: write ${digits}ms, ${digits}s, ${digits}m or ${digits}h.` };
    }
    const factor = UNIT_MS[unit];
    if (factor === undefined) {
        return { ok: false, message: `'${text}' has an unknown unit '${unit}': use ms, s, m or h.` };
    }
    // Exact decimal arithmetic: 1.001 * 1000 is 1000.9999999999999 in floating point.
    const [whole, fraction = ''] = digits.split('.') as [string, string?];
    const scaled = BigInt(whole + fraction) * BigInt(factor);
    const divisor = 10n ** BigInt(fraction.length);
    if (sign === '-' || scaled === 0n) {
        return { ok: false, message: `'${text}' must be longer than zero.` };
    }
    if (scaled % divisor !== 0n) {
        return { ok: false, message: `'${text}' is not a whole number of milliseconds.` };
    }
    const ms = Number(scaled / divisor);
    if (ms > MAX_TIMER_MS) {
        return { ok: false, message: `'${text}' is longer than the longest timer Node allows (about 24 days).` };
    }
    return { ok: true, value: ms };
}

/** A whole number from `min` to `max`, without a unit. */
export function parseCount(text: string, min: number, max: number): Parsed<number> {
    if (!/^-?[0-9]+$/.test(text)) {
        return { ok: false, message: `'${text}' is not a whole number: write a count from ${min} to ${max}.` };
    }
    const value = Number(text);
    if (value < min || value > max) {
        return { ok: false, message: `'${text}' is out of range: write a count from ${min} to ${max}.` };
    }
    return { ok: true, value };
}
