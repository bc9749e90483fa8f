// Docs that are tested: every fenced block of README.md, docs/language.md, docs/generated-code.md and docs/editor.md is run through
// the built CLI (a child process), and the test fails when what it prints differs from what the page shows.
//
// How a block is read (test/docs/doc-blocks.ts sorts them; a block that fits no rule fails the test):
//
// - Model: a block whose first line that is not a comment starts with `machine NAME`. It is saved alone in a fresh
//   folder and `reactor-fsm check FILE` runs on it.
//   · Followed directly (only blank lines between) by a block of diagnostic lines (`file.fsm:L:C severity code
//     message`, and optionally the summary line), it is saved under the file those lines name and the printed
//     diagnostic lines must equal the shown ones exactly, in order; the summary line is compared too when shown.
//     A model may be broken on purpose only this way: its syntax errors are then part of the shown output.
//   · Otherwise it must be clean: exit 0 and no diagnostic at all (not even a warning or an info), saved as the
//     kebab-case name of its first machine (`machine Door` → door.fsm) or the name given by
//     `<!-- doc-test: file=NAME.fsm -->` just before it.
//   · Followed by a scenario and then an output block, it is simulated instead:
//     `reactor-fsm simulate FILE --script SCENARIO` must print exactly the output block (stdout, then stderr).
//     The scenario is a ```scenario block, or a block marked `<!-- doc-test: simulate -->`, or a plain block whose
//     every line is a scenario step (`send Coin`, `advance 1500ms`, `upstream connected`, `# comments`, …). When
//     the output block starts with `$ reactor-fsm simulate …`, that command is run (its file names are used).
//   A scenario elsewhere needs `<!-- doc-test: file=NAME -->` and a `simulate … --script NAME` command of the page.
// - Excerpt: a `machine` block with `…` lines (the README's). Every other line must occur, in this order, in the
//   example file that declares that machine (lines compared trimmed; `state X { … }` matches the line `state X {`).
// - Fragment: a block starting with a machine member (`events`, `state`, `client`, `signal`, …) or a state member
//   (`on`, `after`, `entry`, `exit`). `…` lines split it into parts; `{ … }` is read as an empty body. Each part is
//   wrapped in a minimal machine (and state) and must parse: no `syntax-error` (other diagnostics are expected,
//   since a fragment names states and events it does not declare).
// - Template: a block with placeholders (`NAME`, `EVENT`, `GUARD`, `TARGET`, `ACTION`, `DURATION`, `ADDRESS`,
//   `MEMBERS`, …); `…prose…` is dropped, the placeholders are filled with sample values, and it is then a fragment.
// - Shell: a ```sh block, or one whose first line starts with `$ `. Commands are `reactor-fsm ARGS` or
//   `node bin/reactor-fsm.js ARGS`; `a && b` is two commands; npm, npx, cd, code and git commands are not run. A
//   command runs in a fresh folder, with a copy of examples/ when it names `examples…`, and the page's models it
//   names (`X.fsm`: the model whose diagnostics, `file=` annotation or simulate command name it X.fsm, else the
//   model whose first machine is X in kebab case, door.fsm = `machine Door`; looked for in the command's own `##`
//   section first, then in the whole page; exactly one model must fit; `<!-- doc-test: file=fixed/b.fsm -->` puts a
//   model in a subfolder). After a `$ ` line the lines up to the next `$ ` line are its output, compared exactly with
//   stdout followed by stderr, except that a `…` in a shown line stands for any text (times and rates, which vary
//   from run to run). The commands of one block run in order in one folder: a `--script DIR/…` after a command that
//   wrote `--out DIR` replays what that command wrote (`explore … --out traces`, then `simulate … --script traces/…`). A command without shown output must succeed: exit 0, nothing on stderr. A command naming a
//   file the page does not define (`check a.fsm b.fsm`) is counted as not run, unless the page shows its output:
//   then the test fails.
// - TypeScript: a ```ts block importing `./X.events.js` and exporting an actions object is a whole actions file: it
//   replaces src/X.actions.ts in the project `generate` writes for the example declaring that machine, and the
//   project must type-check under its own strict tsconfig. Any other ```ts block shows generated code: with comments
//   and white space removed, it must occur in one file of the project generated for the one example whose machine
//   it names (`EchoClientMachine` → examples/echo-client.fsm).
//
// The counts of blocks by kind, and every failure, are printed at the end.
import { execFile } from 'node:child_process';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kebabCase } from '../../language/generator/identifiers.js';
import { BUNDLE, EXAMPLES, ROOT, SUMMARY_LINE, parseJson, removeTempFolders, runCli, tempFolder, type CliResult } from '../cli/cli-helpers.js';
import {
    classify,
    commandFiles,
    extractFences,
    missingExcerptLines,
    normalizeTs,
    outputMatches,
    shellNeeds,
    sameMember,
    wrapFragment,
    exampleOf,
    type Command,
    type Fence,
    type Unit
} from './doc-blocks.js';

const DOCS = ['README.md', 'docs/language.md', 'docs/generated-code.md', 'docs/editor.md'] as const;

const exampleMachines = new Map(
    readdirSync(EXAMPLES)
        .filter((name) => name.endsWith('.fsm'))
        .sort()
        .map((name) => [name, [...readFileSync(path.join(EXAMPLES, name), 'utf8').matchAll(/^\s*machine\s+([_a-zA-Z][_a-zA-Z0-9]*)/gm)].map((m) => m[1]!)] as const)
);

beforeAll(() => {
    if (!existsSync(BUNDLE)) {
        throw new Error(`${BUNDLE} is missing: run \`npm run build\` (or \`npm run -s bundle\`) before the doc tests`);
    }
});

const pages = DOCS.map((doc) => {
    const fences = extractFences(doc, readFileSync(path.join(ROOT, doc), 'utf8'));
    return { doc, fences, units: classify(fences, exampleMachines) };
});

// ---------------------------------------------------------------------------------------------------------------
// Runs: at most two CLI processes at a time (a shared two-core machine), started on demand, each once.

function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
    let active = 0;
    const waiting: Array<() => void> = [];
    return async (job) => {
        if (active < limit) {
            active++;
        } else {
            await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing job hands its slot over
        }
        try {
            return await job();
        } finally {
            const next = waiting.shift();
            if (next) {
                next();
            } else {
                active--;
            }
        }
    };
}

const slot = limiter(2);
const cli = (args: readonly string[], cwd: string): Promise<CliResult> => slot(() => runCli(args, cwd, { timeoutMs: 30_000 }));

function once<T>(make: () => Promise<T>): () => Promise<T> {
    let promise: Promise<T> | undefined;
    return () => (promise ??= make());
}

/** Lines of output as a page shows them: without the final newline, no lines for no output. */
function outputLines(text: string): string[] {
    return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** The lines of an output block, trailing blank lines dropped. */
function shownLines(lines: readonly string[]): string[] {
    const shown = [...lines];
    while (shown.length > 0 && shown.at(-1)!.trim() === '') {
        shown.pop();
    }
    return shown;
}

const text = (fence: Fence): string => `${fence.lines.join('\n')}\n`;

interface Project {
    folder: string;
    /** Every .ts file as generated (path relative to the project → text), read before anything changes them. */
    files: Map<string, string>;
}

/** The project `generate` writes for an example, generated once per example. */
const generatedProjects = new Map<string, () => Promise<Project>>();
function generatedProject(example: string): Promise<Project> {
    if (!generatedProjects.has(example)) {
        generatedProjects.set(
            example,
            once(async () => {
                const folder = await tempFolder();
                const result = await cli(['generate', path.join(EXAMPLES, example), '-o', 'project'], folder);
                expect(result.code, `generate examples/${example}: ${result.stderr}${result.stdout}`).toBe(0);
                const project = path.join(folder, 'project');
                const names = (await readdir(project, { recursive: true, encoding: 'utf8' })).filter((name) => name.endsWith('.ts')).sort();
                return { folder: project, files: new Map(await Promise.all(names.map(async (name) => [name, await readFile(path.join(project, name), 'utf8')] as const))) };
            })
        );
    }
    return generatedProjects.get(example)!();
}

/**
 * Type-checks a generated project as `tsc -p . --noEmit` does, with this repository's TypeScript and @types/node (as
 * test/generator/compile-project.ts does in process; a child process here, so the CLI runs go on meanwhile).
 */
async function typeCheck(folder: string): Promise<string[]> {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '-p', '.', '--noEmit', '--pretty', 'false', '--typeRoots', path.join(ROOT, 'node_modules', '@types')];
    return slot(
        () =>
            new Promise<string[]>((resolve, reject) => {
                execFile(process.execPath, args, { cwd: folder, timeout: 60_000 }, (error, stdout, stderr) => {
                    const lines = outputLines(stdout + stderr);
                    if (error && lines.length === 0) {
                        // An Error: its type, an Omit<> of ExecException, no longer says so.
                        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
                        reject(error);
                    } else {
                        resolve(lines);
                    }
                });
            })
    );
}

// Every fragment and template part is checked in one run: one file each, all named on one command line.
const fragmentFiles = new Map<Unit, string[]>();
let fragmentCount = 0;
const fragmentFolderFiles: Record<string, string> = {};
for (const { units } of pages) {
    for (const unit of units) {
        if (unit.kind === 'fragment' || unit.kind === 'template') {
            fragmentFiles.set(
                unit,
                unit.parts.map((part) => {
                    const id = `DocFragment${++fragmentCount}`;
                    fragmentFolderFiles[`${id}.fsm`] = wrapFragment(part, id);
                    return `${id}.fsm`;
                })
            );
        }
    }
}
// A control: a fragment with a syntax error, so that a change in `check --json` cannot make the fragment checks vacuous.
const CONTROL = 'DocFragmentControl.fsm';
fragmentFolderFiles[CONTROL] = wrapFragment({ level: 'state', text: 'on E -> / a' }, 'DocFragmentControl');
const fragmentRun = once(async () => {
    const folder = await tempFolder(fragmentFolderFiles);
    return cli(['check', '--json', ...Object.keys(fragmentFolderFiles)], folder);
});

// ---------------------------------------------------------------------------------------------------------------
// What is printed at the end.

interface Outcome {
    where: string;
    kind: string;
    failure: string | undefined;
}
const outcomes: Outcome[] = [];

/** Runs a check and records its outcome (the first lines of the failure, for the summary). */
async function recorded(where: string, kind: string, check: () => Promise<void>): Promise<void> {
    try {
        await check();
        outcomes.push({ where, kind, failure: undefined });
    } catch (error) {
        outcomes.push({ where, kind, failure: error instanceof Error ? error.message : String(error) });
        throw error;
    }
}

function blockCounts(of: ReadonlyArray<{ units: readonly Unit[] }> = pages): Record<string, number> {
    const counts: Record<string, number> = {};
    const add = (kind: string, n = 1): void => {
        counts[kind] = (counts[kind] ?? 0) + n;
    };
    for (const { units } of of) {
        for (const unit of units) {
            switch (unit.kind) {
                case 'model':
                    add(unit.output ? 'model with its diagnostics shown' : 'model that must be clean');
                    if (unit.output) {
                        add('diagnostics output');
                    }
                    break;
                case 'simulation':
                    add('model simulated');
                    add('scenario');
                    add('trace output');
                    break;
                case 'shell': {
                    add('shell');
                    const needs = shellNeeds(unit.commands, units, unit.block.section);
                    for (const [index, command] of unit.commands.entries()) {
                        if (!command.args) {
                            add('other command (not run)');
                        } else if (typeof needs[index] === 'string') {
                            add(command.expected ? 'reactor-fsm command with output shown that cannot run (fails)' : 'reactor-fsm command naming a file the page does not define (not run)');
                        } else {
                            add(command.expected ? 'reactor-fsm command run, output compared' : 'reactor-fsm command run, must succeed');
                        }
                    }
                    break;
                }
                default:
                    add(unit.kind);
            }
        }
    }
    return counts;
}

afterAll(async () => {
    await removeTempFolders();
    const failed = outcomes.filter((o) => o.failure !== undefined);
    const lines = [
        ...pages.map((page) => `${page.doc}: ${Object.entries(blockCounts([page])).map(([kind, n]) => `${kind} ${n}`).join(', ')}`),
        'all three pages: ' + Object.entries(blockCounts()).map(([kind, n]) => `${kind} ${n}`).join(', '),
        `checks: ${outcomes.length - failed.length} passed, ${failed.length} failed`,
        ...Object.entries(
            outcomes.reduce<Record<string, [number, number]>>((acc, o) => {
                const entry = (acc[o.kind] ??= [0, 0]);
                entry[o.failure === undefined ? 0 : 1]++;
                return acc;
            }, {})
        ).map(([kind, [ok, bad]]) => `  ${kind}: ${ok} passed, ${bad} failed`),
        ...failed.map((o) => `FAILED ${o.where} (${o.kind}): ${o.failure!.split('\n')[0]}`)
    ];
    console.log(lines.join('\n'));
});

// ---------------------------------------------------------------------------------------------------------------
// The checks.

const where = (fence: Fence, line = fence.line): string => `${fence.doc}:${line}`;

function label(unit: Unit): string {
    switch (unit.kind) {
        case 'model':
            return `${where(unit.block)} model ${unit.file}${unit.output ? ` → diagnostics at line ${unit.output.line}` : ', clean'}`;
        case 'simulation':
            return `${where(unit.block)} model ${unit.file} simulated with the scenario at line ${unit.scenario.line} → trace at line ${unit.output.line}`;
        case 'excerpt':
            return `${where(unit.block)} excerpt of machine ${unit.machine}`;
        case 'generated-ts':
            return `${where(unit.block)} generated TypeScript of machine ${unit.machine}`;
        case 'user-ts':
            return `${where(unit.block)} ${unit.file} of ${unit.module}`;
        default:
            return `${where(unit.block)} ${unit.kind}`;
    }
}

async function checkModel(unit: Extract<Unit, { kind: 'model' }>): Promise<void> {
    const folder = await tempFolder({ [unit.file]: text(unit.block) });
    const result = await cli(['check', unit.file], folder);
    const context = `${where(unit.block)}: reactor-fsm check ${unit.file} (exit ${result.code})${result.stderr ? `, stderr: ${result.stderr}` : ''}`;
    if (!unit.output) {
        expect(outputLines(result.stdout), `${context}: a model shown without diagnostics must have none`).toEqual(['1 file checked: 0 errors, 0 warnings, 0 infos']);
        expect(result.code, context).toBe(0);
        return;
    }
    const shown = shownLines(unit.output.lines);
    const printed = outputLines(result.stdout);
    const compared = shown.some((line) => SUMMARY_LINE.test(line)) ? printed : printed.filter((line) => !SUMMARY_LINE.test(line));
    expect(result.stderr, context).toBe('');
    expect(compared, `${context}: the printed diagnostics differ from ${where(unit.output)}`).toEqual(shown);
}

async function checkSimulation(unit: Extract<Unit, { kind: 'simulation' }>): Promise<void> {
    let args: string[];
    let scenarioName: string;
    if (unit.command) {
        const words = unit.command[0] === 'node' && unit.command[1] === 'bin/reactor-fsm.js' ? unit.command.slice(2) : unit.command[0] === 'reactor-fsm' ? unit.command.slice(1) : undefined;
        const script = words?.indexOf('--script') ?? -1;
        expect(words?.[0] === 'simulate' && script > 0 && words.includes(unit.file), `${where(unit.output)}: a trace opened by a command that is not 'reactor-fsm simulate ${unit.file} --script FILE': ${unit.command.join(' ')}`).toBe(true);
        args = words!;
        scenarioName = words![script + 1]!;
    } else {
        scenarioName = typeof unit.scenario.annotations.file === 'string' ? unit.scenario.annotations.file : 'scenario.txt';
        args = ['simulate', unit.file, '--script', scenarioName];
    }
    const folder = await tempFolder({ [unit.file]: text(unit.block), [scenarioName]: text(unit.scenario) });
    const result = await cli(args, folder);
    const context = `${where(unit.block)}: reactor-fsm ${args.join(' ')} (exit ${result.code}) printed something else than ${where(unit.output)}`;
    expect(outputLines(result.stdout + result.stderr), context).toEqual(shownLines(unit.expected));
}

async function checkShell(unit: Extract<Unit, { kind: 'shell' }>, units: readonly Unit[], commands: readonly Command[]): Promise<void> {
    const needs = shellNeeds(commands, units, unit.block.section);
    const files = Object.assign({}, ...needs.map((need) => (need === undefined || typeof need === 'string' ? {} : need.files))) as Record<string, string>;
    const folder = await tempFolder(files);
    if (needs.some((need) => need !== undefined && typeof need !== 'string' && need.examples)) {
        await cp(EXAMPLES, path.join(folder, 'examples'), { recursive: true });
    }
    const failures: string[] = [];
    for (const [index, command] of commands.entries()) {
        const need = needs[index];
        if (need === undefined || typeof need === 'string') {
            if (command.expected) {
                failures.push(`${where(unit.block, command.line)}: cannot run '${command.text}' (${need}), yet the page shows its output`);
            }
            continue;
        }
        const result = await cli(command.args!, folder);
        const printed = outputLines(result.stdout + result.stderr);
        if (command.expected) {
            const shown = shownLines(command.expected);
            if (!outputMatches(printed, shown)) {
                failures.push(`${where(unit.block, command.line)}: '${command.text}' (exit ${result.code}) printed\n${printed.map((l) => `  + ${l}`).join('\n')}\nwhere the page shows\n${shown.map((l) => `  - ${l}`).join('\n')}`);
            }
        } else if (result.code !== 0 || result.stderr !== '') {
            failures.push(`${where(unit.block, command.line)}: '${command.text}' failed (exit ${result.code}): ${result.stderr || result.stdout}`);
        }
    }
    expect(failures.join('\n'), 'every command of the block runs as shown').toBe('');
}

async function checkGeneratedTs(unit: Extract<Unit, { kind: 'generated-ts' }>): Promise<void> {
    const example = exampleOf(unit.machine, exampleMachines)!;
    const { files } = await generatedProject(example);
    const shown = normalizeTs(unit.block.lines.join('\n'));
    const found = [...files].filter(([, content]) => normalizeTs(content).includes(shown)).map(([name]) => name);
    if (found.length === 0) {
        // Show what the generator writes for the same member, when it writes one.
        const first = unit.block.lines.find((line) => line.trim() !== '')!;
        const same = [...files.values()].map((content) => sameMember(content, first)).find((member) => member !== undefined);
        expect.fail(
            `${where(unit.block)}: the code shown does not occur (comments and white space aside) in the project generated from examples/${example}.\n` +
                `shown:\n${unit.block.lines.join('\n')}\n` +
                (same ? `generated:\n${same}` : `no generated member starts with '${first.trim()}'`)
        );
    }
}

async function checkUserTs(unit: Extract<Unit, { kind: 'user-ts' }>): Promise<void> {
    const machines = [...exampleMachines.values()].flat().filter((machine) => kebabCase(machine) === unit.module);
    const example = machines.length === 1 ? exampleOf(machines[0]!, exampleMachines) : undefined;
    expect(example, `${where(unit.block)}: no single example declares the machine of module ${unit.module}`).toBeDefined();
    const project = await generatedProject(example!);
    const target = path.join(project.folder, unit.file);
    const generated = project.files.get(unit.file);
    if (unit.file.endsWith('.actions.ts')) {
        expect(generated, `${where(unit.block)}: generate writes no ${unit.file} for examples/${example}`).toBeDefined();
    }
    await writeFile(target, text(unit.block));
    const errors = await typeCheck(project.folder);
    // A generator or runtime that does not compile must not be blamed on the page: try the project without the file.
    if (generated !== undefined) {
        await writeFile(target, generated);
    } else {
        await rm(target);
    }
    if (errors.length > 0) {
        expect(await typeCheck(project.folder), `${where(unit.block)}: the project generated from examples/${example} does not type-check by itself (a generator problem, not the page's)`).toEqual([]);
    }
    expect(errors, `${where(unit.block)}: ${unit.file} as shown, in the project generated from examples/${example}, does not type-check`).toEqual([]);
}

async function checkExcerpt(unit: Extract<Unit, { kind: 'excerpt' }>): Promise<void> {
    const example = exampleOf(unit.machine, exampleMachines)!;
    const source = await readFile(path.join(EXAMPLES, example), 'utf8');
    expect(missingExcerptLines(unit.block.lines, source), `${where(unit.block)}: lines of the excerpt that do not occur, in this order, in examples/${example}`).toEqual([]);
}

async function checkFragment(unit: Extract<Unit, { kind: 'fragment' | 'template' }>): Promise<void> {
    const result = await fragmentRun();
    expect(result.stderr, 'check --json of the fragments').toBe('');
    const mine = new Set(fragmentFiles.get(unit));
    const syntax = parseJson(result.stdout).filter((d) => mine.has(d.file) && d.code === 'syntax-error');
    const shown = syntax.map((d) => {
        const part = unit.parts[[...mine].indexOf(d.file)]!;
        const wrapped = wrapFragment(part, path.basename(d.file, '.fsm')).split('\n');
        return `${d.line}:${d.column} ${d.message}\n    in: ${wrapped[d.line - 1]?.trim()}`;
    });
    expect(shown, `${where(unit.block)}: the ${unit.kind}, wrapped in a machine${unit.kind === 'template' ? ' with its placeholders filled in' : ''}, does not parse`).toEqual([]);
}

describe('the extractor', () => {
    const page = [
        'Text.',
        '```',
        'machine Gate {',
        '    events Go',
        '    initial state Shut { on Go -> Shut }',
        '}',
        '```',
        '```',
        'gate.fsm:3:5 warning some-code A message.',
        '```',
        '<!-- doc-test: simulate -->',
        '```',
        'send Go',
        '```',
        '```',
        'machine Lift {',
        '    events Up',
        '    initial state Down { on Up -> Down }',
        '}',
        '```',
        'with this scenario:',
        '```scenario',
        'send Up   # up',
        'advance 1s',
        '```',
        'prints:',
        '```',
        '     0 ms  Lift  starts in Down',
        '```',
        '- a list item:',
        '  ```ts',
        '  override onGo(m: GateMachine): void {}',
        '  ```',
        '```',
        'initial state A { … }',
        '…',
        'on Go -> A',
        '```',
        '```',
        'on EVENT -> TARGET / ACTION',
        '```',
        '```',
        '$ reactor-fsm check gate.fsm',
        'gate.fsm:3:5 warning some-code A message.',
        '$ npm test',
        '```',
        '```',
        'Something else',
        '```',
        '<!-- doc-test: fiel=x.fsm -->',
        '```',
        'machine X { }',
        '```',
        '```',
        'machine Bell { events Ring initial state Quiet { on Ring -> Quiet } }',
        '```',
        '```',
        'send Ring   # a scenario without a mark: every line is a step',
        '```',
        '```',
        '     0 ms  Bell  starts in Quiet',
        '```'
    ].join('\n');
    const units = classify(extractFences('page.md', page), new Map([['gate.fsm', ['Gate']]]));

    it('sorts blocks into kinds, with their lines', () => {
        expect(units.map((u) => `${u.block.line} ${u.kind}`)).toEqual([
            '2 model',
            '12 unclassified', // a scenario after a model's diagnostics, run by no command
            '15 simulation',
            '31 generated-ts',
            '34 fragment',
            '39 template',
            '42 shell',
            '47 unclassified',
            '51 unclassified',
            '54 simulation'
        ]);
        const [model, , simulation, ts, fragment, template, shell] = units;
        expect(model).toMatchObject({ file: 'gate.fsm', named: true, output: { line: 8 } });
        expect(simulation).toMatchObject({ file: 'lift.fsm', named: false, scenario: { line: 22 }, expected: ['     0 ms  Lift  starts in Down'] });
        expect(ts).toMatchObject({ machine: 'Gate', block: { lines: ['override onGo(m: GateMachine): void {}'] } });
        expect(fragment).toMatchObject({ parts: [{ level: 'machine', text: 'initial state A { }' }, { level: 'state', text: 'on Go -> A' }] });
        expect(template).toMatchObject({ parts: [{ level: 'state', text: 'on E -> T / a' }] });
        expect(shell).toMatchObject({
            commands: [
                { line: 43, args: ['check', 'gate.fsm'], expected: ['gate.fsm:3:5 warning some-code A message.'] },
                { line: 45, args: undefined, expected: [] }
            ]
        });
        expect(commandFiles(['check', 'gate.fsm'], units)).toEqual({ examples: false, files: { 'gate.fsm': `${model!.block.lines.join('\n')}\n` } });
        expect(commandFiles(['check', 'lift.fsm', 'examples/a.fsm'], units)).toMatchObject({ examples: true });
        expect(commandFiles(['check', 'nowhere.fsm'], units)).toBe('no model of the page is named nowhere.fsm');
    });

    it("resolves a command's X.fsm in its own section first, then in the page", () => {
        const door = (state: string): string[] => ['```', `machine Door { events E initial state ${state} { on E -> ${state} } }`, '```'];
        const sections = ['## One', ...door('A'), '## Two', '### Sub', ...door('B'), '```', '$ reactor-fsm check door.fsm', '```', '## Three'].join('\n');
        const units = classify(extractFences('page.md', sections), new Map());
        expect(units.map((u) => `${u.block.section} ${u.kind}`)).toEqual(['One model', 'Two model', 'Two shell']);
        expect(commandFiles(['check', 'door.fsm'], units, 'Two')).toEqual({ examples: false, files: { 'door.fsm': `${door('B')[1]}\n` } });
        expect(commandFiles(['check', 'door.fsm'], units, 'Three')).toBe('door.fsm could be any of 2 models of the page: line 2 (machine Door), line 7 (machine Door)');
    });

    it("matches shown output with '…' standing for any text, and lets a command replay what an earlier one wrote", () => {
        expect(outputMatches(['explored 3 states in 0.01 s (483 states/s)'], ['explored 3 states in … s (… states/s)'])).toBe(true);
        expect(outputMatches(['explored 4 states in 0.01 s (483 states/s)'], ['explored 3 states in … s (… states/s)'])).toBe(false);
        expect(outputMatches(['a (b)'], ['a (b)', ''])).toBe(false);
        expect(outputMatches(['a.b'], ['a…c'])).toBe(false);
        expect(outputMatches(['a+b*'], ['a+b*'])).toBe(true);
        const command = (args: string[]): Command => ({ line: 1, text: args.join(' '), args, expected: undefined });
        const replay = [command(['explore', 'gate.fsm', '--out', 'traces']), command(['simulate', 'gate.fsm', '--script', 'traces/01.scenario'])];
        expect(shellNeeds(replay, units).map((need) => (typeof need === 'string' ? need : Object.keys(need?.files ?? {})))).toEqual([['gate.fsm'], ['gate.fsm']]);
        expect(shellNeeds([replay[1]!], units)).toEqual(['no single scenario of the page is named traces/01.scenario (doc-test: file=traces/01.scenario)']);
    });

    it('compares TypeScript without comments and white space, and excerpts line by line in order', () => {
        expect(normalizeTs("a(); // x\n/* y */ b('// kept')")).toBe("a();b('// kept')");
        expect(missingExcerptLines(['machine A {', '    …', '    state S { … }', '}'], 'machine A {\n  events E\n  state S {\n  }\n}')).toEqual([]);
        expect(missingExcerptLines(['state S {', 'machine A {'], 'machine A {\nstate S {\n}')).toEqual(['machine A {']);
    });
});

describe('every block of the docs is one this test knows how to run', () => {
    it('classifies every fenced block', () => {
        const unclassified = pages.flatMap(({ units }) => units.filter((u): u is Extract<Unit, { kind: 'unclassified' }> => u.kind === 'unclassified'));
        expect(unclassified.map((u) => `${where(u.block)}: ${u.reason}`)).toEqual([]);
        // A scenario outside a model–scenario–trace triple runs only through a simulate command naming it.
        const unused = pages.flatMap(({ units }) =>
            units.filter(
                (u) =>
                    u.kind === 'scenario' &&
                    !units.some((other) => other.kind === 'shell' && other.commands.some((c) => c.args?.[0] === 'simulate' && c.args[c.args.indexOf('--script') + 1] === u.file))
            )
        );
        expect(unused.map((u) => `${where(u.block)}: a scenario no simulate command of the page runs`)).toEqual([]);
        // Each block belongs to exactly one unit: a model takes its diagnostics along, a simulation its scenario and trace.
        for (const { doc, fences, units } of pages) {
            const size = (u: Unit): number => (u.kind === 'simulation' ? 3 : u.kind === 'model' && u.output ? 2 : 1);
            expect(units.reduce((sum, u) => sum + size(u), 0), doc).toBe(fences.length);
        }
    });

    it('sees a syntax error in a fragment (control)', async () => {
        const result = await fragmentRun();
        expect(parseJson(result.stdout).filter((d) => d.file === CONTROL).map((d) => d.code)).toContain('syntax-error');
    }, 120_000);
});

function checkOf(unit: Unit, units: readonly Unit[]): (() => Promise<void>) | undefined {
    switch (unit.kind) {
        case 'unclassified':
        case 'scenario':
            return undefined; // reported by the classification test; scenarios run with the commands naming them
        case 'shell': {
            const runnable = unit.commands.filter((c) => c.args);
            return runnable.length === 0 ? undefined : () => checkShell(unit, units, runnable); // npm and friends only: nothing to run
        }
        case 'model':
            return () => checkModel(unit);
        case 'simulation':
            return () => checkSimulation(unit);
        case 'excerpt':
            return () => checkExcerpt(unit);
        case 'fragment':
        case 'template':
            return () => checkFragment(unit);
        case 'generated-ts':
            return () => checkGeneratedTs(unit);
        case 'user-ts':
            return () => checkUserTs(unit);
    }
}

// The units run concurrently (vitest's maxConcurrency), their CLI processes two at a time (`slot`).
for (const { doc, units } of pages) {
    describe.concurrent(doc, () => {
        for (const unit of units) {
            const check = checkOf(unit, units);
            if (!check) {
                continue;
            }
            const kind = unit.kind === 'model' ? (unit.output ? 'model with diagnostics' : 'clean model') : unit.kind;
            const name = unit.kind === 'shell' ? `${label(unit)}: ${unit.commands.filter((c) => c.args).map((c) => c.text).join('; ')}` : label(unit);
            it(name, () => recorded(where(unit.block), kind, check), 120_000);
        }
    });
}
