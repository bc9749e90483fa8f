// Builds part 7's servers (through project-builder.ts, in a child process): the same framed line echo (no user code)
// generated twice, once with `workers 1` and once with `workers 2`.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BuildRequest, BuildResult } from './project-builder.js';
import { runProjectBuilder } from './build.js';

/** The address variable of the model's server. */
export const WORKERS_ECHO_LISTENER = 'WORKERS_ECHO_SERVER_LISTENER';

/** models/line-echo.fsm with `workers COUNT` on its server: every line a session reads is sent back, no user code. */
function model(workers: number): string {
    return `// Part 7 of the runtime benchmark: the framed line echo in ${workers} worker process(es).
machine WorkersEchoServer {
    events Shutdown
    initial state Serving {
        on Shutdown -> Stopped
    }
    final state Stopped

    server listener listen 127.0.0.1:7002 {
        backlog 511
        nodelay
        session WorkersEchoSession
        workers ${workers}
    }
    signal SIGTERM -> Shutdown
}

machine WorkersEchoSession {
    events Line, Gone
    initial state Open {
        on Line / send peer payload
        on Gone -> Closed
    }
    final state Closed

    connection peer {
        framing lines
        read -> Line
        close -> Gone
    }
}
`;
}

export interface WorkersBuild {
    /** `workers 1` (run dist/main.js). */
    readonly one: BuildResult;
    /** `workers 2`. */
    readonly two: BuildResult;
}

/** Builds both into `root` (a folder the caller removes). */
export async function buildWorkers(root: string): Promise<WorkersBuild> {
    // One folder per model: machine names are shared by the files of a workspace (a folder).
    const folder = path.join(root, 'workers');
    const models = [1, 2].map((count) => path.join(folder, `models-${count}`, 'workers-echo.fsm'));
    for (const [index, file] of models.entries()) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, model(index + 1));
    }
    const request: BuildRequest = {
        projects: [
            { model: models[0]!, out: path.join(folder, 'one') },
            { model: models[1]!, out: path.join(folder, 'two') }
        ],
        scripts: []
    };
    const [one, two] = (await runProjectBuilder(request, 'the workers echo')) as [BuildResult, BuildResult];
    return { one, two };
}
