// Reads the model files named on a command line, with the other .fsm files of their folders as context, and builds them.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import type { Model } from '../generated/ast.js';
import type { ReactorFsmServices } from '../module.js';
import { buildWorkspace } from '../workspace-loader.js';
import { expandPaths, InputError, readSource, type SourceFile } from './source-files.js';

export interface LoadedModel {
    source: SourceFile;
    document: LangiumDocument<Model>;
}

/** Other .fsm files beside the given ones: loaded so cross-file sessions resolve, never reported. */
async function siblingFiles(files: readonly string[]): Promise<string[]> {
    const given = new Set(files);
    const folders = [...new Set(files.map((file) => path.dirname(file)))];
    const siblings: string[] = [];
    for (const folder of folders) {
        const names = await readdir(folder).catch(() => [] as string[]);
        for (const name of names.sort()) {
            const full = path.join(folder, name);
            if (name.endsWith('.fsm') && !given.has(full)) {
                siblings.push(full);
            }
        }
    }
    return siblings;
}

async function readContext(files: readonly string[]): Promise<SourceFile[]> {
    const readable: SourceFile[] = [];
    for (const file of files) {
        try {
            readable.push(await readSource(file));
        } catch {
            // Context only: a sibling that cannot be read is simply not part of the workspace.
        }
    }
    return readable;
}

/**
 * Loads the named files and folders (errors for unusable paths are InputErrors) and their sibling files,
 * builds them as one workspace, and returns the named ones and the context ones.
 */
export async function loadModels(services: ReactorFsmServices, inputs: readonly string[]): Promise<{ named: LoadedModel[]; context: LoadedModel[] }> {
    const files = await expandPaths(inputs);
    const sources: SourceFile[] = [];
    for (const file of files) {
        sources.push(await readSource(file));
    }
    const context = await readContext(await siblingFiles(files));
    const all = [...sources, ...context];
    const documents = await buildWorkspace(services, all.map((source) => ({ uri: source.absolute, text: source.text })));
    const loaded = all.map((source, index) => ({ source, document: documents[index]! }));
    return { named: loaded.slice(0, sources.length), context: loaded.slice(sources.length) };
}

/** Loads the one model file a command takes (`generate`, `diagram`); a folder holding several is an InputError. */
export async function loadModel(services: ReactorFsmServices, input: string, command: string): Promise<{ loaded: LoadedModel; context: LoadedModel[] }> {
    const { named, context } = await loadModels(services, [input]);
    if (named.length !== 1) {
        throw new InputError(`${command} takes one .fsm file; '${input}' holds ${named.length}`);
    }
    return { loaded: named[0]!, context };
}
