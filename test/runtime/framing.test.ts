// The runtime's message framing: lines, length prefixes and delimiters cut from streams split anywhere, limits, errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE, encodeFrame, FrameDecoder, FramingError, prefixLimit, type Framing } from '../../templates/runtime/framing.js';

const LINES: Framing = { kind: 'lines', maxLength: DEFAULT_MAX_LINE };

/** Every message `next` returns for `chunks`, then what `end` returns; the error's code in place of a message if one is thrown. */
function decode(framing: Framing, chunks: readonly (Buffer | string)[], ended = true): string[] {
    const decoder = new FrameDecoder(framing);
    const out: string[] = [];
    try {
        for (const chunk of chunks) {
            decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
            for (let message = decoder.next(); message !== undefined; message = decoder.next()) {
                out.push(message.toString('latin1'));
            }
        }
        if (ended) {
            for (let message = decoder.end(); message !== undefined; message = decoder.end()) {
                out.push(message.toString('latin1'));
            }
        }
    } catch (error) {
        expect(error).toBeInstanceOf(FramingError);
        out.push(`!${(error as FramingError).code}:${(error as FramingError).bytes}`);
    }
    return out;
}

/** `stream` cut at the given offsets (sorted, deduplicated, inside the stream). */
function cut(stream: Buffer, offsets: readonly number[]): Buffer[] {
    const points = [...new Set(offsets.map((offset) => offset % (stream.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let start = 0;
    for (const point of [...points, stream.length]) {
        chunks.push(stream.subarray(start, point));
        start = point;
    }
    return chunks;
}

describe('lines', () => {
    it('cuts at LF and at CRLF, keeps a lone CR, empty lines and a last line without its LF', () => {
        expect(decode(LINES, ['one\ntwo\r\n\n\r\nthr\ree\nlast'])).toEqual(['one', 'two', '', '', 'thr\ree', 'last']);
    });

    it('a line split anywhere, even between CR and LF, comes whole and once', () => {
        expect(decode(LINES, ['he', 'llo\r', '\nwor', 'ld', '\n'])).toEqual(['hello', 'world']);
    });

    it('keeps a partial line buffered until its LF comes, and a reader that stops asking gets the rest later', () => {
        const decoder = new FrameDecoder(LINES);
        decoder.push(Buffer.from('a\nb\nc'));
        expect(decoder.next()?.toString()).toBe('a');
        expect(decoder.buffered).toBe(3);
        expect(decoder.next()?.toString()).toBe('b');
        expect(decoder.next()).toBeUndefined();
        decoder.push(Buffer.from('d\n'));
        expect(decoder.next()?.toString()).toBe('cd');
        expect(decoder.buffered).toBe(0);
    });

    it('a line of exactly maxLength bytes is taken (with its CR too); one byte more is ERR_FRAME_TOO_LONG, reporting the bytes not delivered', () => {
        const framing: Framing = { kind: 'lines', maxLength: 4 };
        expect(decode(framing, ['abcd\r', '\n'])).toEqual(['abcd']);
        expect(decode(framing, ['ok\nabcde\nnext\n'])).toEqual(['ok', '!ERR_FRAME_TOO_LONG:11']);
        // Without an LF in sight, too long as soon as the bytes cannot be a line of four plus a CR.
        expect(decode(framing, ['abcd\r'], false)).toEqual([]);
        expect(decode(framing, ['abcd\rx'], false)).toEqual(['!ERR_FRAME_TOO_LONG:6']);
        expect(decode(framing, ['abcde'])).toEqual(['!ERR_FRAME_TOO_LONG:5']);
    });

    it('after an error, the decoder takes nothing more', () => {
        const decoder = new FrameDecoder({ kind: 'lines', maxLength: 2 });
        decoder.push(Buffer.from('abcdef'));
        expect(() => decoder.next()).toThrow(FramingError);
        expect(() => decoder.push(Buffer.from('\n'))).toThrow(/a line of more than 2 bytes; 6 bytes received were not delivered/);
        expect(() => decoder.next()).toThrow(FramingError);
    });

    it('a long line in many chunks is searched once, not again per chunk (10 MB in 64 KiB chunks)', () => {
        const framing: Framing = { kind: 'lines', maxLength: 20 * 1024 * 1024 };
        const decoder = new FrameDecoder(framing);
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        for (let i = 0; i < 160; i++) {
            decoder.push(chunk);
            expect(decoder.next()).toBeUndefined();
        }
        decoder.push(Buffer.from('\n'));
        expect(decoder.next()?.length).toBe(160 * 64 * 1024);
    });
});

describe('length prefix', () => {
    it('reads 1-, 2- and 4-byte big-endian lengths, a prefix split across chunks, and empty messages', () => {
        for (const bytes of [1, 2, 4] as const) {
            const framing: Framing = { kind: 'length', bytes, maxLength: 1000 };
            const stream = Buffer.concat(['hi', '', 'x'.repeat(200)].map((message) => encodeFrame(framing, message)));
            expect(decode(framing, cut(stream, [1, 2, 3, 5, 8]))).toEqual(['hi', '', 'x'.repeat(200)]);
        }
    });

    it('an announced length above maxLength is ERR_FRAME_TOO_LONG at once, before its bytes come', () => {
        const framing: Framing = { kind: 'length', bytes: 4, maxLength: 100 };
        expect(decode(framing, [Buffer.from([0, 0, 0, 101])], false)).toEqual(['!ERR_FRAME_TOO_LONG:4']);
        expect(decode(framing, [Buffer.from([0, 0, 0, 100])], false)).toEqual([]);
    });

    it('a stream that ends inside a message is ERR_FRAME_TRUNCATED with the bytes received', () => {
        const framing: Framing = { kind: 'length', bytes: 2, maxLength: 1000 };
        expect(decode(framing, [Buffer.concat([encodeFrame(framing, 'whole'), Buffer.from([0, 9]), Buffer.from('part')])])).toEqual(['whole', '!ERR_FRAME_TRUNCATED:6']);
        expect(decode(framing, [Buffer.from([0])])).toEqual(['!ERR_FRAME_TRUNCATED:1']);
    });

    it('sending a message longer than the prefix can say (or than maxLength) is ERR_FRAME_TOO_LONG', () => {
        expect(prefixLimit(1)).toBe(255);
        expect(() => encodeFrame({ kind: 'length', bytes: 1, maxLength: 1000 }, 'x'.repeat(256))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LONG', bytes: 256 }));
        expect(encodeFrame({ kind: 'length', bytes: 1, maxLength: 1000 }, 'x'.repeat(255))[0]).toBe(255);
        expect(() => encodeFrame({ kind: 'length', bytes: 4, maxLength: 10 }, 'x'.repeat(11))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LONG' }));
    });
});

describe('delimiter', () => {
    it('cuts at a one-byte delimiter and at a several-byte one split across chunks', () => {
        expect(decode({ kind: 'delimiter', delimiter: Buffer.from([0]), maxLength: 100 }, ['a\0b', 'c\0\0d'])).toEqual(['a', 'bc', '', 'd']);
        const framing: Framing = { kind: 'delimiter', delimiter: Buffer.from('\r\n\r\n'), maxLength: 100 };
        expect(decode(framing, ['GET / HTTP/1.0\r\n', 'Host: x\r', '\n\r', '\nnext\r\n\r\n'])).toEqual(['GET / HTTP/1.0\r\nHost: x', 'next']);
    });

    it('a message longer than maxLength is ERR_FRAME_TOO_LONG; a message to send holding the delimiter is ERR_FRAME_INVALID', () => {
        const framing: Framing = { kind: 'delimiter', delimiter: Buffer.from('||'), maxLength: 3 };
        expect(decode(framing, ['abc||abcd||'])).toEqual(['abc', '!ERR_FRAME_TOO_LONG:6']);
        expect(decode(framing, ['abc|'], false)).toEqual([]);
        expect(decode(framing, ['abcd|'], false)).toEqual(['!ERR_FRAME_TOO_LONG:5']);
        expect(() => encodeFrame(framing, 'a||b')).toThrow(expect.objectContaining({ code: 'ERR_FRAME_INVALID' }));
        expect(() => encodeFrame(LINES, 'a\nb')).toThrow(expect.objectContaining({ code: 'ERR_FRAME_INVALID' }));
    });
});

describe('none', () => {
    it('gives the chunks as they come, one message each, and nothing at the end', () => {
        expect(decode({ kind: 'none' }, ['ab', 'c\n', 'd'])).toEqual(['ab', 'c\n', 'd']);
        expect(encodeFrame({ kind: 'none' }, 'as is\n').toString()).toBe('as is\n');
    });
});

/** `message` made into one the framing can carry: no LF in a line nor a CR at its end, no delimiter inside, at most 255 bytes. */
function carried(framing: Framing, message: Buffer): Buffer {
    let text = message.toString('latin1');
    if (framing.kind === 'lines') {
        text = text.replace(/\n/g, '');
        return Buffer.from(text.endsWith('\r') ? `${text}x` : text, 'latin1');
    }
    if (framing.kind === 'delimiter') {
        const delimiter = framing.delimiter.toString('latin1');
        while (text.includes(delimiter)) {
            text = text.split(delimiter).join('');
        }
        return Buffer.from(text, 'latin1');
    }
    return message.subarray(0, 255);
}

describe('any framing, any cut', () => {
    const framings: Framing[] = [
        LINES,
        { kind: 'length', bytes: 1, maxLength: 255 },
        { kind: 'length', bytes: 2, maxLength: 5000 },
        { kind: 'length', bytes: 4, maxLength: 5000 },
        { kind: 'delimiter', delimiter: Buffer.from([0]), maxLength: 5000 },
        { kind: 'delimiter', delimiter: Buffer.from('<EOM>'), maxLength: 5000 }
    ];
    it('what encodeFrame wrote, cut into chunks anywhere, decodes to the same messages in order: none lost, merged or split', () => {
        // Bytes that matter to some framing (NUL, LF, CR, '<', 'E') come often.
        const byte = fc.oneof(fc.constantFrom(0, 0x0a, 0x0d, 0x3c, 0x45, 0x4f, 0x4d, 0x3e), fc.integer({ min: 0, max: 255 }));
        const message = fc.array(byte, { maxLength: 300 }).map((bytes) => Buffer.from(bytes));
        fc.assert(
            fc.property(fc.constantFrom(...framings), fc.array(message, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (framing, raw, offsets) => {
                const messages = raw.map((each) => carried(framing, each));
                const stream = Buffer.concat(messages.map((each) => encodeFrame(framing, each)));
                expect(decode(framing, cut(stream, offsets))).toEqual(messages.map((each) => each.toString('latin1')));
            }),
            { numRuns: 600, seed: 20261205 }
        );
    });
});
