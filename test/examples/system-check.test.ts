// The examples under the system check: every row of examples/SYSTEM-CHECK.md is explored, completely, and finds exactly
// the findings the row accepts; every example is in some row.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli-helpers.js';

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
