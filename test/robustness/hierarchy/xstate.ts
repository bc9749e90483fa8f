// A random hierarchical machine written for XState 5, independently of our parser and interpreter: every state node
// keyed and identified by its name (`#name` targets), `reenter: true` on targeted transitions (SCXML's external
// transitions), history nodes as XState history states, `onDone` for `on done`, `after` for timers.
import { createActor, createMachine, raise, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { VirtualClock } from '../differential/xstate.js';
import type { TreeAction, TreeMachine, TreeState, TreeStep, TreeTransition } from './model.js';

/** What the guards read and the call actions write. */
export interface HierarchyContext {
    log: string[];
    /** The step of the sequence being run: g2 holds on odd steps. */
    step: { value: number };
}

export function guardValue(name: string, step: number): boolean {
    return name === 'g0' ? true : name === 'g1' ? false : step % 2 === 1;
}

function actions(list: readonly TreeAction[]): unknown[] {
    return list.map((action) =>
        action.kind === 'raise'
            ? raise({ type: action.name })
            : ({ context }: { context: HierarchyContext }) => {
                  context.log.push(action.name);
              }
    );
}

/** A deliberate mistake in the translation, to show the comparison finds one. */
export type XStateMutant = 'deep history kept shallow' | 'completion ignored' | 'transitions into a child keep the source';

let mutant: XStateMutant | undefined;

function transition(spec: TreeTransition | { target: string; actions: readonly TreeAction[]; guard?: undefined }): Record<string, unknown> {
    const result: Record<string, unknown> = { actions: actions(spec.actions) };
    if (spec.target !== undefined) {
        result['target'] = `#${spec.target}`;
        result['reenter'] = mutant !== 'transitions into a child keep the source';
    }
    const guard = spec.guard;
    if (guard) {
        result['guard'] = ({ context }: { context: HierarchyContext }) => guardValue(guard.name, context.step.value) !== guard.negated;
    }
    return result;
}

function node(state: TreeState): Record<string, unknown> {
    const result: Record<string, unknown> = { id: state.name, entry: actions(state.entry), exit: actions(state.exit) };
    if (state.final) {
        result['type'] = 'final';
    } else if (state.kind === 'parallel') {
        result['type'] = 'parallel';
    }
    if (state.children.length > 0 || state.histories.length > 0) {
        const states: Record<string, unknown> = {};
        for (const child of state.children) {
            states[child.name] = node(child);
        }
        for (const history of state.histories) {
            const deep = history.deep && mutant !== 'deep history kept shallow';
            states[history.name] = { id: history.name, type: 'history', history: deep ? 'deep' : 'shallow', ...(history.default ? { target: `#${history.default}` } : {}) };
        }
        result['states'] = states;
        const initial = state.children.find((child) => child.initial);
        if (state.kind !== 'parallel' && initial) {
            result['initial'] = initial.name;
        }
    }
    const on: Record<string, unknown[]> = {};
    const onDone: unknown[] = [];
    for (const spec of state.transitions) {
        if (spec.on === 'done') {
            onDone.push(transition(spec));
        } else {
            (on[spec.on] ??= []).push(transition(spec));
        }
    }
    result['on'] = on;
    if (onDone.length > 0 && mutant !== 'completion ignored') {
        result['onDone'] = onDone;
    }
    if (state.timers.length > 0) {
        const after: Record<number, unknown[]> = {};
        for (const timer of state.timers) {
            (after[timer.ms] ??= []).push(transition(timer));
        }
        result['after'] = after;
    }
    return result;
}

export function toXState(machine: TreeMachine, withMutant?: XStateMutant): AnyStateMachine {
    mutant = withMutant;
    const states: Record<string, unknown> = {};
    for (const state of machine.states) {
        states[state.name] = node(state);
    }
    mutant = undefined;
    return createMachine({
        id: machine.name,
        context: ({ input }: { input: HierarchyContext }) => input,
        initial: machine.states.find((state) => state.initial)!.name,
        states
    } as never);
}

/** The active atomic states of an XState snapshot value, sorted by name. */
function leaves(value: unknown): string[] {
    if (typeof value === 'string') {
        return [value];
    }
    const result: string[] = [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const below = leaves(child);
        result.push(...(below.length > 0 ? below : [key]));
    }
    return result;
}

export class XStateRun {
    readonly context: HierarchyContext = { log: [], step: { value: 0 } };
    private readonly clock = new VirtualClock();
    private readonly actor: AnyActorRef;

    constructor(machine: AnyStateMachine) {
        this.actor = createActor(machine, { input: this.context, clock: this.clock });
    }

    start(): void {
        this.actor.start();
        this.check();
    }

    step(step: TreeStep, index: number): void {
        this.context.step.value = index;
        if (this.finished()) {
            return;
        }
        if (step.kind === 'send') {
            this.actor.send({ type: step.event });
        } else {
            this.clock.advance(step.ms, () => !this.finished());
        }
        this.check();
    }

    configuration(): string[] {
        const snapshot = this.actor.getSnapshot() as { value: unknown };
        return leaves(snapshot.value).sort();
    }

    finished(): boolean {
        return (this.actor.getSnapshot() as { status: string }).status === 'done';
    }

    private check(): void {
        const snapshot = this.actor.getSnapshot() as { status: string; error?: unknown };
        if (snapshot.status === 'error') {
            throw new Error(`XState actor failed: ${String(snapshot.error)}`);
        }
    }
}
