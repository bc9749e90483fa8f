// Random machines for the differential suite: a plain description (MachineSpec), a fast-check arbitrary that builds
// valid ones by construction (the real validator has the last word), and the printer to `.fsm` text.
import fc from 'fast-check';
import { GUARD_NAMES, type GuardName } from './semantics.js';

export type ActionSpec = { kind: 'call'; name: string } | { kind: 'raise'; event: number } | { kind: 'stop' };

export interface GuardSpec {
    name: GuardName;
    negated: boolean;
}

export interface TransitionSpec {
    event: number;
    guard?: GuardSpec;
    /** A state index; absent for an internal transition (actions only, no exit or entry). */
    target?: number;
    actions: ActionSpec[];
}

export interface TimerSpec {
    ms: number;
    target: number;
    actions: ActionSpec[];
}

export interface StateSpec {
    name: string;
    initial: boolean;
    final: boolean;
    /** Each inner list is one `entry` line (a state may have several, run in the order written). */
    entry: ActionSpec[][];
    exit: ActionSpec[][];
    transitions: TransitionSpec[];
    timers: TimerSpec[];
}

export interface MachineSpec {
    /** Canonical names E0, E1, …; states are S0, S1, …; user actions n0–n3 (entry), x0–x3 (exit), t0–t3 (transitions), guards g0–g3. */
    events: string[];
    states: StateSpec[];
    /** How the names are written in the model text, when not canonical (words that collide with TypeScript and generated members). */
    names?: Names;
    /**
     * How the lines of a state body are interleaved in the text (a seed): entry lines, exit lines, transitions and
     * timers each keep their own order, which is the one that matters.
     */
    layout?: number;
}

export interface Names {
    states: string[];
    events: string[];
    /** Printed name of each canonical user action and guard name. */
    user: Record<string, string>;
}

/** State names that collide with TypeScript words, Object.prototype members, generated identifiers or socket words. */
const STATE_WORDS = ['class', 'constructor', 'Machine', 'State', 'toString', '__proto__', 'valueOf', 'close', 'read', 'name', 'START_EVENT', 'prototype', 'hasOwnProperty', 'timeout', 'stop', 'raise'];
/** Event names, likewise (`Enter`, `Exit`, `Timer` meet the generated onEnter, onExit, onTimer). */
const EVENT_WORDS = ['constructor', 'toString', '__proto__', 'Enter', 'Exit', 'Timer', 'raise', 'stop', 'close', 'process', 'begin', 'dispatch', 'payload', 'finished', 'valueOf'];
/** User action and guard names (never the built-ins close, connect, raise, stop). */
const USER_WORDS = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', 'prototype', 'read', 'timeout', 'name', 'session', 'accept', 'error', 'drain', 'idle', 'heartbeat', 'listen', 'signal', 'Close', 'delete', 'new', 'typeof', 'void', 'class', 'this', 'finished', 'payload', 'm', 'actions', 'then'];
export const USER_NAMES = ['n', 'x', 't', 'g'].flatMap((prefix) => [0, 1, 2, 3].map((i) => `${prefix}${i}`));

function namesArbitrary(): fc.Arbitrary<Names> {
    return fc
        .record({
            states: fc.shuffledSubarray(STATE_WORDS, { minLength: 8, maxLength: 8 }),
            events: fc.shuffledSubarray(EVENT_WORDS, { minLength: 5, maxLength: 5 }),
            user: fc.shuffledSubarray(USER_WORDS, { minLength: USER_NAMES.length, maxLength: USER_NAMES.length })
        })
        .map(({ states, events, user }) => ({ states, events, user: Object.fromEntries(USER_NAMES.map((name, i) => [name, user[i]!])) }));
}

/** The model text's name of state `index`, event `index`, user action or guard `name`. */
export function stateName(spec: MachineSpec, index: number): string {
    return spec.names?.states[index] ?? spec.states[index]!.name;
}

export function eventName(spec: MachineSpec, index: number): string {
    return spec.names?.events[index] ?? spec.events[index]!;
}

export function userName(spec: MachineSpec, name: string): string {
    return spec.names?.user[name] ?? name;
}

/** Durations the generator picks from, with the text they are written as (several spellings of one delay on purpose). */
const DURATIONS: ReadonlyArray<readonly [number, string]> = [
    [10, '10ms'],
    [10, '10ms'],
    [20, '20ms'],
    [25, '25ms'],
    [50, '50ms'],
    [1000, '1s'],
    [1000, '1000ms'],
    [60_000, '1m']
];

export const DURATION_TEXT = new Map<number, string[]>();
for (const [ms, text] of DURATIONS) {
    DURATION_TEXT.set(ms, [...new Set([...(DURATION_TEXT.get(ms) ?? []), text])]);
}

/** How the clock moves between events: small steps (ties, cascades of timers) and big jumps. */
export const ADVANCES: readonly number[] = [1, 5, 9, 10, 15, 20, 25, 30, 50, 100, 1000, 60_000];

function actionArbitrary(prefix: 'n' | 'x' | 't', events: number): fc.Arbitrary<ActionSpec> {
    return fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: 0, max: 3 }).map((i): ActionSpec => ({ kind: 'call', name: `${prefix}${i}` })) },
        { weight: 4, arbitrary: fc.integer({ min: 0, max: events - 1 }).map((event): ActionSpec => ({ kind: 'raise', event })) },
        { weight: 1, arbitrary: fc.constant<ActionSpec>({ kind: 'stop' }) }
    );
}

function actionList(prefix: 'n' | 'x' | 't', events: number, maxLength: number): fc.Arbitrary<ActionSpec[]> {
    return fc.array(actionArbitrary(prefix, events), { maxLength });
}

function guardArbitrary(): fc.Arbitrary<GuardSpec> {
    return fc.record({ name: fc.constantFrom(...GUARD_NAMES), negated: fc.boolean() });
}

function transitionArbitrary(states: number, events: number, self: number): fc.Arbitrary<TransitionSpec> {
    return fc
        .record({
            event: fc.integer({ min: 0, max: events - 1 }),
            guard: fc.option(guardArbitrary(), { freq: 2, nil: undefined }),
            target: fc.oneof(
                { weight: 2, arbitrary: fc.constant<number | undefined>(undefined) },
                { weight: 2, arbitrary: fc.constant<number | undefined>(self) },
                { weight: 5, arbitrary: fc.integer({ min: 0, max: states - 1 }) }
            ),
            actions: actionList('t', events, 3)
        })
        .map((t) => {
            const transition: TransitionSpec = { event: t.event, actions: t.actions };
            if (t.guard) {
                transition.guard = t.guard;
            }
            if (t.target !== undefined) {
                transition.target = t.target;
            }
            return transition;
        });
}

function timerArbitrary(states: number, events: number): fc.Arbitrary<TimerSpec> {
    return fc.record({
        ms: fc.constantFrom(...DURATIONS.map(([ms]) => ms)),
        target: fc.integer({ min: 0, max: states - 1 }),
        actions: actionList('t', events, 2)
    });
}

function stateArbitrary(index: number, states: number, events: number): fc.Arbitrary<StateSpec> {
    return fc.record({
        name: fc.constant(`S${index}`),
        initial: fc.constant(false),
        final: fc.constant(false),
        entry: fc.array(actionList('n', events, 3).filter((list) => list.length > 0), { maxLength: 2 }),
        exit: fc.array(actionList('x', events, 2).filter((list) => list.length > 0), { maxLength: 2 }),
        transitions: fc.array(transitionArbitrary(states, events, index), { maxLength: 5 }),
        timers: fc.oneof({ weight: 3, arbitrary: fc.constant<TimerSpec[]>([]) }, { weight: 2, arbitrary: fc.array(timerArbitrary(states, events), { minLength: 1, maxLength: 2 }) })
    });
}

/**
 * A random machine: 2–8 states, 1–5 events, guarded and unguarded, internal and self transitions, `raise`,
 * `stop`, entry and exit lines, timers, sometimes final states. Valid by construction: one initial state, no final
 * state with transitions, timers or exit lines, at most one unguarded transition per state and event (a second one
 * gets a guard).
 */
export function machineArbitrary(): fc.Arbitrary<MachineSpec> {
    return fc
        .record({ states: fc.integer({ min: 2, max: 8 }), events: fc.integer({ min: 1, max: 5 }) })
        .chain(({ states, events }) =>
            fc.record({
                events: fc.constant(Array.from({ length: events }, (_, i) => `E${i}`)),
                states: fc.tuple(...Array.from({ length: states }, (_, i) => stateArbitrary(i, states, events))),
                initial: fc.integer({ min: 0, max: states - 1 }),
                finals: fc.array(fc.boolean(), { minLength: states, maxLength: states }).map((flags) => flags.map((flag, i) => flag && i % 3 === 2)),
                initialFinal: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
                fallbackGuard: guardArbitrary(),
                names: fc.option(namesArbitrary(), { freq: 2, nil: undefined }),
                layout: fc.option(fc.nat(), { freq: 3, nil: undefined }),
                // Mostly the unguarded transition last, as the fallback; sometimes anywhere (shadowed-transition warnings).
                fallbacksLast: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) })
            })
        )
        .map(({ events, states, initial, finals, initialFinal, fallbackGuard, names, layout, fallbacksLast }) => {
            const built = states.map((state, index): StateSpec => {
                const final = finals[index]! || (index === initial && initialFinal);
                const copy: StateSpec = { ...state, initial: index === initial, final };
                if (final) {
                    // A final state is never left: no transitions, timers or exit actions (final-has-transitions).
                    copy.transitions = [];
                    copy.timers = [];
                    copy.exit = [];
                    return copy;
                }
                const unguarded = new Set<number>();
                copy.transitions = state.transitions.map((transition) => {
                    if (transition.guard) {
                        return transition;
                    }
                    if (unguarded.has(transition.event)) {
                        return { ...transition, guard: fallbackGuard };
                    }
                    unguarded.add(transition.event);
                    return transition;
                });
                if (fallbacksLast) {
                    copy.transitions = [...copy.transitions.filter((t) => t.guard), ...copy.transitions.filter((t) => !t.guard)];
                }
                return copy;
            });
            const spec: MachineSpec = { events, states: built };
            if (layout !== undefined) {
                spec.layout = layout;
            }
            if (names) {
                spec.names = { states: names.states.slice(0, built.length), events: names.events.slice(0, events.length), user: names.user };
            }
            return spec;
        });
}

/** A step of an event sequence: an event from outside (with a payload the guards read) or the clock moving on. */
export type Step = { kind: 'send'; event: number; n: number; flag: boolean } | { kind: 'advance'; ms: number };

export function stepArbitrary(events: number): fc.Arbitrary<Step> {
    return fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), event: fc.integer({ min: 0, max: events - 1 }), n: fc.integer({ min: 0, max: 5 }), flag: fc.boolean() }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(...ADVANCES) }) }
    );
}

export function stepText(spec: MachineSpec, step: Step): string {
    return step.kind === 'send' ? `${spec.events[step.event]!}{n:${step.n},flag:${step.flag}}` : `+${step.ms}ms`;
}

function actionText(spec: MachineSpec, action: ActionSpec): string {
    switch (action.kind) {
        case 'call':
            return userName(spec, action.name);
        case 'raise':
            return `raise ${eventName(spec, action.event)}`;
        case 'stop':
            return 'stop';
    }
}

function actionsText(spec: MachineSpec, actions: readonly ActionSpec[]): string {
    return actions.length > 0 ? ` / ${actions.map((action) => actionText(spec, action)).join(', ')}` : '';
}

/** Merges lists keeping each one's order: concatenated without a seed, else interleaved by a small LCG. */
function interleave(lists: string[][], seed: number | undefined): string[] {
    if (seed === undefined) {
        return lists.flat();
    }
    const queues = lists.map((list) => [...list]);
    const merged: string[] = [];
    let random = seed >>> 0;
    for (;;) {
        const open = queues.filter((queue) => queue.length > 0);
        if (open.length === 0) {
            return merged;
        }
        random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
        merged.push(open[random % open.length]!.shift()!);
    }
}

/** Prints a machine as `.fsm` text. `name` is the machine's name; `variant` picks among spellings of a duration. */
export function printMachine(spec: MachineSpec, name = 'M', variant = 0): string {
    const lines = [`machine ${name} {`, `    events ${spec.events.map((_, i) => eventName(spec, i)).join(', ')}`];
    for (const [index, state] of spec.states.entries()) {
        const head = `    ${state.initial ? 'initial ' : ''}${state.final ? 'final ' : ''}state ${stateName(spec, index)}`;
        const entries = state.entry.map((entry) => `entry ${entry.map((action) => actionText(spec, action)).join(', ')}`);
        const exits = state.exit.map((exit) => `exit ${exit.map((action) => actionText(spec, action)).join(', ')}`);
        const transitions = state.transitions.map((transition) => {
            const guard = transition.guard ? ` [${transition.guard.negated ? '!' : ''}${userName(spec, transition.guard.name)}]` : '';
            const target = transition.target !== undefined ? ` -> ${stateName(spec, transition.target)}` : '';
            return `on ${eventName(spec, transition.event)}${guard}${target}${actionsText(spec, transition.actions)}`;
        });
        const timers = state.timers.map((timer, position) => {
            const spellings = DURATION_TEXT.get(timer.ms)!;
            const duration = spellings[(variant + position) % spellings.length]!;
            return `after ${duration} -> ${stateName(spec, timer.target)}${actionsText(spec, timer.actions)}`;
        });
        const body = interleave([entries, exits, transitions, timers], spec.layout === undefined ? undefined : spec.layout + index * 7919);
        if (body.length === 0) {
            lines.push(head);
        } else {
            lines.push(`${head} {`, ...body.map((line) => `        ${line}`), '    }');
        }
    }
    lines.push('}');
    return `${lines.join('\n')}\n`;
}
