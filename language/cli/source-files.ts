// Finds the .fsm files named on a command line and reads them as text, with one-line errors for what cannot be read.
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { describeFileError } from '../file-errors.js';

export interface SourceFile {
    /** The path as shown to the user (relative to the working directory where possible). */
    readonly shown: string;
    readonly absolute: string;
    readonly text: string;
}

/** A problem with the command line's paths: reported in one line, exit code 2. */
export class InputError extends Error {}

const FILE_EXTENSION = '.fsm';

/** Shows `absolute` relative to the working directory when it lies inside it. */
export function showPath(absolute: string): string {
    const relative = path.relative(process.cwd(), absolute);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}

/** Every .fsm file below `folder`, sorted, skipping node_modules and hidden folders. */
async function filesBelow(folder: string): Promise<string[]> {
    const found: string[] = [];
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
                found.push(...(await filesBelow(full)));
            }
        } else if (entry.isFile() && entry.name.endsWith(FILE_EXTENSION)) {
            found.push(full);
        }
    }
    return found;
}

/** Expands files and folders into the .fsm files they name, each once, in the order given. */
export async function expandPaths(inputs: readonly string[]): Promise<string[]> {
    const files: string[] = [];
    for (const input of inputs) {
        const absolute = path.resolve(input);
        let info;
        try {
            info = await stat(absolute);
        } catch (error) {
            throw new InputError(`cannot read '${input}': ${describeFileError(error)}`);
        }
        if (info.isDirectory()) {
            let below: string[];
            try {
                below = await filesBelow(absolute);
            } catch (error) {
                throw new InputError(`cannot read folder '${input}': ${describeFileError(error)}`);
            }
            if (below.length === 0) {
                throw new InputError(`folder '${input}' has no ${FILE_EXTENSION} files`);
            }
            files.push(...below);
        } else if (path.extname(absolute) !== FILE_EXTENSION) {
            throw new InputError(`'${input}' is not a ${FILE_EXTENSION} file: give models (${FILE_EXTENSION} files) or folders that hold them`);
        } else {
            files.push(absolute);
        }
    }
    return [...new Set(files)];
}

/** Reads a model file as UTF-8 text; binary or malformed files are refused with a reason. */
export async function readSource(absolute: string): Promise<SourceFile> {
    const shown = showPath(absolute);
    let bytes: Buffer;
    try {
        // A FIFO or device would block or never end: only regular files are models.
        if (!(await stat(absolute)).isFile()) {
            throw new InputError(`cannot read '${shown}': not a regular file`);
        }
        bytes = await readFile(absolute);
    } catch (error) {
        if (error instanceof InputError) {
            throw error;
        }
        throw new InputError(`cannot read '${shown}': ${describeFileError(error)}`);
    }
    if (bytes.includes(0)) {
        throw new InputError(`cannot read '${shown}': it is a binary file, not a ${FILE_EXTENSION} model`);
    }
    let text: string;
    try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
        throw new InputError(`cannot read '${shown}': it is not UTF-8 text`);
    }
    return { shown, absolute, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}
