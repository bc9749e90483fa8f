// The directions imports may take between folders: the diagram's geometry and the client stay free of Langium.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiers } from './imports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The imports of `file` that break the rule: relative ones resolving outside `allowedFolders`, packages not in `allowedPackages`. */
function forbiddenImports(file: string, allowedFolders: readonly string[], allowedPackages: readonly string[]): string[] {
    return specifiers(readFileSync(file, 'utf8')).filter((specifier) => {
        if (specifier.startsWith('.')) {
            const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
            return !allowedFolders.some((folder) => !path.relative(path.join(ROOT, folder), target).startsWith('..'));
        }
        return !specifier.startsWith('node:') && !allowedPackages.some((name) => specifier === name || specifier.startsWith(`${name}/`));
    });
}

describe('language/diagram/geometry: layout and SVG of plain graphs', () => {
    const files = sourceFiles(path.join(ROOT, 'language/diagram/geometry'));

    it('finds the geometry (the scan is not vacuous)', () => {
        const names = files.map((file) => path.relative(ROOT, file));
        expect(names).toContain('language/diagram/geometry/graph-types.ts');
        expect(names).toContain('language/diagram/geometry/layered/layered-layout.ts');
        expect(forbiddenImports(path.join(ROOT, 'language/diagram/graph.ts'), ['language/diagram/geometry'], ['elkjs'])).toContain('langium');
    });

    it.each(files.map((file) => [path.relative(ROOT, file), file] as const))('%s imports only the geometry and ELK', (_, file) => {
        expect(forbiddenImports(file, ['language/diagram/geometry'], ['elkjs'])).toEqual([]);
    });
});

describe('client/: the extension host bundles without Langium', () => {
    const files = sourceFiles(path.join(ROOT, 'client'));
    /** What the client may share with the language: the request types and the diagram's styles. */
    const shared = ['language/lsp/protocol.ts', 'language/diagram/geometry'];

    it('finds the client (the scan is not vacuous)', () => {
        expect(files.map((file) => path.relative(ROOT, file))).toContain('client/extension.ts');
    });

    it.each(files.map((file) => [path.relative(ROOT, file), file] as const))('%s imports only the client, the shared files, VS Code and its language client', (_, file) => {
        expect(forbiddenImports(file, ['client', ...shared], ['vscode', 'vscode-languageclient', 'vscode-jsonrpc'])).toEqual([]);
    });

    it('the shared files import no Langium either', () => {
        for (const file of [path.join(ROOT, 'language/lsp/protocol.ts'), ...sourceFiles(path.join(ROOT, 'language/diagram/geometry'))]) {
            expect(forbiddenImports(file, shared, ['elkjs', 'vscode-languageserver-protocol', 'vscode-jsonrpc']), path.relative(ROOT, file)).toEqual([]);
        }
    });
});
