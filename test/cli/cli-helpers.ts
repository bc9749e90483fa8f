// Helpers for the CLI tests: run the built `reactor-fsm` command as a child process, make temporary folders,
// parse its text and JSON output, and locate text in fixtures (1-based lines and columns, as the CLI reports them).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ReportedDiagnostic } from '../../language/cli/check.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin', 'reactor-fsm.js');
export const BUNDLE = path.join(ROOT, 'out', 'cli.cjs');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'cli');
export const EXAMPLES = path.join(ROOT, 'examples');

export interface CliResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** How long the run took. */
    ms: number;
    /** Killed after `timeoutMs`. */
    timedOut: boolean;
}

/** Whom to run the CLI as (for the permission tests, which cannot use root). */
export interface Identity {
    uid?: number;
    gid?: number;
}

/** How to run the CLI: as whom, with which options to node, killed (by its pid) after how long. */
export interface RunOptions extends Identity {
    nodeArgs?: readonly string[];
    timeoutMs?: number;
    /** Written to the command's standard input, which is then closed (no input: standard input is ignored). */
    input?: string;
}

/** Runs `node [nodeArgs] bin/reactor-fsm.js …args` in `cwd` and collects everything it prints. */
export function runCli(args: readonly string[], cwd: string, { uid, gid, nodeArgs = [], timeoutMs, input }: RunOptions = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { cwd, uid, gid, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
        child.stdin?.end(input);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let timedOut = false;
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeoutMs);
        child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
        child.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - started, timedOut });
        });
    });
}

/** The text of a fixture under test/fixtures/cli. */
export function fixture(name: string): string {
    return readFileSync(path.join(FIXTURES, name), 'utf8');
}

const temporaryFolders: string[] = [];

/** A fresh folder under the system temp folder holding `files` (relative paths; folders are created as needed). */
export async function tempFolder(files: Record<string, string | Buffer> = {}): Promise<string> {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'reactor-fsm-cli-'));
    temporaryFolders.push(folder);
    // mkdtemp makes the folder private; the permission tests run the CLI as another user, who must get in.
    await chmod(folder, 0o755);
    for (const [name, content] of Object.entries(files)) {
        const full = path.join(folder, name);
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, content);
    }
    return folder;
}

/** Removes every folder `tempFolder` made (call in afterEach). */
export async function removeTempFolders(): Promise<void> {
    for (const folder of temporaryFolders.splice(0)) {
        await rm(folder, { recursive: true, force: true });
    }
}

/** One diagnostic as the CLI reports it (its --json fields are checked one by one in parseJson). */
export type Reported = ReportedDiagnostic;

export interface TextDiagnostic {
    raw: string;
    file: string;
    line: number;
    column: number;
    severity: string;
    code: string;
    message: string;
}

export interface Summary {
    files: number;
    errors: number;
    warnings: number;
    infos: number;
}

export const DIAGNOSTIC_LINE = /^(.+):(\d+):(\d+) (error|warning|info|hint) ([a-z][a-z0-9-]*) (\S.*)$/;
export const SUMMARY_LINE = /^(\d+) files? checked: (\d+) errors?, (\d+) warnings?, (\d+) infos?$/;

/** Splits text output into diagnostic lines, other lines (such as --summary ones) and the final summary line. */
export function parseText(stdout: string): { diagnostics: TextDiagnostic[]; others: string[]; summary: Summary } {
    expect(stdout.endsWith('\n'), `output ends with a newline: ${JSON.stringify(stdout)}`).toBe(true);
    const lines = stdout.slice(0, -1).split('\n');
    const last = lines.pop()!;
    const summaryMatch = SUMMARY_LINE.exec(last);
    expect(summaryMatch, `the last line is the summary line, got ${JSON.stringify(last)}`).not.toBeNull();
    const [, files, errors, warnings, infos] = summaryMatch!;
    const diagnostics: TextDiagnostic[] = [];
    const others: string[] = [];
    for (const line of lines) {
        expect(SUMMARY_LINE.test(line), `only one summary line: ${line}`).toBe(false);
        const match = DIAGNOSTIC_LINE.exec(line);
        if (match) {
            const [raw, file, l, c, severity, code, message] = match;
            diagnostics.push({ raw: raw!, file: file!, line: Number(l), column: Number(c), severity: severity!, code: code!, message: message! });
        } else {
            others.push(line);
        }
    }
    return { diagnostics, others, summary: { files: Number(files), errors: Number(errors), warnings: Number(warnings), infos: Number(infos) } };
}

const FIELDS = ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity'];

/** Parses --json output: the whole of stdout must be one JSON array of diagnostics with exactly the specified fields. */
export function parseJson(stdout: string): Reported[] {
    let value: unknown;
    expect(() => {
        value = JSON.parse(stdout);
    }, `stdout is JSON and nothing else: ${stdout.slice(0, 200)}`).not.toThrow();
    expect(Array.isArray(value), 'stdout is a JSON array').toBe(true);
    for (const item of value as Record<string, unknown>[]) {
        expect(Object.keys(item).sort()).toEqual(FIELDS);
        expect(typeof item.file).toBe('string');
        expect((item.file as string).length).toBeGreaterThan(0);
        for (const key of ['line', 'column', 'endLine', 'endColumn']) {
            expect(Number.isInteger(item[key]), `${key} is an integer in ${JSON.stringify(item)}`).toBe(true);
            expect(item[key] as number, `${key} is 1-based in ${JSON.stringify(item)}`).toBeGreaterThanOrEqual(1);
        }
        const start = [item.line as number, item.column as number];
        const end = [item.endLine as number, item.endColumn as number];
        expect(end[0]! > start[0]! || (end[0] === start[0] && end[1]! >= start[1]!), `the range ends after it starts: ${JSON.stringify(item)}`).toBe(true);
        expect(['error', 'warning', 'info', 'hint']).toContain(item.severity);
        expect(item.code).toMatch(/^[a-z][a-z0-9-]*$/);
        expect(typeof item.message).toBe('string');
        expect((item.message as string).trim().length).toBeGreaterThan(0);
    }
    return value as Reported[];
}

/** The 1-based line and column of `word` inside the one place `context` occurs in `text`. */
export function positionOf(text: string, context: string, word: string = context): { line: number; column: number } {
    const at = text.indexOf(context);
    expect(at, `'${context}' occurs in the fixture`).toBeGreaterThanOrEqual(0);
    expect(text.lastIndexOf(context), `'${context}' occurs once in the fixture`).toBe(at);
    const within = context.indexOf(word);
    expect(within, `'${word}' occurs in '${context}'`).toBeGreaterThanOrEqual(0);
    const offset = at + within;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return { line, column };
}

/** The text between two 1-based (line, column) positions, the end one exclusive. */
export function coveredText(text: string, d: Pick<Reported, 'line' | 'column' | 'endLine' | 'endColumn'>): string {
    const lines = text.split('\n');
    const offset = (line: number, column: number): number =>
        lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + column - 1;
    return text.slice(offset(d.line, d.column), offset(d.endLine, d.endColumn));
}

/** Asserts a failed run: exit 2, nothing on stdout, exactly one line on stderr that mentions `mentions`, no stack trace. */
export function expectInputError(result: CliResult, ...mentions: string[]): void {
    const context = JSON.stringify(result);
    expect(result.code, context).toBe(2);
    expect(result.stdout, context).toBe('');
    expect(result.stderr.endsWith('\n'), context).toBe(true);
    const lines = result.stderr.slice(0, -1).split('\n');
    expect(lines, context).toHaveLength(1);
    expect(lines[0]!.trim().length, context).toBeGreaterThan(0);
    for (const mention of mentions) {
        expect(lines[0], context).toContain(mention);
    }
    expect(result.stderr, context).not.toContain('    at ');
    expect(result.stderr, context).not.toMatch(/internal error|TypeError|ReferenceError|RangeError/);
}

/** Whether the user the CLI runs as (root drops to nobody) is refused reading `target`: an identity to use, or why not. */
export function identityRefused(target: string, kind: 'file' | 'folder'): Identity | string {
    const isRoot = process.getuid?.() === 0;
    const identity: Identity = isRoot ? { uid: 65534, gid: 65534 } : {};
    const who = isRoot ? 'uid 65534 (nobody)' : 'this user';
    const read = kind === 'file' ? 'require("fs").readFileSync(process.argv[1])' : 'require("fs").readdirSync(process.argv[1])';
    const probe = spawnSync(process.execPath, ['-e', read, target], { ...identity, encoding: 'utf8' });
    if (probe.error) {
        return `cannot run a process as ${who}: ${probe.error.message}`;
    }
    if (probe.status === 0) {
        return `chmod 000 does not stop ${who} from reading (privileged user)`;
    }
    if (!/EACCES|EPERM/.test(probe.stderr)) {
        return `probe as ${who} failed for another reason: ${probe.stderr.split('\n').find((l) => l.includes('Error')) ?? probe.stderr}`;
    }
    return identity;
}
