// Every diagnostic code against its table and docs/language.md: documented (a row with its severity and a section with
// an example), and reported by that example with the severity IssueSeverities gives it, as is every other diagnostic.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCodes, IssueSeverities, type IssueCode } from '../../language/validation/issue-codes.js';
import { validate } from '../helpers.js';

const PAGE = readFileSync(path.resolve(import.meta.dirname, '../../docs/language.md'), 'utf8');
const DIAGNOSTICS = PAGE.slice(PAGE.indexOf('\n## Diagnostics\n'));
const SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3 };
const CODES = Object.values(IssueCodes);

/** The rows of the table of codes: code → severity as the page gives it. */
const rows = new Map([...DIAGNOSTICS.matchAll(/^\| \[`([a-z-]+)`\]\(#[a-z-]+\) \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!]));

/** The first fenced block under `### code`: the model the section shows. */
function exampleOf(code: string): string | undefined {
    const heading = DIAGNOSTICS.indexOf(`\n### ${code}\n`);
    if (heading < 0) {
        return undefined;
    }
    const section = DIAGNOSTICS.slice(heading + 1).split(/\n### /)[0]!;
    return /^```\n([\s\S]*?)^```$/m.exec(section)?.[1];
}

describe('the table of codes', () => {
    it('has one code per value and a severity per code', () => {
        expect(new Set(CODES).size).toBe(CODES.length);
        expect(Object.keys(IssueSeverities).sort()).toEqual([...CODES].sort());
    });

    it('is the table docs/language.md shows, code for code and severity for severity', () => {
        expect(Object.fromEntries(rows)).toEqual(IssueSeverities);
    });

    it('gives every severity: no report site in language/ writes one (they call report(accept, code, …))', () => {
        const language = path.resolve(import.meta.dirname, '../../language');
        const files = readdirSync(language, { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.parentPath.includes('generated'))
            .map((entry) => path.join(entry.parentPath, entry.name));
        expect(files.map((file) => path.relative(language, file))).toContain('validation/socket-checks.ts');
        const literal = /\b(accept|toDiagnostic)\(\s*'(error|warning|info|hint)'/;
        expect(files.filter((file) => literal.test(readFileSync(file, 'utf8'))).map((file) => path.relative(language, file))).toEqual([]);
    });
});

describe.each(CODES)('%s', (code: IssueCode) => {
    it('has a section of docs/language.md with an example', () => {
        expect(exampleOf(code), `### ${code} and its model`).toBeDefined();
    });

    it("is reported by the section's example with its severity, as is every other diagnostic of it", async () => {
        const { diagnostics } = await validate(exampleOf(code) ?? '');
        expect(diagnostics.map((d) => d.code)).toContain(code);
        for (const d of diagnostics) {
            expect(d.severity, String(d.code)).toBe(SEVERITY[IssueSeverities[d.code as IssueCode]]);
        }
    });
});
