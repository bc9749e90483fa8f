// Helpers for running whole generated programs: generate with the CLI (hand-written actions copied in first, so
// `generate` keeps them) or in this process, compile with the project's own tsc settings, and run
// `node dist/main.js --trace` (or other options) as a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeGeneratedFiles } from '../../language/generator/write-files.js';
import { programOf } from '../../language/semantics/program.js';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { compileProject } from '../generator/compile-project.js';
import { generateFrom } from '../generator/generate-helpers.js';
import { validate } from '../helpers.js';
import { Changes, within, type Cleanup } from './runtime-helpers.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'runtime');
const CLI = path.join(ROOT, 'bin', 'reactor-fsm.js');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Finished {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** Runs a command to its end (bounded), collecting what it prints. */
export function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Finished> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
        }, timeoutMs);
        child.on('error', reject);
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
        });
    });
}

const projects: string[] = [];

/**
 * Generates `model` into a fresh temporary project, with `actions` (fixture file → name under src/) copied in
 * before generating, checks that generate kept them, and compiles the project. Resolves with the project folder.
 */
export async function buildProgram(model: string, actions: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reactor-fsm-runtime-'));
    projects.push(dir);
    await mkdir(path.join(dir, 'src'), { recursive: true });
    for (const [fixture, name] of Object.entries(actions)) {
        await copyFile(path.join(FIXTURES, fixture), path.join(dir, 'src', name));
    }
    const generated = await run(process.execPath, [CLI, 'generate', model, '-o', dir], ROOT, 30_000);
    if (generated.code !== 0) {
        throw new Error(`generate ${model} failed (${generated.code}): ${generated.stdout}${generated.stderr}`);
    }
    for (const name of Object.values(actions)) {
        if (!new RegExp(`kept\\s+src/${name.replace(/\./g, '\\.')}`).test(generated.stdout)) {
            throw new Error(`generate did not keep src/${name}:\n${generated.stdout}`);
        }
    }
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const compiled = await run(process.execPath, [TSC, '-p', dir], dir, 60_000);
    if (compiled.code !== 0) {
        throw new Error(`tsc -p ${dir} failed:\n${compiled.stdout}${compiled.stderr}`);
    }
    return dir;
}

/**
 * Generates the project of `model` (model text) in this process into a fresh temporary folder, with the actions files
 * given as `{ 'name.actions.ts': source }` in place of the generated stubs, and compiles it with its own strict
 * tsconfig into dist/. Resolves with the project folder; throws with the compiler's messages when it does not compile.
 */
export async function buildProgramFrom(model: string, actions: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reactor-fsm-program-'));
    projects.push(dir);
    const files = await generateFrom(model);
    for (const name of Object.keys(actions)) {
        if (!files.some((file) => file.path === `src/${name}`)) {
            throw new Error(`the project has no src/${name}: ${files.map((file) => file.path).join(', ')}`);
        }
    }
    await writeGeneratedFiles(dir, files.map((file) => (file.path.slice('src/'.length) in actions ? { ...file, content: actions[file.path.slice('src/'.length)]! } : file)));
    const errors = compileProject(dir, { emit: true });
    if (errors.length > 0) {
        throw new Error(`the generated project does not compile:\n${errors.join('\n')}`);
    }
    return dir;
}

/** Writes one more file into a built project's src/ (compile it again with compileProject). */
export async function addSource(dir: string, name: string, content: string): Promise<void> {
    await writeFile(path.join(dir, 'src', name), content, 'utf8');
}

/** Removes every project buildProgram made (call in afterAll). */
export async function removePrograms(): Promise<void> {
    for (const dir of projects.splice(0)) {
        await rm(dir, { recursive: true, force: true });
    }
}

/** A running child process whose output is collected line by line and can be awaited. */
export class Program {
    readonly child: ChildProcess;
    readonly lines: string[] = [];
    stderr = '';
    /** Resolves when the process has exited, with when (performance.now()). */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
    private partial = '';
    private readonly changes = new Changes();

    /** `ownGroup`: the program leads a process group of its own, so a test can signal the group as a terminal does. */
    constructor(command: string, args: readonly string[], cwd: string, env: Record<string, string>, cleanup: Cleanup, stdin: 'ignore' | 'pipe' = 'ignore', ownGroup = false) {
        this.child = cleanup.child(spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: [stdin, 'pipe', 'pipe'], detached: ownGroup }));
        this.child.stdout!.setEncoding('utf8');
        this.child.stdout!.on('data', (text: string) => {
            const parts = (this.partial + text).split('\n');
            this.partial = parts.pop()!;
            this.lines.push(...parts);
            this.changes.notify();
        });
        this.child.stderr!.setEncoding('utf8');
        this.child.stderr!.on('data', (text: string) => {
            this.stderr += text;
            this.changes.notify();
        });
        this.exited = new Promise((resolve) => {
            this.child.once('close', (code, signal) => {
                if (this.partial !== '') {
                    this.lines.push(this.partial);
                    this.partial = '';
                }
                this.changes.notify();
                resolve({ code, signal, at: performance.now() });
            });
        });
    }

    /** Resolves with the match of the first output line matching `pattern`; rejects after `timeoutMs` or if the process ends first. */
    line(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
        return this.until(() => {
            for (const line of this.lines) {
                const match = pattern.exec(line);
                if (match) {
                    return match;
                }
            }
            return undefined;
        }, timeoutMs, `a line matching ${pattern}`);
    }

    /** Resolves once `condition` holds on the output lines (checked after every chunk of output). */
    until<T>(condition: (lines: string[]) => T | undefined, timeoutMs: number, what: string): Promise<T> {
        return this.changes.wait(
            () => {
                const value = condition(this.lines);
                if (value === undefined && (this.child.exitCode !== null || this.child.signalCode !== null)) {
                    throw new Error(`the program ended (${this.child.exitCode ?? this.child.signalCode}) before ${what}:\n${this.output}`);
                }
                return value;
            },
            timeoutMs,
            () => `timed out after ${timeoutMs} ms waiting for ${what}:\n${this.output}`
        );
    }

    /** Resolves once `condition` holds on the lines of stderr. */
    untilStderr<T>(condition: (lines: string[]) => T | undefined, timeoutMs: number, what: string): Promise<T> {
        return this.until(() => condition(this.stderrLines), timeoutMs, what);
    }

    /** The complete lines written to stderr so far. */
    get stderrLines(): string[] {
        const lines = this.stderr.split('\n');
        lines.pop();
        return lines;
    }

    /** The `--trace=json` lines on stderr so far, parsed (other stderr lines, such as warnings, are left out). */
    get jsonTrace(): TraceLine[] {
        return this.stderrLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as TraceLine);
    }

    /** The `--trace` text lines on stdout so far, without their time column (`EchoClient  Connecting --Connected--> Online`). */
    get textTrace(): string[] {
        return this.lines.filter((line) => TEXT_TRACE_TIME.test(line)).map((line) => line.replace(TEXT_TRACE_TIME, ''));
    }

    /** Writes a line to the program's stdin (started with stdin 'pipe'), such as `advance 1000` for --clock=manual. */
    send(line: string): void {
        this.child.stdin!.write(`${line}\n`);
    }

    /** Everything printed so far (the last lines), for failure messages. */
    get output(): string {
        return `stdout (last 40 lines):\n${this.lines.slice(-40).join('\n')}\nstderr:\n${this.stderr.slice(-2_000)}`;
    }

    /** Waits for the exit, bounded. */
    exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
        return within(this.exited, timeoutMs, `the program to exit\n${this.output}`);
    }
}

/** The time column of a `--trace` text line: `    12 ms  `. */
const TEXT_TRACE_TIME = /^ *\d+ ms {2}/;

/** Runs `node dist/main.js --trace` in a generated project (`args` replace `--trace`; `stdin: 'pipe'` for `send`). */
export function startProgram(
    dir: string,
    env: Record<string, string>,
    cleanup: Cleanup,
    prefix: readonly string[] = [],
    options: { args?: readonly string[]; stdin?: 'ignore' | 'pipe' } = {}
): Program {
    const [command, ...args] = [...prefix, process.execPath, path.join(dir, 'dist', 'main.js'), ...(options.args ?? ['--trace'])];
    return new Program(command!, args, dir, env, cleanup, options.stdin);
}

/** Whether a command is on the PATH. */
export function hasCommand(name: string): boolean {
    return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** What the interpreter (language/semantics/, the definition) traces for `model` under `scenario`: the oracle for programs. */
export async function interpreterTrace(model: string, scenario: string): Promise<TraceLine[]> {
    const { document } = await validate(model);
    return [...runScenario(programOf(document.parseResult.value), parseScenario(scenario)).trace];
}

/** Trace lines without their time, as comparable JSON text (the field order is the format's). */
export function untimed(lines: readonly TraceLine[]): string[] {
    return lines.map((line) => JSON.stringify({ ...line, t: undefined }));
}
