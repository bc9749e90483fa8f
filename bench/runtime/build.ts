// Builds the benchmark's generated projects in a temporary folder (through project-builder.ts, in a child process).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BuildRequest, BuildResult } from './project-builder.js';
import { startChild } from './children.js';
import { ECHO_ACTION_FILES } from './echo-actions.js';

const repository = path.resolve(import.meta.dirname, '../..');

export interface Projects {
    readonly root: string;
    /** Compiled TCP-like machine (models/tcp.fsm): dist/tcp.machine.js and dist/runtime/index.js. */
    readonly tcp: BuildResult;
    /** Compiled hierarchical machine (models/deck.fsm): dist/deck.machine.js and dist/runtime/index.js. */
    readonly deck: BuildResult;
    /** Compiled echo server (examples/echo-server.fsm) with an echo action: run dist/main.js. */
    readonly echo: BuildResult;
    /** raw-echo-server.ts as plain JavaScript (an .mjs file), so both echo servers run on bare Node. */
    readonly rawEchoServer: string;
    remove(): Promise<void>;
}

export async function buildProjects(): Promise<Projects> {
    const root = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-bench-'));
    const rawEchoServer = path.join(root, 'raw-echo-server.mjs');
    const request: BuildRequest = {
        projects: [
            { model: path.join(import.meta.dirname, 'models/tcp.fsm'), out: path.join(root, 'tcp') },
            { model: path.join(repository, 'examples/echo-server.fsm'), out: path.join(root, 'echo'), overrides: { ...ECHO_ACTION_FILES } },
            { model: path.join(import.meta.dirname, 'models/deck.fsm'), out: path.join(root, 'deck') }
        ],
        scripts: [{ source: path.join(import.meta.dirname, 'raw-echo-server.ts'), out: rawEchoServer }]
    };
    const remove = (): Promise<void> => rm(root, { recursive: true, force: true });
    let built: BuildResult[];
    try {
        built = await runProjectBuilder(request, 'the generated projects');
    } catch (error) {
        await remove();
        throw error;
    }
    const [tcp, echo, deck] = built as [BuildResult, BuildResult, BuildResult];
    return { root, tcp, echo, deck, rawEchoServer, remove };
}

/**
 * Runs project-builder.ts in a child process (the real generator and tsc) on `request`; resolves with one result per
 * project, or rejects with what the builder printed. `what` names the projects in the error.
 */
export async function runProjectBuilder(request: BuildRequest, what: string): Promise<BuildResult[]> {
    const child = startChild(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'project-builder.ts'), JSON.stringify(request)], { cwd: repository });
    let output = '';
    child.process.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
    });
    // 'close' comes after the last output ('exit' may come before it).
    const closed = new Promise<void>((resolve) => child.process.once('close', () => resolve()));
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 90_000);
    const status = await child.exited;
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    clearTimeout(timer);
    if (status !== 0) {
        throw new Error(`building ${what} failed (${status}):\n${child.stderr().trim() || output.trim() || 'no output'}`);
    }
    return JSON.parse(output) as BuildResult[];
}
