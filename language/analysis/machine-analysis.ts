// One pass over a machine's graph: reachability, stuck and trap states, clashing transitions, who produces each event.
// Hierarchical machines are read on their tree (state-tree.ts): see reachability.ts and progress.ts for how.
import {
    isRaiseAction,
    isStopAction,
    type Event,
    type EventMapping,
    type HeartbeatOption,
    type History,
    type IdleOption,
    type Machine,
    type RaiseAction,
    type Signal,
    type State,
    type Timer,
    type Transition
} from '../generated/ast.js';
import { targetState } from '../ast/hierarchy.js';
import { actionsOf, finishingStates, terminalStates } from './progress.js';
import { reachableStates } from './reachability.js';
import { isCompoundLike, StateTree } from '../ast/state-tree.js';
import { findClashes, type RegionConflict } from './transition-clashes.js';

export type { RegionConflict } from './transition-clashes.js';

/** A way out of a state: a transition with a target, or a timer. */
export interface Edge {
    readonly source: State;
    readonly target: State;
    readonly trigger: Transition | Timer;
}

/** Something in the machine that puts an event on its queue. */
export type EventProducer = EventMapping | HeartbeatOption | IdleOption | Signal | RaiseAction;

export interface MachineAnalysis {
    readonly machine: Machine;
    /** Every state at any depth, a parent before the states inside it (for a flat machine: the machine's states). */
    readonly states: readonly State[];
    /** The top-level states marked `initial` (a composite's `initial` child counts for the composite only). */
    readonly initialStates: readonly State[];
    /** The state the machine starts in (the first one marked `initial`). */
    readonly initial: State | undefined;
    readonly events: readonly Event[];
    /**
     * Edges leaving each state from its own transitions and timers, in source order (transitions, then timers); a
     * history target is the state holding it (a region's: the parallel state).
     */
    readonly outgoing: ReadonlyMap<State, readonly Edge[]>;
    /** States some path from the initial state makes active, ancestors included (empty without an initial state). */
    readonly reachable: ReadonlySet<State>;
    /**
     * The states not in `reachable`, once that is decided: empty without an initial state, or while a composite state
     * or region lacks its one initial child (`startDecided`). Every feature that calls a state unreachable reads this.
     */
    readonly unreachable: ReadonlySet<State>;
    /**
     * Non-final atomic states with no way out: no edge of theirs, or of a state around them, to another state, and
     * no `stop` action in them or around them.
     */
    readonly terminal: ReadonlySet<State>;
    /**
     * Reachable, non-terminal, non-final states from which no top-level final state (and no `stop` action) can be
     * reached, in a machine whose top-level final state is reachable.
     */
    readonly traps: ReadonlySet<State>;
    /** Pairs of unguarded transitions on one event in one state: the second can never fire. */
    readonly nondeterministic: readonly (readonly [Transition, Transition])[];
    /** Guarded transitions after an unguarded one, or after one with the same guard, on the same event: they can never fire. */
    readonly shadowed: readonly (readonly [Transition, Transition])[];
    /** Transitions and timers of final states (a final machine takes no more events). */
    readonly finalTriggers: readonly (Transition | Timer)[];
    /** Events some state has an `on` transition for (`on done` names no event). */
    readonly handled: ReadonlySet<Event>;
    /** Sockets, timers, signals and `raise` actions that put each event on the queue. */
    readonly producers: ReadonlyMap<Event, readonly EventProducer[]>;
    /** A machine with sockets or signals: events come from the outside world. */
    readonly isReactor: boolean;
    /** True when some state holds states, regions or a history (`states` then lists them all, parents first). */
    readonly hierarchical: boolean;
    /** Every history of the machine, in document order. */
    readonly histories: readonly History[];
    /** Histories no transition or timer targets. */
    readonly unusedHistories: readonly History[];
    /** [a state's unguarded transition, the transition on the same event of the nearest state around it that it hides]. */
    readonly hidden: readonly (readonly [Transition, Transition])[];
    /** Transitions of two regions of one parallel state, on one event, whose exit sets intersect (only the earlier fires). */
    readonly regionConflicts: readonly RegionConflict[];
    /** True when the machine, every composite state and every region has exactly one initial child. */
    readonly startDecided: boolean;
}

/**
 * The analysis of `machine`, computed on every call: the editor, the checks and the CLI ask the container's
 * `analysis.MachineAnalyzer` (machine-analyzer.ts), which keeps it per document build.
 */
export function analyzeMachine(machine: Machine): MachineAnalysis {
    const tree = new StateTree(machine);
    const states = tree.states;
    const initialStates = machine.states.filter((state) => state.initial);
    const initial = initialStates[0];
    const events = machine.eventLists.flatMap((list) => list.events);
    // Every action of each state, gathered once: three questions below ask about them.
    const actionsByState = new Map(states.map((state) => [state, actionsOf(state)]));
    const stopping = new Set(states.filter((state) => actionsByState.get(state)!.some(isStopAction)));

    const outgoing = new Map<State, Edge[]>();
    for (const state of states) {
        outgoing.set(state, []);
    }
    const histories: History[] = [];
    const targeted = new Set<History>();
    const addEdge = (source: State, trigger: Transition | Timer): void => {
        const ref = trigger.target?.ref;
        if (ref?.$type === 'History') {
            targeted.add(ref);
        }
        const target = targetState(ref);
        if (target && outgoing.has(target)) {
            outgoing.get(source)!.push({ source, target, trigger });
        }
    };
    for (const state of states) {
        for (const transition of state.transitions) {
            addEdge(state, transition);
        }
        for (const timer of state.timers) {
            addEdge(state, timer);
        }
        if (state.histories.length > 0 || state.regions.length > 0) {
            histories.push(...state.histories, ...state.regions.flatMap((region) => region.histories));
        }
    }

    const reachable = reachableStates(tree);
    const startDecided = tree.nodes.every((node) => !isCompoundLike(node) || node.children.filter((child) => child.state?.initial).length === 1);
    const unreachable = new Set(initial && startDecided ? states.filter((state) => !reachable.has(state)) : []);
    const terminal = terminalStates(tree, stopping);

    const traps = new Set<State>();
    // Only a top-level final state finishes the machine; a nested one finishes its parent.
    if (machine.states.some((state) => state.final && reachable.has(state))) {
        const finishing = finishingStates(tree, reachable, stopping);
        for (const state of reachable) {
            if (!state.final && !terminal.has(state) && finishing[tree.of(state)!.index] === 0) {
                traps.add(state);
            }
        }
    }

    const { nondeterministic, shadowed, hidden, regionConflicts, handled } = findClashes(tree);
    const finalTriggers = states.filter((state) => state.final).flatMap((state) => [...state.transitions, ...state.timers]);

    const producers = new Map<Event, EventProducer[]>();
    const produce = (event: Event | undefined, producer: EventProducer): void => {
        if (event) {
            const list = producers.get(event) ?? [];
            list.push(producer);
            producers.set(event, list);
        }
    };
    for (const socket of machine.sockets) {
        for (const member of socket.members) {
            if ('event' in member) {
                produce(member.event?.ref, member);
            }
        }
    }
    for (const signal of machine.signals) {
        produce(signal.event?.ref, signal);
    }
    for (const state of states) {
        for (const action of actionsByState.get(state)!) {
            if (isRaiseAction(action)) {
                produce(action.event?.ref, action);
            }
        }
    }

    return {
        machine,
        states,
        initialStates,
        initial,
        events,
        outgoing,
        reachable,
        unreachable,
        terminal,
        traps,
        nondeterministic,
        shadowed,
        finalTriggers,
        handled,
        producers,
        isReactor: machine.sockets.length > 0 || machine.signals.length > 0,
        hierarchical: states.length !== machine.states.length || histories.length > 0,
        histories,
        unusedHistories: histories.filter((history) => !targeted.has(history)),
        hidden,
        regionConflicts,
        startDecided
    };
}
