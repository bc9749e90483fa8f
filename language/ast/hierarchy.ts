// The tree of states: composite states, parallel regions and history, read from the syntax tree in document order.
import { isHistory, isMachine, isState, type History, type Machine, type Region, type State, type Target } from '../generated/ast.js';

/** What holds states: the machine, a composite state, or a region of a parallel state. */
export type StateContainer = Machine | State | Region;

/** Every state of a machine, at any depth, in document order (a parent before its children). */
export function allStates(machine: Machine): State[] {
    const states: State[] = [];
    const visit = (list: readonly State[]): void => {
        for (const state of list) {
            states.push(state);
            if (state.states.length > 0) {
                visit(state.states);
            }
            for (const region of state.regions) {
                visit(region.states);
            }
        }
    };
    visit(machine.states);
    return states;
}

/** Every history of a machine, at any depth, in document order. */
export function allHistories(machine: Machine): History[] {
    const histories: History[] = [];
    for (const state of allStates(machine)) {
        histories.push(...state.histories);
        for (const region of state.regions) {
            histories.push(...region.histories);
        }
    }
    return histories;
}

/** Every region of a machine, in document order. */
export function allRegions(machine: Machine): Region[] {
    return allStates(machine).flatMap((state) => state.regions);
}

/** True for a state that holds states or regions. */
export function isComposite(state: State): boolean {
    return state.states.length > 0 || state.regions.length > 0;
}

/** True when some state of the machine holds states, regions or a history: its meaning is SCXML's, not a flat list's. */
export function isHierarchical(machine: Machine): boolean {
    return machine.states.some((state) => isComposite(state) || state.histories.length > 0);
}

/** The state whose box holds `node` (a state, a region or a history), skipping regions; undefined at the top level. */
export function parentState(node: State | Region | History): State | undefined {
    let container = node.$container;
    while (container && !isMachine(container)) {
        if (isState(container)) {
            return container;
        }
        container = container.$container;
    }
    return undefined;
}

/** The states and regions around `state`, innermost first, up to (not including) the machine. */
export function ancestorStates(state: State): State[] {
    const ancestors: State[] = [];
    for (let parent = parentState(state); parent; parent = parentState(parent)) {
        ancestors.push(parent);
    }
    return ancestors;
}

/** The machine a state, region or history belongs to. */
export function machineOf(node: State | Region | History): Machine {
    let container: StateContainer | Machine = node.$container;
    while (!isMachine(container)) {
        container = container.$container;
    }
    return container;
}

/** The state a transition's target enters: the state itself, or, for a history, the composite that holds it. */
export function targetState(target: Target | undefined): State | undefined {
    if (target === undefined || !isHistory(target)) {
        return target;
    }
    return parentState(target);
}

