// The analysis on hierarchical machines: reachability through default entries, ancestors, regions, history and
// completion; ways out inherited from the states around; clashes between levels and between regions; speed.
import { describe, expect, it } from 'vitest';
import { analyzeMachine } from '../../language/analysis/machine-analysis.js';
import type { Machine } from '../../language/generated/ast.js';
import { generateHierarchicalModel } from '../../bench/model-generator.js';
import { SimulationError } from '../../language/semantics/interpreter.js';
import { programOf } from '../../language/semantics/program.js';
import { InterpreterRun } from '../robustness/hierarchy/interpreter-run.js';
import { printMachine, randomMachine, randomSteps } from '../robustness/hierarchy/model.js';
import { seededRandom } from '../seeded-random.js';
import { validate } from '../helpers.js';

async function machineOf(text: string): Promise<Machine> {
    const { document } = await validate(text);
    return document.parseResult.value.machines[0]!;
}

const names = (items: Iterable<{ name: string }>): string[] => [...items].map((item) => item.name).sort();
const texts = (pairs: readonly (readonly [{ $cstNode?: { text: string } }, { $cstNode?: { text: string } }])[]): string[][] =>
    pairs.map(([a, b]) => [a.$cstNode?.text ?? '', b.$cstNode?.text ?? '']);

describe('reachability on the tree of states', () => {
    it('enters a composite through its initial child, a parallel state through every region, recursively', async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Top {
                    initial state Inner {
                        initial state Leaf
                        state Other
                    }
                    parallel state Both {
                        region R1 { initial state A1  state B1 }
                        region R2 { initial state A2 }
                    }
                }
            }`)
        );
        expect(analysis.hierarchical).toBe(true);
        expect(analysis.states.map((state) => state.name)).toEqual(['Top', 'Inner', 'Leaf', 'Other', 'Both', 'A1', 'B1', 'A2']);
        expect(names(analysis.reachable)).toEqual(['Inner', 'Leaf', 'Top']);
    });

    it("activates a nested target's ancestors and the other regions' initial states, not the target region's", async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Start { on Go -> B1 }
                parallel state Both {
                    region R1 { initial state A1  state B1 }
                    region R2 { initial state A2  state B2 }
                }
            }`)
        );
        expect(names(analysis.reachable)).toEqual(['A2', 'B1', 'Both', 'Start']);
    });

    it("follows a parent's transitions and timers from every state inside it", async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Outer {
                    on Go -> Far
                    after 1s -> Later
                    initial state Inside
                }
                state Far
                state Later
                state Island
            }`)
        );
        expect(names(analysis.reachable)).toEqual(['Far', 'Inside', 'Later', 'Outer']);
    });

    it("enters a history's default, else its holder's initial child, and re-enters a child that was active (shallow: by default)", async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go, Back, Next
                initial state Start { on Go -> Work  on Back -> Hist }
                state Work {
                    on Next -> Start
                    history Hist
                    initial state First { on Go -> Deep }
                    state Second {
                        initial state Shallow
                        state Deep
                    }
                }
            }`)
        );
        // Deep is reached by a transition; leaving Work and coming back through the shallow history re-enters Second
        // by default, so Shallow is reachable although no transition names it.
        expect(names(analysis.reachable)).toEqual(['Deep', 'First', 'Second', 'Shallow', 'Start', 'Work']);
        // The same when the history is first targeted after Second was active (found in the other order).
        const late = analyzeMachine(
            await machineOf(`machine M {
                events Go, Back, Next
                initial state Start { on Go -> Work }
                state Work {
                    history Hist
                    initial state First { on Go -> Deep }
                    state Second {
                        initial state Shallow
                        state Deep { on Next -> Away }
                    }
                }
                state Away { on Back -> Hist }
            }`)
        );
        expect(names(late.reachable)).toEqual(['Away', 'Deep', 'First', 'Second', 'Shallow', 'Start', 'Work']);
    });

    it("a deep history's default is entered; what it restores was active already", async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Start { on Go -> Hist }
                state Work {
                    deep history Hist -> Later
                    initial state First
                    state Later
                }
            }`)
        );
        expect(names(analysis.reachable)).toEqual(['Later', 'Start', 'Work']);
    });

    it('fires `on done` once a final child is reachable (a parallel state: once every region has one)', async () => {
        const source = (secondRegion: string): string => `machine M {
            events Go
            initial parallel state Both {
                on done -> After
                region R1 { initial state A1 { on Go -> F1 }  final state F1 }
                region R2 { ${secondRegion} }
            }
            state After
        }`;
        const done = analyzeMachine(await machineOf(source('initial state A2 { on Go -> F2 }  final state F2')));
        expect(done.reachable.has(done.states.find((state) => state.name === 'After')!)).toBe(true);
        const never = analyzeMachine(await machineOf(source('initial state A2 { on Go -> A2 }')));
        expect(never.reachable.has(never.states.find((state) => state.name === 'After')!)).toBe(false);
    });

    it('needs a decided start: startDecided is false when a composite or region has no initial child, or two', async () => {
        const decided = analyzeMachine(await machineOf(`machine M { initial state A { initial state B } }`));
        const missing = analyzeMachine(await machineOf(`machine M { initial state A { state B } }`));
        const two = analyzeMachine(await machineOf(`machine M { initial parallel state A { region R { initial state B  initial state C } } }`));
        expect([decided.startDecided, missing.startDecided, two.startDecided]).toEqual([true, false, false]);
    });

    it('calls states unreachable only once the start is decided (what the check, hover, tokens and diagram read)', async () => {
        const body = (inner: string): string => `machine M {
            events Go
            initial state A { on Go -> Outer }
            state Outer { ${inner}state Inner { on Go -> Other }  state Other }
            state Orphan
        }`;
        const decided = analyzeMachine(await machineOf(body('initial ')));
        expect(names(decided.unreachable)).toEqual(['Orphan']);
        const undecided = analyzeMachine(await machineOf(body('')));
        expect(undecided.startDecided).toBe(false);
        expect(names(undecided.states.filter((state) => !undecided.reachable.has(state)))).toEqual(['Inner', 'Orphan', 'Other']);
        expect(names(undecided.unreachable)).toEqual([]);
        expect(names(analyzeMachine(await machineOf('machine M { events Go  state A { on Go -> B }  state B }')).unreachable)).toEqual([]);
    });
});

describe('reachability against the interpreter', () => {
    it('never calls a state unreachable that the interpreter enters, stuck that it leaves, or unable to finish one it finished from (150 random machines)', async () => {
        const random = seededRandom(0x12);
        let entered = 0;
        let finished = 0;
        for (let index = 0; index < 150; index++) {
            const text = printMachine(randomMachine(random, index));
            const machine = await machineOf(text);
            const analysis = analyzeMachine(machine);
            const reachable = new Set([...analysis.reachable].map((state) => state.name));
            const run = new InterpreterRun(programOf(machine.$container));
            const visited = new Set<string>();
            const terminal = new Set([...analysis.terminal].map((state) => state.name));
            /** Terminal states a run entered and then left: a way out the analysis missed. */
            const left = new Set<string>();
            try {
                run.start();
                run.configuration().forEach((name) => visited.add(name));
                for (const [step, each] of randomSteps(random, 60).entries()) {
                    if (run.finished()) {
                        break;
                    }
                    const before = run.configuration();
                    run.run(each, step + 1);
                    const after = new Set(run.configuration());
                    before.filter((name) => terminal.has(name) && !after.has(name) && !run.finished()).forEach((name) => left.add(name));
                    after.forEach((name) => visited.add(name));
                }
            } catch (error) {
                if (!(error instanceof SimulationError)) {
                    throw error;
                }
            }
            entered += visited.size;
            expect([...visited].filter((name) => !reachable.has(name)), text).toEqual([]);
            expect([...left], text).toEqual([]);
            if (run.finished()) {
                finished++;
                expect(names(analysis.traps).filter((name) => visited.has(name)), text).toEqual([]);
            }
        }
        // The runs went somewhere, and a few of them finished.
        expect(entered).toBeGreaterThan(300);
        expect(finished).toBeGreaterThanOrEqual(3); // few random machines finish: 4 with this seed
    }, 60_000);
});

describe('ways out and finishing', () => {
    it("counts a parent's transition or timer as a way out of the states inside it; only atomic states are terminal", async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Timed {
                    after 1s -> Done
                    initial state Quiet
                }
                state Shell {
                    initial state Stuck
                }
                state Loop {
                    on Go -> Looped
                    initial state Looped
                }
                final state Done
            }`)
        );
        // Looped's only way out is its parent's transition back to itself.
        expect(names(analysis.terminal)).toEqual(['Looped', 'Stuck']);
    });

    it('counts another region leaving the parallel state as a way out of a state with none of its own', async () => {
        const source = (link: string): string => `machine M {
            events Fault, Reset
            initial parallel state Running {
                region Link { initial state Up { ${link} } }
                region Panel { initial state Lamp }
            }
            state Failed { on Reset -> Running }
        }`;
        expect(names(analyzeMachine(await machineOf(source('on Fault -> Failed'))).terminal)).toEqual([]);
        // Staying inside its region, Link takes nobody out: Lamp is stuck, and so is Up.
        expect(names(analyzeMachine(await machineOf(source('on Fault -> Up'))).terminal)).toEqual(['Lamp', 'Up']);
    });

    it('a final child with `on done` on its parent leads out; without it, the composite cannot finish', async () => {
        const source = (done: string): string => `machine M {
            events Go, Quit
            initial state Job {
                ${done}
                initial state Run { on Go -> Ok }
                final state Ok
            }
            state Idle { on Quit -> End }
            final state End
        }`;
        const finishing = analyzeMachine(await machineOf(source('on done -> Idle')));
        expect(names(finishing.traps)).toEqual([]);
        const stuck = analyzeMachine(await machineOf(source('on Quit -> Job')));
        // End is reachable only through Idle, which nothing enters: no top-level final is reachable, so no traps.
        expect(names(stuck.traps)).toEqual([]);
        const stuckWithExit = analyzeMachine(await machineOf(source('on Quit -> Job').replace('initial state Job', 'initial state Gate { on Go -> Job  on Quit -> End }\n state Job')));
        expect(names(stuckWithExit.traps)).toEqual(['Job', 'Run']);
    });

    it('reads each region as its own graph: a state is able to finish when another region can take the machine out', async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go, Quit
                initial parallel state Both {
                    region R1 { initial state Spin { on Go -> Spin2 }  state Spin2 { on Go -> Spin } }
                    region R2 { initial state Wait { on Quit -> End } }
                }
                final state End
            }`)
        );
        expect(names(analysis.traps)).toEqual([]);
    });

    it('nested final states do not finish the machine', async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Job {
                    initial state Run { on Go -> Ok }
                    final state Ok
                }
            }`)
        );
        expect(names(analysis.traps)).toEqual([]); // no top-level final state at all: nothing to report
        expect(names(analysis.terminal)).toEqual([]);
    });
});

describe('clashes', () => {
    it("pairs a child's unguarded transition with the parent's it hides (guarded ones hide nothing)", async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Stop, Go
                initial state Outer {
                    on Stop -> Done
                    on Go -> Done
                    initial state Inner {
                        on Stop / log
                        on Go [ready] -> Done
                        initial state Deepest { on Stop -> Inner }
                    }
                }
                final state Done
            }`)
        );
        expect(texts(analysis.hidden)).toEqual([
            ['on Stop / log', 'on Stop -> Done'],
            ['on Stop -> Inner', 'on Stop / log']
        ]);
    });

    it('finds transitions of two regions on one event whose exit sets intersect, not those that stay in their regions', async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Stop, Flip
                initial parallel state Both {
                    region R1 {
                        initial state A1 { on Flip -> B1  on Stop -> Out }
                        state B1 { on Flip -> A1 }
                    }
                    region R2 {
                        initial state A2 { on Flip -> B2  on Stop / log }
                        state B2 { on Stop -> A2 }
                    }
                }
                state Out
            }`)
        );
        expect(analysis.regionConflicts.map((c) => [c.earlier.$cstNode?.text, c.later.$cstNode?.text, c.earlierRegion.name, c.laterRegion.name, c.parallel.name])).toEqual([
            ['on Stop -> Out', 'on Stop -> A2', 'R1', 'R2', 'Both']
        ]);
    });

    it('records `on done` as no event: two unguarded ones in a state are nondeterministic', async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Job {
                    on done -> A
                    on done -> B
                    initial state Run { on Go -> Ok }
                    final state Ok
                }
                state A
                state B
            }`)
        );
        expect(names(analysis.handled)).toEqual(['Go']);
        expect(texts(analysis.nondeterministic)).toEqual([['on done -> A', 'on done -> B']]);
    });

    it('lists histories and those nobody targets', async () => {
        const analysis = analyzeMachine(
            await machineOf(`machine M {
                events Go
                initial state Start { on Go -> Used }
                state Work { history Used  deep history Unused  initial state W }
            }`)
        );
        expect(names(analysis.histories)).toEqual(['Unused', 'Used']);
        expect(names(analysis.unusedHistories)).toEqual(['Unused']);
    });
});

describe('speed', () => {
    it("analyses the benchmark's 10,000-state hierarchical model (3 levels, regions, history) in well under a second", async () => {
        const model = generateHierarchicalModel(10_000);
        const { document, diagnostics } = await validate(model.text);
        expect(diagnostics).toEqual([]);
        // A fresh copy of the machine, so the cache does not answer: the analysis alone is timed.
        const machine = document.parseResult.value.machines[0]!;
        const copy = { ...machine } as Machine;
        const started = performance.now();
        const analysis = analyzeMachine(copy);
        const elapsed = performance.now() - started;
        expect(analysis.states).toHaveLength(10_000);
        expect(analysis.reachable.size).toBe(10_000);
        expect(analysis.traps.size + analysis.terminal.size).toBe(0);
        expect(elapsed).toBeLessThan(1_000);
    }, 60_000);
});
