// The examples under the system check: every row of examples/SYSTEM-CHECK.md is explored, completely, and finds exactly
// the findings the row accepts; every example is in some row, alone, and with the files the editor's Check System checks
// it with (a client of one reaching a server of another, by the system check's own wiring rule).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDocuments } from '../../language/lsp/system-check.js';
import { runCli } from '../cli/cli-helpers.js';
import { withDocuments } from '../helpers.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');

interface Row {
    files: string[];
    accepted: string[];
}

function rows(): Row[] {
    const text = readFileSync(path.join(EXAMPLES, 'SYSTEM-CHECK.md'), 'utf8');
    return text
        .split('\n')
        .filter((line) => /^\| `/.test(line))
        .map((line) => {
            const [files, accepted] = line.split('|').slice(1, 3) as [string, string];
            return {
                files: [...files.matchAll(/`([^`]+\.fsm)`/g)].map((match) => match[1]!),
                accepted: [...accepted.matchAll(/`([a-z-]+)` at `([^`]+)`/g)].map((match) => `${match[1]} ${match[2]}`)
            };
        });
}

interface ExploreJson {
    findings: Array<{ code: string; file: string; line: number }>;
    complete: boolean;
    states: number;
}

describe('examples/SYSTEM-CHECK.md', () => {
    const table = rows();

    it('lists every example, each on its own and the wired ones together', () => {
        const examples = readdirSync(EXAMPLES).filter((name) => name.endsWith('.fsm'));
        const alone = table.filter((row) => row.files.length === 1).map((row) => row.files[0]);
        expect(alone.sort()).toEqual(examples.sort());
        expect(table.some((row) => row.files.length > 1)).toBe(true);
    });

    it('lists every group of examples the editor checks together (Check System in the examples folder)', async () => {
        const examples = readdirSync(EXAMPLES).filter((name) => name.endsWith('.fsm')).sort();
        const groups = await withDocuments(
            examples.map((name) => readFileSync(path.join(EXAMPLES, name), 'utf8')),
            (documents) => documents.map((document) => systemDocuments(documents, document).map((member) => examples[documents.indexOf(member)]!).sort().join(' '))
        );
        const wired = [...new Set(groups.filter((group) => group.includes(' ')))].sort();
        expect(wired.length).toBeGreaterThan(0);
        const listed = table.filter((row) => row.files.length > 1).map((row) => [...row.files].sort().join(' '));
        expect(listed.sort()).toEqual(wired);
    });

    for (const row of rows()) {
        it(`${row.files.join(' + ')}: ${row.accepted.length === 0 ? 'no finding' : row.accepted.join(', ')}`, async () => {
            const result = await runCli(['explore', ...row.files, '--json'], EXAMPLES, { timeoutMs: 60_000 });
            expect(result.stderr).toBe('');
            const report = JSON.parse(result.stdout) as ExploreJson;
            expect(report.complete).toBe(true);
            expect(report.findings.map((finding) => `${finding.code} ${finding.file}:${finding.line}`).sort()).toEqual([...row.accepted].sort());
            expect(result.code).toBe(report.findings.some((finding) => finding.code !== 'unbounded-sessions') ? 1 : 0);
        });
    }
});
