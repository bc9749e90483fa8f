// A scenario's `send E PAYLOAD` against what E declares (`events Tick(number)`): the payload the interpreter delivers, or why it cannot.
import type { Parsed } from '../values/quantities.js';

/** How each payload type is written in a scenario, for messages. */
const WRITTEN: Record<string, string> = {
    string: '"text"',
    number: '3',
    boolean: 'true',
    json: '{"n": 3}',
    Buffer: '"bytes"',
    Error: '"ECONNRESET"'
};

function describe(type: string): string {
    switch (type) {
        case 'Buffer':
            return 'bytes (a Buffer; in a scenario, a JSON string of them)';
        case 'Error':
            return 'an Error (in a scenario, its code as a JSON string)';
        case 'json':
            return 'a JSON value';
        default:
            return `a ${type}`;
    }
}

/**
 * The payload `send EVENT …` delivers when EVENT declares `type`: the JSON value as it is, a string's bytes for
 * `Buffer`, an error code (a string, as the interpreter gives socket errors) for `Error`; undefined type: anything.
 */
export function scenarioPayload(event: string, type: string | undefined, payload: unknown): Parsed<unknown> {
    if (type === undefined) {
        return { ok: true, value: payload };
    }
    const wrong = (): Parsed<unknown> => ({
        ok: false,
        message: `'${event}' carries ${describe(type)}${payload === undefined ? ', and none is given' : `, not ${JSON.stringify(payload)}`}: write 'send ${event} ${WRITTEN[type] ?? '…'}'`
    });
    switch (type) {
        case 'string':
        case 'Error':
            return typeof payload === 'string' ? { ok: true, value: payload } : wrong();
        case 'Buffer':
            return typeof payload === 'string' ? { ok: true, value: Buffer.from(payload) } : wrong();
        case 'number':
            return typeof payload === 'number' ? { ok: true, value: payload } : wrong();
        case 'boolean':
            return typeof payload === 'boolean' ? { ok: true, value: payload } : wrong();
        default:
            return payload === undefined ? wrong() : { ok: true, value: payload };
    }
}
