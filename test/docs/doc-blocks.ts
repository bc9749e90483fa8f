// Extracts the fenced code blocks of a Markdown page and sorts them into what doc-blocks.test.ts runs: models, their
// diagnostics, scenarios and traces, fragments, syntax templates, shell commands, TypeScript. Pure: text in, data out.
import { kebabCase } from '../../language/generator/identifiers.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { DIAGNOSTIC_LINE, SUMMARY_LINE } from '../cli/cli-helpers.js';

/** One fenced code block of a page. */
export interface Fence {
    /** The page, relative to the repository (`docs/language.md`). */
    readonly doc: string;
    /** 1-based line of the opening fence. */
    readonly line: number;
    /** The info string (`sh`, `ts`, `scenario`, or empty). */
    readonly info: string;
    /** The lines between the fences, without the fence's own indentation. */
    readonly lines: readonly string[];
    /** `<!-- doc-test: … -->` annotations between the previous block and this one: `file=door.fsm` → file: 'door.fsm', `simulate` → simulate: true. */
    readonly annotations: Readonly<Record<string, string | true>>;
    /** Only blank lines and annotations stand between the previous block and this one. */
    readonly followsPrevious: boolean;
    /** The `#` or `##` heading the block stands under (subsections belong to their `##` section). */
    readonly section: string;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const ANNOTATION = /^\s*<!--\s*doc-test:(.*?)-->\s*$/;

/** Every fenced block of `text`, in order. Nested fences are not a thing in these pages: a fence closes at the next fence of its kind. */
export function extractFences(doc: string, text: string): Fence[] {
    const lines = text.split(/\r?\n/);
    const fences: Fence[] = [];
    let between: string[] = [];
    let section = '';
    for (let i = 0; i < lines.length; i++) {
        const open = FENCE.exec(lines[i]!);
        if (!open) {
            section = /^#{1,2} /.test(lines[i]!) ? lines[i]!.replace(/^#+ /, '').trim() : section;
            between.push(lines[i]!);
            continue;
        }
        const [, indent, marker, info] = open;
        const body: string[] = [];
        let j = i + 1;
        const closes = (line: string): boolean => new RegExp(`^ {0,3}${marker![0] === '`' ? '`' : '~'}{${marker!.length},}\\s*$`).test(line);
        while (j < lines.length && !closes(lines[j]!)) {
            const line = lines[j]!;
            const strip = Math.min(indent!.length, line.length - line.trimStart().length);
            body.push(line.slice(strip));
            j++;
        }
        if (j === lines.length) {
            throw new Error(`${doc}:${i + 1}: a code fence that never closes`);
        }
        const annotations: Record<string, string | true> = {};
        for (const line of between) {
            const match = ANNOTATION.exec(line);
            for (const word of match ? match[1]!.trim().split(/\s+/).filter(Boolean) : []) {
                const eq = word.indexOf('=');
                annotations[eq < 0 ? word : word.slice(0, eq)] = eq < 0 ? true : word.slice(eq + 1);
            }
        }
        const followsPrevious = fences.length > 0 && between.every((line) => line.trim() === '' || ANNOTATION.test(line));
        fences.push({ doc, line: i + 1, info: info!.toLowerCase(), lines: body, annotations, followsPrevious, section });
        between = [];
        i = j;
    }
    return fences;
}

/** The annotation keys a page may use; anything else is a typo that would silently change nothing. */
export const ANNOTATION_KEYS = ['file', 'simulate'] as const;

// ---------------------------------------------------------------------------------------------------------------
// What a block is.

/** A piece of a fragment or syntax template, wrapped so that it forms a whole file. */
export interface FragmentPart {
    /** Where the piece sits in a model: a whole file (`machine …`), in a machine, or in a state. */
    readonly level: 'file' | 'machine' | 'state';
    /** The piece as written (placeholders filled in for templates). */
    readonly text: string;
}

/** A command of a shell block. */
export interface Command {
    /** 1-based line in the page. */
    readonly line: number;
    /** The command as written. */
    readonly text: string;
    /** The arguments after `reactor-fsm` / `node bin/reactor-fsm.js`, or undefined for another program (npm, cd, …), which is never run. */
    readonly args: readonly string[] | undefined;
    /** The output the page shows after a `$ ` command line (undefined: none shown). */
    readonly expected: readonly string[] | undefined;
}

export type Unit =
    /** A whole model: checked alone under `file` (`named`: a name the page gives, not the kebab-case machine name); `output` (if any) is compared with what `check` prints. */
    | { readonly kind: 'model'; readonly block: Fence; readonly file: string; readonly named: boolean; readonly output: Fence | undefined }
    /** A model, a scenario and the trace `simulate` prints. `command` is the `$ reactor-fsm simulate …` line opening the output, if shown. */
    | { readonly kind: 'simulation'; readonly block: Fence; readonly file: string; readonly named: boolean; readonly scenario: Fence; readonly output: Fence; readonly command: readonly string[] | undefined; readonly expected: readonly string[] }
    /** A scenario named by `file=` and run by a `reactor-fsm simulate … --script NAME` command of the page. */
    | { readonly kind: 'scenario'; readonly block: Fence; readonly file: string }
    /** A model abridged with `…` lines: every other line occurs, in order, in the example that declares `machine`. */
    | { readonly kind: 'excerpt'; readonly block: Fence; readonly machine: string }
    /** Text that is valid inside a machine or a state (or a template with its placeholders filled in): each part must parse. */
    | { readonly kind: 'fragment' | 'template'; readonly block: Fence; readonly parts: readonly FragmentPart[] }
    /** Shell commands: the reactor-fsm ones run, their output compared where shown. */
    | { readonly kind: 'shell'; readonly block: Fence; readonly commands: readonly Command[] }
    /** TypeScript the generator writes: must occur in the generated project of the example declaring `machine`. */
    | { readonly kind: 'generated-ts'; readonly block: Fence; readonly machine: string }
    /**
     * A file of the user's for the project generated from the example of `module` (`echo-client`): a whole actions file
     * (`src/echo-client.actions.ts`, replacing the stubs), or a file that says where it goes in its first line
     * (`// src/app.ts: …`). The project with it must type-check.
     */
    | { readonly kind: 'user-ts'; readonly block: Fence; readonly module: string; readonly file: string }
    | { readonly kind: 'unclassified'; readonly block: Fence; readonly reason: string };

export type UnitKind = Unit['kind'];

/** What the examples folder declares: file name → machine names. */
export type ExampleMachines = ReadonlyMap<string, readonly string[]>;

/** Placeholders of syntax templates (`on EVENT [GUARD] -> TARGET`) and what stands in for them when the template is parsed. */
export const PLACEHOLDERS: Readonly<Record<string, string>> = {
    NAME: 'n',
    EVENT: 'E',
    GUARD: 'g',
    TARGET: 'T',
    ACTION: 'a',
    DURATION: '1s',
    SOCKET: 's',
    MACHINE: 'M',
    ADDRESS: '127.0.0.1:1',
    MEMBERS: ''
};
const PLACEHOLDER = new RegExp(`\\b(${Object.keys(PLACEHOLDERS).join('|')})\\b`, 'g');

const MACHINE_LEVEL = new Set(['events', 'initial', 'final', 'state', 'client', 'server', 'connection', 'signal']);
const STATE_LEVEL = new Set(['on', 'after', 'entry', 'exit']);
const SHELL_INFO = new Set(['sh', 'bash', 'shell', 'console']);
const TS_INFO = new Set(['ts', 'typescript']);
/** Programs a shell block may show besides reactor-fsm; they are not run (they build, install or change folders). */
export const OTHER_PROGRAMS = new Set(['npm', 'npx', 'cd', 'code', 'git']);

/** The lines of a model or fragment without comments, blank lines dropped (`/* … *\/` across lines included). */
function codeLines(lines: readonly string[]): string[] {
    const text = lines.join('\n').replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
    return text
        .split('\n')
        .map((line) => line.replace(/\/\/.*$/, '').trimEnd())
        .filter((line) => line.trim() !== '');
}

function firstWord(lines: readonly string[]): string | undefined {
    return codeLines(lines)[0]?.trim().split(/[\s{]/)[0];
}

const isEllipsisLine = (line: string): boolean => line.trim() === '…';

/** A block whose every line is a diagnostic or the summary line of `check`. */
function isDiagnosticsOutput(fence: Fence): boolean {
    const lines = fence.lines.filter((line) => line.trim() !== '');
    return fence.info === '' && lines.length > 0 && lines.every((line) => DIAGNOSTIC_LINE.test(line) || SUMMARY_LINE.test(line));
}

function withoutHashComment(line: string): string {
    return line.replace(/(^|\s)#(?=(?:[^"]*"[^"]*")*[^"]*$).*$/, '').trim();
}

function isScenario(fence: Fence): boolean {
    if (fence.info === 'scenario' || fence.annotations.simulate === true) {
        return true;
    }
    // An unmarked block is a scenario when the scenario parser takes every line of it.
    if (fence.info !== '') {
        return false;
    }
    try {
        return parseScenario(fence.lines.join('\n')).length > 0;
    } catch {
        return false;
    }
}

/** The machine name a model block declares first. */
function machineName(fence: Fence): string | undefined {
    const first = codeLines(fence.lines)[0]?.trim();
    return first ? /^machine\s+([_a-zA-Z][_a-zA-Z0-9]*)/.exec(first)?.[1] : undefined;
}

/** Splits a fragment at its `…` lines, fills `{ … }` bodies with nothing, and places each part by its first word. */
function fragmentParts(lines: readonly string[], template: boolean): FragmentPart[] | string {
    const parts: string[][] = [[]];
    for (const line of lines) {
        if (isEllipsisLine(line)) {
            parts.push([]);
        } else {
            let text = line.replace(/\{\s*…\s*\}/g, '{ }');
            if (template) {
                text = text.replace(/…[^…]*…/g, '').replace(PLACEHOLDER, (word) => PLACEHOLDERS[word]!);
            }
            if (text.includes('…')) {
                return `a '…' that is neither a line of its own nor a '{ … }' body: ${line.trim()}`;
            }
            parts.at(-1)!.push(text);
        }
    }
    const placed: FragmentPart[] = [];
    for (const part of parts.filter((p) => codeLines(p).length > 0)) {
        const word = firstWord(part)!;
        const level = word === 'machine' ? 'file' : MACHINE_LEVEL.has(word) ? 'machine' : STATE_LEVEL.has(word) ? 'state' : undefined;
        if (!level) {
            return `a fragment starting with '${word}', which is not a keyword that opens a machine, a machine member or a state member`;
        }
        placed.push({ level, text: part.join('\n') });
    }
    return placed.length > 0 ? placed : 'an empty block';
}

/** A fragment part as a whole file, with its own machine name so that files checked together do not clash. */
export function wrapFragment(part: FragmentPart, id: string): string {
    switch (part.level) {
        case 'file':
            return `${part.text}\n`;
        case 'machine':
            return `machine ${id} {\n${part.text}\n}\n`;
        case 'state':
            return `machine ${id} {\n    initial state ${id}State {\n${part.text}\n    }\n}\n`;
    }
}

/** Splits a shell block into commands; in a block with `$ ` lines, the lines after a command are its output. */
function shellCommands(fence: Fence): Command[] | string {
    const prompted = fence.lines.some((line) => line.startsWith('$ '));
    const commands: Array<{ line: number; text: string; output: string[] }> = [];
    for (const [index, line] of fence.lines.entries()) {
        const lineNumber = fence.line + 1 + index;
        if (prompted) {
            if (line.startsWith('$ ')) {
                commands.push({ line: lineNumber, text: line.slice(2).trim(), output: [] });
            } else if (commands.length === 0) {
                if (line.trim() !== '') {
                    return `output before the first '$ ' command: ${line}`;
                }
            } else {
                commands.at(-1)!.output.push(line);
            }
        } else if (withoutHashComment(line) !== '') {
            commands.push({ line: lineNumber, text: withoutHashComment(line), output: [] });
        }
    }
    const result: Command[] = [];
    for (const { line, text, output } of commands) {
        // `a && b`: each part is a command of its own; reactor-fsm ones run, in order, in the same folder.
        for (const part of text.split('&&').map((p) => p.trim())) {
            const words = part.split(/\s+/);
            const args = words[0] === 'reactor-fsm' ? words.slice(1) : words[0] === 'node' && words[1] === 'bin/reactor-fsm.js' ? words.slice(2) : undefined;
            if (!args && !OTHER_PROGRAMS.has(words[0]!)) {
                return `a command of an unknown program: ${part}`;
            }
            if (args && args.some((arg) => /["'`$|<>;*]/.test(arg))) {
                return `a reactor-fsm command with quoting, pipes or redirections, which this test does not run: ${part}`;
            }
            result.push({ line, text: part, args, expected: undefined });
        }
        if (prompted) {
            while (output.length > 0 && output.at(-1)!.trim() === '') {
                output.pop();
            }
            const last = result.at(-1)!;
            result[result.length - 1] = { ...last, expected: output };
        }
    }
    return result;
}

/** The example file declaring `machine`, or why there is not exactly one. */
export function exampleOf(machine: string, examples: ExampleMachines): string | undefined {
    const files = [...examples].filter(([, machines]) => machines.includes(machine)).map(([file]) => file);
    return files.length === 1 ? files[0] : undefined;
}

/** Sorts the blocks of one page into units; a block that fits no rule becomes an `unclassified` unit (the test fails on it). */
export function classify(fences: readonly Fence[], examples: ExampleMachines): Unit[] {
    const units: Unit[] = [];
    const followed = (i: number): Fence | undefined => (fences[i + 1]?.followsPrevious ? fences[i + 1] : undefined);
    for (let i = 0; i < fences.length; i++) {
        const block = fences[i]!;
        const unknown = Object.keys(block.annotations).filter((key) => !(ANNOTATION_KEYS as readonly string[]).includes(key));
        if (unknown.length > 0) {
            units.push({ kind: 'unclassified', block, reason: `unknown doc-test annotation ${unknown.join(', ')}` });
            continue;
        }
        const first = firstWord(block.lines);
        const isTemplate = block.lines.some((line) => new RegExp(PLACEHOLDER.source).test(line));
        const hasEllipsis = block.lines.some((line) => line.includes('…'));
        if (TS_INFO.has(block.info)) {
            const text = block.lines.join('\n');
            const module = /from '\.\/([a-z0-9-]+)\.events\.js'/.exec(text)?.[1];
            if (module && /export const \w+: \w+Actions\b/.test(text)) {
                units.push({ kind: 'user-ts', block, module, file: `src/${module}.actions.ts` });
                continue;
            }
            const ownFile = /^\/\/ (src\/[a-z0-9-]+\.ts):/.exec(block.lines[0] ?? '')?.[1];
            const imported = /from '\.\/([a-z0-9-]+)\.(?:machine|actions|dispatchers|events)\.js'/.exec(text)?.[1];
            if (ownFile && imported) {
                units.push({ kind: 'user-ts', block, module: imported, file: ownFile });
                continue;
            }
            const machines = [...new Set([...examples.values()].flat().filter((m) => new RegExp(`\\b${m}(Machine|Event|State|Actions)\\b`).test(text)))];
            const files = new Set(machines.map((m) => exampleOf(m, examples)));
            if (machines.length === 0 || files.size !== 1 || files.has(undefined)) {
                units.push({ kind: 'unclassified', block, reason: `TypeScript naming ${machines.length === 0 ? 'no machine of examples/' : `machines of several examples (${machines.join(', ')})`}` });
            } else {
                units.push({ kind: 'generated-ts', block, machine: machines[0]! });
            }
        } else if (SHELL_INFO.has(block.info) || (block.info === '' && /^(\$ |reactor-fsm |node bin\/reactor-fsm\.js )/.test(block.lines.find((l) => l.trim() !== '') ?? ''))) {
            const commands = shellCommands(block);
            units.push(typeof commands === 'string' ? { kind: 'unclassified', block, reason: commands } : { kind: 'shell', block, commands });
        } else if (block.info === 'scenario' || block.annotations.simulate === true) {
            // A scenario that does not sit between a model and its trace: a shell command of the page runs it by name.
            const file = block.annotations.file;
            units.push(typeof file === 'string' ? { kind: 'scenario', block, file } : { kind: 'unclassified', block, reason: 'a scenario that follows no model and has no file= name for a simulate command' });
        } else if (block.info !== '' && block.info !== 'fsm') {
            units.push({ kind: 'unclassified', block, reason: `info string '${block.info}'` });
        } else if (isDiagnosticsOutput(block)) {
            units.push({ kind: 'unclassified', block, reason: 'diagnostics that follow no model' });
        } else if (isTemplate) {
            const parts = fragmentParts(block.lines, true);
            units.push(typeof parts === 'string' ? { kind: 'unclassified', block, reason: parts } : { kind: 'template', block, parts });
        } else if (first === 'machine' && hasEllipsis) {
            const machine = machineName(block)!;
            units.push(exampleOf(machine, examples) ? { kind: 'excerpt', block, machine } : { kind: 'unclassified', block, reason: `a model abridged with '…' whose machine ${machine} no single example declares` });
        } else if (first === 'machine') {
            const next = followed(i);
            const afterNext = next ? followed(i + 1) : undefined;
            const named = block.annotations.file;
            const marked = fences[i + 1] && (fences[i + 1]!.info === 'scenario' || fences[i + 1]!.annotations.simulate === true) ? fences[i + 2] : undefined;
            if (marked || (next && afterNext && isScenario(next))) {
                // A marked scenario may be introduced by prose ("with this scenario:"), and its trace too ("prints:").
                const [scenario, trace] = marked ? [fences[i + 1]!, marked] : [next!, afterNext!];
                const command = trace.lines[0]?.startsWith('$ ') ? trace.lines[0].slice(2).trim().split(/\s+/) : undefined;
                const expected = command ? trace.lines.slice(1) : trace.lines;
                const fromCommand = command?.find((arg) => arg.endsWith('.fsm'));
                const file = typeof named === 'string' ? named : fromCommand ?? `${kebabCase(machineName(block)!)}.fsm`;
                units.push({ kind: 'simulation', block, file, named: typeof named === 'string' || fromCommand !== undefined, scenario, output: trace, command, expected });
                i += 2;
            } else if (next && isDiagnosticsOutput(next)) {
                const files = new Set(next.lines.map((line) => DIAGNOSTIC_LINE.exec(line)?.[1]).filter((f): f is string => f !== undefined));
                const file = files.size === 1 ? [...files][0]! : typeof named === 'string' ? named : `${kebabCase(machineName(block)!)}.fsm`;
                if (files.size > 1 || (typeof named === 'string' && named !== file)) {
                    units.push({ kind: 'unclassified', block: next, reason: `diagnostics naming several files: ${[...files, named].join(', ')}` });
                } else {
                    units.push({ kind: 'model', block, file, named: files.size === 1 || typeof named === 'string', output: next });
                }
                i += 1;
            } else {
                units.push({ kind: 'model', block, file: typeof named === 'string' ? named : `${kebabCase(machineName(block)!)}.fsm`, named: typeof named === 'string', output: undefined });
            }
        } else if (first !== undefined && (MACHINE_LEVEL.has(first) || STATE_LEVEL.has(first))) {
            const parts = fragmentParts(block.lines, false);
            units.push(typeof parts === 'string' ? { kind: 'unclassified', block, reason: parts } : { kind: 'fragment', block, parts });
        } else {
            units.push({ kind: 'unclassified', block, reason: `a block starting with '${block.lines.find((l) => l.trim() !== '') ?? ''}'` });
        }
    }
    return units;
}

/** The files a reactor-fsm command names, resolved against the page: `examples…`, a model of the page, a scenario of the page. */
export interface CommandFiles {
    /** The command reads examples/ (copied into its folder). */
    readonly examples: boolean;
    /** File name → content, for models and scenarios of the page. */
    readonly files: Readonly<Record<string, string>>;
}

/**
 * What a command needs, or why it cannot run: `X.fsm` is the model of the page named X.fsm (by its diagnostics, a
 * `file=` annotation or a simulate command), else the one whose first machine is X in kebab case (door.fsm is
 * `machine Door`), looked for in the command's own section first, then in the whole page; exactly one must fit;
 * `--script NAME` is a scenario of the page named by `file=NAME`; `examples`, `examples/…` are the repository's.
 */
export function commandFiles(args: readonly string[], units: readonly Unit[], section?: string, written: readonly string[] = []): CommandFiles | string {
    let examples = false;
    const files: Record<string, string> = {};
    for (const [index, arg] of args.entries()) {
        const option = args[index - 1];
        if (option === '-o' || option === '--out' || option === '--svg' || option === '--mermaid') {
            continue;
        }
        if (arg === 'examples' || arg.startsWith('examples/')) {
            examples = true;
        } else if (option === '--script' && written.some((folder) => arg.startsWith(`${folder.replace(/\/$/, '')}/`))) {
            // A scenario an earlier command of the block wrote (`explore … --out traces`): the run makes it.
            continue;
        } else if (option === '--script') {
            const scenarios = units.filter((u) => (u.kind === 'scenario' && u.file === arg) || (u.kind === 'simulation' && u.scenario.annotations.file === arg));
            if (scenarios.length !== 1) {
                return `no single scenario of the page is named ${arg} (doc-test: file=${arg})`;
            }
            const scenario = scenarios[0]!;
            files[arg] = `${(scenario.kind === 'scenario' ? scenario.block : (scenario as { scenario: Fence }).scenario).lines.join('\n')}\n`;
        } else if (arg.endsWith('.fsm')) {
            const all = units.filter((u): u is Extract<Unit, { kind: 'model' | 'simulation' }> => u.kind === 'model' || u.kind === 'simulation');
            const local = all.filter((u) => u.block.section === section);
            const fits = [
                (u: (typeof all)[number]): boolean => u.named && u.file === arg,
                (u: (typeof all)[number]): boolean => `${kebabCase(machineName(u.block) ?? '')}.fsm` === arg
            ];
            // The command's own section first, then the page; a name the page gives before a machine's kebab-case name.
            const tiers = [...fits.map((fit) => local.filter(fit)), ...fits.map((fit) => all.filter(fit))];
            const models = tiers.find((tier) => tier.length > 0) ?? [];
            if (models.length !== 1) {
                return models.length === 0
                    ? `no model of the page is named ${arg}`
                    : `${arg} could be any of ${models.length} models of the page: ${models.map((u) => `line ${u.block.line} (machine ${machineName(u.block)})`).join(', ')}`;
            }
            files[arg] = `${models[0]!.block.lines.join('\n')}\n`;
        }
    }
    return { examples, files };
}

/**
 * What each command of a shell block needs (commandFiles), in order; undefined for a program that is not run. A
 * command's `--out DIR` folder is there for the commands after it in the block (they run in the same folder).
 */
export function shellNeeds(commands: readonly Command[], units: readonly Unit[], section?: string): Array<CommandFiles | string | undefined> {
    const written: string[] = [];
    return commands.map((command) => {
        if (!command.args) {
            return undefined;
        }
        const need = commandFiles(command.args, units, section, written);
        const out = command.args.indexOf('--out');
        if (out >= 0 && command.args[out + 1] !== undefined) {
            written.push(command.args[out + 1]!);
        }
        return need;
    });
}

/**
 * Whether the printed lines are the shown ones: equal, except that a `…` in a shown line stands for any text
 * (what varies from run to run: a time, a rate, bytes per state). A shown line without `…` must be printed exactly.
 */
export function outputMatches(printed: readonly string[], shown: readonly string[]): boolean {
    return printed.length === shown.length && shown.every((line, index) => line === printed[index] || (line.includes('…') && wildcard(line).test(printed[index]!)));
}

function wildcard(line: string): RegExp {
    return new RegExp(`^${line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`);
}

/** TypeScript without comments and white space, for "occurs in the generated code" (strings are kept as they are). */
export function normalizeTs(text: string): string {
    let out = '';
    for (let i = 0; i < text.length; i++) {
        const char = text[i]!;
        if (char === '"' || char === "'" || char === '`') {
            let j = i + 1;
            while (j < text.length && text[j] !== char) {
                j += text[j] === '\\' ? 2 : 1;
            }
            out += text.slice(i, j + 1);
            i = j;
        } else if (char === '/' && text[i + 1] === '/') {
            while (i < text.length && text[i] !== '\n') {
                i++;
            }
        } else if (char === '/' && text[i + 1] === '*') {
            const end = text.indexOf('*/', i + 2);
            i = end < 0 ? text.length : end + 1;
        } else if (!/\s/.test(char)) {
            out += char;
        }
    }
    return out;
}

/** The lines of `source` from the one starting like `firstLine` to its closing brace at the same indentation (for failure messages). */
export function sameMember(source: string, firstLine: string): string | undefined {
    const lines = source.split('\n');
    const head = firstLine.trim();
    const start = lines.findIndex((line) => line.trim() === head);
    if (start < 0) {
        return undefined;
    }
    const indent = lines[start]!.length - lines[start]!.trimStart().length;
    const end = lines.findIndex((line, i) => i > start && line.trim() !== '' && line.length - line.trimStart().length === indent);
    return lines.slice(start, end < 0 ? undefined : end + 1).join('\n');
}

/** The lines of `excerpt` (a model abridged with `…`) that do not occur, in order, among the trimmed lines of `source`. */
export function missingExcerptLines(excerpt: readonly string[], source: string): string[] {
    const sourceLines = source.split('\n').map((line) => line.trim());
    const missing: string[] = [];
    let at = 0;
    for (const raw of excerpt) {
        const line = raw.trim();
        if (line === '' || line === '…') {
            continue;
        }
        // `state Online { … }` stands for the state's line with its body left out.
        const prefix = line.includes('…') ? line.slice(0, line.indexOf('…')).replace(/\{\s*$/, '').trim() : undefined;
        const found = sourceLines.findIndex((candidate, i) => i >= at && (prefix === undefined ? candidate === line : candidate.startsWith(prefix)));
        if (found < 0) {
            missing.push(raw);
        } else {
            at = found + 1;
        }
    }
    return missing;
}
