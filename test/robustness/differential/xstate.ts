// Execution (c): the same machine translated to XState 5 — `on` with guarded transition lists in the order written,
// `reenter: true` for every targeted transition (a self transition exits and re-enters), no target for internal
// ones, `after` for timers, `raise()` for `raise`, `type: 'final'` for final states — run by an actor on a clock of
// its own (XState's `clock` option).
//
// XState runs custom (function) actions deferred, at the end of the macrostep, while guards and `assign` are
// evaluated as the macrostep is computed. So, as an XState user would, the translation keeps what the guards read
// in the context: `count` (actions run so far) is updated by `assign` next to each action, and the log itself is
// written by the deferred custom action, which keeps the order.
//
// `stop` (the step that runs it completes, then the machine finishes; what it raised is dropped): `stop` sets
// `stopped` in the context (an `assign`, so it is seen at once), every transition is guarded by `!stopped` — the
// rest of the macrostep takes no transition — and the execution treats the actor as finished after that step.
import { assign, createActor, createMachine, raise, type AnyActorRef, type AnyStateMachine } from 'xstate';
import type { ActionSpec, MachineSpec, TransitionSpec } from './model.js';
import { evaluateGuard, newRecorder, recordAction, type Execution, type GuardState, type Payload, type Recorder } from './semantics.js';

interface Context {
    recorder: Recorder;
    count: number;
    /** A `stop` ran: no transition is taken any more. */
    stopped: boolean;
    /** g3's bit: guards cannot assign, so it lives in an object the guard flips. */
    guards: GuardState;
}

const countAction = assign(({ context }: { context: Context }) => ({ count: context.count + 1 }));
const stopAction = assign(() => ({ stopped: true }));

type Event = { type: string; payload?: Payload };

/** A virtual clock for XState: timeouts expire in order of due time, then of arming, when it is moved on. */
export class VirtualClock {
    private now = 0;
    private order = 0;
    private readonly pending = new Map<number, { due: number; order: number; fn: () => void }>();

    setTimeout = (fn: (...args: unknown[]) => void, ms: number): number => {
        const id = ++this.order;
        this.pending.set(id, { due: this.now + ms, order: id, fn });
        return id;
    };

    clearTimeout = (id: unknown): void => {
        this.pending.delete(id as number);
    };

    /** Moves the clock on, firing due timeouts in order while `running()` holds; returns how many fired. */
    advance(ms: number, running: () => boolean = () => true): number {
        const end = this.now + ms;
        let fired = 0;
        while (running()) {
            let nextId: number | undefined;
            let next: { due: number; order: number; fn: () => void } | undefined;
            for (const [id, timeout] of this.pending) {
                if (timeout.due <= end && (!next || timeout.due < next.due || (timeout.due === next.due && timeout.order < next.order))) {
                    next = timeout;
                    nextId = id;
                }
            }
            if (!next || nextId === undefined) {
                break;
            }
            this.pending.delete(nextId);
            this.now = next.due;
            fired++;
            next.fn();
        }
        this.now = end;
        return fired;
    }
}

function xstateActions(spec: MachineSpec, actions: readonly ActionSpec[], state: string): unknown[] {
    return actions.flatMap((action): unknown[] => {
        switch (action.kind) {
            case 'call':
                return [
                    countAction,
                    ({ context, event }: { context: Context; event: Event }) => {
                        recordAction(context.recorder, action.name, state, event.payload);
                    }
                ];
            case 'raise':
                return [raise({ type: spec.events[action.event]! })];
            case 'stop':
                return [
                    countAction,
                    stopAction,
                    ({ context }: { context: Context }) => {
                        context.recorder.actions.push('stop');
                    }
                ];
        }
    });
}

function xstateTransition(spec: MachineSpec, transition: TransitionSpec, state: string): Record<string, unknown> {
    const result: Record<string, unknown> = { actions: xstateActions(spec, transition.actions, state) };
    if (transition.target !== undefined) {
        result['target'] = spec.states[transition.target]!.name;
        result['reenter'] = true;
    }
    const guard = transition.guard;
    result['guard'] = guard
        ? ({ context, event }: { context: Context; event: Event }) => !context.stopped && evaluateGuard(guard.name, event.payload, context.count, context.guards) !== guard.negated
        : ({ context }: { context: Context }) => !context.stopped;
    return result;
}

/** The XState machine of `spec`. Entry and exit actions know their state; transition actions name only themselves. */
export function toXState(spec: MachineSpec): AnyStateMachine {
    const states: Record<string, unknown> = {};
    for (const state of spec.states) {
        const node: Record<string, unknown> = {
            entry: state.entry.flatMap((line) => xstateActions(spec, line, state.name)),
            // A final state is never left; XState would run its exit actions when the finished actor stops.
            exit: state.final ? [] : state.exit.flatMap((line) => xstateActions(spec, line, state.name))
        };
        if (state.final) {
            node['type'] = 'final';
        }
        const on: Record<string, unknown[]> = {};
        for (const transition of state.transitions) {
            (on[spec.events[transition.event]!] ??= []).push(xstateTransition(spec, transition, state.name));
        }
        node['on'] = on;
        // Timers with the same delay share a key, in the order written: the first one's transition is taken.
        const after: Record<number, unknown[]> = {};
        for (const timer of state.timers) {
            (after[timer.ms] ??= []).push({ ...xstateTransition(spec, { event: -1, target: timer.target, actions: timer.actions }, state.name), target: spec.states[timer.target]!.name });
        }
        node['after'] = after;
        states[state.name] = node;
    }
    return createMachine({
        context: ({ input }: { input: Context }) => input,
        initial: spec.states.find((state) => state.initial)!.name,
        states
    } as never);
}

export class XStateExecution implements Execution {
    readonly recorder: Recorder = newRecorder();
    timerFirings = 0;
    private readonly clock = new VirtualClock();
    private readonly actor: AnyActorRef;

    constructor(machine: AnyStateMachine) {
        this.actor = createActor(machine, { input: { recorder: this.recorder, count: 0, stopped: false, guards: { toggle: false } } satisfies Context, clock: this.clock });
    }

    start(): void {
        this.actor.start();
        this.check();
    }

    send(event: string, payload: Payload): void {
        if (this.finished()) {
            return; // a finished machine takes no more events (XState would warn about a stopped actor)
        }
        this.actor.send({ type: event, payload });
        this.check();
    }

    advance(ms: number): void {
        this.timerFirings += this.clock.advance(ms, () => !this.finished());
        this.check();
    }

    state(): string {
        return String((this.actor.getSnapshot() as { value: unknown }).value);
    }

    finished(): boolean {
        const snapshot = this.actor.getSnapshot() as { status: string; context: Context };
        return snapshot.status === 'done' || snapshot.context.stopped;
    }

    private check(): void {
        const snapshot = this.actor.getSnapshot() as { status: string; error?: unknown };
        if (snapshot.status === 'error') {
            throw new Error(`XState actor failed: ${String(snapshot.error)}`);
        }
    }
}
