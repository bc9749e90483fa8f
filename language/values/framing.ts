// `framing …` on a socket: its value as plain data (the runtime's Framing with a string delimiter), and byte sizes.
import { GrammarUtils, type AstNode } from 'langium';
import type { FramingOption, SendAction, Socket } from '../generated/ast.js';
import { DEFAULT_MAX_FRAME, DEFAULT_MAX_LINE, encodeFrame, FramingError, framingOf, prefixLimit, type FramingSpec } from '../../templates/runtime/framing.js';
import type { Parsed } from './quantities.js';

export type { FramingSpec };
/** The largest `max` a model may give: 1 GiB (a message is held in memory whole). */
export const LARGEST_MAX = 1024 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 * 1024, GiB: 1024 * 1024 * 1024 };

/** A size in bytes: `512`, `512B`, `64KiB`, `16MiB`, `1GiB`; from 1 byte to LARGEST_MAX. */
export function parseByteSize(text: string): Parsed<number> {
    const match = /^(-?[0-9]+)([a-zA-Z_]*)$/.exec(text);
    const unit = match ? UNITS[match[2]!] : undefined;
    if (!match || unit === undefined) {
        return { ok: false, message: `'${text}' is not a size: write a whole number of bytes, optionally with a unit (B, KiB, MiB, GiB), e.g. 64KiB.` };
    }
    const value = Number(match[1]) * unit;
    if (value < 1 || value > LARGEST_MAX) {
        return { ok: false, message: `'${text}' is out of range: a message size lies between 1 byte and 1GiB.` };
    }
    return { ok: true, value };
}

/** A string literal as written (quotes and escapes), from the text: the parser's value has its escapes half-converted. */
export function literalAsWritten(node: AstNode, property: string): string | undefined {
    return GrammarUtils.findNodeForProperty(node.$cstNode, property)?.text;
}

/** The string `send NAME "…"` sends, or why its literal is not a valid string; undefined for `send NAME payload`. */
export function sendText(action: SendAction): Parsed<string> | undefined {
    const written = action.text === undefined ? undefined : literalAsWritten(action, 'text');
    return written === undefined ? undefined : parseStringLiteral(written);
}

/** The string a JSON string literal (`"\u0000"`, `"\r\n"`) stands for, or why it is not one. */
export function parseStringLiteral(text: string): Parsed<string> {
    try {
        const value: unknown = JSON.parse(text);
        if (typeof value === 'string') {
            return { ok: true, value };
        }
    } catch {
        // reported below
    }
    return { ok: false, message: `${text} is not a valid string: use JSON escapes (\\n, \\r, \\t, \\", \\\\, \\u0000).` };
}

/** The framing an option says, or why it is wrong (a prefix other than 1, 2 or 4, an empty delimiter, a bad `max`). */
export function parseFraming(option: FramingOption): Parsed<FramingSpec> {
    let maxLength: number | undefined;
    if (option.max !== undefined) {
        if (option.kind === 'none') {
            return { ok: false, message: "'framing none' takes no 'max': chunks are delivered as they arrive." };
        }
        const size = parseByteSize(option.max);
        if (!size.ok) {
            return size;
        }
        maxLength = size.value;
    }
    switch (option.kind) {
        case 'none':
            return { ok: true, value: { kind: 'none' } };
        case 'lines':
            return { ok: true, value: { kind: 'lines', maxLength: maxLength ?? DEFAULT_MAX_LINE } };
        case 'length': {
            const bytes = option.prefix === '1' || option.prefix === '2' || option.prefix === '4' ? (Number(option.prefix) as 1 | 2 | 4) : undefined;
            if (bytes === undefined) {
                return { ok: false, message: `'framing length ${option.prefix ?? ''}': the length prefix has 1, 2 or 4 bytes.` };
            }
            const limit = prefixLimit(bytes);
            if (maxLength !== undefined && maxLength > limit) {
                return { ok: false, message: `'max ${option.max}' is more than a ${bytes}-byte prefix can say (${limit} bytes).` };
            }
            return { ok: true, value: { kind: 'length', bytes, maxLength: maxLength ?? Math.min(DEFAULT_MAX_FRAME, limit) } };
        }
        case 'delimiter': {
            const delimiter = parseStringLiteral(literalAsWritten(option, 'delimiter') ?? '""');
            if (!delimiter.ok) {
                return delimiter;
            }
            if (delimiter.value.length === 0) {
                return { ok: false, message: "'framing delimiter \"\"': the delimiter needs at least one character." };
            }
            return { ok: true, value: { kind: 'delimiter', delimiter: delimiter.value, maxLength: maxLength ?? DEFAULT_MAX_LINE } };
        }
        default:
            return { ok: false, message: `unknown framing '${String(option.kind)}'` };
    }
}

/** A socket's framing: its `framing` option when valid, else `none` (today's chunks). */
export function socketFraming(socket: Socket): FramingSpec {
    const option = socket.members.find((member): member is FramingOption => member.$type === 'FramingOption');
    const parsed = option ? parseFraming(option) : undefined;
    return parsed?.ok ? parsed.value : { kind: 'none' };
}

/** Why sending `text` under `framing` cannot work (it holds its terminator, or is too long), or undefined when it can. */
export function sendTextProblem(text: string, framing: FramingSpec): string | undefined {
    // The runtime's own encoder decides, so the check and a running program never disagree.
    try {
        encodeFrame(framingOf(framing), text);
        return undefined;
    } catch (error) {
        if (!(error instanceof FramingError)) {
            throw error;
        }
        if (error.code === 'ERR_FRAME_TOO_LONG') {
            return `the text has ${Buffer.byteLength(text)} bytes, more than the framing's max (${framing.kind === 'none' ? 0 : framing.maxLength})`;
        }
        return framing.kind === 'lines'
            ? "the text holds a line break, but 'framing lines' sends one line per 'send' (the line break is added)"
            : "the text holds the socket's delimiter (it is added after each message)";
    }
}
