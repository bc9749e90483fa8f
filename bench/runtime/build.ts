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
    const child = startChild(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'project-builder.ts'), JSON.stringify(request)], { cwd: repository });
    let output = '';
    child.process.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
    });
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 90_000);
    const status = await child.exited;
    clearTimeout(timer);
    const remove = (): Promise<void> => rm(root, { recursive: true, force: true });
    if (status !== 0) {
        await remove();
        throw new Error(`building the generated projects failed (${status}):\n${child.stderr().trim()}`);
    }
    const [tcp, echo, deck] = JSON.parse(output) as [BuildResult, BuildResult, BuildResult];
    return { root, tcp, echo, deck, rawEchoServer, remove };
}
