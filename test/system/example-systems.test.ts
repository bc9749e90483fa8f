// The system check on the examples (each file alone, and the echo client with its server): no move the interpreter
// refuses, every finding's scenario replays in the interpreter to the states it reports, and on the small ones a
// brute-force search finds each code within 3 moves exactly when the explorer reports it that short.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { checkSystem } from '../../language/system/check-system.js';
import { World } from '../../language/system/world.js';
import { shortest, type Condition } from './brute-force.js';
import { addressInUse, deadlocked, lostSignal, orphanForever, sessionsPileUp, stuckAfterFault } from './finding-conditions.js';
import { contextOf, instancesOf, ROOT, withSystem } from './system-helpers.js';

const EXAMPLES = path.join(ROOT, 'examples');

/** Each code's condition, looking 4 moves ahead for a way out. */
const CONDITIONS: ReadonlyArray<[string, Condition]> = [
    ['system-deadlock', deadlocked],
    ['lost-signal', lostSignal(4)],
    ['stuck-after-fault', stuckAfterFault(4)],
    ['orphan-session', orphanForever(4)],
    ['unbounded-sessions', sessionsPileUp(2, 4)],
    ['address-in-use', addressInUse]
];

const systems: string[][] = [
    ...readdirSync(EXAMPLES)
        .filter((name) => name.endsWith('.fsm'))
        .sort()
        .map((name) => [name]),
    ['echo-client.fsm', 'echo-server.fsm']
];

describe('the system check on the examples', () => {
    for (const names of systems) {
        it(`${names.join(' + ')}: complete, no refused move, findings replay, short findings agree with brute force`, async () => {
            const files = new Map(names.map((name) => [path.join(EXAMPLES, name), readFileSync(path.join(EXAMPLES, name), 'utf8')]));
            await withSystem(files, ({ program }) => {
                const check = checkSystem(program, { maxMs: 20_000 });
                expect(check.stats.refused, check.stats.firstRefusal).toBe(0);
                expect(check.stats.complete).toBe(true);
                for (const finding of check.findings) {
                    const run = runScenario(program, parseScenario(finding.scenario.join('\n')));
                    expect(instancesOf(run.simulation), `${finding.code}: ${finding.scenario.join(' / ')}`).toEqual([...finding.machines]);
                }
                if (check.stats.states <= 200) {
                    for (const [code, condition] of CONDITIONS) {
                        const found = shortest(World.start(contextOf(program)), condition, 3, 300_000);
                        const reported = check.findings.filter((finding) => finding.code === code).map((finding) => finding.steps.length);
                        const expected = reported.length > 0 && Math.min(...reported) <= 3 ? Math.min(...reported) : undefined;
                        expect(found?.length, `${code}: ${found?.map((taken) => taken.outcome.lines.join(' / ')).join(' | ')}`).toBe(expected);
                    }
                }
            });
        }, 60_000);
    }
});
