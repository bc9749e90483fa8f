// Helpers for running whole generated programs: generate with the CLI (hand-written actions copied in first, so
// `generate` keeps them), compile with the project's own tsc, and run `node dist/main.js --trace` as a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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

    constructor(command: string, args: readonly string[], cwd: string, env: Record<string, string>, cleanup: Cleanup) {
        this.child = cleanup.child(spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
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

    /** Everything printed so far (the last lines), for failure messages. */
    get output(): string {
        return `stdout (last 40 lines):\n${this.lines.slice(-40).join('\n')}\nstderr:\n${this.stderr.slice(-2_000)}`;
    }

    /** Waits for the exit, bounded. */
    exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
        return within(this.exited, timeoutMs, `the program to exit\n${this.output}`);
    }
}

/** Runs `node dist/main.js --trace` in a generated project. */
export function startProgram(dir: string, env: Record<string, string>, cleanup: Cleanup, prefix: readonly string[] = []): Program {
    const [command, ...args] = [...prefix, process.execPath, path.join(dir, 'dist', 'main.js'), '--trace'];
    return new Program(command!, args, dir, env, cleanup);
}

/** Whether a command is on the PATH. */
export function hasCommand(name: string): boolean {
    return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
