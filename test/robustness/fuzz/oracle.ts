// What must hold for every input the language fuzzer tries, in process: parse + link + validate, the formatter,
// completion and hover never throw, log no error and finish within a time bound (and an operation that never finishes
// is caught: watchdog.ts); every range they return lies inside the document; every diagnostic has a known code with
// its documented severity; the formatter changes only whitespace and formatting its result changes nothing; and a
// model that is valid by construction gets no error.
import { URI, type LangiumDocument } from 'langium';
import type { Diagnostic, FormattingOptions, Position, Range, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { IssueCodes, IssueSeverities, type IssueCode } from '../../../language/validation/issue-codes.js';
import { services } from '../../helpers.js';
import { saveHangingInput, unwatch, watch, watchInput } from './watchdog.js';

/**
 * The per-operation time bound: 2.5 s plus 5 ms per KiB of input (a 100 KiB input: 3 s; a 5 MiB file: 28.1 s), of CPU
 * time: the test process's, so other work on a shared machine does not make an operation slow (wall-clock time is
 * bounded too, with a margin for such load: see HANG_FACTOR).
 */
export function timeBoundMs(bytes: number): number {
    return 2500 + (5 * bytes) / 1024;
}

/** A failed expectation of the oracle (a plain Error, so fast-check shrinks on it). */
export class OracleFailure extends Error {}

/** An operation that did not settle in time. */
class HangFailure extends OracleFailure {}

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
    /** The slowest operations by CPU time (`wallMs`: the wall-clock time they took). */
    slowest = { ms: 0, wallMs: 0, operation: '', origin: '', bytes: 0 };
    slowestBelow1MB = { ms: 0, wallMs: 0, operation: '', origin: '', bytes: 0 };
    diagnostics = 0;
    readonly codes = new Map<string, number>();
    formatterEdits = 0;
    formatterCalls = 0;
    completions = 0;
    completionItems = 0;
    hovers = 0;
    hoverHits = 0;
    /** Formatted texts formatted again (and found unchanged). */
    idempotenceChecks = 0;
    /** Inputs valid by construction that got no error. */
    validInputs = 0;
    /** Inputs that ran into a known open bug (KNOWN_OPEN_BUGS), by bug. */
    readonly knownBugs = new Map<KnownBug, number>();
    /** The longest CPU time of each operation. */
    readonly longest = new Map<string, number>();

    time(operation: string, origin: string, bytes: number, ms: number, wallMs: number): void {
        const entry = { ms, wallMs, operation, origin, bytes };
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
export function expectRangeInside(range: Range | undefined, lines: readonly string[], what: string | (() => string)): void {
    // `what` as a function: the description is only built for a failure (hundreds of thousands of ranges pass).
    const name = (): string => (typeof what === 'string' ? what : what());
    if (!range || !range.start || !range.end) {
        fail(`${name()}: no range`);
    }
    const describe = (): string => `${name()}: range ${JSON.stringify(range)} in a document of ${lines.length} lines (line lengths ${lines.slice(range.start.line, range.end.line + 1).map((l) => l.length).join(', ')})`;
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
        const what = (): string => `diagnostic ${JSON.stringify({ code: diagnostic.code, message: message.slice(0, 200) })}`;
        expectRangeInside(diagnostic.range, lines, what);
        if (typeof diagnostic.code !== 'string' || !KNOWN_CODES.has(diagnostic.code)) {
            fail(`${what()} has no known code`);
        }
        if (diagnostic.severity !== SEVERITY_NUMBERS[IssueSeverities[diagnostic.code as IssueCode]]) {
            fail(`${what()} has severity ${diagnostic.severity}, not the documented ${IssueSeverities[diagnostic.code as IssueCode]}`);
        }
        if (message.trim() === '') {
            fail(`${what()} has no message`);
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

/** The text last formatted, without its whitespace and as tokens: whole-document and range formatting share them. */
let lastOriginal: { text: string; withoutWhitespace: string; tokens?: string[] } | undefined;

function originalOf(text: string): { text: string; withoutWhitespace: string; tokens?: string[] } {
    if (lastOriginal?.text !== text) {
        lastOriginal = { text, withoutWhitespace: text.replace(/\s+/g, '') };
    }
    return lastOriginal;
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
            expectRangeInside(edit.range, lines, () => `${what} edit ${JSON.stringify(edit)}`);
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
    const original = originalOf(text);
    if (formatted.replace(/\s+/g, '') !== original.withoutWhitespace) {
        fail(`${what}: the formatted text differs from the original in more than whitespace`);
    }
    // Tokens neither merged nor split (lexing twice is skipped above 1 MiB, where the two checks above must do).
    if (edits.length > 0 && text.length < 1024 * 1024) {
        original.tokens ??= tokenSequence(text);
        const before = original.tokens;
        const after = tokenSequence(formatted);
        const differs = before.findIndex((t, i) => after[i] !== t);
        if (differs >= 0 || before.length !== after.length) {
            const at = differs >= 0 ? differs : Math.min(before.length, after.length);
            fail(`${what}: formatting changes the tokens: token ${at} was ${JSON.stringify(before[at])}, is ${JSON.stringify(after[at])}`);
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
    /** Completion at the end of the text too (default: yes). */
    readonly completeAtEnd?: boolean;
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

/**
 * An operation still running after this many times its time bound (wall-clock time) is taken to hang: a margin for
 * a loaded machine, where the test process may get a fraction of a core, yet well within a property's test timeout.
 */
const HANG_FACTOR = 5;
/** The watchdog (a blocked thread) fires this much later than the in-process check (a promise that never settles). */
const WATCHDOG_MARGIN_MS = 10_000;

/**
 * Runs one operation under the oracle: it must not throw or log an error, must take at most `timeBoundMs(bytes)` of
 * CPU time, and is failed at HANG_FACTOR times the bound of wall-clock time if it has not settled by then (the
 * watchdog covers a thread blocked for good).
 */
async function timed<T>(tally: Tally, operation: string, origin: string, bytes: number, run: () => Promise<T> | T): Promise<T> {
    const bound = timeBoundMs(bytes);
    const hangMs = HANG_FACTOR * bound;
    const since = logged.length;
    let timer: NodeJS.Timeout | undefined;
    watch(operation, hangMs + WATCHDOG_MARGIN_MS);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    let result: T;
    try {
        const running = run();
        result = running instanceof Promise
            ? await Promise.race([
                  running,
                  new Promise<never>((_, reject) => {
                      timer = setTimeout(() => reject(new HangFailure(`${operation} did not finish within ${hangMs.toFixed(0)} ms on ${bytes} bytes (it hangs)`)), hangMs);
                  })
              ])
            : running;
    } catch (error) {
        if (error instanceof OracleFailure) {
            throw error;
        }
        fail(`${operation} threw: ${describeError(error)}`);
    } finally {
        clearTimeout(timer);
        unwatch();
    }
    const cpu = process.cpuUsage(cpuBefore);
    const ms = (cpu.user + cpu.system) / 1000;
    const wallMs = performance.now() - started;
    failIfLogged(operation, since);
    tally.time(operation, origin, bytes, ms, wallMs);
    if (ms > bound) {
        fail(`${operation} took ${ms.toFixed(0)} ms of CPU time (${wallMs.toFixed(0)} ms wall-clock) on ${bytes} bytes, over the bound of ${bound.toFixed(0)} ms`);
    }
    return result;
}

/** Above this size a formatted text is not formatted again (the 5 MB file: its formatting alone takes seconds). */
const IDEMPOTENCE_LIMIT = 1024 * 1024;

/** What an input promises beyond the general checks. */
export interface Expectations {
    /** Valid by construction: no diagnostic may be an error. */
    readonly valid?: boolean;
    /** Fail on the known open bugs too (the open-*.fsm fixtures), instead of counting them. */
    readonly failOnKnownBugs?: boolean;
}

/**
 * Bugs the fuzzer found that are not fixed yet because the fix lies outside the fuzz suite (test/fixtures/fuzz/open-*.fsm
 * reproduces each; see its README). An input that runs into one counts in Tally.knownBugs instead of failing the run,
 * and only the checks the bug affects are skipped: the diagnostics it explains, or the formatter checks of that input.
 * When one is fixed, its count stays 0 and its open-*.fsm fixture reports it fixed: then drop it here.
 */
export const KNOWN_OPEN_BUGS: Readonly<Record<string, string>> = {};

export type KnownBug = string;

/** Counts an input that ran into a known open bug (KNOWN_OPEN_BUGS) instead of failing on it. */
export function countKnownBug(tally: Tally, bug: KnownBug): void {
    tally.knownBugs.set(bug, (tally.knownBugs.get(bug) ?? 0) + 1);
}

let serial = 0;

/**
 * Runs every in-process check on `text`: build (parse, link, validate) in the shared workspace, diagnostics,
 * whole-document formatting (and formatting its result again), range formatting, completion and hover at the
 * probe's offsets; then removes the document again. Fails with an OracleFailure on the first problem.
 */
export async function checkText(text: string, origin: string, probe: Probe, tally: Tally, expectations: Expectations = {}): Promise<Diagnostic[]> {
    const bytes = Buffer.byteLength(text, 'utf8');
    tally.inputs++;
    tally.largestInput = Math.max(tally.largestInput, bytes);
    watchInput(origin, text);
    const lines = linesOf(text);
    const workspace = services.shared.workspace;
    const uri = URI.parse(`memory:///fuzz-${++serial}.fsm`);
    logged.length = 0;
    const consoleError = console.error;
    console.error = (...args: unknown[]): void => {
        logged.push(args);
    };
    let added = false;
    try {
        const document = await timed(tally, 'parse + link + validate', origin, bytes, async () => {
            const created = workspace.LangiumDocumentFactory.fromString(text, uri);
            workspace.LangiumDocuments.addDocument(created);
            added = true;
            await workspace.DocumentBuilder.build([created], { validation: true });
            return created;
        });
        return await checkDocument(document, lines, origin, bytes, probe, tally, expectations);
    } catch (error) {
        if (error instanceof HangFailure) {
            // Shrinking may run into the test's timeout with more hanging inputs: keep this one now.
            saveHangingInput(origin, text, error.message);
        }
        throw error;
    } finally {
        try {
            if (added) {
                await timed(tally, 'remove the document', origin, bytes, () => workspace.DocumentBuilder.update([], [uri]));
            }
        } finally {
            console.error = consoleError;
        }
    }
}

async function checkDocument(document: LangiumDocument, lines: readonly string[], origin: string, bytes: number, probe: Probe, tally: Tally, expectations: Expectations): Promise<Diagnostic[]> {
    const diagnostics = document.diagnostics;
    if (!diagnostics) {
        fail('the document was built but has no diagnostics array');
    }
    expectGoodDiagnostics(diagnostics, lines);
    tally.diagnostics += diagnostics.length;
    for (const diagnostic of diagnostics) {
        tally.codes.set(String(diagnostic.code), (tally.codes.get(String(diagnostic.code)) ?? 0) + 1);
    }
    if (expectations.valid) {
        const errors = diagnostics.filter((d) => d.severity === 1);
        if (errors.length > 0) {
            fail(`a model valid by construction gets ${errors.length} error(s): ${errors.slice(0, 3).map((d) => `${String(d.code)} at ${d.range.start.line + 1}:${d.range.start.character + 1} ${JSON.stringify(document.textDocument.getText(d.range).slice(0, 80))}: ${messageText(d)}`).join('; ')}`);
        }
        tally.validInputs++;
    }

    await checkFormatter(document, lines, origin, bytes, probe, tally);
    await checkCompletionAndHover(document, lines, origin, bytes, probe, tally);
    return diagnostics;
}

/** Whole-document formatting (and formatting its result again) and range formatting between the first two probes. */
async function checkFormatter(document: LangiumDocument, lines: readonly string[], origin: string, bytes: number, probe: Probe, tally: Tally): Promise<void> {
    const uri = document.textDocument.uri;
    const textLength = document.textDocument.getText().length;
    const formatter = services.lsp.Formatter!;
    const options = FORMATTING[probe.tabs ? 1 : 0]!;
    const edits = await timed(tally, 'formatDocument', origin, bytes, () => formatter.formatDocument(document, { textDocument: { uri }, options }));
    const formatted = expectWhitespaceEdits(edits, document, lines, 'formatDocument');
    tally.formatterCalls++;
    tally.formatterEdits += edits.length;
    if (edits.length > 0 && bytes < IDEMPOTENCE_LIMIT) {
        // Formatting the formatted text changes nothing (the formatter reads the parse only: no need to link it).
        const again = await timed(tally, 'formatDocument (formatted text)', origin, bytes, async () => {
            const reparsed = services.shared.workspace.LangiumDocumentFactory.fromString(formatted, URI.parse(`memory:///fuzz-${serial}-formatted.fsm`));
            return { reparsed, edits: await formatter.formatDocument(reparsed, { textDocument: { uri: reparsed.uri.toString() }, options }) };
        });
        if (again.edits.length > 0) {
            const first = again.edits[0]!;
            fail(
                `formatDocument is not idempotent: formatting its result (${options.insertSpaces ? 'spaces' : 'tabs'}) makes ${again.edits.length} more edit(s), ` +
                    `the first ${JSON.stringify(first)} replacing ${JSON.stringify(again.reparsed.textDocument.getText(first.range).slice(0, 200))} ` +
                    `in ${JSON.stringify(formatted.length > 600 ? `${formatted.slice(0, 600)}…` : formatted)}`
            );
        }
        tally.idempotenceChecks++;
    }

    const positions = probe.offsets.map((offset) => document.textDocument.positionAt(offset % (textLength + 1)));
    if (positions.length >= 2) {
        const [a, b] = [positions[0]!, positions[1]!];
        const range = before(a, b) ? { start: a, end: b } : { start: b, end: a };
        const rangeEdits = await timed(tally, 'formatDocumentRange', origin, bytes, () => formatter.formatDocumentRange(document, { textDocument: { uri }, options, range }));
        expectWhitespaceEdits(rangeEdits, document, lines, `formatDocumentRange ${JSON.stringify(range)}`);
        tally.formatterCalls++;
        tally.formatterEdits += rangeEdits.length;
    }
}

/**
 * Hover at every probe and at the end of the document; completion (which parses the text up to the position again, so
 * costs as much as a parse) at the first probe and, unless the probe says otherwise, at the end.
 */
async function checkCompletionAndHover(document: LangiumDocument, lines: readonly string[], origin: string, bytes: number, probe: Probe, tally: Tally): Promise<void> {
    const uri = document.textDocument.uri;
    const textLength = document.textDocument.getText().length;
    const positions = [...probe.offsets.map((offset) => document.textDocument.positionAt(offset % (textLength + 1))), document.textDocument.positionAt(textLength)];
    for (const [index, position] of positions.entries()) {
        const where = `at ${position.line}:${position.character}`;
        if (index === 0 || (index === positions.length - 1 && probe.completeAtEnd !== false)) {
            const list = await timed(tally, 'completion', origin, bytes, () => services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri }, position }));
            tally.completions++;
            for (const item of list?.items ?? []) {
                if (typeof item.label !== 'string' || item.label === '') {
                    fail(`completion ${where}: an item without a label: ${JSON.stringify(item).slice(0, 300)}`);
                }
                const edit = item.textEdit;
                if (edit) {
                    expectRangeInside('range' in edit ? edit.range : edit.replace, lines, () => `completion ${where} item '${item.label}'`);
                }
                tally.completionItems++;
            }
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
