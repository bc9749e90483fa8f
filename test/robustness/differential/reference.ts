// Execution (b): a reference interpreter written from the language's description (LANGUAGE.md, docs/language.md),
// not from the generated code. It keeps its own virtual clock.
//
// - Start: enter the initial state (entry lines in order, then its timers start); a final initial state finishes.
// - Run-to-completion: one event at a time from a FIFO queue; `raise` appends to that queue, so a raised event is
//   delivered after the current transition (and everything queued before it) has completed.
// - Transitions on the current event are tried in the order written; the first whose guard holds (or that has no
//   guard) fires. None: the event is ignored and reported as unhandled.
// - Internal transition (no target): only its actions run; timers keep running.
// - Transition with a target (its own state included): exit lines of the state, its timers cleared, the
//   transition's actions, then the target's entry lines and its timers start.
// - Timer: armed on entry, cleared on exit; on expiry, a transition to its target with its actions. Timers due at
//   the same instant expire in the order they were armed; a timer armed while the clock is moved on expires in the
//   same move when its time comes.
// - Final state: its entry lines run, then the machine has finished: the queue is dropped, timers stop, nothing
//   more is taken.
// - `stop` is the reactor's business: here it is recorded as a call, in its place among the actions.
import type { ActionSpec, MachineSpec, TransitionSpec } from './model.js';
import { evaluateGuard, newRecorder, recordAction, type Execution, type Payload, type Recorder } from './semantics.js';

/** Thrown when one step keeps the machine busy forever (a cycle of `raise`): the case cannot be run by anyone. */
export class EndlessStep extends Error {
    /** Index of the step in its sequence (-1: the start). */
    step = -1;
}

type Queued = { kind: 'event'; event: number; payload: Payload | undefined; raised: boolean } | { kind: 'timer'; state: number; timer: number; entry: number };

interface Armed {
    due: number;
    order: number;
    state: number;
    timer: number;
    entry: number;
}

export interface Exercised {
    /** Internal transitions taken (actions only). */
    internal: number;
    /** Self transitions taken (exit and re-entry of the same state). */
    self: number;
    /** Transitions to another state (timers included). */
    external: number;
    /** Timers that expired and took their transition. */
    timer: number;
    /** Events ignored: no transition, or every guard false. */
    unhandled: number;
    /** Raised events delivered. */
    raised: number;
    /** Guarded transitions passed over because their guard did not hold. */
    guardsFailed: number;
    /** Runs that ended in a final state. */
    finished: number;
    /** `stop` calls. */
    stops: number;
}

/**
 * How many events one step (the start, an event sent, a clock move) may deliver before it is taken for an endless
 * cycle of `raise`. A minute's move over a 10 ms timer that re-enters its state legitimately takes 6 000.
 */
export const STEP_BUDGET = 10_000;

export class ReferenceExecution implements Execution {
    readonly recorder: Recorder = newRecorder();
    readonly notes: string[] = [];
    timerFirings = 0;
    /** Every event taken from the queue: sent, raised and timers. */
    delivered = 0;
    /** What the run went through, to show what the comparison covered. */
    readonly exercised: Exercised = { internal: 0, self: 0, external: 0, timer: 0, unhandled: 0, raised: 0, guardsFailed: 0, finished: 0, stops: 0 };
    private current: number;
    private done = false;
    private queue: Queued[] = [];
    private armed: Armed[] = [];
    private now = 0;
    private order = 0;
    /** Counts state entries: a timer belongs to one entry of its state. */
    private entries = 0;
    private budget = STEP_BUDGET;
    /** The payload of the event being processed (none at the start, for raised events and for timers). */
    private payload: Payload | undefined;

    constructor(private readonly spec: MachineSpec) {
        this.current = spec.states.findIndex((state) => state.initial);
    }

    start(): void {
        this.budget = STEP_BUDGET;
        this.notes.push(`start -> ${this.name(this.current)}`);
        this.enter(this.current);
        this.drain();
    }

    send(event: string, payload: Payload): void {
        if (this.done) {
            return;
        }
        this.budget = STEP_BUDGET;
        this.queue.push({ kind: 'event', event: this.spec.events.indexOf(event), payload, raised: false });
        this.drain();
    }

    advance(ms: number): void {
        const end = this.now + ms;
        this.budget = STEP_BUDGET;
        while (!this.done) {
            let next: Armed | undefined;
            for (const timer of this.armed) {
                if (timer.due <= end && (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order))) {
                    next = timer;
                }
            }
            if (!next) {
                break;
            }
            this.armed.splice(this.armed.indexOf(next), 1);
            this.now = next.due;
            this.queue.push({ kind: 'timer', state: next.state, timer: next.timer, entry: next.entry });
            this.drain();
        }
        this.now = end;
    }

    state(): string {
        return this.name(this.current);
    }

    finished(): boolean {
        return this.done;
    }

    private name(state: number): string {
        return this.spec.states[state]!.name;
    }

    private drain(): void {
        while (this.queue.length > 0 && !this.done) {
            if (--this.budget < 0) {
                throw new EndlessStep('one step delivers events without end');
            }
            this.delivered++;
            this.deliver(this.queue.shift()!);
        }
    }

    private deliver(item: Queued): void {
        const state = this.spec.states[this.current]!;
        this.payload = item.kind === 'event' ? item.payload : undefined;
        if (item.kind === 'timer') {
            if (item.entry !== this.entries || item.state !== this.current) {
                return; // armed in an entry that has been left: stale
            }
            const timer = state.timers[item.timer]!;
            this.timerFirings++;
            this.exercised.timer++;
            this.take({ event: -1, target: timer.target, actions: timer.actions }, 'after');
            return;
        }
        if (item.raised) {
            this.exercised.raised++;
        }
        for (const transition of state.transitions) {
            if (transition.event !== item.event) {
                continue;
            }
            if (transition.guard && evaluateGuard(transition.guard.name, item.payload, this.recorder.actions.length, this.recorder) === transition.guard.negated) {
                this.exercised.guardsFailed++;
                continue;
            }
            this.take(transition, this.spec.events[item.event]!);
            return;
        }
        this.exercised.unhandled++;
        this.notes.push(`unhandled ${this.spec.events[item.event]!} in ${state.name}`);
    }

    private take(transition: TransitionSpec, label: string): void {
        if (transition.target === undefined) {
            this.exercised.internal++;
            this.run(transition.actions);
            return;
        }
        const from = this.current;
        if (transition.target === from) {
            this.exercised.self++;
        } else {
            this.exercised.external++;
        }
        for (const line of this.spec.states[from]!.exit) {
            this.run(line);
        }
        this.armed = [];
        this.run(transition.actions);
        this.current = transition.target;
        this.notes.push(`${this.name(from)} -${label}-> ${this.name(transition.target)}`);
        this.enter(transition.target);
    }

    private enter(index: number): void {
        this.entries++;
        const state = this.spec.states[index]!;
        for (const line of state.entry) {
            this.run(line);
        }
        if (state.final) {
            this.exercised.finished++;
            this.done = true;
            this.queue = [];
            this.armed = [];
            return;
        }
        state.timers.forEach((timer, position) => {
            this.armed.push({ due: this.now + timer.ms, order: this.order++, state: index, timer: position, entry: this.entries });
        });
    }

    private run(actions: readonly ActionSpec[]): void {
        for (const action of actions) {
            switch (action.kind) {
                case 'call':
                    recordAction(this.recorder, action.name, this.name(this.current), this.payload);
                    break;
                case 'raise':
                    this.queue.push({ kind: 'event', event: action.event, payload: undefined, raised: true });
                    break;
                case 'stop':
                    this.exercised.stops++;
                    this.recorder.actions.push('stop');
                    break;
            }
        }
    }
}
