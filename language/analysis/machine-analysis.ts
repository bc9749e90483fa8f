// One pass over a machine's graph: reachability, stuck and trap states, clashing transitions, who produces each event.
import {
    isRaiseAction,
    isStopAction,
    type Action,
    type Event,
    type EventMapping,
    type HeartbeatOption,
    type IdleOption,
    type Machine,
    type RaiseAction,
    type Signal,
    type State,
    type Timer,
    type Transition
} from '../generated/ast.js';
import { targetState } from '../ast/hierarchy.js';

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
    readonly states: readonly State[];
    readonly initialStates: readonly State[];
    /** The state the machine starts in (the first one marked `initial`). */
    readonly initial: State | undefined;
    readonly events: readonly Event[];
    /** Edges leaving each state, in source order (transitions, then timers). */
    readonly outgoing: ReadonlyMap<State, readonly Edge[]>;
    /** States some path from the initial state reaches (empty without an initial state). */
    readonly reachable: ReadonlySet<State>;
    /** Non-final states with no way out: no edge to another state and no `stop` action. */
    readonly terminal: ReadonlySet<State>;
    /**
     * Reachable, non-terminal, non-final states from which no final state (and no `stop` action) can be reached,
     * in a machine whose final state is reachable.
     */
    readonly traps: ReadonlySet<State>;
    /** Pairs of unguarded transitions on one event in one state: the second can never fire. */
    readonly nondeterministic: readonly (readonly [Transition, Transition])[];
    /** Guarded transitions after an unguarded one, or after one with the same guard, on the same event: they can never fire. */
    readonly shadowed: readonly (readonly [Transition, Transition])[];
    /** Transitions and timers of final states (a final machine takes no more events). */
    readonly finalTriggers: readonly (Transition | Timer)[];
    /** Events some state has an `on` transition for. */
    readonly handled: ReadonlySet<Event>;
    /** Sockets, timers, signals and `raise` actions that put each event on the queue. */
    readonly producers: ReadonlyMap<Event, readonly EventProducer[]>;
    /** A machine with sockets or signals: events come from the outside world. */
    readonly isReactor: boolean;
}

const cache = new WeakMap<Machine, MachineAnalysis>();

/** The analysis of `machine`, computed once per AST (a new text gives a new AST, so nothing goes stale). */
export function analyzeMachine(machine: Machine): MachineAnalysis {
    let analysis = cache.get(machine);
    if (!analysis) {
        analysis = computeAnalysis(machine);
        cache.set(machine, analysis);
    }
    return analysis;
}

function actionsOf(state: State): Action[] {
    return [
        ...state.entries.flatMap((block) => block.actions),
        ...state.exits.flatMap((block) => block.actions),
        ...state.transitions.flatMap((transition) => transition.actions),
        ...state.timers.flatMap((timer) => timer.actions)
    ];
}

function computeAnalysis(machine: Machine): MachineAnalysis {
    const states = machine.states;
    const initialStates = states.filter((state) => state.initial);
    const initial = initialStates[0];
    const events = machine.eventLists.flatMap((list) => list.events);
    // Every action of each state, gathered once: three questions below ask about them.
    const actionsByState = new Map(states.map((state) => [state, actionsOf(state)]));
    const stopping = new Set(states.filter((state) => actionsByState.get(state)!.some(isStopAction)));

    const outgoing = new Map<State, Edge[]>();
    const incoming = new Map<State, State[]>();
    for (const state of states) {
        outgoing.set(state, []);
        incoming.set(state, []);
    }
    const addEdge = (source: State, target: State | undefined, trigger: Transition | Timer): void => {
        if (target && outgoing.has(target)) {
            outgoing.get(source)!.push({ source, target, trigger });
            incoming.get(target)!.push(source);
        }
    };
    for (const state of states) {
        for (const transition of state.transitions) {
            addEdge(state, targetState(transition.target?.ref), transition);
        }
        for (const timer of state.timers) {
            addEdge(state, targetState(timer.target?.ref), timer);
        }
    }

    const reachable = initial ? closure([initial], (state) => outgoing.get(state)!.map((edge) => edge.target)) : new Set<State>();

    const terminal = new Set<State>();
    for (const state of states) {
        const leaves = outgoing.get(state)!.some((edge) => edge.target !== state);
        const stops = stopping.has(state);
        if (!state.final && !leaves && !stops) {
            terminal.add(state);
        }
    }

    const finals = states.filter((state) => state.final);
    const traps = new Set<State>();
    if (finals.some((state) => reachable.has(state))) {
        const exits = states.filter((state) => state.final || stopping.has(state));
        const canFinish = closure(exits, (state) => incoming.get(state)!);
        for (const state of reachable) {
            if (!state.final && !terminal.has(state) && !canFinish.has(state)) {
                traps.add(state);
            }
        }
    }

    const nondeterministic: [Transition, Transition][] = [];
    const shadowed: [Transition, Transition][] = [];
    const handled = new Set<Event>();
    for (const state of states) {
        const unguardedByEvent = new Map<Event, Transition>();
        const guardedByEvent = new Map<Event, Map<string, Transition>>();
        for (const transition of state.transitions) {
            const event = transition.event?.ref; // absent while a line is half typed
            if (!event) {
                continue;
            }
            handled.add(event);
            const earlier = unguardedByEvent.get(event);
            if (earlier) {
                (transition.guard ? shadowed : nondeterministic).push([earlier, transition]);
            } else if (!transition.guard) {
                unguardedByEvent.set(event, transition);
            } else {
                const guards = guardedByEvent.get(event) ?? new Map<string, Transition>();
                guardedByEvent.set(event, guards);
                const key = `${transition.guard.negated ? '!' : ''}${transition.guard.name}`;
                const sameGuard = guards.get(key);
                if (sameGuard) {
                    shadowed.push([sameGuard, transition]);
                } else {
                    guards.set(key, transition);
                }
            }
        }
    }

    const finalTriggers = finals.flatMap((state) => [...state.transitions, ...state.timers]);

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
        terminal,
        traps,
        nondeterministic,
        shadowed,
        finalTriggers,
        handled,
        producers,
        isReactor: machine.sockets.length > 0 || machine.signals.length > 0
    };
}

/** Every node reachable from `start` through `next` (breadth-first, each node visited once). */
function closure<T>(start: readonly T[], next: (node: T) => readonly T[]): Set<T> {
    const seen = new Set<T>(start);
    const queue = [...start];
    for (let i = 0; i < queue.length; i++) {
        for (const neighbour of next(queue[i]!)) {
            if (!seen.has(neighbour)) {
                seen.add(neighbour);
                queue.push(neighbour);
            }
        }
    }
    return seen;
}
