// The .vsix: built by the real vsce, small, and holding only what the extension needs at run time.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const VSCE = path.join(ROOT, 'node_modules/.bin/vsce');
const FLAGS = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];
let folder: string | undefined;

afterAll(async () => {
    if (folder) {
        await rm(folder, { recursive: true, force: true });
    }
});

describe('the .vsix package', () => {
    it('lists only bundles, client assets, the runtime templates, docs and examples', async () => {
        const { stdout } = await run(VSCE, ['ls', '--no-dependencies'], { cwd: ROOT });
        const files = stdout.split('\n').filter((line) => line !== '').sort();
        const unexpected = files.filter(
            (file) =>
                !/^(package\.json|README\.md|LICENSE|out\/(extension|server|debug-adapter|system-worker)\.cjs|out\/diagram\.js|client\/(language-configuration\.json|syntaxes\/[\w.-]+\.json|snippets\/[\w.-]+\.json|images\/[\w.-]+\.png)|templates\/runtime\/[\w-]+\.ts|docs\/[\w-]+\.md|examples\/[\w-]+\.fsm)$/.test(file)
        );
        expect(unexpected).toEqual([]);
        for (const needed of ['out/extension.cjs', 'out/server.cjs', 'out/debug-adapter.cjs', 'out/system-worker.cjs', 'templates/runtime/index.ts', 'client/syntaxes/reactor-fsm.tmLanguage.json', 'package.json']) {
            expect(files).toContain(needed);
        }
    });

    it('keeps Langium and the grammar out of the extension bundle (they belong to the server)', async () => {
        const [extension, server] = await Promise.all(['extension', 'server'].map((name) => readFile(path.join(ROOT, 'out', `${name}.cjs`), 'utf8')));
        // esbuild marks every module it bundles with a `// path` comment; AstReflection is the grammar's type model.
        for (const marker of ['node_modules/langium/', 'language/generated/', 'AstReflection']) {
            expect(server, `the server bundle has ${marker}`).toContain(marker);
            expect(extension, `the extension bundle has ${marker}`).not.toContain(marker);
        }
    });

    it('packages to under 3 MB', async () => {
        folder = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-vsix-'));
        const vsix = path.join(folder, 'reactor-fsm.vsix');
        await run(VSCE, ['package', ...FLAGS, '--out', vsix], { cwd: ROOT });
        const { size } = await stat(vsix);
        expect(size).toBeGreaterThan(100_000);
        expect(size).toBeLessThan(3 * 1024 * 1024);
    }, 60_000);
});
