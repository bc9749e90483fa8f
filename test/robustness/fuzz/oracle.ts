// What must hold for every input the language fuzzer tries, in process: parse + link + validate, the formatter,
// completion and hover never throw and finish within a time bound; every range they return lies inside the
// document; every diagnostic has a known code with its documented severity; the formatter changes only whitespace.
import type { LangiumDocument } from 'langium';
import type { Diagnostic, FormattingOptions, Position, Range, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { vi } from 'vitest';
import { IssueCodes, IssueSeverities, type IssueCode } from '../../../language/validation/issue-codes.js';
import { services, withDocuments } from '../../helpers.js';

/** The per-operation time bound: 2.5 s plus 5 ms per KiB of input (a 100 KiB input: 3 s; a 5 MiB file: 28.1 s). */
export function timeBoundMs(bytes: number): number {
    return 2500 + (5 * bytes) / 1024;
}

/** A failed expectation of the oracle (a plain Error, so fast-check shrinks on it). */
export class OracleFailure extends Error {}

function fail(message: string): never {
    throw new OracleFailure(message);
}

const KNOWN_CODES = new Set<string>(Object.values(IssueCodes));
const SEVERITY_NUMBERS = { error: 1, warning: 2, info: 3 } as const;
const WHITESPACE = /^\s*$/;

/** What the fuzzer measured, across every input of a run. */
export class Tally {
    inputs = 0;
    largestInput = 0;
    slowest = { ms: 0, operation: '', origin: '', bytes: 0 };
    slowestBelow1MB = { ms: 0, operation: '', origin: '', bytes: 0 };
    diagnostics = 0;
    readonly codes = new Map<string, number>();
    formatterEdits = 0;
    formatterCalls = 0;
    completions = 0;
    completionItems = 0;
    hovers = 0;
    hoverHits = 0;
    /** The longest time of each operation. */
    readonly longest = new Map<string, number>();

    time(operation: string, origin: string, bytes: number, ms: number): void {
        const entry = { ms, operation, origin, bytes };
        this.longest.set(operation, Math.max(ms, this.longest.get(operation) ?? 0));
        if (ms > this.slowest.ms) {
            this.slowest = entry;
        }
        if (bytes < 1024 * 1024 && ms > this.slowestBelow1MB.ms) {
            this.slowestBelow1MB = entry;
        }
    }
}

/** The lines of a text as an LSP client counts them (`\r\n`, `\r` and `\n` end a line). */
export function linesOf(text: string): string[] {
    return text.split(/\r\n|\r|\n/);
}

function positionInside(position: Position, lines: readonly string[]): boolean {
    return (
        Number.isInteger(position.line) &&
        Number.isInteger(position.character) &&
        position.line >= 0 &&
        position.line < lines.length &&
        position.character >= 0 &&
        position.character <= lines[position.line]!.length
    );
}

function before(a: Position, b: Position): boolean {
    return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** Fails unless `range` lies inside the document and does not end before it starts. */
export function expectRangeInside(range: Range | undefined, lines: readonly string[], what: string): void {
    if (!range || !range.start || !range.end) {
        fail(`${what}: no range`);
    }
    const describe = (): string => `${what}: range ${JSON.stringify(range)} in a document of ${lines.length} lines (line lengths ${lines.slice(range.start.line, range.end.line + 1).map((l) => l.length).join(', ')})`;
    if (!positionInside(range.start, lines) || !positionInside(range.end, lines)) {
        fail(`${describe()} lies outside the document`);
    }
    if (!before(range.start, range.end)) {
        fail(`${describe()} ends before it starts`);
    }
}

/** A diagnostic's message as text (LSP 3.18 allows markup). */
export function messageText(diagnostic: Diagnostic): string {
    return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

/** Fails unless every diagnostic lies inside the document and has a known code with its documented severity. */
export function expectGoodDiagnostics(diagnostics: readonly Diagnostic[], lines: readonly string[]): void {
    for (const diagnostic of diagnostics) {
        const message = messageText(diagnostic);
        const what = `diagnostic ${JSON.stringify({ code: diagnostic.code, message: message.slice(0, 200) })}`;
        expectRangeInside(diagnostic.range, lines, what);
        if (typeof diagnostic.code !== 'string' || !KNOWN_CODES.has(diagnostic.code)) {
            fail(`${what} has no known code`);
        }
        if (diagnostic.severity !== SEVERITY_NUMBERS[IssueSeverities[diagnostic.code as IssueCode]]) {
            fail(`${what} has severity ${diagnostic.severity}, not the documented ${IssueSeverities[diagnostic.code as IssueCode]}`);
        }
        if (message.trim() === '') {
            fail(`${what} has no message`);
        }
    }
}

interface LexedToken {
    readonly type: string;
    readonly image: string;
}

/** The token sequence of a text, comments with their whitespace normalized (a block comment's lines move with it). */
function tokenSequence(text: string): string[] {
    const result = services.parser.Lexer.tokenize(text);
    return [...result.tokens, ...result.hidden]
        .sort((a, b) => a.startOffset - b.startOffset)
        .map((t): LexedToken => ({ type: t.tokenType.name, image: t.tokenType.name.endsWith('COMMENT') ? t.image.replace(/\s+/g, ' ') : t.image }))
        .map((t) => `${t.type} ${t.image}`);
}

/**
 * Fails unless `edits` lie inside the document, do not overlap, and only change whitespace
 * between tokens. Returns the formatted text.
 */
export function expectWhitespaceEdits(edits: readonly TextEdit[], document: LangiumDocument, lines: readonly string[], what: string): string {
    const textDocument = document.textDocument;
    const text = textDocument.getText();
    const ordered = edits
        .map((edit) => {
            expectRangeInside(edit.range, lines, `${what} edit ${JSON.stringify(edit)}`);
            return { edit, start: textDocument.offsetAt(edit.range.start), end: textDocument.offsetAt(edit.range.end) };
        })
        .sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 0; i < ordered.length; i++) {
        const { edit, start, end } = ordered[i]!;
        const previous = ordered[i - 1];
        if (previous && start < previous.end) {
            fail(`${what} edits overlap: ${JSON.stringify(previous.edit)} and ${JSON.stringify(edit)}`);
        }
        const replaced = text.slice(start, end);
        if (!WHITESPACE.test(replaced)) {
            fail(`${what} edit ${JSON.stringify(edit)} replaces ${JSON.stringify(replaced.slice(0, 200))}, which is not whitespace`);
        }
        if (!WHITESPACE.test(edit.newText)) {
            fail(`${what} edit ${JSON.stringify(edit)} inserts text that is not whitespace`);
        }
    }
    const formatted = TextDocument.applyEdits(TextDocument.create('memory:///formatted.fsm', 'reactor-fsm', 1, text), edits as TextEdit[]);
    if (formatted.replace(/\s+/g, '') !== text.replace(/\s+/g, '')) {
        fail(`${what}: the formatted text differs from the original in more than whitespace`);
    }
    // Tokens neither merged nor split (lexing twice is skipped above 1 MiB, where the two checks above must do).
    if (edits.length > 0 && text.length < 1024 * 1024) {
        const original = tokenSequence(text);
        const after = tokenSequence(formatted);
        const differs = original.findIndex((t, i) => after[i] !== t);
        if (differs >= 0 || original.length !== after.length) {
            const at = differs >= 0 ? differs : Math.min(original.length, after.length);
            fail(`${what}: formatting changes the tokens: token ${at} was ${JSON.stringify(original[at])}, is ${JSON.stringify(after[at])}`);
        }
    }
    return formatted;
}

const FORMATTING: FormattingOptions[] = [
    { insertSpaces: true, tabSize: 4 },
    { insertSpaces: false, tabSize: 8 }
];

/** Where the LSP requests are made: offsets into the text (they wrap), plus the formatting options to use. */
export interface Probe {
    readonly offsets: readonly number[];
    readonly tabs?: boolean;
}

function describeError(error: unknown): string {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * What console.error received while checkText ran: Langium catches some exceptions (in completion, for one) and only
 * logs them, which a language server sends to the client's log. Each operation fails if it logged anything.
 */
const logged: unknown[][] = [];

function failIfLogged(operation: string, since: number): void {
    for (const entry of logged.slice(since)) {
        fail(`${operation} logged an error: ${entry.map(describeError).join(' ')}`);
    }
}

async function timed<T>(tally: Tally, operation: string, origin: string, bytes: number, run: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    const since = logged.length;
    let result: T;
    try {
        result = await run();
    } catch (error) {
        fail(`${operation} threw: ${describeError(error)}`);
    }
    const ms = performance.now() - started;
    failIfLogged(operation, since);
    tally.time(operation, origin, bytes, ms);
    const bound = timeBoundMs(bytes);
    if (ms > bound) {
        fail(`${operation} took ${ms.toFixed(0)} ms on ${bytes} bytes, over the bound of ${bound.toFixed(0)} ms`);
    }
    return result;
}

/**
 * Runs every in-process check on `text`: build (parse, link, validate), diagnostics, whole-document and range
 * formatting, completion and hover at the probe's offsets. Fails with an OracleFailure on the first problem.
 */
export async function checkText(text: string, origin: string, probe: Probe, tally: Tally): Promise<Diagnostic[]> {
    const bytes = Buffer.byteLength(text, 'utf8');
    tally.inputs++;
    tally.largestInput = Math.max(tally.largestInput, bytes);
    const lines = linesOf(text);
    const started = performance.now();
    let diagnostics: Diagnostic[] = [];
    logged.length = 0;
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        logged.push(args);
    });
    try {
        await withDocuments([text], async ([document]) => {
            failIfLogged('parse + link + validate', 0);
            const buildMs = performance.now() - started;
            tally.time('parse + link + validate', origin, bytes, buildMs);
            if (buildMs > timeBoundMs(bytes)) {
                fail(`parse + link + validate took ${buildMs.toFixed(0)} ms on ${bytes} bytes, over the bound of ${timeBoundMs(bytes).toFixed(0)} ms`);
            }
            await checkDocument(document!, lines, origin, bytes, probe, tally);
            diagnostics = document!.diagnostics ?? [];
        });
    } catch (error) {
        if (error instanceof OracleFailure) {
            throw error;
        }
        fail(`parse + link + validate threw: ${describeError(error)}`);
    } finally {
        spy.mockRestore();
    }
    return diagnostics;
}

async function checkDocument(document: LangiumDocument, lines: readonly string[], origin: string, bytes: number, probe: Probe, tally: Tally): Promise<void> {
    const diagnostics = document.diagnostics;
    if (!diagnostics) {
        fail('the document was built but has no diagnostics array');
    }
    expectGoodDiagnostics(diagnostics, lines);
    tally.diagnostics += diagnostics.length;
    for (const diagnostic of diagnostics) {
        tally.codes.set(String(diagnostic.code), (tally.codes.get(String(diagnostic.code)) ?? 0) + 1);
    }

    const uri = document.textDocument.uri;
    const textLength = document.textDocument.getText().length;
    const formatter = services.lsp.Formatter!;
    const options = FORMATTING[probe.tabs ? 1 : 0]!;
    const edits = await timed(tally, 'formatDocument', origin, bytes, () => formatter.formatDocument(document, { textDocument: { uri }, options }));
    expectWhitespaceEdits(edits, document, lines, 'formatDocument');
    tally.formatterCalls++;
    tally.formatterEdits += edits.length;

    const positions = probe.offsets.map((offset) => document.textDocument.positionAt(offset % (textLength + 1)));
    if (positions.length >= 2) {
        const [a, b] = [positions[0]!, positions[1]!];
        const range = before(a, b) ? { start: a, end: b } : { start: b, end: a };
        const rangeEdits = await timed(tally, 'formatDocumentRange', origin, bytes, () => formatter.formatDocumentRange(document, { textDocument: { uri }, options, range }));
        expectWhitespaceEdits(rangeEdits, document, lines, `formatDocumentRange ${JSON.stringify(range)}`);
        tally.formatterCalls++;
        tally.formatterEdits += rangeEdits.length;
    }

    for (const position of [...positions, document.textDocument.positionAt(textLength)]) {
        const where = `at ${position.line}:${position.character}`;
        const list = await timed(tally, 'completion', origin, bytes, () => services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri }, position }));
        tally.completions++;
        for (const item of list?.items ?? []) {
            if (typeof item.label !== 'string' || item.label === '') {
                fail(`completion ${where}: an item without a label: ${JSON.stringify(item).slice(0, 300)}`);
            }
            const edit = item.textEdit;
            if (edit) {
                expectRangeInside('range' in edit ? edit.range : edit.replace, lines, `completion ${where} item '${item.label}'`);
            }
            tally.completionItems++;
        }
        const hover = await timed(tally, 'hover', origin, bytes, () => services.lsp.HoverProvider!.getHoverContent(document, { textDocument: { uri }, position }));
        tally.hovers++;
        if (hover) {
            tally.hoverHits++;
            if (hover.range) {
                expectRangeInside(hover.range, lines, `hover ${where}`);
            }
        }
    }
}
