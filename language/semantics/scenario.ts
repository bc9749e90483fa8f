// Scenarios: what happens from outside, one step per line (`send Coin`, `advance 1500ms`, `upstream data "hi"`).
import { parseDuration } from '../values/quantities.js';
import type { SocketOccurrence } from './interpreter.js';

/** A socket step's occurrence as a scenario writes it: bytes are text (a JSON string, sent as UTF-8). */
export type ScenarioOccurrence = Exclude<SocketOccurrence, { readonly what: 'data' }> | { readonly what: 'data'; readonly data: string };

/** Who a step is for: the machine under test, a named top-level machine, or a session instance (`EchoSession#2`). */
export type StepTarget = { readonly kind: 'default' } | { readonly kind: 'named'; readonly instance: string };

export type ScenarioStep =
    | { readonly kind: 'send'; readonly target: StepTarget; readonly event: string; readonly payload: unknown; readonly line: number }
    | { readonly kind: 'advance'; readonly ms: number; readonly line: number }
    | { readonly kind: 'signal'; readonly signal: string; readonly line: number }
    /** One value, or several: each evaluation of the guard takes the next, and the last one stays. */
    | { readonly kind: 'guard'; readonly guard: string; readonly values: readonly boolean[]; readonly line: number }
    | { readonly kind: 'socket'; readonly target: StepTarget; readonly socket: string; readonly occurrence: ScenarioOccurrence; readonly line: number };

/** A line that is not a step; `line` is 1-based. */
export class ScenarioSyntaxError extends Error {
    constructor(
        readonly line: number,
        message: string
    ) {
        super(message);
    }
}

const NAME = '[_a-zA-Z][_a-zA-Z0-9]*';
const INSTANCE = `${NAME}(?:#[0-9]+)?`;
const SEND = new RegExp(`^(?:(${INSTANCE})\\s+)?send\\s+(${NAME})(?:\\s+(.+))?$`);
const SOCKET = new RegExp(`^(?:(${INSTANCE})\\.)?(${NAME})\\s+(connected|refused|timeout|data|stdout|drained|closed|reset|accept|error|exit)(?:\\s+(.+))?$`);
const SOCKET_WORDS = 'connected, refused, timeout, data "…", drained, closed, reset, accept, error CODE, or (processes) stdout "…" and exit STATUS';

/** Removes a comment: `#` at the start of a line or after white space, outside a string. */
function withoutComment(text: string): string {
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const char = text[i];
        if (inString) {
            if (char === '\\') {
                i++;
            } else if (char === '"') {
                inString = false;
            }
        } else if (char === '"') {
            inString = true;
        } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
            return text.slice(0, i);
        }
    }
    return text;
}

function json(text: string, line: number, what: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new ScenarioSyntaxError(line, `${what} is not valid JSON: ${text}`);
    }
}

function target(instance: string | undefined): StepTarget {
    return instance === undefined ? { kind: 'default' } : { kind: 'named', instance };
}

function parseStep(text: string, line: number): ScenarioStep {
    const words = text.split(/\s+/);
    switch (words[0]) {
        case 'advance': {
            if (words.length !== 2) {
                throw new ScenarioSyntaxError(line, `'advance' takes one duration, like 'advance 1500ms'`);
            }
            const duration = parseDuration(words[1]!);
            if (!duration.ok) {
                throw new ScenarioSyntaxError(line, duration.message);
            }
            return { kind: 'advance', ms: duration.value, line };
        }
        case 'signal':
            if (words.length !== 2 || !/^SIG[A-Z0-9]+$/.test(words[1]!)) {
                throw new ScenarioSyntaxError(line, `'signal' takes one signal name, like 'signal SIGTERM'`);
            }
            return { kind: 'signal', signal: words[1]!, line };
        case 'guard':
            if (words.length < 3 || !new RegExp(`^${NAME}$`).test(words[1]!) || words.slice(2).some((word) => word !== 'true' && word !== 'false')) {
                throw new ScenarioSyntaxError(line, `'guard' takes a guard name and true or false (or several, one per evaluation), like 'guard ready true' or 'guard more true true false'`);
            }
            return { kind: 'guard', guard: words[1]!, values: words.slice(2).map((word) => word === 'true'), line };
    }
    const send = SEND.exec(text);
    if (send) {
        const payload = send[3] === undefined ? undefined : json(send[3], line, 'the payload');
        return { kind: 'send', target: target(send[1]), event: send[2]!, payload, line };
    }
    const socket = SOCKET.exec(text);
    if (socket) {
        const [, instance, name, what, argument] = socket as unknown as [string, string | undefined, string, string, string | undefined];
        if (what === 'data' || what === 'stdout') {
            const data = argument === undefined ? undefined : json(argument, line, 'the data');
            if (typeof data !== 'string') {
                throw new ScenarioSyntaxError(line, `'${what}' takes the bytes as a JSON string, like ${name} ${what} "hello\\n"`);
            }
            // `stdout` is what a process writes: the same as `data` (which reads it), worded as the model maps it.
            return { kind: 'socket', target: target(instance), socket: name, occurrence: { what: 'data', data }, line };
        }
        if (what === 'exit') {
            if (argument === undefined || !/^[0-9]{1,3}$/.test(argument) || Number(argument) > 255) {
                throw new ScenarioSyntaxError(line, `'exit' takes the process's exit status (0–255; 128 + the signal's number when a signal ended it), like ${name} exit 3`);
            }
            return { kind: 'socket', target: target(instance), socket: name, occurrence: { what: 'exit', status: Number(argument) }, line };
        }
        if (what === 'error') {
            // Node's codes: errno names (ECONNRESET), ERR_… codes and TLS certificate codes (CERT_HAS_EXPIRED).
            if (argument === undefined || !/^[A-Z][A-Z0-9_]+$/.test(argument)) {
                throw new ScenarioSyntaxError(line, `'error' takes an error code, like ${name} error EADDRINUSE or ${name} error CERT_HAS_EXPIRED`);
            }
            return { kind: 'socket', target: target(instance), socket: name, occurrence: { what: 'error', code: argument }, line };
        }
        if (argument !== undefined) {
            throw new ScenarioSyntaxError(line, `'${what}' takes nothing after it`);
        }
        return { kind: 'socket', target: target(instance), socket: name, occurrence: { what: what as 'connected' }, line };
    }
    if (words.length >= 2 && new RegExp(`^(${INSTANCE}\\.)?${NAME}$`).test(words[0]!)) {
        throw new ScenarioSyntaxError(line, `unknown socket step '${words[1]}': write ${SOCKET_WORDS}`);
    }
    throw new ScenarioSyntaxError(line, `not a step: '${text}' (steps: send, advance, signal, guard, or SOCKET ${SOCKET_WORDS})`);
}

/** Parses a whole scenario; the first bad line throws a ScenarioSyntaxError with its line number. */
export function parseScenario(text: string): ScenarioStep[] {
    const steps: ScenarioStep[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
        const line = withoutComment(raw).trim();
        if (line !== '') {
            steps.push(parseStep(line, index + 1));
        }
    });
    return steps;
}
