// Every file a project gets names the release that wrote it (package.json's version): generated from source, as
// the tests and tsx run it, and through the bundled CLI (out/cli.cjs), which reads the same package.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatorVersion } from '../../language/generator/runtime-files.js';
import { BUNDLE, removeTempFolders, runCli, tempFolder } from '../cli/cli-helpers.js';
import { generateFrom } from './generate-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The release a project file names, or undefined: in the first two lines of a TypeScript file (the header of a
 * generated file, the line after the header of a runtime copy), in the `description` of package.json.
 */
function releaseNamed(file: string, content: string): string | undefined {
    const text = file === 'package.json' ? (JSON.parse(content) as { description: string }).description : content.split('\n').slice(0, 2).join('\n');
    return /\breactor-fsm (\d\S*) /.exec(text)?.[1];
}

/** Files that name no release: tsconfig.json is plain JSON, which tools read with JSON.parse, so it has no place for one. */
const UNSTAMPED = new Set(['tsconfig.json']);

afterAll(removeTempFolders);

describe('the release in every file of a project', () => {
    it('is package.json\'s version', () => {
        expect(generatorVersion()).toBe(VERSION);
        expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('is named by every generated file and every runtime copy of every example\'s project', async () => {
        const names = readdirSync(EXAMPLES).filter((name) => name.endsWith('.fsm')).sort();
        const texts = names.map((name) => readFileSync(path.join(EXAMPLES, name), 'utf8'));
        let checked = 0;
        for (const [i, name] of names.entries()) {
            const files = await generateFrom(texts[i]!, texts.filter((_, j) => j !== i), name);
            for (const file of files.filter((each) => !UNSTAMPED.has(each.path))) {
                expect(releaseNamed(file.path, file.content), `${name}: ${file.path}`).toBe(VERSION);
                checked++;
            }
            const runtime = files.filter((file) => file.path.startsWith('src/runtime/'));
            expect(runtime.length).toBeGreaterThan(5);
            for (const file of runtime) {
                expect(file.content.split('\n')[1], file.path).toBe(`// Copied by reactor-fsm ${VERSION} into every project it generates. Do not edit: regenerate instead.`);
            }
        }
        expect(checked).toBeGreaterThan(names.length * 20);
    });

    it.skipIf(!existsSync(BUNDLE))('is the same through the bundled CLI (out/cli.cjs)', async () => {
        const folder = await tempFolder({ 'door.fsm': readFileSync(path.join(import.meta.dirname, '../fixtures/generator/golden/door.fsm'), 'utf8') });
        const result = await runCli(['generate', 'door.fsm', '-o', 'out'], folder, { timeoutMs: 60_000 });
        expect(result.code, result.stderr).toBe(0);
        const written = readdirSync(path.join(folder, 'out'), { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile())
            .map((entry) => path.relative(path.join(folder, 'out'), path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
            .sort();
        expect(written).toContain('src/runtime/machine.ts');
        expect(written).toContain('src/door.machine.ts');
        for (const file of written.filter((each) => !UNSTAMPED.has(each))) {
            expect(releaseNamed(file, await readFile(path.join(folder, 'out', file), 'utf8')), file).toBe(VERSION);
        }
    });
});
