// The reactor runtime's sources (templates/runtime/*.ts), found beside the sources or the bundle and copied verbatim.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: Array<{ name: string; content: string }> | undefined;

/** The folder holding the runtime: the nearest `templates/runtime` above this module (source tree or `out/` bundle). */
export function runtimeFolder(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
    for (let folder = start; ; folder = path.dirname(folder)) {
        const candidate = path.join(folder, 'templates', 'runtime');
        if (existsSync(path.join(candidate, 'index.ts'))) {
            return candidate;
        }
        if (path.dirname(folder) === folder) {
            throw new Error(`cannot find the reactor runtime (templates/runtime) above ${start}`);
        }
    }
}

/** Every runtime source file, sorted by name. */
export function runtimeFiles(): Array<{ name: string; content: string }> {
    if (!cached) {
        const folder = runtimeFolder();
        cached = readdirSync(folder)
            .filter((name) => name.endsWith('.ts'))
            .sort()
            .map((name) => ({ name, content: readFileSync(path.join(folder, name), 'utf8') }));
    }
    return cached;
}
