// Message framing on a byte stream: lines, a big-endian length prefix, a delimiter, or none (chunks as they come).

/** How a socket's bytes are cut into messages (`framing …` in the model). */
export type Framing =
    | { readonly kind: 'none' }
    /** Lines ending in LF or CRLF; the terminator is not part of the message. */
    | { readonly kind: 'lines'; readonly maxLength: number }
    /** A big-endian length of `bytes` bytes, then that many bytes. */
    | { readonly kind: 'length'; readonly bytes: 1 | 2 | 4; readonly maxLength: number }
    /** Messages ending in `delimiter`, which is not part of the message. */
    | { readonly kind: 'delimiter'; readonly delimiter: Buffer; readonly maxLength: number };

/** A framing as a model states it (what generated code passes): the delimiter as a string, its UTF-8 bytes the delimiter. */
export type FramingSpec =
    | { readonly kind: 'none' }
    | { readonly kind: 'lines'; readonly maxLength: number }
    | { readonly kind: 'length'; readonly bytes: 1 | 2 | 4; readonly maxLength: number }
    | { readonly kind: 'delimiter'; readonly delimiter: string; readonly maxLength: number };

/** The framing a spec states. */
export function framingOf(spec: FramingSpec): Framing {
    return spec.kind === 'delimiter' ? { kind: 'delimiter', delimiter: Buffer.from(spec.delimiter, 'utf8'), maxLength: spec.maxLength } : spec;
}

/** The longest line or delimited message taken when the model does not say: 64 KiB. */
export const DEFAULT_MAX_LINE = 64 * 1024;
/** The longest length-prefixed message taken when the model does not say (and the prefix allows it): 16 MiB. */
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

export type FramingErrorCode =
    /** A message longer than the framing's maxLength (or than its length prefix can say, when sending). */
    | 'ERR_FRAME_TOO_LONG'
    /** The stream ended inside a length-prefixed message. */
    | 'ERR_FRAME_TRUNCATED'
    /** A message to send that holds its own terminator (a line with an LF, a message with the delimiter). */
    | 'ERR_FRAME_INVALID';

/** A framing error, as the payload of the socket's `error` event; `bytes` says how many bytes it concerns. */
export class FramingError extends Error {
    constructor(
        readonly code: FramingErrorCode,
        message: string,
        /** Received bytes that will not be delivered (buffered when the error was found), or the size of a message refused for sending. */
        readonly bytes: number
    ) {
        super(message);
        this.name = 'FramingError';
    }
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/** The largest length a prefix of `bytes` bytes can say. */
export function prefixLimit(bytes: 1 | 2 | 4): number {
    return bytes === 4 ? 0xffffffff : bytes === 2 ? 0xffff : 0xff;
}

/**
 * Cuts a byte stream into messages. `push` the chunks as they come; `next` returns the messages one at a time (a
 * reader that does not want more stops calling it: the rest stays buffered), `end` the last one when the stream ends.
 * A message that lies in one chunk is a view of it, not a copy. After a FramingError the decoder takes nothing more.
 */
export class FrameDecoder {
    private readonly chunks: Buffer[] = [];
    /** Where the unread bytes start in chunks[0]. */
    private head = 0;
    /** Unread bytes. */
    private size = 0;
    /** Unread bytes already searched for the terminator without finding it (lines and delimiter). */
    private scanned = 0;
    private failed: FramingError | undefined;

    constructor(readonly framing: Framing) {}

    /** An independent decoder in the same situation (the chunks it holds are shared: neither changes them). */
    copy(): FrameDecoder {
        const copy = new FrameDecoder(this.framing);
        copy.chunks.push(...this.chunks);
        copy.head = this.head;
        copy.size = this.size;
        copy.scanned = this.scanned;
        copy.failed = this.failed;
        return copy;
    }

    /** The bytes received and not yet returned as messages, as one buffer (a copy). */
    unread(): Buffer {
        return this.size === 0 ? Buffer.alloc(0) : Buffer.concat(this.chunks).subarray(this.head, this.head + this.size);
    }

    /** Bytes received and not yet returned as messages. */
    get buffered(): number {
        return this.size;
    }

    push(chunk: Buffer): void {
        if (this.failed) {
            throw this.failed;
        }
        if (chunk.length > 0) {
            this.chunks.push(chunk);
            this.size += chunk.length;
        }
    }

    /** The next whole message, or undefined when the bytes buffered hold none; throws a FramingError for a bad message. */
    next(): Buffer | undefined {
        if (this.failed) {
            throw this.failed;
        }
        if (this.size === 0) {
            return undefined;
        }
        const framing = this.framing;
        switch (framing.kind) {
            case 'none':
                return this.take(this.chunks[0]!.length - this.head);
            case 'lines':
                return this.nextLine(framing.maxLength);
            case 'delimiter':
                return this.nextDelimited(framing.delimiter, framing.maxLength);
            case 'length':
                return this.nextPrefixed(framing.bytes, framing.maxLength);
        }
    }

    /**
     * `next` once the stream has ended: the end is the last message's terminator, so the bytes after the last one make
     * a message too (a last line without its LF). Call it until it returns undefined. A length-prefixed message cut
     * short is a FramingError.
     */
    end(): Buffer | undefined {
        const message = this.next();
        if (message !== undefined || this.size === 0) {
            return message;
        }
        const framing = this.framing;
        if (framing.kind === 'length') {
            return this.fail('ERR_FRAME_TRUNCATED', `the stream ended inside a length-prefixed message (${this.size} bytes of it received)`);
        }
        if (framing.kind !== 'none' && this.size > framing.maxLength) {
            return this.fail('ERR_FRAME_TOO_LONG', `a message of more than ${framing.maxLength} bytes`);
        }
        return this.take(this.size);
    }

    private nextLine(maxLength: number): Buffer | undefined {
        const at = this.find(LF);
        if (at < 0) {
            // A CR may still come before the LF: one byte more than the limit is not yet too long.
            if (this.size > maxLength + 1) {
                return this.fail('ERR_FRAME_TOO_LONG', `a line of more than ${maxLength} bytes`);
            }
            return undefined;
        }
        const withCr = at > 0 && this.byteAt(at - 1) === CR;
        const length = withCr ? at - 1 : at;
        if (length > maxLength) {
            return this.fail('ERR_FRAME_TOO_LONG', `a line of ${length} bytes (at most ${maxLength})`);
        }
        const line = this.take(length);
        this.skip(withCr ? 2 : 1);
        return line;
    }

    private nextDelimited(delimiter: Buffer, maxLength: number): Buffer | undefined {
        const at = delimiter.length === 1 ? this.find(delimiter[0]!) : this.findSequence(delimiter);
        if (at < 0) {
            if (this.size > maxLength + delimiter.length - 1) {
                return this.fail('ERR_FRAME_TOO_LONG', `a message of more than ${maxLength} bytes`);
            }
            return undefined;
        }
        if (at > maxLength) {
            return this.fail('ERR_FRAME_TOO_LONG', `a message of ${at} bytes (at most ${maxLength})`);
        }
        const message = this.take(at);
        this.skip(delimiter.length);
        return message;
    }

    private nextPrefixed(bytes: 1 | 2 | 4, maxLength: number): Buffer | undefined {
        if (this.size < bytes) {
            return undefined;
        }
        let length = 0;
        for (let i = 0; i < bytes; i++) {
            length = length * 256 + this.byteAt(i);
        }
        if (length > maxLength) {
            return this.fail('ERR_FRAME_TOO_LONG', `a message of ${length} bytes announced (at most ${maxLength})`);
        }
        if (this.size < bytes + length) {
            return undefined;
        }
        this.skip(bytes);
        return this.take(length);
    }

    /** The position (from the unread start) of the first `byte` at or after `scanned`, or -1 (and all is scanned). */
    private find(byte: number): number {
        let base = 0;
        for (let index = 0; index < this.chunks.length; index++) {
            const chunk = this.chunks[index]!;
            const start = index === 0 ? this.head : 0;
            const length = chunk.length - start;
            if (this.scanned < base + length) {
                const from = start + Math.max(0, this.scanned - base);
                const found = chunk.indexOf(byte, from);
                if (found >= 0) {
                    this.scanned = 0;
                    return base + found - start;
                }
            }
            base += length;
        }
        this.scanned = this.size;
        return -1;
    }

    /** `find` for a delimiter of several bytes, which may straddle chunks. */
    private findSequence(delimiter: Buffer): number {
        // Search from a little before what was scanned, so a delimiter cut by a chunk boundary is found whole.
        const from = Math.max(0, this.scanned - (delimiter.length - 1));
        if (this.chunks.length > 1) {
            this.compact();
        }
        const chunk = this.chunks[0]!;
        const found = chunk.indexOf(delimiter, this.head + from);
        if (found >= 0) {
            this.scanned = 0;
            return found - this.head;
        }
        this.scanned = this.size;
        return -1;
    }

    /** Joins the unread bytes into one chunk. */
    private compact(): void {
        const joined = this.take(this.size);
        this.chunks.length = 0;
        this.chunks.push(joined);
        this.head = 0;
        this.size = joined.length;
    }

    private byteAt(position: number): number {
        let offset = position + this.head;
        for (const chunk of this.chunks) {
            if (offset < chunk.length) {
                return chunk[offset]!;
            }
            offset -= chunk.length;
        }
        throw new RangeError(`byte ${position} of ${this.size}`);
    }

    /** The next `length` unread bytes: a view of the first chunk when they lie in it, else a copy. */
    private take(length: number): Buffer {
        if (length === 0) {
            return EMPTY;
        }
        const first = this.chunks[0]!;
        if (first.length - this.head >= length) {
            const view = first.subarray(this.head, this.head + length);
            this.advance(length);
            return view;
        }
        const copy = Buffer.allocUnsafe(length);
        let written = 0;
        while (written < length) {
            const chunk = this.chunks[0]!;
            const count = Math.min(chunk.length - this.head, length - written);
            chunk.copy(copy, written, this.head, this.head + count);
            written += count;
            this.advance(count);
        }
        return copy;
    }

    private skip(length: number): void {
        while (length > 0) {
            const count = Math.min(this.chunks[0]!.length - this.head, length);
            this.advance(count);
            length -= count;
        }
    }

    /** Consumes `count` bytes of the first chunk (at most what is left of it). */
    private advance(count: number): void {
        this.head += count;
        this.size -= count;
        this.scanned = Math.max(0, this.scanned - count);
        if (this.head === this.chunks[0]!.length) {
            this.chunks.shift();
            this.head = 0;
        }
    }

    private fail(code: FramingErrorCode, message: string): never {
        this.failed = new FramingError(code, `${message}; ${this.size} bytes received were not delivered`, this.size);
        throw this.failed;
    }
}

/** The bytes that send `message` under `framing`: a line gets its LF, a length prefix goes first, a delimiter last. */
export function encodeFrame(framing: Framing, message: Buffer | string): Buffer {
    const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    switch (framing.kind) {
        case 'none':
            return data;
        case 'lines': {
            if (data.includes(LF)) {
                throw new FramingError('ERR_FRAME_INVALID', `a line to send holds a line break (${data.length} bytes)`, data.length);
            }
            checkLength(data, framing.maxLength);
            const line = Buffer.allocUnsafe(data.length + 1);
            data.copy(line);
            line[data.length] = LF;
            return line;
        }
        case 'delimiter': {
            if (data.includes(framing.delimiter)) {
                throw new FramingError('ERR_FRAME_INVALID', `a message to send holds its delimiter (${data.length} bytes)`, data.length);
            }
            checkLength(data, framing.maxLength);
            return Buffer.concat([data, framing.delimiter], data.length + framing.delimiter.length);
        }
        case 'length': {
            checkLength(data, Math.min(framing.maxLength, prefixLimit(framing.bytes)));
            const frame = Buffer.allocUnsafe(framing.bytes + data.length);
            frame.writeUIntBE(data.length, 0, framing.bytes);
            data.copy(frame, framing.bytes);
            return frame;
        }
    }
}

function checkLength(data: Buffer, maxLength: number): void {
    if (data.length > maxLength) {
        throw new FramingError('ERR_FRAME_TOO_LONG', `a message of ${data.length} bytes to send (at most ${maxLength})`, data.length);
    }
}
