// Test helpers: generate a project from model text into a temp folder, and type-check it with the real TypeScript compiler.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { generateProject, type GeneratedFile } from '../../language/generator/generator.js';
import { writeGeneratedFiles } from '../../language/generator/write-files.js';
import { validate } from '../helpers.js';

/** Generates the project of `text` (others: more files of the workspace), refusing models with errors like the CLI. */
export async function generateFrom(text: string, others: string[] = [], fileName = 'model.fsm'): Promise<GeneratedFile[]> {
    const { document, diagnostics } = await validate(text, others);
    const errors = diagnostics.filter((d) => d.severity === 1);
    if (errors.length > 0) {
        throw new Error(`model has errors: ${errors.map((d) => `${String(d.code)} ${String(d.message)}`).join('; ')}`);
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

// One compiler host for every project of a run: lib and @types/node files are parsed once.
const sourceCache = new Map<string, ts.SourceFile>();
const typesRoot = path.resolve('node_modules/@types');

/**
 * Type-checks a generated project with its own tsconfig.json (strict), as `tsc --noEmit` would,
 * resolving `node` types from this repository. Returns the diagnostics as `file(line,col): message` lines.
 */
export function typeCheck(folder: string): string[] {
    const configPath = path.join(folder, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, folder, { noEmit: true, typeRoots: [typesRoot] }, configPath);
    const host = ts.createCompilerHost(parsed.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
        if (fileName.startsWith(folder)) {
            return getSourceFile(fileName, languageVersion, onError, shouldCreate);
        }
        let cached = sourceCache.get(fileName);
        if (!cached) {
            cached = getSourceFile(fileName, languageVersion, onError, shouldCreate);
            if (cached) {
                sourceCache.set(fileName, cached);
            }
        }
        return cached;
    };
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
    if (parsed.fileNames.length === 0) {
        return ['no source files found'];
    }
    return [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
        if (diagnostic.file && diagnostic.start !== undefined) {
            const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
            return `${path.relative(folder, diagnostic.file.fileName)}(${line + 1},${character + 1}): ${message}`;
        }
        return message;
    });
}
