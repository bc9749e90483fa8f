// docs/architecture.md names real places: every folder and file it quotes exists, and every top-level folder is described.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGE = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** Quoted module names (`langium/generate`) are packages, not paths. */
const PACKAGES = Object.keys(PACKAGE.dependencies);

/** The repository paths quoted in the page: `language/diagram/`, `templates/runtime/machine.ts`, `svg.ts` after a folder. */
function quotedPaths(): string[] {
    const paths: string[] = [];
    for (const line of PAGE.split('\n')) {
        let folder = '';
        for (const [, quoted] of line.matchAll(/`([^`\s]+)`/g)) {
            const text = quoted!;
            if (PACKAGES.some((name) => text.startsWith(`${name}/`))) {
                folder = '';
            } else if (/^[a-z.-]+\/[\w./-]*$/.test(text)) {
                paths.push(text);
                folder = text.endsWith('/') ? text : path.posix.dirname(text) + '/';
            } else if (/^[\w-]+\.(ts|langium)$/.test(text) && folder !== '') {
                // A file named after a path in the same row or sentence lives in that path's folder.
                paths.push(folder + text);
            }
        }
    }
    return paths;
}

describe('docs/architecture.md', () => {
    it('quotes paths (the scan is not vacuous)', () => {
        expect(quotedPaths()).toContain('templates/runtime/machine.ts');
        expect(quotedPaths().length).toBeGreaterThan(40);
    });

    it('every path it quotes exists', () => {
        expect(quotedPaths().filter((quoted) => !existsSync(path.join(ROOT, quoted)))).toEqual([]);
    });

    it("describes every folder of language/ and the repository's top level", () => {
        const described = new Set(quotedPaths().map((quoted) => quoted.replace(/\/$/, '')));
        const folders = [
            ...readdirSync(path.join(ROOT, 'language'), { withFileTypes: true })
                .filter((entry) => entry.isDirectory())
                .map((entry) => `language/${entry.name}`),
            ...['language', 'templates', 'server', 'client', 'test', 'bench', 'examples', 'docs', 'scripts', 'bin']
        ];
        expect(folders.filter((folder) => !described.has(folder))).toEqual([]);
    });
});
