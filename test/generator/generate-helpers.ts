// Test helpers: generate a project from model text into a temp folder, and type-check it with the real TypeScript compiler.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateProject, type GeneratedFile } from '../../language/generator/generator.js';
import { writeGeneratedFiles } from '../../language/generator/write-files.js';
import { validate } from '../helpers.js';
import { compileProject } from './compile-project.js';

/** Generates the project of `text` (others: more files of the workspace), refusing models with errors like the CLI. */
export async function generateFrom(text: string, others: string[] = [], fileName = 'model.fsm'): Promise<GeneratedFile[]> {
    const { document, diagnostics } = await validate(text, others);
    const errors = diagnostics.filter((d) => d.severity === 1);
    if (errors.length > 0) {
        throw new Error(`model has errors: ${errors.map((d) => `${String(d.code)} ${typeof d.message === 'string' ? d.message : d.message.value}`).join('; ')}`);
    }
    return generateProject(document.parseResult.value, fileName);
}

const temporaryFolders: string[] = [];

export async function temporaryFolder(): Promise<string> {
    const folder = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-gen-'));
    temporaryFolders.push(folder);
    return folder;
}

export async function removeTemporaryFolders(): Promise<void> {
    await Promise.all(temporaryFolders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

export async function writeProject(files: readonly GeneratedFile[]): Promise<string> {
    const folder = await temporaryFolder();
    await writeGeneratedFiles(folder, files);
    return folder;
}

/** Type-checks a generated project under its own strict tsconfig.json, as `tsc --noEmit` would. */
export function typeCheck(folder: string): string[] {
    return compileProject(folder);
}
