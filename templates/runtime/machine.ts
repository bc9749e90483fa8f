// The base of every generated machine: run-to-completion dispatch, timers, observers, and what it owns.
import type { Clock, ClockTimer } from './clock.js';
import { EventQueue } from './event-queue.js';
import type { ActionPhase, IoWhat } from './trace-format.js';

/** What an `io` observation carries besides the socket and what happened. */
export interface IoDetail {
    bytes?: number;
    code?: string;
    hadError?: boolean;
    session?: string;
}

/** Watches machines: transitions, actions, socket occurrences, ignored events, finishing, and errors thrown by user actions. */
export interface MachineObserver {
    /** A transition with a target; `from` is '' when the machine starts in `to`. */
    transition?(machine: Machine, from: string, event: string, to: string): void;
    /** An internal transition (no target) ran in `state`. */
    internal?(machine: Machine, state: string, event: string): void;
    /** A user or built-in action (`close upstream`, `raise Retry`, `stop`) is about to run. */
    action?(machine: Machine, name: string, state: string, phase: ActionPhase): void;
    /** A socket occurrence, before it becomes the mapped event (if any). */
    io?(machine: Machine, socket: string, what: IoWhat, detail: IoDetail): void;
    unhandled?(machine: Machine, state: string, event: string): void;
    finished?(machine: Machine): void;
    error?(machine: Machine, error: unknown, event: string): void;
}

/** A resource a machine owns (a socket, a listener) and closes gracefully when it finishes. */
export interface Closable {
    /** Starts a graceful close; resolves once the resource is fully closed. Calling it again returns the same promise. */
    close(): Promise<void>;
}

/** What a machine reports to the reactor that runs it. */
export interface MachineHost {
    readonly observers: readonly MachineObserver[];
    /** Every timer of the machine and its sockets runs on this clock. */
    readonly clock: Clock;
    machineFinished(machine: Machine): void;
    stop(): void;
}

/** The event id that starts a machine: the generated `process` enters the initial state on it. */
export const START_EVENT = -1;

const NO_SIGNALS: ReadonlyArray<readonly [NodeJS.Signals, number]> = Object.freeze([]);

/** What produced an event: a socket dispatcher, for backpressure (the source of the event being handled pauses). */
export interface EventSource {
    pauseReading(): void;
}

/** Payload of a timer event: the state epoch it was armed in, so a timer of a state already left is ignored. */
type TimerPayload = number;

export abstract class Machine {
    /** The machine's name in the model. */
    abstract readonly type: string;
    /** The current state's name. */
    abstract get stateName(): string;
    /** Event names by id, for observers (timer events follow the model's events). */
    protected abstract readonly eventNames: readonly string[];

    /** Signals this machine turns into events, as (signal, event id) pairs; the reactor binds them. */
    readonly signals: ReadonlyArray<readonly [NodeJS.Signals, number]> = NO_SIGNALS;
    /** The payload of the event being processed: a Buffer for `read`, an Error for `error`, … */
    payload: unknown = undefined;
    /** The socket whose occurrence produced the event being processed; undefined for timers, signals, `raise`. */
    source: EventSource | undefined = undefined;
    /** True once the machine reached a final state or was stopped: it takes no more events. */
    finished = false;
    /** Counts state entries; timers armed in an earlier entry are stale. */
    protected epoch = 0;

    private busy = false;
    private queue: EventQueue | undefined;
    private timers: Array<ClockTimer | undefined> | undefined;
    private observers: MachineObserver[] | undefined;
    private owned: Closable[] | undefined;
    private closing: Promise<void> | undefined;
    private label: string | undefined;

    constructor(readonly host: MachineHost) {}

    /** A name for logs: the type, plus an instance number for sessions. */
    get name(): string {
        return this.label ?? this.type;
    }

    set name(label: string) {
        this.label = label;
    }

    /** Starts the machine: its clients connect, its servers listen, and it enters its initial state. */
    start(): void {
        this.dispatch(START_EVENT);
    }

    /** Runs the generated `switch` from event id to the current state's handler. */
    protected abstract process(event: number): void;

    /**
     * Delivers an event. Run-to-completion: an event dispatched while another is processed
     * (by an action, `raise`, or a socket callback) waits in the queue and is taken next.
     */
    dispatch(event: number, payload?: unknown, source?: EventSource): void {
        if (this.finished) {
            return;
        }
        if (this.busy) {
            (this.queue ??= new EventQueue()).push(event, payload, source);
            return;
        }
        this.busy = true;
        try {
            this.deliver(event, payload, source);
            const queue = this.queue;
            if (queue) {
                while (queue.length > 0 && !this.finished) {
                    const next = queue.peekEvent();
                    const nextSource = queue.peekSource<EventSource>();
                    this.deliver(next, queue.takePayload(), nextSource);
                }
            }
        } finally {
            this.busy = false;
        }
    }

    /** Subscribes to this machine only; returns the unsubscribe function. */
    observe(observer: MachineObserver): () => void {
        (this.observers ??= []).push(observer);
        return () => {
            this.observers = this.observers?.filter((o) => o !== observer);
        };
    }

    /** Takes ownership of a resource: it is closed when the machine finishes. */
    own<T extends Closable>(resource: T): T {
        (this.owned ??= []).push(resource);
        return resource;
    }

    /** Finishes the machine: timers stop, queued events are dropped, owned sockets close gracefully. */
    finish(): Promise<void> {
        if (!this.closing) {
            this.finished = true;
            this.clearTimers();
            this.queue?.clear();
            this.closing = Promise.all((this.owned ?? []).map((resource) => resource.close())).then(() => undefined);
            this.forEachObserver((o) => o.finished?.(this));
            this.host.machineFinished(this);
        }
        return this.closing;
    }

    /** Arms timer `slot` to dispatch `event` after `ms`, unless the state is left first (generated entry code calls it). */
    armTimer(slot: number, ms: number, event: number): void {
        if (this.finished) {
            return;
        }
        const timers = (this.timers ??= []);
        const previous = timers[slot];
        if (previous !== undefined) {
            this.host.clock.clear(previous);
        }
        const epoch = this.epoch;
        timers[slot] = this.host.clock.set(ms, () => this.fireTimer(slot, event, epoch));
    }

    /** Clears every armed timer (on leaving a state and on finishing). */
    clearTimers(): void {
        const timers = this.timers;
        if (!timers) {
            return;
        }
        for (let slot = 0; slot < timers.length; slot++) {
            const timer = timers[slot];
            if (timer !== undefined) {
                this.host.clock.clear(timer);
                timers[slot] = undefined;
            }
        }
    }

    /**
     * For a timer event being processed: true when it was armed in a state entry that has since been left.
     * Otherwise clears the payload, so entry actions of the next state see `undefined` as timers carry nothing.
     */
    protected isStaleTimer(): boolean {
        if ((this.payload as TimerPayload) !== this.epoch) {
            return true;
        }
        this.payload = undefined;
        return false;
    }

    /** Called by the generated `enter` after the state changed. */
    protected notifyTransition(from: string, event: number, to: string): void {
        if (!this.observed()) {
            return; // the common case in production: no closure, no name lookup per event
        }
        const eventName = event === START_EVENT ? '(start)' : this.eventNames[event] ?? String(event);
        this.forEachObserver((o) => o.transition?.(this, from, eventName, to));
    }

    /** Called by a state that does not handle the event: it is ignored and reported. */
    unhandled(event: number): void {
        if (!this.observed()) {
            return;
        }
        const eventName = this.eventNames[event] ?? String(event);
        this.forEachObserver((o) => o.unhandled?.(this, this.stateName, eventName));
    }

    /** Stops the whole reactor (the built-in `stop` action). */
    stopReactor(): void {
        this.host.stop();
    }

    private deliver(event: number, payload: unknown, source: EventSource | undefined): void {
        this.payload = payload;
        this.source = source;
        try {
            this.process(event);
        } catch (error) {
            const eventName = this.eventNames[event] ?? String(event);
            let reported = false;
            this.forEachObserver((o) => {
                if (o.error) {
                    o.error(this, error, eventName);
                    reported = true;
                }
            });
            if (!reported) {
                process.emitWarning(`${this.name}: an action failed while handling ${eventName} in ${this.stateName}: ${String(error)}`, 'ReactorActionError');
            }
        } finally {
            this.payload = undefined;
            this.source = undefined;
        }
    }

    /** Reports a socket occurrence to observers (nothing to do, and no allocation, when nobody observes). */
    traceIo(socket: string, what: IoWhat, detail: IoDetail = {}): void {
        if (this.observed()) {
            this.forEachObserver((o) => o.io?.(this, socket, what, detail));
        }
    }

    /** Reports an action about to run (generated code calls it only while `tracing`). */
    traceAction(name: string, phase: ActionPhase): void {
        const state = this.stateName;
        this.forEachObserver((o) => o.action?.(this, name, state, phase));
    }

    /** Reports an internal transition (generated code calls it only while `tracing`). */
    traceInternal(event: number): void {
        const eventName = this.eventNames[event] ?? String(event);
        const state = this.stateName;
        this.forEachObserver((o) => o.internal?.(this, state, eventName));
    }

    /** True when any observer listens: generated code reports actions and internal transitions only then. */
    get tracing(): boolean {
        return this.observed();
    }

    private observed(): boolean {
        return this.host.observers.length > 0 || (this.observers !== undefined && this.observers.length > 0);
    }

    private forEachObserver(call: (observer: MachineObserver) => void): void {
        for (const observer of this.host.observers) {
            call(observer);
        }
        if (this.observers) {
            for (const observer of this.observers) {
                call(observer);
            }
        }
    }

    /** Used by timers: clears the slot, then dispatches through the queue like any event. */
    fireTimer(slot: number, event: number, epoch: number): void {
        if (this.timers) {
            this.timers[slot] = undefined;
        }
        this.dispatch(event, epoch);
    }
}
