// The TextMate grammar (the colours before the language server answers) knows every word keyword of the Langium grammar,
// and its patterns colour the addresses the grammar lexes, unix: paths included.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../runtime/program-helpers.js';

const grammar = readFileSync(path.join(ROOT, 'language', 'reactor-fsm.langium'), 'utf8');
const textMate = JSON.parse(readFileSync(path.join(ROOT, 'client', 'syntaxes', 'reactor-fsm.tmLanguage.json'), 'utf8')) as unknown;

/** Every `match` regex of the TextMate grammar. */
function matches(node: unknown): string[] {
    if (Array.isArray(node)) {
        return node.flatMap(matches);
    }
    if (node && typeof node === 'object') {
        return Object.entries(node).flatMap(([key, value]) => (key === 'match' && typeof value === 'string' ? [value] : matches(value)));
    }
    return [];
}

describe('the TextMate grammar', () => {
    const patterns = matches(textMate);
    const alternatives = new Set(patterns.flatMap((pattern) => [...pattern.matchAll(/\(([A-Za-z|]+)\)/g)].flatMap((group) => group[1]!.split('|'))));
    const keywords = [...new Set([...grammar.matchAll(/'([A-Za-z]+)'/g)].map((match) => match[1]!))].sort();

    it('colours every word keyword of the Langium grammar', () => {
        expect(keywords.length).toBeGreaterThan(40);
        expect(keywords.filter((word) => !alternatives.has(word))).toEqual([]);
    });

    it('colours addresses as the lexer reads them: HOST:PORT, [IPv6]:PORT, unix:PATH up to a comment', () => {
        const address = patterns.map((pattern) => new RegExp(pattern)).filter((regex) => ['127.0.0.1:7000', 'unix:/run/app.sock'].some((text) => regex.exec(text)?.[0] === text));
        expect(address.length).toBe(2);
        const unix = address.find((regex) => regex.test('unix:/a'))!;
        expect(unix.exec('connect unix:/run/a.sock// note')?.[0]).toBe('unix:/run/a.sock');
        expect(unix.exec('connect unix:/run/a.sock/* note */')?.[0]).toBe('unix:/run/a.sock');
    });
});
