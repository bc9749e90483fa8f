// The template helpers (templates/code.ts) and the shape of every generated file: LF line ends, no trailing
// whitespace, one final newline, whatever the model and whatever the OS.
import { readdirSync, readFileSync } from 'node:fs';
import { CompositeGeneratorNode, expandToNode, NewLineNode } from 'langium/generate';
import { describe, expect, it } from 'vitest';
import { blocks, eachLine, file, onlyIf } from '../../templates/code.js';
import { generateFrom } from './generate-helpers.js';

describe('template helpers', () => {
    it('file() ends lines with \\n even where Langium would write \\r\\n, and ends with exactly one', () => {
        const windows = new CompositeGeneratorNode('a', new NewLineNode('\r\n'), 'b', new NewLineNode('\r\n'), new NewLineNode('\r\n'));
        expect(file(windows)).toBe('a\nb\n');
        expect(file(expandToNode`x`)).toBe('x\n');
    });

    it('eachLine() puts items on lines of their own, leaves no line for none, and a leading blank line leaves no indentation behind', () => {
        const members = (names: string[]): string =>
            file(expandToNode`
                class A {
                    first() {}
                    ${eachLine(names, (name) => expandToNode`

                        ${name}() {
                            ${eachLine(['a;', 'b;'], (statement) => statement)}
                        }
                    `)}
                }
            `);
        expect(members([])).toBe('class A {\n    first() {}\n}\n');
        expect(members(['x', 'y'])).toBe('class A {\n    first() {}\n\n    x() {\n        a;\n        b;\n    }\n\n    y() {\n        a;\n        b;\n    }\n}\n');
    });

    it('blocks() separates items by one blank line; onlyIf() gives the lines of a present value and nothing for an absent one', () => {
        expect(file(expandToNode`
            {
                ${blocks(['a', 'b'], (name) => expandToNode`
                    ${name}1;
                    ${name}2;
                `)}
            }
        `)).toBe('{\n    a1;\n    a2;\n\n    b1;\n    b2;\n}\n');
        const optional = (value: string | undefined): string =>
            file(expandToNode`
                before
                ${onlyIf(value, (text) => expandToNode`

                    ${text}
                `)}
                after
            `);
        expect(optional('x')).toBe('before\n\nx\nafter\n');
        expect(optional(undefined)).toBe('before\nafter\n');
    });
});

describe('generated files are clean text', () => {
    it('every file of every example: \\n line ends, no trailing whitespace, no blank line twice, one final newline', async () => {
        const examples = new URL('../../examples/', import.meta.url);
        const names = readdirSync(examples).filter((name) => name.endsWith('.fsm')).sort();
        const texts = names.map((name) => readFileSync(new URL(name, examples), 'utf8'));
        for (const [index, name] of names.entries()) {
            for (const generated of await generateFrom(texts[index]!, texts.filter((_, other) => other !== index), name)) {
                if (generated.path.startsWith('src/runtime/')) {
                    continue;
                }
                const where = `${name}: ${generated.path}`;
                expect(generated.content, where).not.toMatch(/\r/);
                expect(generated.content, where).not.toMatch(/[ \t]$/m);
                expect(generated.content, where).not.toMatch(/\n\n\n/);
                expect(generated.content, where).toMatch(/[^\n]\n$/);
            }
        }
    });
});
