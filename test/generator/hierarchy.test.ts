// Generated machines with composite states, regions, history, completion and composite timers: each model's generated
// code, run on the runtime's ManualClock, prints the interpreter's trace (enter/exit lines included), and type-checks.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { compileHierarchical, compileModel, GeneratedRun, generatedTrace, interpretedTrace, line, removeCompiled, type GuardValue, type Step } from './hierarchy-harness.js';
import { seededRandom } from '../seeded-random.js';
import { guardValue } from '../robustness/hierarchy/xstate.js';
import { printMachine, randomMachine, randomSteps } from '../robustness/hierarchy/model.js';
import { compareSequence } from '../robustness/hierarchy/compare.js';
import { SimulationError } from '../../language/semantics/interpreter.js';
import { removeTemporaryFolders, typeCheck, writeProject } from './generate-helpers.js';

afterAll(async () => {
    await removeCompiled();
    await removeTemporaryFolders();
});

const PLAYER = `machine Player {
    events Play, Pause, Stop, Tick, Mute, Unmute, Eject
    initial state Stopped { on Play -> Playing }
    state Active {
        on Stop -> Stopped
        on Eject -> Ejected
        history Resume
        initial state Playing {
            on Pause -> Paused
            after 1s -> Playing / tick
        }
        state Paused { on Play -> Resume }
    }
    parallel state Settings {
        region Sound {
            initial state Loud { on Mute -> Quiet }
            state Quiet { on Unmute -> Loud }
        }
        region Clock {
            initial state Running { on Tick -> Running / tock }
        }
        on Stop -> Stopped
    }
    final state Ejected
}
`;

/** Three levels, no regions: inherited transitions, shallow and deep history, internal transitions, entry/exit actions everywhere. */
const NESTED = `machine Nested {
    events Go, Down, Up, Leave, Back, BackDeep, Poke
    initial state Idle { on Go -> Outer / start }
    state Outer {
        entry enterOuter
        exit leaveOuter
        history H -> Second
        deep history D
        on Leave -> Idle
        on Poke / poked
        initial state First {
            entry enterFirst
            on Down -> Inner
        }
        state Second { on Down -> Deepest }
        state Inner {
            exit leaveInner
            on Up -> Second
            on Poke [ready] / pokedInner
            initial state Shallow { on Down -> Deepest }
            state Deepest { entry deepest }
        }
    }
    state Away {
        on Back -> H
        on BackDeep -> D
    }
    initial state Unused
}
`.replace('    initial state Unused\n', '').replace('on Leave -> Idle', 'on Leave -> Away');

/** Completion of a compound state and of a parallel state; timers owned by composites; a final top-level state. */
const COMPLETION = `machine Job {
    events Start, StepA, StepB, Abort
    initial state Ready { on Start -> Working }
    parallel state Working {
        after 5s -> Failed / timeout
        on done -> Checking / allDone
        on Abort -> Failed
        region A {
            initial state A1 { on StepA -> A2 }
            final state A2
        }
        region B {
            initial state B1 { on StepB -> B2 }
            final state B2
        }
    }
    state Checking {
        after 1s -> Finished
        on done -> Finished / checked
        initial state Check1 { after 200ms -> Check2 }
        final state Check2
    }
    state Failed { on Start -> Working }
    final state Finished
}
`;

/** Two regions on one event (both fire), a child beating its parallel parent, a transition across regions, guards. */
const CONFLICTS = `machine Panel {
    events Both, Parent, Cross, Flip
    initial parallel state Live {
        on Parent -> Off / parentWins
        on Flip [flag] -> Off
        region Left {
            initial state L1 {
                on Both -> L2 / left
                on Parent -> L2 / childWins
            }
            state L2 { on Cross -> R2 / crossed }
        }
        region Right {
            initial state R1 { on Both -> R2 / right }
            state R2 { on Flip [!flag] -> R1 / flipped }
        }
    }
    state Off { on Both -> Live }
}
`;

/** A deep history over a parallel state: every region's state remembered, and entered again from a snapshot. */
const DEEP_REGIONS = `machine Studio {
    events Enter, Leave, Back, A, B, Nest
    initial state Lobby { on Enter -> Room }
    state Room {
        deep history Memory -> Desk
        on Leave -> Hall
        initial state Desk { on Nest -> Stage }
        parallel state Stage {
            entry lightsOn
            region Left {
                initial state L1 { on A -> L2 }
                state L2 {
                    on A -> L1
                    initial state L2a { on B -> L2b }
                    state L2b
                }
            }
            region Right {
                initial state R1 { on B -> R2 }
                state R2
            }
        }
    }
    state Hall { on Back -> Memory }
}
`;

/**
 * Transitions and a timer from inside a composite to its own deep history over regions: the composite is not left
 * (its entry and exit actions do not run, its history is not recorded again); what is left and entered lies below the
 * least common compound ancestor of the source and the remembered states, so it depends on what was remembered.
 */
const BACK_INSIDE = `machine Player {
    events Play, Stop, Next, Prev, Solo
    initial state Stopped { on Play -> Active }
    state Active {
        entry activeIn
        exit activeOut
        on Stop -> Stopped
        on Solo -> Alone
        deep history Back
        initial parallel state Both {
            entry bothIn
            exit bothOut
            region Left {
                initial state L {
                    on Stop -> Back / backFromL
                    on Next -> L2
                }
                state L2 {
                    on Stop -> Back / backFromL2
                    after 1s -> Back / tick
                }
            }
            region Right {
                initial state R { on Next -> R2 }
                state R2 {
                    entry r2In
                    exit r2Out
                    on Prev -> R
                }
            }
        }
        state Alone { on Prev -> Back / fromAlone }
    }
}
`;

/** The same with the domain below the history's composite: Inner is neither left nor entered again when E goes back to Both. */
const BACK_DEEPER = `machine Deeper {
    events Go, Out, E, A, B, X, O
    initial state Idle { on Go -> Active }
    state Active {
        entry activeIn
        exit activeOut
        deep history H
        on Out -> Idle
        initial state Inner {
            entry innerIn
            exit innerOut
            on O -> Other
            initial parallel state Both {
                entry bothIn
                exit bothOut
                region RA {
                    initial state A1 { on A -> A2 }
                    state A2 { on X -> Xs }
                }
                region RB {
                    initial state B1 { on B -> B2 }
                    state B2 {
                        entry b2In
                        exit b2Out
                    }
                }
            }
            state Xs {
                on E -> H / back
                after 500ms -> H / late
            }
        }
        state Other { on E -> H / fromOther }
    }
}
`;

/** The same with the history in a region, and over a parallel state of one region (its one region's states are a chain). */
const BACK_IN_REGION = `machine Regional {
    events Go, A, B, C, Back, Out, Wrap
    initial state Idle {
        on Go -> Work
        on Wrap -> Wrapped
    }
    parallel state Work {
        on Out -> Idle
        region Main {
            deep history M
            initial state Setup {
                on A -> Run
                on C -> Solo
            }
            parallel state Run {
                exit runOut
                region P {
                    initial state P1 { on B -> P2 }
                    state P2 { on Back -> M / pBack }
                }
                region Q {
                    initial state Q1 { on C -> Q2 }
                    state Q2 { after 2s -> M / qLate }
                }
            }
            state Solo { on Back -> M / soloBack }
        }
        region Side {
            initial state S1 { on A -> S2 }
            state S2 { on Back -> S1 / sideBack }
        }
    }
    state Wrapped {
        on Out -> Idle
        deep history W
        initial parallel state One {
            entry oneIn
            region Only {
                initial state O1 {
                    on B -> O2
                    on Back -> W / oBack
                }
                state O2 {
                    on Back -> W / wBack
                    on C -> O1
                }
            }
        }
    }
}
`;

const CASES: Array<{ name: string; text: string; steps: Step[]; guard?: GuardValue }> = [
    {
        name: 'the product sketch (history, a parallel state, a composite timer)',
        text: PLAYER,
        steps: [{ send: 'Play' }, { advance: 2500 }, { send: 'Pause' }, { send: 'Stop' }, { send: 'Play' }, { send: 'Pause' }, { send: 'Stop' }, { send: 'Play' }, { send: 'Play' }, { send: 'Mute' }, { send: 'Tick' }, { send: 'Eject' }, { send: 'Play' }]
    },
    {
        name: 'three levels with shallow and deep history',
        text: NESTED,
        steps: [{ send: 'Go' }, { send: 'Down' }, { send: 'Poke' }, { send: 'Down' }, { send: 'Poke' }, { send: 'Leave' }, { send: 'BackDeep' }, { send: 'Leave' }, { send: 'Back' }, { send: 'Leave' }, { send: 'Back' }, { send: 'Up' }, { send: 'Leave' }, { send: 'Back' }],
        guard: (_name, step) => step > 3
    },
    {
        name: 'completion of compound and parallel states, composite timers',
        text: COMPLETION,
        steps: [{ send: 'Start' }, { send: 'StepA' }, { advance: 4000 }, { send: 'StepB' }, { advance: 100 }, { advance: 150 }, { advance: 2000 }, { send: 'Start' }]
    },
    {
        name: 'a composite timer running out, and re-armed on re-entry',
        text: COMPLETION,
        steps: [{ send: 'Start' }, { advance: 4999 }, { send: 'Abort' }, { send: 'Start' }, { advance: 3000 }, { send: 'StepA' }, { advance: 2000 }, { send: 'Start' }, { advance: 6000 }]
    },
    {
        name: 'a deep history over regions: its default, then every region\'s state as it was',
        text: DEEP_REGIONS,
        steps: [{ send: 'Enter' }, { send: 'Leave' }, { send: 'Back' }, { send: 'Nest' }, { send: 'A' }, { send: 'B' }, { send: 'Leave' }, { send: 'Back' }, { send: 'B' }, { send: 'Leave' }, { send: 'Back' }]
    },
    {
        name: 'a deep history over regions targeted from inside its composite: its default, then what it remembered, a timer',
        text: BACK_INSIDE,
        steps: [{ send: 'Play' }, { send: 'Stop' }, { send: 'Next' }, { send: 'Solo' }, { send: 'Prev' }, { send: 'Prev' }, { send: 'Stop' }, { advance: 1000 }, { send: 'Solo' }, { send: 'Stop' }, { send: 'Play' }, { send: 'Stop' }, { send: 'Prev' }, { send: 'Solo' }, { send: 'Prev' }, { send: 'Next' }, { advance: 1000 }]
    },
    {
        name: 'a deep history over regions targeted from inside, its domain below its composite: before it remembered anything, then after',
        text: BACK_DEEPER,
        steps: [{ send: 'Go' }, { send: 'A' }, { send: 'X' }, { send: 'E' }, { send: 'A' }, { send: 'B' }, { send: 'Out' }, { send: 'Go' }, { send: 'A' }, { send: 'X' }, { send: 'E' }, { send: 'A' }, { send: 'X' }, { advance: 500 }, { send: 'O' }, { send: 'E' }, { send: 'A' }, { send: 'X' }, { send: 'Out' }, { send: 'Go' }, { send: 'O' }, { send: 'E' }, { advance: 500 }, { send: 'Out' }, { send: 'Go' }, { send: 'O' }, { send: 'E' }]
    },
    {
        name: 'a deep history in a region targeted from inside, and one over a parallel state of one region',
        text: BACK_IN_REGION,
        steps: [{ send: 'Go' }, { send: 'A' }, { send: 'B' }, { send: 'Back' }, { send: 'A' }, { send: 'B' }, { send: 'C' }, { send: 'Out' }, { send: 'Go' }, { send: 'C' }, { send: 'Back' }, { advance: 2000 }, { send: 'Back' }, { send: 'Out' }, { send: 'Wrap' }, { send: 'Back' }, { send: 'B' }, { send: 'Out' }, { send: 'Wrap' }, { send: 'Back' }, { send: 'Back' }, { send: 'C' }, { send: 'Back' }]
    },
    {
        name: 'regions firing together, a child beating its parent, a transition across regions',
        text: CONFLICTS,
        steps: [{ send: 'Both' }, { send: 'Parent' }, { send: 'Both' }, { send: 'Parent' }, { send: 'Both' }, { send: 'Cross' }, { send: 'Flip' }, { send: 'Flip' }, { send: 'Both' }, { send: 'Cross' }],
        guard: (_name, step) => step % 3 === 1
    }
];

describe('generated hierarchical machines', () => {
    for (const each of CASES) {
        it(`print the interpreter's trace: ${each.name}`, async () => {
            const compiled = await compileHierarchical(each.text);
            const guard = each.guard ?? (() => true);
            const expected = interpretedTrace(compiled, each.steps, guard).map(line);
            expect(expected.some((text) => / enter /.test(text))).toBe(true);
            expect(generatedTrace(compiled, each.steps, guard).map(line)).toEqual(expected);
        });
    }

    it('type-check under the project\'s strict tsconfig', async () => {
        for (const text of [PLAYER, NESTED, COMPLETION, CONFLICTS, DEEP_REGIONS, BACK_INSIDE, BACK_DEEPER, BACK_IN_REGION]) {
            const { files } = await compileHierarchical(text);
            expect(typeCheck(await writeProject(files))).toEqual([]);
            for (const file of files) {
                expect(file.content, file.path).not.toMatch(/[ \t]$|\n\n\n/m);
            }
        }
    }, 120_000);

    it('dispatch without regions goes straight to the active state; each transition names its exits and entries', async () => {
        const { files } = await compileHierarchical(NESTED);
        const machine = files.find((file) => file.path === 'src/nested.machine.ts')!.content;
        expect(machine).toContain('export class NestedMachine extends HierarchicalMachine<NestedState, NestedEventId>');
        expect(machine).toContain('this.state.onDown(this);');
        // Outer: on Leave -> Away leaves what is active below the machine, then takes its actions and enters Away.
        expect(machine).toMatch(/\/\/ Outer: on Leave -> Away\nfunction transition(\d+)\(m: NestedMachine\): void \{\n {4}leaveBelow0\(m\);\n {4}take\1\(m\);\n\}/);
        expect(machine).toMatch(/function take\d+\(m: NestedMachine\): void \{\n {4}m\.tracing && m\.traceTransition\("Outer", NestedEvent\.Leave, "Away"\);\n {4}enter\d+\(m\);\n\}/);
        // From Shallow, Inner's `on Up -> Second` leaves Shallow then Inner: written out, no switch at run time.
        expect(machine).toMatch(/class ShallowState extends NestedState \{[^]*?override onUp\(m: NestedMachine\): void \{\n\s+\/\/ Inner: on Up -> Second\n\s+if \(!m\.tracing\) \{[^}]*\}\n\s+leave\d+\(m\); leave\d+\(m\); take\d+\(m\);/);
        const player = (await compileHierarchical(PLAYER)).files.find((file) => file.path === 'src/player.machine.ts')!.content;
        expect(player).toContain('export class PlayerMachine extends RegionMachine<PlayerState, PlayerEventId>');
    });

    it('with regions, as docs/generated-code.md says of its Deck: one function per event, shared cases, a straight quiet path, Stop once while On is active', async () => {
        const doc = readFileSync(new URL('../../docs/generated-code.md', import.meta.url), 'utf8');
        const section = doc.slice(doc.indexOf('## Composite states, regions and history'));
        const model = /```\n(machine Deck[^]*?)```/.exec(section)![1]!;
        const { files } = await compileHierarchical(model);
        const machine = files.find((file) => file.path === 'src/deck.machine.ts')!.content;
        expect(machine).toContain('export class DeckMachine extends RegionMachine<DeckState, DeckEventId>');
        expect(machine).toMatch(/ {4}leaf0 = NONE;[^]* {4}leaf1 = NONE;[^]* {4}leaf2 = NONE;/);
        // process calls one function per event.
        for (const event of ['Play', 'Pause', 'Tick', 'Vol', 'Stop']) {
            expect(machine).toContain(`case DeckEvent.${event}:\n                on${event}(m);\n                return;`);
        }
        const onPause = /function onPause\(m: DeckMachine\): void \{\n[^]*?\n\}/.exec(machine)![0];
        expect(onPause).toContain('switch (m.leaf1) {\n        case 5: case 6:\n');
        expect(onPause).toMatch(/if \(!m\.tracing\) \{\n\s+m\.leaf1 = NONE;\n\s+m\.actions\.stopPlay\(m, m\.payload as unknown\);\n\s+m\.actions\.pausePlay\(m, m\.payload as unknown\);\n\s+m\.leaf1 = 7;\n\s+return;/);
        const onPlay = /function onPlay\(m: DeckMachine\): void \{\n[^]*?\n\}/.exec(machine)![0];
        expect(onPlay).toMatch(/switch \(m\.leaf0\) \{\n\s+case 1:[^]*switch \(m\.leaf1\) \{\n\s+case 7:/);
        const onStop = /function onStop\(m: DeckMachine\): void \{\n[^]*?\n\}/.exec(machine)![0];
        expect(onStop).toMatch(/if \(m\.leaf0 === 2\) \{\n\s+transition\d+\(m\);\n\s+return;/);
        expect(typeCheck(await writeProject(files))).toEqual([]);
    }, 60_000);
});

describe('generated hierarchical machines without observers', () => {
    it('call the same actions and reach the same states as when traced: a deep history over regions targeted from inside', async () => {
        for (const each of CASES.filter((candidate) => [BACK_INSIDE, BACK_DEEPER, BACK_IN_REGION].includes(candidate.text))) {
            const compiled = await compileHierarchical(each.text);
            const traced = new GeneratedRun(compiled, () => true);
            const unobserved = new GeneratedRun(compiled, () => true, { observed: false });
            traced.start();
            unobserved.start();
            for (const [index, step] of each.steps.entries()) {
                traced.run(step, index);
                unobserved.run(step, index);
                const at = `${compiled.name} after ${index + 1} steps`;
                expect(unobserved.log, at).toEqual(traced.log);
                expect(unobserved.configuration(), at).toEqual(traced.configuration());
                expect(unobserved.finished(), at).toBe(traced.finished());
            }
            expect(traced.log.length).toBeGreaterThan(10);
        }
    });

    it('call the same actions and reach the same states as when traced (random machines, quiet paths included)', { timeout: 300_000 }, async () => {
        const random = seededRandom(20_261_205);
        let steps = 0;
        let quiet = 0;
        for (let first = 0; first < 150; first += 50) {
            // One in four may hold what XState does differently, a transition from inside a composite to its deep history among it.
            const machines = Array.from({ length: 50 }, (_, index) => randomMachine(random, first + index, index % 4 === 0));
            const project = await compileModel(machines.map(printMachine).join('\n'), ['nondeterministic', 'region-conflict', 'internal']);
            quiet += project.files.filter((file) => file.content.includes('if (!m.tracing) {')).length;
            for (const compiled of project.machines) {
                for (let s = 0; s < 4; s++) {
                    const treeSteps = randomSteps(random, 1 + random.int(25));
                    try {
                        // The interpreter first: a step it finds endless is given to neither run.
                        expect(compareSequence(compiled.program, treeSteps, { generated: compiled }).mismatch).toBeUndefined();
                    } catch (error) {
                        if (error instanceof SimulationError) {
                            continue;
                        }
                        throw error;
                    }
                    const sequence = treeSteps.map((step): Step => (step.kind === 'send' ? { send: step.event } : { advance: step.ms }));
                    const traced = new GeneratedRun(compiled, guardValue);
                    const unobserved = new GeneratedRun(compiled, guardValue, { observed: false });
                    traced.start();
                    unobserved.start();
                    for (const [index, step] of [undefined, ...sequence].entries()) {
                        if (step) {
                            traced.run(step, index);
                            unobserved.run(step, index);
                        }
                        const at = `${compiled.name} after ${index} steps of ${JSON.stringify(sequence)}`;
                        expect(unobserved.log, at).toEqual(traced.log);
                        expect(unobserved.configuration(), at).toEqual(traced.configuration());
                        expect(unobserved.finished(), at).toBe(traced.finished());
                        steps++;
                    }
                }
            }
        }
        expect(quiet).toBeGreaterThan(0);
        expect(steps).toBeGreaterThan(1000);
    });
});
