// The checks of hierarchical machines: each fires where it should (code, severity, range, message) and stays silent
// on a close model that is right.
import { describe, expect, it } from 'vitest';
import { IssueCodes, IssueSeverities, type IssueCode } from '../../language/validation/issue-codes.js';
import { rangeText, validate } from '../helpers.js';

const SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3 };

/** Asserts `text` reports `code` exactly on the given range texts (in order), with the code's severity; the model must parse. */
async function expectReported(text: string, code: IssueCode, ranges: string[], message?: RegExp): Promise<void> {
    const { document, diagnostics } = await validate(text);
    expect(diagnostics.filter((d) => d.code === IssueCodes.SyntaxError).map((d) => d.message), 'the model parses').toEqual([]);
    const found = diagnostics.filter((d) => d.code === code).map((d) => ({ ...d, text: rangeText(document, d) }));
    expect(found.map((d) => d.text)).toEqual(ranges);
    for (const d of found) {
        expect(d.severity).toBe(SEVERITY[IssueSeverities[code]]);
        if (message) {
            expect(d.message).toMatch(message);
        }
    }
}

async function expectClean(text: string): Promise<void> {
    const { diagnostics } = await validate(text);
    expect(diagnostics.map((d) => `${String(d.code)}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual([]);
}

/** A clean player: composite, parallel regions, shallow history, completion. */
const PLAYER = `machine Player {
    events Play, Pause, Stop, Mute, Eject
    initial state Stopped {
        on Play -> Playing
        on Mute -> Settings
    }
    state Active {
        on Stop -> Shelf
        on Eject -> Ejected
        history Resume
        initial state Playing { on Pause -> Paused }
        state Paused { on Play -> Playing }
    }
    state Shelf { on Play -> Resume }
    parallel state Settings {
        on done -> Stopped
        region Sound {
            initial state Loud { on Mute -> Quiet }
            final state Quiet
        }
        region Screen {
            initial state Lit { on Pause -> Off }
            final state Off
        }
    }
    final state Ejected
}`;

describe('a clean hierarchical machine', () => {
    it('reports nothing', async () => {
        await expectClean(PLAYER);
    });
});

describe('no-initial and many-initial in composite states and regions', () => {
    it('reports a composite state or a region without an initial state on its name', async () => {
        await expectReported(
            `machine M {
                initial state Box { state In }
                parallel state Both { region R { state A } }
            }`,
            IssueCodes.NoInitial,
            ['Box', 'R'],
            /^(Composite state 'Box'|Region 'R') has no initial state: mark the state inside it that it starts in with 'initial'\.$/
        );
    });
    it('counts initial per container: a second one in the same box is reported on its keyword', async () => {
        await expectReported(
            `machine M {
                initial state Box {
                    initial state A
                    initial state B
                }
                parallel state Both {
                    region R1 { initial state C }
                    region R2 { initial state D  initial state E }
                }
            }`,
            IssueCodes.ManyInitial,
            ['initial', 'initial'],
            /^(Composite state 'Box' already starts in 'A' \(line 3\)|Region 'R2' already starts in 'D' \(line 8\)): only one state inside it can be 'initial'\.$/
        );
    });
    it("counts only top-level states for the machine's initial state", async () => {
        await expectReported(`machine M { state Box { initial state In } }`, IssueCodes.NoInitial, ['M'], /Machine 'M' has no initial state/);
        await expectReported(`machine M { initial state Box { initial state In } }`, IssueCodes.NoInitial, []);
    });
    it('waits with unreachable-state until every container has one initial state', async () => {
        await expectReported(`machine M { events Go initial state A { on Go -> A } state Box { state In } }`, IssueCodes.UnreachableState, []);
    });
});

describe('unreachable-state, terminal-state and cannot-finish in nested states', () => {
    it('reports nested states no configuration reaches', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state Box {
                    on Go -> Done
                    initial state A
                    state Never
                }
                final state Done
            }`,
            IssueCodes.UnreachableState,
            ['Never']
        );
    });
    it("does not call a state stuck when a state around it has a way out, a timer included", async () => {
        await expectReported(
            `machine M {
                events Go
                initial state Box {
                    after 1s -> Done
                    initial state A
                }
                state Shell {
                    initial state Stuck
                }
                final state Done
            }`,
            IssueCodes.TerminalState,
            ['Stuck']
        );
    });
    it('treats a final child with `on done` as a way out of its composite', async () => {
        const model = (done: string): string => `machine M {
            events Go, Quit
            initial state Gate { on Go -> Job  on Quit -> End }
            state Job {
                ${done}
                initial state Run { on Go -> Ok }
                final state Ok
            }
            final state End
        }`;
        await expectReported(model('on done -> End'), IssueCodes.CannotFinish, []);
        await expectReported(model('on Quit -> Job'), IssueCodes.CannotFinish, ['Job', 'Run'], /no final state can be reached/);
    });
});

describe('final-has-children and final-has-transitions', () => {
    it('reports states, regions and histories in a final state, and its transitions at any depth', async () => {
        const model = `machine M {
            events Go
            initial state Box {
                initial state A { on Go -> Ok }
                final state Ok { on Go -> A }
                on done -> End
            }
            final state End {
                state Inner
                history H
            }
        }`;
        await expectReported(model, IssueCodes.FinalHasChildren, ['Inner', 'H'], /^Final state 'End' cannot hold a (state|history): a final state is atomic/);
        await expectReported(model, IssueCodes.FinalHasTransitions, ['on Go -> A'], /Final state 'Ok' cannot have transitions/);
    });
});

describe('region-outside-parallel, state-outside-region and parallel-without-regions', () => {
    it('reports a region in a state that is not parallel, on the region', async () => {
        await expectReported(
            `machine M { initial state Box { region R { initial state A } } }`,
            IssueCodes.RegionOutsideParallel,
            ['R'],
            /^Region 'R' is in 'Box', which is not a parallel state: .*Mark 'Box' 'parallel', or put the states directly inside it\.$/
        );
    });
    it('reports a state directly in a parallel state, and a parallel state without a region', async () => {
        const model = `machine M {
            initial parallel state Both {
                state Stray
                region R { initial state A }
            }
            parallel state Empty
        }`;
        await expectReported(model, IssueCodes.StateOutsideRegion, ['Stray'], /^State 'Stray' stands directly in parallel state 'Both', which holds only regions\./);
        await expectReported(model, IssueCodes.ParallelWithoutRegions, ['Empty'], /^Parallel state 'Empty' has no region/);
    });
    it('is silent for parallel states of regions', async () => {
        await expectReported(PLAYER, IssueCodes.RegionOutsideParallel, []);
        await expectReported(PLAYER, IssueCodes.StateOutsideRegion, []);
        await expectReported(PLAYER, IssueCodes.ParallelWithoutRegions, []);
    });
});

describe('done-on-atomic-state', () => {
    it("reports `on done` on a state without states inside, on the 'done' keyword", async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A { on Go -> B  on done -> B }
                state B { on Go -> A }
            }`,
            IssueCodes.DoneOnAtomicState,
            ['done'],
            /^'on done' handles the completion of a composite state, but 'A' holds no states/
        );
        await expectReported(PLAYER, IssueCodes.DoneOnAtomicState, []);
    });
});

describe('misplaced-history and bad-history-default', () => {
    it('reports a history in a state without states inside', async () => {
        await expectReported(
            `machine M { events Go initial state A { history H  on Go -> H } }`,
            IssueCodes.MisplacedHistory,
            ['H'],
            /^History 'H' is in 'A', which holds no states/
        );
    });
    it('reports a shallow default that is not a child, and a deep default outside the composite, on the default', async () => {
        const model = `machine M {
            events Go
            initial state Box {
                on Go -> Shallow
                history Shallow -> Leaf
                deep history Deep -> Outside
                history Good -> Sub
                deep history Deeper -> Leaf
                initial state Sub { initial state Leaf { on Go -> Deep } }
            }
            state Outside { on Go -> Good  on Go -> Deeper }
        }`;
        const { diagnostics } = await validate(model);
        expect(diagnostics.filter((d) => d.code === IssueCodes.BadHistoryDefault).map((d) => d.message)).toEqual([
            "The default of history 'Shallow' must be a state directly inside 'Box' (a shallow history re-enters a child of its composite): 'Leaf' is not. Name one of them, or remove the default.",
            "The default of history 'Deep' must be a state inside 'Box' (a deep history re-enters states inside its composite): 'Outside' is not. Name one of them, or remove the default."
        ]);
        await expectReported(model, IssueCodes.BadHistoryDefault, ['Leaf', 'Outside']);
    });
});

describe('duplicate-name across nested states, regions and histories', () => {
    it('uses one namespace per machine, reported on the later name', async () => {
        await expectReported(
            `machine M {
                initial state Box {
                    history Box2
                    initial state Inner
                }
                parallel state Box2 {
                    region Inner { initial state A }
                }
            }`,
            IssueCodes.DuplicateName,
            ['Box2', 'Inner'],
            /^Duplicate (state name 'Box2': machine 'M' already has a history|region name 'Inner': machine 'M' already has a state) called that \(line \d\)\. States, regions and histories share one namespace\.$/
        );
    });
    it('keeps the message of two states', async () => {
        await expectReported(
            `machine M { initial state Box { initial state Twin } state Twin }`,
            IssueCodes.DuplicateName,
            ['Twin'],
            /^Duplicate state name 'Twin': machine 'M' already has a state called that \(line 1\)\.$/
        );
    });
});

describe('unused-history', () => {
    it('warns on a history no transition or timer targets', async () => {
        await expectReported(
            PLAYER.replace('on Play -> Resume', 'on Play -> Active'),
            IssueCodes.UnusedHistory,
            ['Resume'],
            /^History 'Resume' is never used: no transition or timer targets it\. Target it with '-> Resume' to resume where 'Active' was left, or remove it\.$/
        );
        await expectReported(PLAYER, IssueCodes.UnusedHistory, []);
    });
    it('counts a timer as a use', async () => {
        await expectReported(PLAYER.replace('on Play -> Resume', 'after 1s -> Resume'), IssueCodes.UnusedHistory, []);
    });
});

describe('hidden-transition', () => {
    it("informs on a child's unguarded transition taking its parent's event, on the event", async () => {
        await expectReported(
            PLAYER.replace('state Paused { on Play -> Playing }', 'state Paused { on Play -> Playing  on Stop -> Stopped }'),
            IssueCodes.HiddenTransition,
            ['Stop'],
            /^While 'Paused' is active, this transition on 'Stop' is taken instead of the one of 'Active' \(line 8\)/
        );
    });
    it('is silent for a guarded child transition', async () => {
        await expectReported(PLAYER.replace('state Paused { on Play -> Playing }', 'state Paused { on Play -> Playing  on Stop [saved] -> Stopped }'), IssueCodes.HiddenTransition, []);
    });
});

describe('region-conflict', () => {
    const model = (second: string): string => `machine M {
        events Stop, Flip
        initial parallel state Both {
            region R1 { initial state A1 { on Stop -> Out } }
            region R2 {
                initial state A2 { on Flip -> B2 }
                state B2 { ${second} }
            }
        }
        final state Out
    }`;
    it('is an error on the later of two regions’ transitions on one event when one leaves the parallel state', async () => {
        await expectReported(
            model('on Stop -> A2'),
            IssueCodes.RegionConflict,
            ['Stop'],
            /^This transition on 'Stop' \(region 'R2'\) conflicts with the one of 'A1' \(line 4, region 'R1'\): .*Handle 'Stop' on 'Both' itself, or keep both transitions inside their regions\.$/
        );
    });
    it('is silent when both stay in their regions, or one has no target', async () => {
        await expectReported(model('on Stop / log').replace('on Stop -> Out', 'on Stop -> A1'), IssueCodes.RegionConflict, []);
        await expectReported(model('on Stop / log'), IssueCodes.RegionConflict, []);
    });
});

describe('flat machines', () => {
    it('get none of the hierarchy codes', async () => {
        const { diagnostics } = await validate(`machine M {
            events Go
            initial state A { on Go -> B }
            state B { on Go -> A }
        }`);
        expect(diagnostics).toEqual([]);
    });
});
