// What each state does, before any name is printed: the transitions that can fire, its timers with their ids, and the
// payload types its action lists see. Members, states and the events file are built from these plans.
import type { Action, State, Timer, Transition } from '../generated/ast.js';
import type { MachineAnalysis } from '../analysis/machine-analysis.js';
import { PAYLOAD_TYPES, unionType, type EventView } from '../../templates/index.js';
import type { EventTable } from './events.js';
import { sourceText } from '../ast/source-text.js';
import { durationMs } from './model-values.js';

/** An action list, the payload type its calls see, and where it is (`Idle: entry`, `Idle: on Go -> Busy`). */
export interface ActionList {
    actions: readonly Action[];
    payloadType: string;
    use: string;
}

/** A transition or timer: its actions, and its source text for the comment above its branch. */
interface TriggerPlan extends ActionList {
    source: string;
}

export interface TransitionPlan extends TriggerPlan {
    transition: Transition;
    event: EventView;
}

export interface TimerPlan extends TriggerPlan {
    timer: Timer;
    /** The timer's event id: after the model's events, numbered through the machine. */
    id: number;
    /** As written: `after 1s`. */
    label: string;
    /** Its index among its state's timers. */
    slot: number;
    ms: number;
}

export interface StatePlan {
    state: State;
    /** The transitions that can fire, in source order: none after an unguarded one on the same event. */
    transitions: TransitionPlan[];
    timers: TimerPlan[];
    entry: ActionList;
    exit: ActionList;
}

export interface Behaviour {
    states: StatePlan[];
    timerCount: number;
}

/** Which payloads reach each state's entry actions (the events that lead in) and exit actions (the events that lead out). */
function entryAndExitPayloads(analysis: MachineAnalysis, events: EventTable): { entry: Map<State, Set<string>>; exit: Map<State, Set<string>> } {
    const entry = new Map<State, Set<string>>(analysis.states.map((state) => [state, new Set<string>()]));
    const exit = new Map<State, Set<string>>(analysis.states.map((state) => [state, new Set<string>()]));
    if (analysis.initial) {
        entry.get(analysis.initial)!.add(PAYLOAD_TYPES.nothing);
    }
    for (const edges of analysis.outgoing.values()) {
        for (const edge of edges) {
            const payload = edge.trigger.$type === 'Timer' ? PAYLOAD_TYPES.nothing : events.of(edge.trigger.event?.ref).payloadType;
            entry.get(edge.target)!.add(payload);
            exit.get(edge.source)!.add(payload);
        }
    }
    return { entry, exit };
}

/** The transitions of `state` that can fire: after an unguarded one on an event, later ones on it never do (shadowed-transition). */
function firingTransitions(state: State, events: EventTable): TransitionPlan[] {
    const exhausted = new Set<EventView>();
    const plans: TransitionPlan[] = [];
    for (const transition of state.transitions) {
        const event = events.of(transition.event?.ref);
        if (exhausted.has(event)) {
            continue;
        }
        if (transition.guard === undefined) {
            exhausted.add(event);
        }
        const source = sourceText(transition);
        plans.push({ transition, event, actions: transition.actions, payloadType: event.payloadType, source, use: `${state.name}: ${source}` });
    }
    return plans;
}

export function planBehaviour(analysis: MachineAnalysis, events: EventTable): Behaviour {
    const payloads = entryAndExitPayloads(analysis, events);
    let nextTimerId = events.views.length;
    const states = analysis.states.map((state): StatePlan => {
        const transitions = firingTransitions(state, events);
        const timers = state.timers.map((timer, slot): TimerPlan => {
            const source = sourceText(timer);
            return {
                timer,
                id: nextTimerId++,
                label: `after ${timer.delay}`,
                slot,
                ms: durationMs(timer.delay),
                actions: timer.actions,
                payloadType: PAYLOAD_TYPES.nothing,
                source,
                use: `${state.name}: ${source}`
            };
        });
        const exitPayloads = payloads.exit.get(state)!;
        return {
            state,
            transitions,
            timers,
            entry: { actions: state.entries.flatMap((block) => block.actions), payloadType: unionType(payloads.entry.get(state)!), use: `${state.name}: entry` },
            exit: {
                actions: state.exits.flatMap((block) => block.actions),
                payloadType: unionType(exitPayloads.size > 0 ? exitPayloads : [PAYLOAD_TYPES.nothing]),
                use: `${state.name}: exit`
            }
        };
    });
    return { states, timerCount: nextTimerId - events.views.length };
}
