// Conditions of conditional breakpoints: a test of the payload of the event being processed.
//   payload == "quit"      payload.n > 3      payload.user.name != "root"      payload.items[0]      payload
export type Condition = (payload: unknown) => boolean;

export type ParsedCondition = { readonly ok: true; readonly test: Condition } | { readonly ok: false; readonly message: string };

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

const SYNTAX = 'write a test of the payload, like payload == "quit", payload.n > 3 or payload.items[0] (a value alone: true when it is present and not false, 0 or "")';

/** `payload.a[0].b` → ['a', 0, 'b']; undefined when it is not a path into the payload. */
function parsePath(text: string): Array<string | number> | undefined {
    const match = /^payload((?:\.[_a-zA-Z][_a-zA-Z0-9]*|\[[0-9]+\])*)$/.exec(text);
    if (!match) {
        return undefined;
    }
    return [...match[1]!.matchAll(/\.([_a-zA-Z][_a-zA-Z0-9]*)|\[([0-9]+)\]/g)].map((part) => (part[1] !== undefined ? part[1] : Number(part[2])));
}

function valueAt(payload: unknown, path: readonly (string | number)[]): unknown {
    let value = payload;
    for (const key of path) {
        if (value === null || typeof value !== 'object') {
            return undefined;
        }
        value = (value as Record<string | number, unknown>)[key];
    }
    return value;
}

function compare(left: unknown, operator: Operator, right: unknown): boolean {
    switch (operator) {
        case '==':
            return JSON.stringify(left) === JSON.stringify(right);
        case '!=':
            return JSON.stringify(left) !== JSON.stringify(right);
        default: {
            if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) {
                return false;
            }
            const [a, b] = [left, right as typeof left];
            return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
        }
    }
}

/** Parses a breakpoint condition; a bad one is a message for the breakpoint (it is then not verified). */
export function parseCondition(text: string): ParsedCondition {
    const source = text.trim();
    const operator = OPERATORS.find((candidate) => source.includes(candidate));
    const [leftText, rightText] = operator === undefined ? [source, undefined] : [source.slice(0, source.indexOf(operator)).trim(), source.slice(source.indexOf(operator) + operator.length).trim()];
    const path = parsePath(leftText);
    if (!path) {
        return { ok: false, message: `'${leftText}' is not the payload or a field of it: ${SYNTAX}` };
    }
    if (operator === undefined || rightText === undefined) {
        return { ok: true, test: (payload) => Boolean(valueAt(payload, path)) };
    }
    let right: unknown;
    try {
        right = JSON.parse(rightText);
    } catch {
        return { ok: false, message: `'${rightText}' is not a JSON value (a string needs double quotes): ${SYNTAX}` };
    }
    return { ok: true, test: (payload) => compare(valueAt(payload, path), operator, right) };
}
