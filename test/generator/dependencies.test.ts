// Dependencies run one way: language/generator builds views and calls the templates; the templates import nothing
// from language/ (they own their view types and helpers), and the runtime they copy imports only Node.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiers } from '../house/imports.js';
import { EXTERNAL_NAMES, PAYLOAD_TYPES } from '../../templates/index.js';
import { generateFrom } from './generate-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TEMPLATES = path.join(ROOT, 'templates');

describe('templates/ depends on nothing outside it', () => {
    const files = sourceFiles(TEMPLATES);

    it('finds the templates and the runtime (the scan is not vacuous)', () => {
        const names = files.map((file) => path.relative(TEMPLATES, file));
        expect(names).toContain('machine-file.ts');
        expect(names).toContain('runtime/index.ts');
        expect(specifiers(readFileSync(path.join(TEMPLATES, 'index.ts'), 'utf8'))).toContain('./machine-file.js');
        expect(specifiers(`import type { X } from '../language/a.js';\nexport { y } from "../language/b.js";\nconst text = 'from "x"';\nconst z = await import('../language/c.js');`)).toEqual([
            '../language/a.js',
            '../language/b.js',
            '../language/c.js'
        ]);
    });

    it.each(files.map((file) => [path.relative(ROOT, file), file] as const))('%s imports only from templates/, Node and langium/generate', (_, file) => {
        const outside = specifiers(readFileSync(file, 'utf8')).filter((specifier) => {
            if (specifier.startsWith('.')) {
                const target = path.resolve(path.dirname(file), specifier);
                return path.relative(TEMPLATES, target).startsWith('..');
            }
            return !specifier.startsWith('node:') && specifier !== 'langium/generate';
        });
        expect(outside).toEqual([]);
    });

    it('the runtime, copied into every project, imports only Node and itself', () => {
        const runtime = path.join(TEMPLATES, 'runtime');
        for (const file of sourceFiles(runtime)) {
            const foreign = specifiers(readFileSync(file, 'utf8')).filter((specifier) =>
                specifier.startsWith('.') ? path.relative(runtime, path.resolve(path.dirname(file), specifier)).startsWith('..') : !specifier.startsWith('node:')
            );
            expect(foreign, path.relative(ROOT, file)).toEqual([]);
        }
    });
});

describe('names taken from outside the project are reserved where they are declared', () => {
    /** Imports of modules the generator does not write: Node's and the runtime. */
    function externalImports(content: string): string[] {
        return [...content.matchAll(/^import (?:type )?\{ ([^}]*) \} from '(node:[^']+|\.\/runtime\/[^']+)';$/gm)].flatMap((match) =>
            match[1]!.split(', ').map((name) => name.replace(/^type /, ''))
        );
    }

    it('every name a generated file imports from Node or the runtime is in EXTERNAL_NAMES', async () => {
        const examples = path.join(ROOT, 'examples');
        const texts = readdirSync(examples)
            .filter((name) => name.endsWith('.fsm'))
            .sort()
            .map((name) => [name, readFileSync(path.join(examples, name), 'utf8')] as const);
        const imported = new Set<string>();
        for (const [name, text] of texts) {
            const others = texts.filter(([other]) => other !== name).map(([, otherText]) => otherText);
            for (const file of await generateFrom(text, others, name)) {
                if (!file.path.startsWith('src/runtime/')) {
                    externalImports(file.content).forEach((each) => imported.add(each));
                }
            }
        }
        expect(imported.size).toBeGreaterThan(10);
        expect([...imported].filter((name) => !EXTERNAL_NAMES.includes(name))).toEqual([]);
    });

    it('the globals payload types name are reserved', () => {
        const keywords = new Set(['boolean', 'number', 'undefined', 'unknown']);
        const named = Object.values(PAYLOAD_TYPES).map((type) => type.split('.')[0]!);
        expect(named.filter((name) => !keywords.has(name) && !EXTERNAL_NAMES.includes(name))).toEqual([]);
    });

    it('a state or socket named like an import or a global gets another name', async () => {
        const files = await generateFrom(`
            machine Readonly {
                events Go
                initial state StartEvent { on Go -> NoEvent }
                state NoEvent { on Go -> StartEvent }
                client array connect 127.0.0.1:1 { read -> Go }
                signal SIGTERM -> Go
            }`);
        const machine = files.find((file) => file.path === 'src/readonly.machine.ts')!.content;
        expect(machine).toMatch(/^const START_EVENT_ = new StartEventState\(\);$/m);
        expect(machine).toMatch(/^const NO_EVENT_ = new NoEventState\(\);$/m);
        expect(machine).toMatch(/readonly array: ReadonlyArray_;/);
        expect(machine).toMatch(/^const SIGNALS: ReadonlyArray<readonly \[NodeJS\.Signals, number\]> = \[$/m);
    });

    it('the signal table gives way to a state named Signals (which keeps the name it always had)', async () => {
        const files = await generateFrom(`
            machine Alarm {
                events Go
                initial state Signals { on Go -> Signals }
                signal SIGINT -> Go
            }`);
        const machine = files.find((file) => file.path === 'src/alarm.machine.ts')!.content;
        expect(machine).toMatch(/^const SIGNALS = new SignalsState\(\);$/m);
        expect(machine).toMatch(/^const SIGNALS_: ReadonlyArray<readonly \[NodeJS\.Signals, number\]> = \[$/m);
        expect(machine).toMatch(/return SIGNALS_;/);
    });
});
