// The installation the generator runs from (the source tree, or the folder above the bundle): its runtime sources
// (templates/runtime/*.ts), copied into every project, and its release (package.json's version), stamped on every file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeCopy } from '../../templates/index.js';

let cachedSources: Array<{ name: string; content: string }> | undefined;
let cachedVersion: string | undefined;

/**
 * The folder of the installation: the nearest one above this module holding `templates/runtime` (the source tree
 * under tsx and the tests, the package root above `out/` for the bundles). Its package.json is the release.
 */
export function installationFolder(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
    for (let folder = start; ; folder = path.dirname(folder)) {
        if (existsSync(path.join(folder, 'templates', 'runtime', 'index.ts'))) {
            return folder;
        }
        if (path.dirname(folder) === folder) {
            throw new Error(`cannot find the reactor runtime (templates/runtime) above ${start}`);
        }
    }
}

/**
 * The release of reactor-fsm that generates: the `version` of the installation's package.json, read when first
 * needed. Read at generation time, from beside the runtime it copies, it is the same from source and from the bundle,
 * and a project always names the release whose runtime it holds.
 */
export function generatorVersion(): string {
    if (cachedVersion === undefined) {
        const manifestPath = path.join(installationFolder(), 'package.json');
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: unknown; version?: unknown };
        if (manifest.name !== 'reactor-fsm' || typeof manifest.version !== 'string' || manifest.version === '') {
            throw new Error(`internal: ${manifestPath} is not reactor-fsm's package.json with a version`);
        }
        cachedVersion = manifest.version;
    }
    return cachedVersion;
}

/** The runtime's source files, sorted by name, as they are in templates/runtime. */
export function runtimeSources(): Array<{ name: string; content: string }> {
    if (!cachedSources) {
        const folder = path.join(installationFolder(), 'templates', 'runtime');
        cachedSources = readdirSync(folder)
            .filter((name) => name.endsWith('.ts'))
            .sort()
            .map((name) => ({ name, content: readFileSync(path.join(folder, name), 'utf8') }));
    }
    return cachedSources;
}

/** Every runtime file as copied into a project, sorted by name: the source, with a line naming the release (`runtimeCopy`). */
export function runtimeFiles(): Array<{ name: string; content: string }> {
    const version = generatorVersion();
    return runtimeSources().map(({ name, content }) => ({ name, content: runtimeCopy(content, version) }));
}
