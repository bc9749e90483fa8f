// Golden tests: the generated files of a small model, byte for byte but for the release they name (written
// `reactor-fsm <version>` in the golden files, so a release changes none of them). `UPDATE_GOLDEN=1` rewrites them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runtimeSources } from '../../language/generator/runtime-files.js';
import { generateFrom } from './generate-helpers.js';

const GOLDEN = new URL('../fixtures/generator/golden/', import.meta.url);
const model = readFileSync(new URL('door.fsm', GOLDEN), 'utf8');
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A file's content as the golden files hold it: every `reactor-fsm X.Y.Z` of this release is `reactor-fsm <version>`. */
function withoutRelease(content: string): string {
    return content.replaceAll(`reactor-fsm ${VERSION}`, 'reactor-fsm <version>');
}

describe('generated code of door.fsm', async () => {
    const files = await generateFrom(model, [], 'door.fsm');
    const own = files.filter((file) => !file.path.startsWith('src/runtime/'));

    it('has the expected files, in a fixed order, with their overwrite rules', () => {
        expect(files.map((file) => `${file.overwrite ? 'always' : 'once  '} ${file.path}`)).toMatchSnapshot();
    });

    for (const file of own) {
        it(`writes ${file.path} as expected`, () => {
            const expected = new URL(`expected/${file.path.replace(/\//g, '__')}.golden`, GOLDEN);
            if (process.env.UPDATE_GOLDEN === '1') {
                mkdirSync(new URL('expected/', GOLDEN), { recursive: true });
                writeFileSync(expected, withoutRelease(file.content));
            }
            expect(withoutRelease(file.content)).toBe(readFileSync(expected, 'utf8'));
        });
    }

    it('copies the runtime: each source as it is, with a line naming the release after its one-line header', () => {
        const runtime = files.filter((file) => file.path.startsWith('src/runtime/'));
        const stamp = `// Copied by reactor-fsm ${VERSION} into every project it generates. Do not edit: regenerate instead.`;
        expect(runtime.map((file) => [file.path, file.content])).toEqual(
            runtimeSources().map((source) => {
                const [header, ...rest] = source.content.split('\n');
                return [`src/runtime/${source.name}`, [header, stamp, ...rest].join('\n')];
            })
        );
        expect(runtime.length).toBeGreaterThan(5);
    });
});
