// Writes generated files into one folder: never outside it, user-owned files never overwritten, each file written whole.
import { lstat, mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { GeneratedFile } from './generator.js';

/** A file the generator will not write, for a reason the user can act on. */
export class WriteRefusedError extends Error {}

export interface WriteReport {
    written: string[];
    unchanged: string[];
    /** User-owned files that exist already and were left alone. */
    kept: string[];
}

/** Resolves `relative` inside `root`, refusing anything that would land outside it. */
export function insideFolder(root: string, relative: string): string {
    const target = path.resolve(root, relative);
    const rel = path.relative(root, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || path.isAbsolute(relative)) {
        throw new WriteRefusedError(`refusing to write '${relative}': it is outside ${root}`);
    }
    return target;
}

async function exists(file: string): Promise<boolean> {
    try {
        await lstat(file);
        return true;
    } catch {
        return false;
    }
}

/** Writes to a temporary file beside the target, then renames: a crash never leaves half a file. */
async function writeWhole(target: string, content: string): Promise<void> {
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, target);
}

export async function writeGeneratedFiles(root: string, files: readonly GeneratedFile[]): Promise<WriteReport> {
    const folder = path.resolve(root);
    const report: WriteReport = { written: [], unchanged: [], kept: [] };
    for (const file of files) {
        const target = insideFolder(folder, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        // A folder inside the output that links elsewhere must not carry files out of it.
        const realParent = path.relative(await realpath(folder), await realpath(path.dirname(target)));
        if (realParent.startsWith('..') || path.isAbsolute(realParent)) {
            throw new WriteRefusedError(`refusing to write '${file.path}': its folder links outside ${folder}`);
        }
        if (await exists(target)) {
            const info = await lstat(target);
            if (info.isSymbolicLink()) {
                throw new WriteRefusedError(`refusing to write '${file.path}': it is a symbolic link`);
            }
            if (!file.overwrite) {
                report.kept.push(file.path);
                continue;
            }
            if ((await readFile(target, 'utf8')) === file.content) {
                report.unchanged.push(file.path);
                continue;
            }
        }
        await writeWhole(target, file.content);
        report.written.push(file.path);
    }
    return report;
}
