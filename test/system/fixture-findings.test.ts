// The system check on the fixtures of test/fixtures/system: each bug folder has its finding (code, file and line as
// the fixtures' README says), each fixed folder has none of the five; and every finding's scenario, run by the
// interpreter, ends with the instances and states the finding reports.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { checkSystem } from '../../language/system/check-system.js';
import { CODES, instancesOf, lineOf, SYSTEM_FIXTURES, withFixture, type Code } from './system-helpers.js';

const README = readFileSync(path.join(SYSTEM_FIXTURES, 'README.md'), 'utf8');

/** The section of the README about one code (from its heading to the next). */
function readmeSection(code: Code): string {
    const start = README.indexOf(`## ${code} `);
    expect(start, `the README has a section on ${code}`).toBeGreaterThanOrEqual(0);
    const end = README.indexOf('\n## ', start + 1);
    return README.slice(start, end < 0 ? undefined : end);
}

/** Where each bug is, as the README's "Where:" says: the file and the text on the finding's line. */
const PREDICTED: Record<Code, ReadonlyArray<{ file: string; at: string }>> = {
    'system-deadlock': [{ file: 'client.fsm', at: 'state AwaitBanner {' }],
    'orphan-session': [{ file: 'server.fsm', at: 'initial state Reading {' }],
    'stuck-after-fault': [{ file: 'worker.fsm', at: 'on Failed -> Offline / close registry' }],
    'lost-signal': [
        { file: 'poller.fsm', at: 'state Idle {' },
        { file: 'poller.fsm', at: 'state Asking {' }
    ],
    'unbounded-sessions': [{ file: 'chat.fsm', at: 'server listener listen 0.0.0.0:7500' }],
    'address-in-use': [{ file: 'files.fsm', at: 'server data listen 127.0.0.1:7801' }]
};

describe('the system check on its fixtures', () => {
    for (const code of CODES) {
        it(`${code}: the bug folder has exactly its finding, where the README says`, async () => {
            await withFixture(code, 'bug', ({ program, texts }) => {
                const check = checkSystem(program);
                expect(check.stats.complete).toBe(true);
                expect(check.stats.refused).toBe(0);
                const textOf = (file: string): string => [...texts].find(([full]) => path.basename(full) === file)![1];
                const expected = PREDICTED[code].map(({ file, at }) => `${code} ${file}:${lineOf(textOf(file), at)}`);
                const section = readmeSection(code);
                for (const { file, at } of PREDICTED[code]) {
                    expect(section, `the README names ${file} line ${lineOf(textOf(file), at)}`).toMatch(new RegExp(`line ${lineOf(textOf(file), at)}\\b`));
                }
                expect(check.findings.map((finding) => `${finding.code} ${finding.spot.file}:${finding.spot.line}`).sort()).toEqual(expected.sort());
            });
        });

        it(`${code}: the bug folder has its finding, with a trace as short as the README's`, async () => {
            await withFixture(code, 'bug', ({ program }) => {
                const check = checkSystem(program);
                const found = check.findings.filter((finding) => finding.code === code);
                expect(found.length).toBeGreaterThan(0);
                expect(check.findings.every((finding) => finding.code === code)).toBe(true);
                const shortest = /Shortest trace \((\d+) moves?\)/.exec(readmeSection(code));
                expect(shortest).not.toBeNull();
                expect(Math.min(...found.map((finding) => finding.steps.length))).toBe(Number(shortest![1]));
                for (const finding of found) {
                    expect(finding.severity).toBe(code === 'unbounded-sessions' ? 'warning' : 'error');
                    expect(finding.message.length).toBeGreaterThan(20);
                    expect(finding.scenario).toEqual(finding.steps.flatMap((step) => step.lines));
                }
            });
        });

        it(`${code}: the fixed folder has none of the five findings`, async () => {
            await withFixture(code, 'fixed', ({ program }) => {
                const check = checkSystem(program);
                expect(check.stats.complete).toBe(true);
                expect(check.stats.refused).toBe(0);
                expect(check.findings.map((finding) => `${finding.code} ${finding.spot.file}:${finding.spot.line}`)).toEqual([]);
            });
        });

        it(`${code}: each finding's scenario, run by the interpreter, reaches the instances and states it reports`, async () => {
            await withFixture(code, 'bug', ({ program }) => {
                const check = checkSystem(program);
                expect(check.findings.length).toBeGreaterThan(0);
                for (const finding of check.findings) {
                    const run = runScenario(program, parseScenario(finding.scenario.join('\n')));
                    expect(instancesOf(run.simulation), finding.scenario.join('\n')).toEqual([...finding.machines]);
                    // The state the trace ends in shows the finding's subject.
                    expect(finding.machines.some((machine) => machine.startsWith(`${finding.subject}: `))).toBe(true);
                }
            });
        });
    }

    it('the interpreter check is not vacuous: a scenario cut short ends elsewhere', async () => {
        await withFixture('orphan-session', 'bug', ({ program }) => {
            const finding = checkSystem(program).findings[0]!;
            const run = runScenario(program, parseScenario(finding.scenario.slice(0, -1).join('\n')));
            expect(instancesOf(run.simulation)).not.toEqual([...finding.machines]);
        });
    });
});

describe('what the messages say', () => {
    it('a system deadlock names every waiting instance, sessions included, and offers signals only when one is bound', async () => {
        await withFixture('system-deadlock', 'bug', ({ program }) => {
            const deadlock = checkSystem(program).findings.find((finding) => finding.code === 'system-deadlock')!;
            const waiting = deadlock.machines.filter((machine) => !machine.includes('(finished)') && !machine.startsWith('BannerServer:'));
            for (const instance of waiting) {
                expect(deadlock.message).toContain(instance.replace(': ', ' waits in '));
            }
            expect(waiting.some((instance) => instance.includes('#'))).toBe(true);
            expect([...program.machines.values()].some((machine) => machine.signals.length > 0)).toBe(false);
            expect(deadlock.message).not.toContain('signal');
        });
    });

    it('an orphan session says whether its peer closed the connection or its machine finished with it open', async () => {
        await withFixture('orphan-session', 'bug', ({ program }) => {
            const orphans = checkSystem(program).findings.filter((finding) => finding.code === 'orphan-session');
            expect(orphans.length).toBeGreaterThan(0);
            for (const orphan of orphans) {
                expect(orphan.message).toMatch(/outlives its peer: (the peer closed the connection|the peer's machine \S+ finished with the connection open), /);
            }
        });
    });
});
