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
    'hierarchy-differential': 'Hierarchical machines: generated code, the interpreter and XState 5',
    conformance: 'Generated programs against the interpreter, with real sockets and signals',
    'runtime-load': 'The runtime under load and faults',
    'lsp-abuse': 'The language server under abuse'
};

function format(name: string, value: number | string): string {
    // Counts read better with separators; seeds are identifiers.
    return typeof value === 'number' && !/seed/i.test(name) ? value.toLocaleString('en-US') : String(value);
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
        lines.push(`| ${name} | ${format(name, value)} |`);
    }
    lines.push('', `Recorded ${record.recordedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} by the \`${record.suite}\` suite.`, '');

}
lines.push(
    '## Security',
    '',
    '- The generator never writes outside its output folder: paths are built from identifiers only, resolved and',
    '  checked against the folder, and a folder or file inside it that links elsewhere is refused',
    '  (`test/generator/write-files.test.ts`, `test/cli/generate.test.ts`).',
    '- Model text cannot inject code: names are identifiers made safe against TypeScript words and',
    '  `Object.prototype` members, strings and addresses are written as JSON literals, durations as numbers, and',
    '  source text appears only in comments that it cannot close (`test/generator/compile.test.ts`,',
    '  `test/generator/write-files.test.ts`).',
    "- The diagram webview's Content-Security-Policy blocks an injected inline script and a remote image in a real",
    '  Chromium (`test/browser/diagram-webview.test.ts`).',
    '- `npm run audit:shipped` (`npm audit --omit=dev --audit-level=high`: the production dependencies, which are',
    '  what the `.vsix` bundles: `langium`, `vscode-languageclient`, `vscode-languageserver`, `elkjs`, `commander`',
    '  and their dependencies, at the versions in `package-lock.json`) could not be run on this machine: the',
    '  registry here answers the audit endpoint with 405 Method Not Allowed. Run it where the registry answers.',
    ''
);
writeFileSync(TARGET, `${lines.join('\n').trimEnd()}\n`);
process.stdout.write(`robustness-report: wrote ${path.relative(ROOT, TARGET)} from ${records.length} suites\n`);
