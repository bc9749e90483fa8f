// Writes generated files into one folder: never outside it, never through a symbolic link, user-owned files never
// overwritten, each file written whole. Every path is checked before anything is written: a refused run writes nothing.
import { constants } from 'node:fs';
import { access, lstat, mkdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { GeneratedFile } from './generator.js';
import { describeFileError } from '../file-errors.js';

/** A file the generator will not write, for a reason the user can act on; the message names the path. */
export class WriteRefusedError extends Error {}

export interface WriteReport {
    written: string[];
    unchanged: string[];
    /** User-owned files that exist already and were left alone. */
    kept: string[];
}

export interface WriteOptions {
    /** How a path appears in messages (default: as is, absolute). */
    show?: (absolute: string) => string;
}

/** Longest name of one path component, in bytes (NAME_MAX of Linux, macOS and Windows file systems). */
export const MAX_NAME_BYTES = 255;
/** Longest whole path, in bytes, without its terminating NUL (PATH_MAX − 1: 4096 on Linux, 1024 on macOS). */
export const MAX_PATH_BYTES = process.platform === 'darwin' ? 1023 : 4095;
/** Folders walked from the file system root to a file: more than any valid path can hold, so the walk always ends. */
const MAX_DEPTH = Math.ceil(MAX_PATH_BYTES / 2) + 1;
/** Temporary names tried beside a file before giving up (one is taken only when a crashed run left it). */
const TEMPORARY_TRIES = 20;

/** Resolves `relative` inside `root`, refusing anything that would land outside it. */
export function insideFolder(root: string, relative: string): string {
    const target = path.resolve(root, relative);
    const rel = path.relative(root, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || path.isAbsolute(relative)) {
        throw new WriteRefusedError(`refusing to write '${relative}': it is outside ${root}`);
    }
    return target;
}

/** ` (to TARGET)` for a symbolic link, or nothing when it cannot be read. */
async function linkTarget(link: string): Promise<string> {
    try {
        return ` (to '${await readlink(link)}')`;
    } catch {
        return '';
    }
}

function errorCode(error: unknown): string | undefined {
    return (error as NodeJS.ErrnoException).code;
}

/** A file's planned fate, decided before anything is written. */
interface PlannedFile {
    file: GeneratedFile;
    target: string;
    action: 'write' | 'unchanged' | 'kept';
}

interface WritePlan {
    /** Folders to create, parents before children. */
    folders: string[];
    files: PlannedFile[];
}

/** Checks every folder and file the run needs, and decides what to do with each; throws before anything is written. */
class Planner {
    /** Folders already looked at: true when it exists (a folder, or a link to one above the output folder). */
    private readonly known = new Map<string, boolean>();
    /** Existing folders that will receive a new entry, checked for write permission once each. */
    private readonly writable = new Set<string>();
    readonly folders: string[] = [];

    constructor(
        private readonly root: string,
        private readonly show: (absolute: string) => string
    ) {}

    /** Refuses the run, naming the file, or the folder (`into`), that cannot be written. */
    private refuse(subject: string, why: string, into = false): never {
        throw new WriteRefusedError(`cannot write ${into ? 'into ' : ''}'${this.show(subject)}': ${why}`);
    }

    /** Every component at most MAX_NAME_BYTES, the whole path at most MAX_PATH_BYTES. */
    checkLength(absolute: string, folder = false): void {
        const bytes = Buffer.byteLength(absolute);
        if (bytes > MAX_PATH_BYTES) {
            this.refuse(absolute, `the path is ${bytes} bytes long; the file system allows at most ${MAX_PATH_BYTES}`, folder);
        }
        for (const part of absolute.split(path.sep)) {
            const partBytes = Buffer.byteLength(part);
            if (partBytes > MAX_NAME_BYTES) {
                const shown = part.length > 40 ? `${part.slice(0, 40)}…` : part;
                this.refuse(absolute, `the name '${shown}' is ${partBytes} bytes long; the file system allows at most ${MAX_NAME_BYTES} bytes per name`, folder);
            }
        }
    }

    /** Whether the output folder lies at or above `folder` (its own path may pass through links the user chose). */
    private isAboveOutput(folder: string): boolean {
        const rel = path.relative(folder, this.root);
        return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    }

    /** The folders from the file system root down to `folder`, walked with a bound: `dirname` of the root is the root. */
    private chain(folder: string): string[] {
        const folders: string[] = [];
        let current = folder;
        for (let depth = 0; ; depth++) {
            if (depth > MAX_DEPTH) {
                this.refuse(folder, 'the path has too many folders', true);
            }
            folders.push(current);
            const parent = path.dirname(current);
            if (parent === current) {
                return folders.reverse();
            }
            current = parent;
        }
    }

    /** Makes sure the process may add entries to the existing `folder`. */
    private async checkWritable(folder: string): Promise<void> {
        if (this.writable.has(folder)) {
            return;
        }
        try {
            await access(folder, constants.W_OK | constants.X_OK);
        } catch (error) {
            this.refuse(folder, describeFileError(error), true);
        }
        this.writable.add(folder);
    }

    /** Looks at each folder from the root down to `folder`: links, non-folders and missing ones (to be created). */
    async checkFolder(folder: string): Promise<boolean> {
        const chain = this.chain(folder);
        let parentExists = true;
        for (let i = 0; i < chain.length; i++) {
            const current = chain[i]!;
            const known = this.known.get(current);
            if (known !== undefined) {
                parentExists = known;
                continue;
            }
            const exists: boolean = parentExists && (await this.inspectFolder(current));
            if (!exists) {
                if (parentExists && i > 0) {
                    await this.checkWritable(chain[i - 1]!);
                }
                this.folders.push(current);
            }
            this.known.set(current, exists);
            parentExists = exists;
        }
        return parentExists;
    }

    /** True when `folder` exists and may be written into; false when it is missing; throws for anything else. */
    private async inspectFolder(folder: string): Promise<boolean> {
        let info;
        try {
            info = await lstat(folder);
        } catch (error) {
            if (errorCode(error) === 'ENOENT') {
                return false;
            }
            return this.refuse(folder, describeFileError(error), true);
        }
        if (info.isSymbolicLink()) {
            const to = await linkTarget(folder);
            let resolved;
            try {
                resolved = await stat(folder);
            } catch (error) {
                return this.refuse(folder, `it is a symbolic link${to} that leads nowhere (${describeFileError(error)})`, true);
            }
            if (!this.isAboveOutput(folder)) {
                return this.refuse(folder, `it is a symbolic link${to} inside the output folder: generated files are never written through links, which could lead outside it`, true);
            }
            if (!resolved.isDirectory()) {
                return this.refuse(folder, `it is a symbolic link${to} to something that is not a folder`, true);
            }
            return true;
        }
        if (!info.isDirectory()) {
            return this.refuse(folder, 'it exists and is not a folder', true);
        }
        return true;
    }

    /** What to do with one generated file: write it, leave it unchanged, or keep the user's copy. */
    async planFile(file: GeneratedFile): Promise<PlannedFile> {
        const target = insideFolder(this.root, file.path);
        this.checkLength(target);
        const folder = path.dirname(target);
        if (!(await this.checkFolder(folder))) {
            return { file, target, action: 'write' };
        }
        let info;
        try {
            info = await lstat(target);
        } catch (error) {
            if (errorCode(error) !== 'ENOENT') {
                this.refuse(target, describeFileError(error));
            }
            await this.checkWritable(folder);
            return { file, target, action: 'write' };
        }
        if (info.isSymbolicLink()) {
            this.refuse(target, `it is a symbolic link${await linkTarget(target)}: generated files are never written through links`);
        }
        if (info.isDirectory()) {
            this.refuse(target, 'it is a folder');
        }
        if (!info.isFile()) {
            this.refuse(target, 'it is not a regular file');
        }
        if (!file.overwrite) {
            return { file, target, action: 'kept' };
        }
        let content;
        try {
            content = await readFile(target, 'utf8');
        } catch (error) {
            this.refuse(target, describeFileError(error));
        }
        if (content === file.content) {
            return { file, target, action: 'unchanged' };
        }
        await this.checkWritable(folder);
        return { file, target, action: 'write' };
    }
}

/** Checks every output path and decides each file's fate; writes nothing. Throws WriteRefusedError naming the path. */
async function planWrite(root: string, files: readonly GeneratedFile[], show: (absolute: string) => string): Promise<WritePlan> {
    if (root === '') {
        throw new WriteRefusedError('the output folder has an empty name: name a folder');
    }
    const folder = path.resolve(root);
    const planner = new Planner(folder, show);
    planner.checkLength(folder, true);
    await planner.checkFolder(folder);
    const planned: PlannedFile[] = [];
    const seen = new Set<string>();
    for (const file of files) {
        const each = await planner.planFile(file);
        if (seen.has(each.target)) {
            throw new WriteRefusedError(`cannot write '${show(each.target)}': two generated files have this path`);
        }
        seen.add(each.target);
        planned.push(each);
    }
    return { folders: planner.folders, files: planned };
}

/** Writes to a temporary file beside the target (created new: never through a link), then renames: a crash never leaves half a file. */
async function writeWhole(target: string, content: string): Promise<void> {
    const folder = path.dirname(target);
    for (let attempt = 0; attempt < TEMPORARY_TRIES; attempt++) {
        // Short and fixed-length, so that a target name near the limit still has a temporary name that fits.
        const temporary = path.join(folder, `.reactor-fsm-${process.pid}-${attempt}.tmp`);
        try {
            await writeFile(temporary, content, { encoding: 'utf8', flag: 'wx' });
        } catch (error) {
            if (errorCode(error) === 'EEXIST') {
                continue;
            }
            await rm(temporary, { force: true }).catch(() => undefined);
            throw error;
        }
        try {
            await rename(temporary, target);
        } catch (error) {
            await rm(temporary, { force: true }).catch(() => undefined);
            throw error;
        }
        return;
    }
    throw Object.assign(new Error('no free temporary name'), { code: 'EEXIST' });
}

/** Creates `folder`, whose parent exists; a WriteRefusedError says why it cannot be. */
async function createFolder(folder: string, show: (absolute: string) => string): Promise<void> {
    try {
        await mkdir(folder); // one level at a time, parents first: never Node's recursive walk (it loops on /proc)
    } catch (error) {
        // ENOENT although its parent exists: a file system that takes no new folders there (like /proc).
        const why = errorCode(error) === 'ENOENT' ? 'the file system does not allow a new folder there' : describeFileError(error);
        throw new WriteRefusedError(`cannot create folder '${show(folder)}': ${why}`);
    }
}

/**
 * Makes sure `folder` exists, creating it and its missing parents one level at a time (Node's `recursive` walk never
 * ends on some file systems, like /proc). A WriteRefusedError says why it cannot be.
 */
export async function ensureFolder(folder: string, show: (absolute: string) => string = (absolute) => absolute): Promise<void> {
    const missing: string[] = [];
    for (let at = path.resolve(folder); ; at = path.dirname(at)) {
        try {
            if (!(await stat(at)).isDirectory()) {
                throw new WriteRefusedError(`cannot create folder '${show(folder)}': '${show(at)}' is not a folder`);
            }
            break;
        } catch (error) {
            if (error instanceof WriteRefusedError || errorCode(error) !== 'ENOENT' || path.dirname(at) === at) {
                throw error instanceof WriteRefusedError ? error : new WriteRefusedError(`cannot create folder '${show(folder)}': ${describeFileError(error)}`);
            }
            missing.unshift(at);
        }
    }
    for (const each of missing) {
        await createFolder(each, show);
    }
}

export async function writeGeneratedFiles(root: string, files: readonly GeneratedFile[], options: WriteOptions = {}): Promise<WriteReport> {
    const show = options.show ?? ((absolute: string) => absolute);
    const plan = await planWrite(root, files, show);
    for (const folder of plan.folders) {
        await createFolder(folder, show);
    }
    const report: WriteReport = { written: [], unchanged: [], kept: [] };
    for (const { file, target, action } of plan.files) {
        if (action === 'write') {
            try {
                await writeWhole(target, file.content);
            } catch (error) {
                throw new WriteRefusedError(`cannot write '${show(target)}': ${describeFileError(error)}`);
            }
            report.written.push(file.path);
        } else {
            report[action].push(file.path);
        }
    }
    return report;
}
