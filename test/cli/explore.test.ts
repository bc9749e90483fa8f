// `reactor-fsm explore FILES…`: the system check from the command line — its text and --json output agree with the
// check run in-process, exit codes, usage errors, and --out's scenario files, which `simulate --script` replays.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportedFinding } from '../../language/cli/explore.js';
import { checkSystem } from '../../language/system/check-system.js';
import { CODES, fixtureFiles, withFixture, type Code } from '../system/system-helpers.js';
import { expectInputError, removeTempFolders, ROOT, runCli, tempFolder, type CliResult } from './cli-helpers.js';

afterAll(removeTempFolders);

type JsonFinding = ReportedFinding;

interface JsonReport {
    findings: JsonFinding[];
    states: number;
    transitions: number;
    ms: number;
    complete: boolean;
    bound: string | null;
}

/** The fixture's files as the CLI is given them: relative to the repository's root, where it runs. */
const relativeFiles = (code: Code, variant: 'bug' | 'fixed'): string[] => fixtureFiles(code, variant).map((file) => path.relative(ROOT, file));

function parseReport(result: CliResult): JsonReport {
    expect(result.stderr, JSON.stringify(result)).toBe('');
    const report = JSON.parse(result.stdout) as JsonReport & Record<string, unknown>;
    for (const key of ['findings', 'states', 'transitions', 'ms', 'complete', 'bound']) {
        expect(Object.keys(report)).toContain(key);
    }
    expect(Number.isInteger(report.states) && report.states > 0).toBe(true);
    expect(Number.isInteger(report.transitions) && report.transitions >= 0).toBe(true);
    expect(Number.isInteger(report.ms) && report.ms >= 0).toBe(true);
    expect(typeof report.complete).toBe('boolean');
    expect(report.bound === null || typeof report.bound === 'string').toBe(true);
    for (const finding of report.findings) {
        expect(Object.keys(finding).sort()).toEqual(['code', 'column', 'file', 'line', 'machines', 'message', 'severity', 'trace']);
        expect(CODES).toContain(finding.code);
        expect(['error', 'warning']).toContain(finding.severity);
        expect(Number.isInteger(finding.line) && finding.line >= 1).toBe(true);
        expect(Number.isInteger(finding.column) && finding.column >= 1).toBe(true);
        expect(finding.trace.every((line) => typeof line === 'string' && line.length > 0)).toBe(true);
        expect(finding.machines.every((line) => /^[A-Za-z_][A-Za-z0-9_]*(#\d+)?: \S/.test(line))).toBe(true);
    }
    return report;
}

const FINDING_LINE = /^(\S+):(\d+):(\d+) (error|warning) ([a-z-]+) (\S.*)$/;
const STATS_LINE = /^explored ([\d,]+) global states? and ([\d,]+) moves? in [\d.]+ s \(.*; (\d+) sessions? per server; (every reachable state|not complete: .+)\)$/;
const SUMMARY_LINE = /^(\d+) findings? \((\d+) errors?, (\d+) warnings?\)$/;

describe('reactor-fsm explore', () => {
    for (const code of CODES) {
        it(`${code}: --json reports what the check finds in-process, and the exit code follows the findings' severity`, async () => {
            for (const variant of ['bug', 'fixed'] as const) {
                const result = await runCli(['explore', ...relativeFiles(code, variant), '--json'], ROOT);
                const report = parseReport(result);
                const expected = await withFixture(code, variant, ({ program }) => checkSystem(program));
                expect(report.findings.map((finding) => ({ ...finding }))).toEqual(
                    expected.findings.map((finding) => ({
                        code: finding.code,
                        severity: finding.severity,
                        file: path.relative(ROOT, finding.spot.path),
                        line: finding.spot.line,
                        column: finding.spot.column ?? 1,
                        message: finding.message,
                        trace: [...finding.scenario],
                        machines: [...finding.machines]
                    }))
                );
                expect(report.states).toBe(expected.stats.states);
                expect(report.transitions).toBe(expected.stats.transitions);
                expect(report.complete).toBe(true);
                expect(report.bound).toBeNull();
                expect(result.code).toBe(report.findings.some((finding) => finding.severity === 'error') ? 1 : 0);
                if (variant === 'bug') {
                    expect(report.findings.map((finding) => finding.code)).toContain(code);
                } else {
                    expect(report.findings).toEqual([]);
                }
            }
        });
    }

    it('text output: one line per finding (file:line:column severity code message), its trace, the end, the counts; the same as --json', async () => {
        const files = relativeFiles('lost-signal', 'bug');
        const [text, json] = await Promise.all([runCli(['explore', ...files], ROOT), runCli(['explore', ...files, '--json'], ROOT)]);
        const report = parseReport(json);
        expect(text.stderr).toBe('');
        expect(text.code).toBe(1);
        const lines = text.stdout.split('\n');
        expect(lines.pop()).toBe('');
        const summary = SUMMARY_LINE.exec(lines.pop()!);
        const stats = STATS_LINE.exec(lines.pop()!);
        expect(summary).not.toBeNull();
        expect(stats).not.toBeNull();
        expect(Number(stats![1]!.replace(/,/g, ''))).toBe(report.states);
        expect(Number(stats![2]!.replace(/,/g, ''))).toBe(report.transitions);
        expect(stats![3]).toBe('2');
        expect(stats![4]).toBe('every reachable state');
        expect(summary!.slice(1).map(Number)).toEqual([report.findings.length, report.findings.filter((f) => f.severity === 'error').length, report.findings.filter((f) => f.severity === 'warning').length]);
        // The rest is, per finding: its line, "  trace (N moves):", the scenario lines, "  at the end: …".
        const expected = report.findings.flatMap((finding) => [
            `${finding.file}:${finding.line}:${finding.column} ${finding.severity} ${finding.code} ${finding.message}`,
            expect.stringMatching(/^ {2}trace \(\d+ moves?\):$/) as unknown as string,
            ...finding.trace.map((line) => `    ${line}`),
            `  at the end: ${finding.machines.join(', ')}`
        ]);
        expect(lines).toEqual(expected);
        expect(lines.filter((line) => FINDING_LINE.test(line))).toHaveLength(report.findings.length);
        // The count of moves is the trace's length in moves (an accept is one move of two scenario lines).
        const steps = await withFixture('lost-signal', 'bug', ({ program }) => checkSystem(program).findings.map((finding) => finding.steps.length));
        expect(lines.filter((line) => line.startsWith('  trace (')).map((line) => Number(/\((\d+)/.exec(line)![1]))).toEqual(steps);
    });

    it('a warning alone exits 0; the summary counts it', async () => {
        const result = await runCli(['explore', ...relativeFiles('unbounded-sessions', 'bug')], ROOT);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/warning unbounded-sessions /);
        expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 finding (0 errors, 1 warning)');
    });

    it('is the same twice (but for the time)', async () => {
        const files = relativeFiles('orphan-session', 'bug');
        const strip = (result: CliResult): string => result.stdout.replace(/"ms": \d+/, '').replace(/"bytesPerState": \d+/, '');
        const [first, second] = await Promise.all([runCli(['explore', ...files, '--json'], ROOT), runCli(['explore', ...files, '--json'], ROOT)]);
        expect(strip(second)).toBe(strip(first));
    });

    it('--json gives the memory per state only for a search of 10,000 states or more (null below: noise)', async () => {
        const small = JSON.parse((await runCli(['explore', ...relativeFiles('orphan-session', 'bug'), '--json'], ROOT)).stdout) as { states: number; bytesPerState: number | null; mode: string; sessions: number };
        expect(small.states).toBeLessThan(10_000);
        expect(small).toMatchObject({ bytesPerState: null, mode: 'exhaustive', sessions: 2 });
        const large = JSON.parse((await runCli(['explore', 'examples/tcp-relay.fsm', '--sessions', '4', '--max-states', '12000', '--json'], ROOT)).stdout) as { states: number; bytesPerState: number | null };
        expect(large.states).toBeGreaterThanOrEqual(10_000);
        expect(large.bytesPerState).toBeGreaterThan(100);
    });

    it('--sessions, --max-states, --random-walk and --seed reach the search', async () => {
        const files = relativeFiles('unbounded-sessions', 'bug');
        const three = parseReport(await runCli(['explore', ...files, '--json', '--sessions', '3'], ROOT));
        expect(three.findings.map((finding) => finding.machines.filter((machine) => machine.startsWith('ChatSession#')).length)).toEqual([3]);
        const cut = parseReport(await runCli(['explore', ...files, '--json', '--max-states', '1'], ROOT));
        expect(cut.complete).toBe(false);
        expect(cut.bound).toContain('--max-states 1');
        expect(cut.findings).toEqual([]);
        const text = await runCli(['explore', ...files, '--max-states', '1'], ROOT);
        expect(text.stdout).toMatch(/not complete: bound reached after 1 state \(--max-states 1\)/);
        const walk = parseReport(await runCli(['explore', ...relativeFiles('system-deadlock', 'bug'), '--json', '--random-walk', '10', '--seed', '5'], ROOT));
        expect(walk.complete).toBe(false);
        expect(walk.bound).toContain('seed 5');
        expect(walk.findings.map((finding) => finding.code)).toEqual(['system-deadlock']);
    });

    it('--out that cannot be a folder is a usage error at once: under /proc (where Node\'s recursive mkdir never returns), inside a file', { timeout: 40_000 }, async (context) => {
        if (!existsSync('/proc/self')) {
            context.skip('no /proc here');
        }
        const files = relativeFiles('system-deadlock', 'bug');
        const underProc = await runCli(['explore', ...files, '--out', '/proc/x/traces'], ROOT, { timeoutMs: 15_000 });
        expect(underProc.timedOut, 'the run ended by itself').toBe(false);
        expectInputError(underProc, "cannot create folder '/proc/x'");
        const folder = await tempFolder({ 'plain.txt': 'not a folder' });
        expectInputError(await runCli(['explore', ...files.map((file) => path.join(ROOT, file)), '--out', 'plain.txt/traces'], folder), "'plain.txt/traces'");
    });

    it('--network-faults lets the network reset wired connections: the fixed orphan-session pair then deadlocks', async () => {
        const files = relativeFiles('orphan-session', 'fixed');
        const plain = await runCli(['explore', ...files, '--json'], ROOT);
        const plainReport = parseReport(plain) as JsonReport & { networkFaults: boolean };
        expect(plainReport.networkFaults).toBe(false);
        expect(plainReport.findings).toEqual([]);
        expect(plain.code).toBe(0);
        const faulty = await runCli(['explore', ...files, '--json', '--network-faults'], ROOT);
        const report = parseReport(faulty) as JsonReport & { networkFaults: boolean };
        expect(report.networkFaults).toBe(true);
        expect(report.states).toBeGreaterThan(plainReport.states);
        expect(report.findings.map((finding) => `${finding.code} ${path.basename(finding.file)}:${finding.line}`)).toEqual(['system-deadlock client.fsm:8']);
        expect(report.findings[0]!.trace).toContain('JobClient.upstream reset');
        expect(faulty.code).toBe(1);
        const text = await runCli(['explore', ...files, '--network-faults'], ROOT);
        expect(text.stdout).toMatch(/; network faults; every reachable state\)\n/);
    });

    it('usage errors exit 2 with one line: a bad number, a missing file', async () => {
        const files = relativeFiles('system-deadlock', 'bug');
        expectInputError(await runCli(['explore', ...files, '--max-states', 'abc'], ROOT), '--max-states', 'abc');
        expectInputError(await runCli(['explore', ...files, '--sessions', '0'], ROOT), '--sessions');
        expectInputError(await runCli(['explore', ...files, '--seed', '-1'], ROOT), '--seed');
        expectInputError(await runCli(['explore', ...files, '--random-walk', '1.5'], ROOT), '--random-walk');
        // A seed without a random walk would be ignored: it is refused instead.
        expectInputError(await runCli(['explore', ...files, '--seed', '3'], ROOT), '--seed', '--random-walk');
        expectInputError(await runCli(['explore', 'no-such-file.fsm'], ROOT), 'no-such-file.fsm');
        const unknown = await runCli(['explore', ...files, '--no-such-option'], ROOT);
        expect(unknown.code).toBe(2);
        expect(unknown.stdout).toBe('');
    });

    it('a model with errors exits 1: its errors on stderr, nothing explored', async () => {
        const folder = await tempFolder({ 'broken.fsm': 'machine Broken {\n    initial state A { on Nope -> B }\n}\n' });
        const result = await runCli(['explore', 'broken.fsm', fixtureFiles('system-deadlock', 'bug')[0]!], folder);
        expect(result.code).toBe(1);
        expect(result.stdout).not.toMatch(/explored/);
        expect(result.stderr).toMatch(/^broken\.fsm:2:\d+ error unresolved-reference /m);
        expect(result.stderr).toContain('not exploring broken.fsm');
    });

    for (const code of CODES) {
        it(`${code}: --out writes a .scenario and a .mmd per finding, and simulate --script replays each scenario`, async () => {
            const files = relativeFiles(code, 'bug');
            const out = await tempFolder();
            const result = await runCli(['explore', ...files, '--json', '--out', out], ROOT);
            const report = parseReport(result);
            const written = readdirSync(out).sort();
            expect(written).toHaveLength(2 * report.findings.length);
            const scenarios = written.filter((name) => name.endsWith('.scenario'));
            expect(written.filter((name) => name.endsWith('.mmd'))).toEqual(scenarios.map((name) => name.replace(/\.scenario$/, '.mmd')));
            for (const [index, finding] of report.findings.entries()) {
                const name = scenarios[index]!;
                expect(name).toMatch(new RegExp(`^${String(index + 1).padStart(2, '0')}-${finding.code}-${path.basename(finding.file, '.fsm')}-${finding.line}\\.scenario$`));
                const scenario = readFileSync(path.join(out, name), 'utf8');
                const steps = scenario.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
                expect(steps).toEqual(finding.trace);
                expect(scenario).toContain(`# at the end: ${finding.machines.join(', ')}`);
                const chart = readFileSync(path.join(out, name.replace(/\.scenario$/, '.mmd')), 'utf8');
                expect(chart.startsWith('sequenceDiagram\n')).toBe(true);
                const replay = await runCli(['simulate', ...files, '--script', path.join(out, name)], ROOT);
                // A program that cannot go on says so where the replay stops (address-in-use: it exits with status 1).
                expect(replay.stderr, scenario).toBe(code === 'address-in-use' ? `reactor-fsm: the program stops here with exit status 1: ${finding.trace.at(-1)!.split(' ')[0]} cannot listen (EADDRINUSE) and the model maps no error event\n` : '');
                expect(replay.code, scenario).toBe(0);
                // The replay's trace shows the finding's subject getting where the finding says (its last state there).
                const subject = finding.machines.find((machine) => finding.message.startsWith(machine.split(':')[0]!)) ?? finding.machines[0]!;
                const [instance, state] = subject.split(': ') as [string, string];
                expect(replay.stdout).toContain(instance);
                expect(replay.stdout).toContain(state.replace(/ \((finished|exited)\)$/, ''));
            }
        });
    }

    it('a folder --out cannot create is a usage error (exit 2)', async () => {
        const folder = await tempFolder({ 'file': 'not a folder' });
        const result = await runCli(['explore', ...relativeFiles('system-deadlock', 'bug'), '--out', path.join(folder, 'file', 'sub')], ROOT);
        expectInputError(result, 'cannot write the traces');
    });

    it('text output with --out names the files written for each finding', async () => {
        const out = await tempFolder();
        const result = await runCli(['explore', ...relativeFiles('lost-signal', 'bug'), '--out', out], ROOT);
        expect(result.code).toBe(1);
        const written = result.stdout.split('\n').filter((line) => line.startsWith('  written: '));
        const scenarios = readdirSync(out).filter((name) => name.endsWith('.scenario')).sort();
        expect(scenarios.length).toBeGreaterThan(0);
        expect(written).toEqual(scenarios.map((name) => `  written: ${path.join(out, name)} and .mmd`));
    });

    it('two files that define one machine name are a usage error naming both (exit 2)', async () => {
        const lamp = 'machine Lamp {\n    events Toggle\n    initial state Off { on Toggle -> On }\n    state On { on Toggle -> Off }\n}\n';
        const folder = await tempFolder({ 'a.fsm': lamp, 'b.fsm': '// again\n\n' + lamp });
        expectInputError(await runCli(['explore', 'a.fsm', 'b.fsm'], folder), "'Lamp'", 'a.fsm:1', 'b.fsm:3');
    });

    it('two folders are explored as their files together', async () => {
        const folders = (['orphan-session', 'unbounded-sessions'] as const).map((code) => path.dirname(relativeFiles(code, 'bug')[0]!));
        const byFolder = parseReport(await runCli(['explore', ...folders, '--json'], ROOT));
        const byFiles = parseReport(await runCli(['explore', ...relativeFiles('orphan-session', 'bug'), ...relativeFiles('unbounded-sessions', 'bug'), '--json'], ROOT));
        expect(byFolder.findings).toEqual(byFiles.findings);
        expect(byFolder.states).toBe(byFiles.states);
    });

    it('one folder is explored as its files together, as two folders are', async () => {
        const folder = path.dirname(relativeFiles('orphan-session', 'bug')[0]!);
        const result = await runCli(['explore', folder, '--json'], ROOT);
        const byFiles = parseReport(await runCli(['explore', ...relativeFiles('orphan-session', 'bug'), '--json'], ROOT));
        expect(parseReport(result).findings).toEqual(byFiles.findings);
        expect(result.code).toBe(1);
    });
});
