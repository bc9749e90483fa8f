// Writes docs/robustness.md from the figures the robustness suites recorded (out/robustness/*.json).
// Run `npm run robustness` (the suites, then this script); ROBUSTNESS_SCALE=10 tries ten times harder.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface Record {
    suite: string;
    recordedAt: string;
    claim: string;
    figures: { [name: string]: number | string };
}

const ROOT = path.resolve(import.meta.dirname, '..');
const FOLDER = path.join(ROOT, 'out/robustness');
const TARGET = path.join(ROOT, 'docs/robustness.md');

const TITLES: { [suite: string]: string } = {
    'fuzz-language': 'Fuzzing the language',
    differential: 'Generated code against a reference interpreter and XState',
    'runtime-load': 'The runtime under load and faults',
    'lsp-abuse': 'The language server under abuse'
};

function format(value: number | string): string {
    return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

const records: Record[] = existsSync(FOLDER)
    ? readdirSync(FOLDER)
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => JSON.parse(readFileSync(path.join(FOLDER, name), 'utf8')) as Record)
    : [];
if (records.length === 0) {
    process.stderr.write('robustness-report: no figures in out/robustness: run the robustness suites first (npm run robustness)\n');
    process.exit(2);
}

const lines = [
    '# Robustness',
    '',
    'Produced by `npm run robustness` (`scripts/robustness-report.ts`) from the figures the suites under',
    '`test/robustness/` record while they run. Do not edit by hand: run the suites again.',
    `Scale: ${process.env.ROBUSTNESS_SCALE ?? '1'} (set \`ROBUSTNESS_SCALE\` to try harder; CI runs 1).`,
    ''
];
for (const record of records) {
    lines.push(`## ${TITLES[record.suite] ?? record.suite}`, '', record.claim, '', '| figure | value |', '|---|---|');
    for (const [name, value] of Object.entries(record.figures)) {
        lines.push(`| ${name} | ${format(value)} |`);
    }
    lines.push('', `Recorded ${record.recordedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} by the \`${record.suite}\` suite.`, '');

}
writeFileSync(TARGET, `${lines.join('\n').trimEnd()}\n`);
process.stdout.write(`robustness-report: wrote ${path.relative(ROOT, TARGET)} from ${records.length} suites\n`);
