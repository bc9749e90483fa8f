// Builds the framed line echo benchmark's two servers (through project-builder.ts, in a child process): the program
// generated from models/line-echo.fsm, with the generated actions files untouched, and raw-line-echo-server.ts as
// plain JavaScript.
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BuildRequest, BuildResult } from './project-builder.js';
import { runProjectBuilder } from './build.js';

export interface LineEchoBuild {
    /** The generated program (run dist/main.js). */
    readonly generated: BuildResult;
    /** raw-line-echo-server.ts as an .mjs file, so both servers run on bare Node. */
    readonly rawServer: string;
}

/** Builds both into `root` (a folder the caller removes). */
export async function buildLineEcho(root: string): Promise<LineEchoBuild> {
    const rawServer = path.join(root, 'raw-line-echo-server.mjs');
    const request: BuildRequest = {
        projects: [{ model: path.join(import.meta.dirname, 'models/line-echo.fsm'), out: path.join(root, 'line-echo') }],
        scripts: [{ source: path.join(import.meta.dirname, 'raw-line-echo-server.ts'), out: rawServer }]
    };
    const [generated] = (await runProjectBuilder(request, 'models/line-echo.fsm')) as [BuildResult];
    await checkNoUserCode(path.join(generated.out, 'src'));
    return { generated, rawServer };
}

/** The subject must run on generated code alone: every actions file still holds an empty object (no action to write). */
async function checkNoUserCode(src: string): Promise<void> {
    const files = (await readdir(src)).filter((file) => file.endsWith('.actions.ts'));
    for (const file of files) {
        if (!/=\s*\{\s*\};\s*$/.test(await readFile(path.join(src, file), 'utf8'))) {
            throw new Error(`models/line-echo.fsm must need no user code, but ${file} asks for actions`);
        }
    }
    if (files.length === 0) {
        throw new Error(`no actions file generated in ${src}`);
    }
}
