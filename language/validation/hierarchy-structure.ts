// Checks of the tree of states that the grammar allows but the meaning forbids: initial children, regions in parallel
// states only, atomic final states, `on done` on composites, histories inside composites with a default inside them.
import type { ValidationAcceptor } from 'langium';
import type { History, Region, State } from '../generated/ast.js';
import { isComposite, machineOf } from '../ast/hierarchy.js';
import { IssueCodes } from './issue-codes.js';
import { report } from './report.js';
import { hasSyntaxError } from './incomplete-machines.js';
import { lineOf } from './locations.js';

/** A composite state (not parallel) and a region hold exactly one `initial` state. */
export function checkInitialChild(container: State | Region, accept: ValidationAcceptor): void {
    const isRegion = container.$type === 'Region';
    if (container.name === undefined || (!isRegion && (container.parallel || container.final || container.states.length === 0)) || hasSyntaxError(machineOf(container))) {
        return; // a parallel state's regions hold its states, a final state holds none (final-has-children); a syntax error says what is missing
    }
    const what = isRegion ? `Region '${container.name}'` : `Composite state '${container.name}'`;
    const initials = container.states.filter((state) => state.initial);
    if (initials.length === 0) {
        report(accept, IssueCodes.NoInitial, `${what} has no initial state: mark the state inside it that it starts in with 'initial'.`, {
            node: container,
            property: 'name'
        });
    }
    for (const extra of initials.slice(1)) {
        report(accept, IssueCodes.ManyInitial, `${what} already starts in '${initials[0]!.name}' (line ${lineOf(initials[0]!)}): only one state inside it can be 'initial'.`, {
            node: extra,
            keyword: 'initial'
        });
    }
}

/** Regions stand in parallel states, which hold nothing else (histories aside); final states hold nothing. */
export function checkStateBody(state: State, accept: ValidationAcceptor): void {
    if (state.name === undefined) {
        return;
    }
    if (state.final) {
        for (const inner of [...state.states, ...state.regions, ...state.histories]) {
            const kind = inner.$type === 'State' ? 'a state' : inner.$type === 'Region' ? 'a region' : 'a history';
            report(accept, IssueCodes.FinalHasChildren, `Final state '${state.name}' cannot hold ${kind}: a final state is atomic, entering it finishes its parent. Move '${inner.name}' out, or drop 'final'.`, {
                node: inner,
                property: 'name'
            });
        }
        return;
    }
    if (!state.parallel) {
        for (const region of state.regions) {
            report(accept, IssueCodes.RegionOutsideParallel, `Region '${region.name}' is in '${state.name}', which is not a parallel state: regions run side by side only in a 'parallel state'. Mark '${state.name}' 'parallel', or put the states directly inside it.`, {
                node: region,
                property: 'name'
            });
        }
        return;
    }
    for (const inner of state.states) {
        report(accept, IssueCodes.StateOutsideRegion, `State '${inner.name}' stands directly in parallel state '${state.name}', which holds only regions. Put it in a 'region NAME { … }' block, or drop 'parallel'.`, {
            node: inner,
            property: 'name'
        });
    }
    if (state.regions.length === 0) {
        report(accept, IssueCodes.ParallelWithoutRegions, `Parallel state '${state.name}' has no region: put the states that run side by side in 'region NAME { … }' blocks, or drop 'parallel'.`, {
            node: state,
            property: 'name'
        });
    }
}

/** `on done` handles a composite's completion: on a state without states inside, it never fires. */
export function checkDoneTransitions(state: State, accept: ValidationAcceptor): void {
    if (state.name === undefined || isComposite(state) || state.final) {
        return; // a final state's lines are final-has-transitions
    }
    for (const transition of state.transitions) {
        if (transition.done) {
            report(accept, IssueCodes.DoneOnAtomicState, `'on done' handles the completion of a composite state, but '${state.name}' holds no states: it never completes, so this never fires. Put this line on a composite state, or handle an event.`, {
                node: transition,
                keyword: 'done'
            });
        }
    }
}

/** A history belongs to a composite state or a region, and its default lies inside it (a shallow one's: directly). */
export function checkHistory(history: History, accept: ValidationAcceptor): void {
    const holder = history.$container;
    if (history.name === undefined) {
        return;
    }
    if (holder.$type === 'State' && !isComposite(holder)) {
        report(accept, IssueCodes.MisplacedHistory, `History '${history.name}' is in '${holder.name}', which holds no states: a history remembers the active state inside a composite state. Move it into a composite state, or remove it.`, {
            node: history,
            property: 'name'
        });
        return;
    }
    const fallback = history.default?.ref;
    if (!fallback) {
        return;
    }
    const inside = history.deep ? isInside(fallback, holder) : fallback.$container === holder;
    if (!inside) {
        const where = history.deep ? `a state inside '${holder.name}'` : `a state directly inside '${holder.name}'`;
        const why = history.deep ? 'a deep history re-enters states inside its composite' : 'a shallow history re-enters a child of its composite';
        report(accept, IssueCodes.BadHistoryDefault, `The default of history '${history.name}' must be ${where} (${why}): '${fallback.name}' is not. Name one of them, or remove the default.`, {
            node: history,
            property: 'default'
        });
    }
}

function isInside(state: State, holder: State | Region): boolean {
    for (let container = state.$container; container.$type !== 'Machine'; container = container.$container) {
        if (container === holder) {
            return true;
        }
    }
    return false;
}
