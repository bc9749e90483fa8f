// Builds many random programs at once: each model is validated by the language services, gives the interpreter its
// program (`programOf`) and the generator its project; the projects share one folder — one copy of the runtime,
// every model's machine files side by side (machine names are unique per batch), each model's main as
// src/main-K.ts — so one TypeScript program type-checks and emits them all with the projects' own tsconfig.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { generateProject } from '../../../language/generator/generator.js';
import { constantCase } from '../../../language/generator/identifiers.js';
import { programOf, type ProgramSpec } from '../../../language/semantics/program.js';
import { compileProject } from '../../generator/compile-project.js';
import { validate } from '../../helpers.js';
import type { ProgramModel } from './model.js';

/** A diagnostic as `code: message`. */
function describe(diagnostic: Diagnostic): string {
    return `${String(diagnostic.code)}: ${typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value}`;
}

/** Rewrites a generated or runtime file before it is compiled (to check that the comparison notices a change). */
export type Mutation = (file: string, content: string) => string;

export interface BuiltProgram {
    readonly model: ProgramModel;
    readonly text: string;
    readonly program: ProgramSpec;
    /** The compiled entry point (dist/main-K.js) and the folder to run it in. */
    readonly main: string;
    readonly folder: string;
    /** Environment variable and kind of each client and server of the top-level machines, by `Machine.socket`. */
    readonly addresses: ReadonlyMap<string, { readonly variable: string; readonly kind: 'client' | 'server' }>;
    readonly warnings: readonly string[];
}

export interface Batch {
    readonly folder: string;
    readonly programs: BuiltProgram[];
    /** Models the validator refused, with the first errors. */
    readonly rejected: Array<{ text: string; errors: string[] }>;
    /** Milliseconds: validating and generating, and the one TypeScript run. */
    readonly timings: { generate: number; compile: number };
    /** Files the mutation changed. */
    readonly mutated: number;
}

const GUARDS_SOURCE = path.join(import.meta.dirname, 'guards.ts');

/** The generated actions stub of a machine, with each guard deciding through the shared guards and every action empty. */
function actionsFile(stub: string): string {
    const decided = stub.replace(
        /(\n {4}(\w+)\(_machine(?:, _payload)?\) \{\n)\s+\/\/ TODO: decide;[^\n]*\n\s+return false;/g,
        (_match, head: string, member: string) => `${head}        return decideGuard(${JSON.stringify(member)}, _machine.name, _machine.payload);`
    );
    return decided.replace(/^(import type [^\n]*\n)/m, `import { decideGuard } from './conformance-guards.js';\n$1`);
}

/** Validates, generates and compiles the models (`texts`, described by `models`) in one folder; machine names must differ across them. */
export async function buildBatch(models: readonly ProgramModel[], texts: readonly string[], mutation?: Mutation): Promise<Batch> {
    const folder = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-conformance-'));
    try {
        return await buildInto(folder, models, texts, mutation);
    } catch (error) {
        await rm(folder, { recursive: true, force: true });
        throw error;
    }
}

async function buildInto(folder: string, models: readonly ProgramModel[], texts: readonly string[], mutation: Mutation | undefined): Promise<Batch> {
    const programs: BuiltProgram[] = [];
    const rejected: Batch['rejected'] = [];
    let mutated = 0;
    const write = async (file: string, content: string): Promise<void> => {
        const changed = mutation ? mutation(file, content) : content;
        if (changed !== content) {
            mutated++;
        }
        await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
        await writeFile(path.join(folder, file), changed);
    };
    let started = performance.now();
    let shared = false;
    for (const [index, model] of models.entries()) {
        const text = texts[index]!;
        const { document, diagnostics } = await validate(text);
        const errors = diagnostics.filter((d) => d.severity === 1).map(describe);
        if (errors.length > 0) {
            rejected.push({ text, errors });
            continue;
        }
        const program = programOf(document.parseResult.value);
        const files = generateProject(document.parseResult.value, `p${index}.fsm`);
        for (const file of files) {
            if (file.path === 'package.json' || file.path === 'tsconfig.json' || file.path.startsWith('src/runtime/')) {
                if (!shared) {
                    await write(file.path, file.content);
                }
            } else if (file.path === 'src/main.ts') {
                await write(`src/main-${index}.ts`, file.content);
            } else if (file.path.endsWith('.actions.ts')) {
                await write(file.path, actionsFile(file.content));
            } else {
                await write(file.path, file.content);
            }
        }
        shared = true;
        const addresses = new Map<string, { variable: string; kind: 'client' | 'server' }>();
        for (const name of program.topLevel) {
            for (const socket of program.machines.get(name)!.sockets) {
                if (socket.kind === 'client' || socket.kind === 'server') {
                    addresses.set(`${name}.${socket.name}`, { variable: `${constantCase(name)}_${constantCase(socket.name)}`, kind: socket.kind });
                }
            }
        }
        programs.push({
            model,
            text,
            program,
            main: path.join(folder, 'dist', `main-${index}.js`),
            folder,
            addresses,
            warnings: diagnostics.map(describe)
        });
    }
    await writeFile(path.join(folder, 'src', 'conformance-guards.ts'), await readFile(GUARDS_SOURCE, 'utf8'));
    const generated = performance.now();
    started = generated - started;
    const diagnostics = programs.length > 0 ? compileProject(folder, { emit: true }) : [];
    if (diagnostics.length > 0) {
        throw new Error(`the generated projects do not compile:\n${diagnostics.slice(0, 20).join('\n')}`);
    }
    return { folder, programs, rejected, timings: { generate: started, compile: performance.now() - generated }, mutated };
}

export async function removeBatch(batch: Batch): Promise<void> {
    await rm(batch.folder, { recursive: true, force: true });
}
