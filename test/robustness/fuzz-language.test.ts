// Fuzzing the language with fast-check: token soup, near-valid generated models, mutated and truncated examples,
// 100 KB tokens, thousands of nested brackets, invalid UTF-8 and NUL bytes, and a 5 MB file. For every input,
// parse + link + validate, the formatter, completion and hover never throw and finish within a time bound, and every
// range they return lies inside the document (test/robustness/fuzz/oracle.ts); a sample also goes through
// `reactor-fsm check --json` (fuzz/cli.ts). Shrunk counterexamples are kept as fixtures in test/fixtures/fuzz/.
//
// FUZZ_LANGUAGE_SEED=n replays a run; ROBUSTNESS_SCALE=k tries k times more inputs (k >= 10 also runs the CLI on the
// 5 MB file).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { URI } from 'langium';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempFolders, type CliResult } from '../cli/cli-helpers.js';
import { services, validate, withDocuments } from '../helpers.js';
import { recordFigures, scale } from './figures.js';
import { bundleRebuilds, checkWithCli, expectedOutcome } from './fuzz/cli.js';
import {
    anyInput,
    decodeLeniently,
    deepNesting,
    FIVE_MB,
    generatedModel,
    hugeName,
    hugeToken,
    invalidBytes,
    largeFile,
    mutatedExample,
    tokenSoup,
    truncatedExample,
    type FuzzInput
} from './fuzz/inputs.js';
import { checkText, expectWhitespaceEdits, linesOf, messageText, Tally, timeBoundMs, type Probe } from './fuzz/oracle.js';
import { BASE_SEED, runProperty, seedOf } from './fuzz/run-property.js';


const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/fuzz');

const RUNS = {
    soup: scale(250),
    generated: scale(150),
    mutated: scale(250),
    truncated: scale(150),
    huge: scale(14),
    deep: scale(14),
    bytes: scale(100),
    cli: scale(6)
};

/** Time for one property test: generous, since every input is also bounded on its own. */
const TEST_TIMEOUT_MS = scale(90_000);

/** The CLI's time limit per run: its start-up plus the in-process bound of the input. */
const CLI_TIMEOUT_MS = (bytes: number): number => 10_000 + timeBoundMs(bytes);

const tally = new Tally();
const big = new Tally();
const bigFile = { bytes: 0, machines: 0, diagnostics: 0 };
const runs: Record<string, number> = {};
const cli = { runs: 0, exitCodes: new Map<number, number>(), slowestMs: 0, largestBytes: 0 };

const probe: fc.Arbitrary<Probe> = fc.record({ offsets: fc.array(fc.nat(), { minLength: 2, maxLength: 3 }), tabs: fc.boolean() });

function withProbe(input: fc.Arbitrary<FuzzInput>): fc.Arbitrary<[FuzzInput, Probe]> {
    return fc.tuple(input, probe);
}

async function check([input, where]: [FuzzInput, Probe]): Promise<void> {
    await checkText(input.text, input.origin, where, tally);
}

function countCli(result: CliResult, bytes: number): void {
    cli.runs++;
    cli.exitCodes.set(result.code ?? -1, (cli.exitCodes.get(result.code ?? -1) ?? 0) + 1);
    cli.slowestMs = Math.max(cli.slowestMs, result.ms);
    cli.largestBytes = Math.max(cli.largestBytes, bytes);
}

/** Runs the CLI on `input` and checks that it reports what the editor reports for the same text. */
async function checkCliAgainstEditor(input: FuzzInput): Promise<void> {
    const bytes = input.bytes ?? Buffer.from(input.text, 'utf8');
    const { result, reported, text } = await checkWithCli(bytes, CLI_TIMEOUT_MS(bytes.length));
    countCli(result, bytes.length);
    if (reported && text !== undefined) {
        const { diagnostics } = await validate(text);
        const key = (d: { line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }): string =>
            `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.severity} ${d.code} ${d.message}`;
        const severities = ['error', 'error', 'warning', 'info', 'hint'];
        const editor = diagnostics
            .map((d) => key({ line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1, severity: severities[d.severity ?? 1]!, code: String(d.code), message: messageText(d) }))
            .sort();
        expect(reported.map(key).sort(), 'the CLI reports what the editor reports').toEqual(editor);
    }
}

afterAll(async () => {
    await removeTempFolders();
    const slow = tally.slowestBelow1MB;
    recordFigures('fuzz-language', {
        claim:
            'On random token soup, generated models, mutated and truncated examples, 100 KB tokens, thousands of nested brackets, invalid UTF-8 and NUL bytes and a 5 MB file, parse + link + validate, the formatter, completion and hover never throw and finish within 2.5 s + 5 ms per KiB each, every returned range lies inside the document, every diagnostic has a known code and its documented severity, formatting changes only whitespace, and `reactor-fsm check --json` exits 0/1/2 without a stack trace and with valid JSON.',
        figures: {
            'inputs tried': tally.inputs + big.inputs + cli.runs,
            'inputs tried in process': tally.inputs + big.inputs,
            ...Object.fromEntries(Object.entries(runs).map(([name, count]) => [`runs: ${name}`, count])),
            'largest input (bytes)': Math.max(tally.largestInput, big.largestInput),
            'largest input below the 5 MB file (bytes)': tally.largestInput,
            'slowest input (ms)': Math.round(slow.ms),
            'slowest input: operation and origin': `${slow.operation} on ${slow.origin} (${slow.bytes} bytes)`,
            'time bound per operation (ms)': `2500 + 5 per KiB (100 KiB: ${timeBoundMs(100 * 1024)}; 5 MiB: ${timeBoundMs(FIVE_MB)})`,
            '5 MB file: machines': bigFile.machines,
            '5 MB file: diagnostics': bigFile.diagnostics,
            '5 MB file (bytes)': bigFile.bytes,
            ...Object.fromEntries([...big.longest].map(([operation, ms]) => [`5 MB file: ${operation} (ms, slowest call)`, Math.round(ms)])),
            'diagnostics checked': tally.diagnostics + big.diagnostics,
            'diagnostic codes seen': [...tally.codes.keys()].sort().join(' '),
            'formatter calls': tally.formatterCalls + big.formatterCalls,
            'formatter edits checked': tally.formatterEdits + big.formatterEdits,
            'completion requests': tally.completions + big.completions,
            'completion items checked': tally.completionItems + big.completionItems,
            'hover requests': tally.hovers + big.hovers,
            'hovers with content': tally.hoverHits + big.hoverHits,
            'CLI runs': cli.runs,
            'CLI exit codes': [...cli.exitCodes].sort(([a], [b]) => a - b).map(([code, count]) => `${code}: ${count}`).join(', '),
            'CLI slowest run (ms)': Math.round(cli.slowestMs),
            'CLI largest input (bytes)': cli.largestBytes,
            'CLI runs repeated because out/cli.cjs was being rebuilt': bundleRebuilds,
            'fast-check base seed': BASE_SEED,
            'bugs found and fixed (now regression tests)': 5
        }
    });
});

describe('fuzz-language: parse, link, validate, format, complete and hover any text', () => {
    it(`random token soup (${RUNS.soup} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['token soup'] = await runProperty('token soup', 1, withProbe(tokenSoup), RUNS.soup, check);
    });

    it(`generated near-valid models (${RUNS.generated} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['generated models'] = await runProperty('generated models', 2, withProbe(generatedModel), RUNS.generated, check);
    });

    it(`examples with deleted, duplicated and swapped lines and characters (${RUNS.mutated} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['mutated examples'] = await runProperty('mutated examples', 3, withProbe(mutatedExample), RUNS.mutated, check);
    });

    it(`examples truncated at sampled positions (${RUNS.truncated} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['truncated examples'] = await runProperty('truncated examples', 4, withProbe(truncatedExample), RUNS.truncated, check);
    });

    it(`100 KB identifiers, quantities, strings, comments and lines (${RUNS.huge} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['huge tokens'] = await runProperty('huge tokens', 5, withProbe(hugeToken), RUNS.huge, check);
    });

    it(`thousands of nested braces, brackets, states and machines (${RUNS.deep} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['deep nesting'] = await runProperty('deep nesting', 6, withProbe(deepNesting), RUNS.deep, check);
    });

    it(`invalid UTF-8 and NUL bytes, decoded leniently (${RUNS.bytes} inputs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['invalid bytes'] = await runProperty('invalid bytes', 7, withProbe(invalidBytes), RUNS.bytes, check);
    });

    it('a 5 MB file of generated machines', { timeout: 600_000 }, async () => {
        // Generated machines without syntax errors, so every check (and the whole formatter) runs on all of the file.
        const parses = (machine: string): boolean => {
            const result = services.parser.LangiumParser.parse(machine);
            return result.lexerErrors.length === 0 && result.parserErrors.length === 0;
        };
        const { text, machines } = largeFile(FIVE_MB, seedOf(8), parses);
        bigFile.bytes = Buffer.byteLength(text, 'utf8');
        bigFile.machines = machines;
        expect(bigFile.bytes).toBeGreaterThanOrEqual(FIVE_MB);
        // One probe offset (plus the end of the file): no range formatting, which costs as much as formatDocument here.
        const offsets = fc.sample(fc.nat(), { seed: seedOf(8), numRuns: 1 });
        console.log(`fuzz-language: 5 MB file: ${bigFile.bytes} bytes, ${machines} machines, seed ${seedOf(8)}, probes at ${offsets.join(', ')}`);
        const diagnostics = await checkText(text, '5 MB file', { offsets }, big);
        bigFile.diagnostics = diagnostics.length;
        runs['5 MB file'] = 1;
        if (scale(1) >= 10) {
            await checkCliAgainstEditor({ origin: '5 MB file', text });
        }
    });
});

describe('fuzz-language: reactor-fsm check --json on a sample', () => {
    it(`random inputs, two CLI runs at a time (${RUNS.cli * 2} runs)`, { timeout: TEST_TIMEOUT_MS }, async () => {
        runs['CLI pairs'] = await runProperty('CLI', 9, fc.tuple(anyInput, anyInput), RUNS.cli, async ([a, b]) => {
            await Promise.all([checkCliAgainstEditor(a), checkCliAgainstEditor(b)]);
        });
    });

    const special: Array<[string, Uint8Array]> = [
        ['an empty file', new Uint8Array()],
        ['NUL bytes only', new Uint8Array(64)],
        ['an example with one NUL byte', Buffer.from(`machine A {\0 initial state S }`)],
        ['invalid UTF-8 (a lone continuation byte)', Buffer.concat([Buffer.from('machine A { initial state S'), Buffer.from([0x80]), Buffer.from(' }')])],
        ['invalid UTF-8 (an encoded surrogate)', Buffer.from([0x6d, 0xed, 0xa0, 0x80])],
        ['a BOM, CRLF line ends and a lone CR', Buffer.from('\uFEFFmachine A {\r\n    events Go\r    initial state S { on Go -> S }\r\n}\r\n')],
        ['a 100 KB machine name', Buffer.from(`machine ${hugeName('m')} {\n    initial state S\n}\n`)],
        ['10,000 open braces', Buffer.from(`machine A ${'{'.repeat(10_000)}`)]
    ];
    it('special files: empty, NUL, invalid UTF-8, BOM and CRLF, a 100 KB name, deep nesting', { timeout: 120_000 }, async () => {
        for (let i = 0; i < special.length; i += 2) {
            await Promise.all(special.slice(i, i + 2).map(([origin, bytes]) => checkCliAgainstEditor({ origin, text: decodeLeniently(bytes), bytes })));
        }
        expect(expectedOutcome(special[1]![1])).toEqual({ refused: 'it is a binary file' });
    });
});

describe('fuzz-language: regressions from shrunk counterexamples (test/fixtures/fuzz)', () => {
    const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.fsm')).sort();
    const inProcess = fixtures.filter((name) => !name.startsWith('oom-'));
    const fixtureText = (name: string): string => decodeLeniently(readFileSync(path.join(FIXTURES, name)));

    it('every fixture is tried: in process, or (the out-of-memory one) through the CLI only', () => {
        expect(fixtures).toContain('oom-huge-name-typo.fsm');
        expect(inProcess.length).toBeGreaterThanOrEqual(6);
    });

    // Every check of the fuzzer, on each fixture (the former bugs below are regression tests now).
    it.each(inProcess)('%s passes every check of the fuzzer', async (name) => {
        const text = fixtureText(name);
        await checkText(text, name, { offsets: [0, text.length >> 1, text.length] }, tally);
    });

    // Regression (fixed): formatDocumentRange on a document with a syntax error deletes and moves text. ReactorFsmFormatter applies
    // its "only the complete machines before the first error" limit (errorFreeLimit) in formatDocument only; range
    // formatting goes straight to doDocumentFormat, whose whitespace edits between the CST nodes of a recovered tree
    // swallow the tokens error recovery skipped: `machine A B {}` with the range 0:0-0:0 becomes `machine A {}`.
    for (const name of inProcess.filter((n) => n.startsWith('range-format-'))) {
        it(`${name}: range formatting of a line changes only whitespace (was a bug)`, async () => {
            const text = fixtureText(name);
            await withDocuments([text], async ([document]) => {
                const lines = linesOf(text);
                const uri = document!.textDocument.uri;
                for (const [line, content] of lines.entries()) {
                    for (const range of [
                        { start: { line, character: 0 }, end: { line, character: content.length } },
                        { start: { line, character: 0 }, end: { line, character: 0 } }
                    ]) {
                        const edits = await services.lsp.Formatter!.formatDocumentRange(document!, { textDocument: { uri }, options: { insertSpaces: true, tabSize: 4 }, range });
                        expectWhitespaceEdits(edits, document!, lines, `formatDocumentRange ${JSON.stringify(range)}`);
                    }
                }
            });
        });
    }

    // Regression (fixed): completion just after a cross-reference the parser could not finish (here `signal sigterm -> é`, the `é`
    // being a lexer error, so the next token is `initial`) asks the scope provider for the reference `event` of the
    // State being typed: IndexedScopeProvider.getScope (language/references/scope-provider.ts:24) calls
    // reflection.getReferenceType, which throws "Property event of type State is not a reference."; Langium's
    // completionForCrossReference catches it and console.error's it (the server's log), and offers no names there.
    // The same happens with `client c connect a:1 { read -> } |initial …` (Client) and `on E -> } |state T` (target).
    it('completion-after-unfinished-signal.fsm: completion at every offset logs no error (was a bug)', async () => {
        const text = fixtureText('completion-after-unfinished-signal.fsm');
        const { document } = await validate(text);
        const logged: string[] = [];
        const spy = vi.spyOn(console, 'error').mockImplementation((error: unknown) => {
            logged.push(String(error));
        });
        try {
            for (let offset = 0; offset <= text.length; offset++) {
                const position = document.textDocument.positionAt(offset);
                await services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri: document.textDocument.uri }, position });
                expect(logged, `completion at offset ${offset} (${JSON.stringify(text.slice(0, offset))}|)`).toEqual([]);
            }
        } finally {
            spy.mockRestore();
        }
    });

    // Regression (fixed): closestName() (language/references/suggestions.ts) computes a full edit-distance matrix between an
    // unresolved name and every candidate whose length is within a third of it: a 100 KB reference one letter off
    // a 100 KB state name allocates 100 K × 100 K numbers. The CLI dies with "JavaScript heap out of memory"
    // (exit 134, V8's native stack trace) after ~35 s on this 200 KB file; in process it takes the test worker down.
    it('oom-huge-name-typo.fsm: a 100 KB reference one letter off a 100 KB name is checked without running out of memory', { timeout: 60_000 }, async () => {
        const bytes = readFileSync(path.join(FIXTURES, 'oom-huge-name-typo.fsm'));
        // A 512 MB heap is ample for a 200 KB file and makes the failure quick (the default heap takes ~35 s to fill).
        const { result, reported } = await checkWithCli(bytes, 30_000, ['--max-old-space-size=512']);
        countCli(result, bytes.length);
        expect(reported?.map((d) => d.code)).toEqual(['unresolved-reference']);
    });

    // Regression (fixed): StructureChecks.checkUniqueMachines (language/validation/structure-checks.ts) scans every Machine of the
    // index for every machine of the document: quadratic in the number of machines. 16,000 one-line machines
    // (640 KB) take 5.6 s to validate, twice as many ~4× longer; a 5 MB file of small machines takes minutes.
    it('validating N machines enumerates O(N) index entries, not N² (was a bug)', async () => {
        const indexManager = services.shared.workspace.IndexManager;
        const original = indexManager.allElements.bind(indexManager);
        let visited = 0;
        const spy = vi.spyOn(indexManager, 'allElements').mockImplementation((type?: string, uris?: Set<string>) =>
            original(type, uris).map((description) => {
                visited++;
                return description;
            })
        );
        try {
            const machines = 2000;
            const text = Array.from({ length: machines }, (_, i) => `machine M${i} { initial final state S }\n`).join('');
            const { diagnostics } = await validate(text);
            expect(diagnostics).toEqual([]);
            expect(visited, `index entries enumerated while validating ${machines} machines`).toBeLessThanOrEqual(20 * machines);
        } finally {
            spy.mockRestore();
        }
    });

    // Regression (fixed): ReactorFsmFormatter.depthAt (language/lsp/formatter.ts) filters every `{` and `}` of the document for each
    // comment on a line of its own: comments × braces, with an array allocated per comment. One machine of 30,000
    // `state Sn {}` lines formats in 1.3 s, in 20.7 s with a `//` line after each state (800 KB); 64,000 one-state
    // machines with a comment each (3.6 MB) take 157 s. With depthAt counting by binary search, the commented
    // document below formats faster than the two halves apart; today it takes about 2.5 times as long as both.
    it('comments do not make formatting quadratic (was a bug)', { timeout: 120_000 }, async () => {
        let serial = 0;
        const formatTime = async (states: number, comments: number): Promise<number> => {
            const text = `machine M {\n    initial state S0\n${Array.from({ length: states }, (_, i) => `    state S${i + 1} {}\n`).join('')}${'    //\n'.repeat(comments)}}\n`;
            const document = services.shared.workspace.LangiumDocumentFactory.fromString(text, URI.parse(`memory:///fuzz-format-${++serial}.fsm`));
            const started = performance.now();
            const edits = await services.lsp.Formatter!.formatDocument(document, { textDocument: { uri: document.uri.toString() }, options: { insertSpaces: true, tabSize: 4 } });
            expect(edits).toEqual([]);
            return performance.now() - started;
        };
        await formatTime(2000, 2000); // warm-up
        const size = 15_000;
        const braces = await formatTime(size, 0);
        const comments = await formatTime(0, size);
        const both = await formatTime(size, size);
        console.log(`fuzz-language: formatting ${size} states: ${braces.toFixed(0)} ms; ${size} comment lines: ${comments.toFixed(0)} ms; both: ${both.toFixed(0)} ms`);
        expect(both).toBeLessThanOrEqual(1.25 * (braces + comments) + 100);
    });
});
