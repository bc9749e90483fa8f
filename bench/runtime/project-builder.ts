// Child process: generates projects with the real generator (the CLI's `generate`, in process) and compiles them
// with the real TypeScript compiler (type-check, then emit to dist/). Runs apart from the benchmark so Langium's
// and TypeScript's heaps and JIT state do not disturb the measurements.
//
//   node --import tsx bench/runtime/project-builder.ts '<json: BuildRequest>'
// Prints one line of JSON: BuildResult[]. Exits 1 when a model has errors or a project does not compile.
import '../../language/polyfill.js';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { NodeFileSystem } from 'langium/node';
import ts from 'typescript';
import { runGenerate } from '../../language/cli/generate.js';
import { createReactorFsmServices } from '../../language/module.js';
import { compileProject } from '../../test/generator/compile-project.js';

export interface BuildJob {
    /** The .fsm file. */
    model: string;
    /** The output folder (generated project; the compiled JavaScript goes to its dist/). */
    out: string;
    /** Files written over the generated stubs after generation, by path inside the project (the actions files). */
    overrides?: Record<string, string>;
}

/** A TypeScript file of the benchmark to run as plain JavaScript (a child process without the tsx loader). */
export interface ScriptJob {
    source: string;
    out: string;
}

export interface BuildRequest {
    projects: BuildJob[];
    scripts: ScriptJob[];
}

export interface BuildResult {
    out: string;
    dist: string;
    files: number;
}

async function build(job: BuildJob): Promise<BuildResult> {
    const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
    const lines: string[] = [];
    const status = await runGenerate(ReactorFsm, job.model, { out: job.out }, (line) => lines.push(line), (line) => lines.push(line));
    if (status !== 0) {
        throw new Error(`generate ${job.model} failed:\n${lines.join('\n')}`);
    }
    for (const [file, content] of Object.entries(job.overrides ?? {})) {
        await writeFile(path.join(job.out, file), content);
    }
    const problems = compileProject(path.resolve(job.out), { emit: true });
    if (problems.length > 0) {
        throw new Error(`the project generated from ${job.model} does not compile:\n${problems.join('\n')}`);
    }
    return { out: job.out, dist: path.join(job.out, 'dist'), files: lines.filter((line) => line.startsWith('wrote')).length };
}

async function transpile(job: ScriptJob): Promise<void> {
    const output = ts.transpileModule(await readFile(job.source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: job.source
    });
    await writeFile(job.out, output.outputText);
}

const request = JSON.parse(process.argv[2] ?? '{}') as BuildRequest;
try {
    const results: BuildResult[] = [];
    for (const job of request.projects ?? []) {
        results.push(await build(job));
    }
    for (const job of request.scripts ?? []) {
        await transpile(job);
    }
    process.stdout.write(`${JSON.stringify(results)}\n`);
} catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
}
