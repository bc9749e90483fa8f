// Golden tests: the generated files of a small model, byte for byte. `UPDATE_GOLDEN=1` rewrites the expectations.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runtimeFiles } from '../../language/generator/runtime-files.js';
import { generateFrom } from './generate-helpers.js';

const GOLDEN = new URL('../fixtures/generator/golden/', import.meta.url);
const model = readFileSync(new URL('door.fsm', GOLDEN), 'utf8');

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
                writeFileSync(expected, file.content);
            }
            expect(file.content).toBe(readFileSync(expected, 'utf8'));
        });
    }

    it('copies the runtime verbatim', () => {
        const runtime = files.filter((file) => file.path.startsWith('src/runtime/'));
        expect(runtime.map((file) => [file.path, file.content])).toEqual(runtimeFiles().map((source) => [`src/runtime/${source.name}`, source.content]));
        expect(runtime.length).toBeGreaterThan(5);
    });
});
