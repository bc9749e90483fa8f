// Blocks nested deeper than any model needs are set aside before parsing: the recursive-descent parser would run out
// of stack on a few hundred levels of `state S { state S { …` and leave its state behind for the next document. The
// lexer does it, so the document parser and the completion parser both read the same cut text.
import { DefaultLexer, type LexerResult, type TokenizeOptions } from 'langium';

/** The deepest `{` a model may open: composite states, regions and machines together need a handful of levels. */
export const MAX_NESTING = 64;

export const TOO_DEEP_MESSAGE = `Blocks nested more than ${MAX_NESTING} levels deep: the parser stops reading this block here (close some blocks, or nest less).`;

/** The text with every block opened beyond MAX_NESTING blanked (line breaks kept, so positions stay), and where. */
export interface NestingCut {
    readonly text: string;
    /** Offsets of the `{` of each blanked block. */
    readonly cuts: readonly number[];
}

/**
 * Scans like the lexer does for what matters here (line and block comments and strings hide braces) and blanks each
 * block opened beyond MAX_NESTING, from its `{` to its matching `}` (or the end of the text when it is never closed).
 * Text that nests no deeper than that comes back as it was.
 */
export function cutDeepNesting(text: string): NestingCut {
    let depth = 0;
    let cutFrom = -1;
    const cuts: number[] = [];
    const pieces: string[] = [];
    let copied = 0;
    const blank = (from: number, to: number): void => {
        pieces.push(text.slice(copied, from), text.slice(from, to).replace(/[^\r\n]/g, ' '));
        copied = to;
    };
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
            i = endOfLine(text, i);
        } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
            const end = text.indexOf('*/', i + 2);
            i = end < 0 ? text.length : end + 1;
        } else if (c === 0x22 /* " */) {
            i = endOfString(text, i);
        } else if (c === 0x7b /* { */) {
            depth++;
            if (depth > MAX_NESTING && cutFrom < 0) {
                cutFrom = i;
                cuts.push(i);
            }
        } else if (c === 0x7d /* } */ && depth > 0) {
            depth--;
            if (depth === MAX_NESTING && cutFrom >= 0) {
                blank(cutFrom, i + 1);
                cutFrom = -1;
            }
        }
    }
    if (cutFrom >= 0) {
        blank(cutFrom, text.length);
    }
    if (cuts.length === 0) {
        return { text, cuts };
    }
    pieces.push(text.slice(copied));
    return { text: pieces.join(''), cuts };
}

/** The offset of the line break ending the line comment at `start` (`\n` or `\r`, like the lexer's), or the end. */
function endOfLine(text: string, start: number): number {
    for (let i = start; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x0a || c === 0x0d) {
            return i;
        }
    }
    return text.length;
}

/**
 * The offset of the closing quote of the string starting at `start`. A quote the lexer cannot close on its line is
 * no string (the lexer reports the quote and reads on): then only the quote is skipped.
 */
function endOfString(text: string, start: number): number {
    for (let i = start + 1; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
            return i;
        }
        if (c === 0x0a || c === 0x0d || (c === 0x5c /* \ */ && (i + 1 >= text.length || text.charCodeAt(i + 1) === 0x0a || text.charCodeAt(i + 1) === 0x0d))) {
            return start;
        }
        if (c === 0x5c) {
            i++;
        }
    }
    return start;
}

/** The lexer errors to report for the blanked blocks: one at each cut `{`. */
function nestingErrors(text: string, cuts: readonly number[]): LexerResult['errors'] {
    return cuts.map((offset) => {
        const before = text.slice(0, offset);
        const line = before.split(/\r\n|\r|\n/).length;
        const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
        return { offset, length: 1, line, column: offset - lineStart + 1, message: TOO_DEEP_MESSAGE };
    });
}

/** Langium's lexer over the cut text: the same offsets, lines and columns, plus an error at each cut. */
export class NestingLimitedLexer extends DefaultLexer {
    override tokenize(text: string, options?: TokenizeOptions): LexerResult {
        const cut = cutDeepNesting(text);
        const result = super.tokenize(cut.text, options);
        if (cut.cuts.length > 0) {
            result.errors = [...nestingErrors(text, cut.cuts), ...result.errors].sort((a, b) => a.offset - b.offset);
        }
        return result;
    }
}
