// The base of every generated machine: run-to-completion dispatch, timers, observers, and what it owns.
import type { Clock, ClockTimer } from './clock.js';
import { isHoldable, type HoldableSource, type SourceHolder } from './dispatch.js';
import { EventQueue } from './event-queue.js';
import type { ActionPhase, IoWhat } from './trace-format.js';

/** What an `io` observation carries besides the socket and what happened. */
export interface IoDetail {
    bytes?: number;
    code?: string;
    hadError?: boolean;
    session?: string;
    /** `exit` of a process: its exit status (128 + the signal's number when a signal ended it). */
    status?: number;
}

/**
 * Watches machines: transitions, actions, socket occurrences, ignored events, finishing, and errors thrown by user actions.
 * A machine looks at the reactor's observers when it is constructed and when it starts: give them to the Reactor up front.
 */
export interface MachineObserver {
    /** A transition with a target; `from` is '' when the machine starts in `to`. */
    transition?(machine: Machine, from: string, event: string, to: string): void;
    /** An internal transition (no target) ran in `state`. */
    internal?(machine: Machine, state: string, event: string): void;
    /** Machines with composite states: `state` (or a region) is entered, before its entry actions (outermost first). */
    enter?(machine: Machine, state: string): void;
    /** Machines with composite states: `state` (or a region) is left, before its exit actions (innermost first). */
    exit?(machine: Machine, state: string): void;
    /** A user or built-in action (`close upstream`, `raise Retry`, `stop`) is about to run. */
    action?(machine: Machine, name: string, state: string, phase: ActionPhase): void;
    /** A socket occurrence, before it becomes the mapped event (if any). */
    io?(machine: Machine, socket: string, what: IoWhat, detail: IoDetail): void;
    unhandled?(machine: Machine, state: string, event: string): void;
    /** The machine finished, in `machine.stateName`. */
    finished?(machine: Machine): void;
    error?(machine: Machine, error: unknown, event: string): void;
}

/** A resource a machine owns (a socket, a listener) and closes gracefully when it finishes. */
export interface Closable {
    /** Starts a graceful close; resolves once the resource is fully closed. Calling it again returns the same promise. */
    close(): Promise<void>;
}

/** What a machine reports to the reactor that runs it (a server is the host of its sessions and passes most on). */
export interface MachineHost {
    readonly observers: readonly MachineObserver[];
    /** Every timer of the machine and its sockets runs on this clock. */
    readonly clock: Clock;
    machineFinished(machine: Machine): void;
    /** The built-in `stop`, once the step that ran it has completed: every top-level machine still running finishes. */
    stop(): void;
    /** A machine with `signal` bindings started: its signals are delivered to it from now on, until it finishes. */
    bindSignals?(machine: Machine): void;
    unbindSignals?(machine: Machine): void;
    /** The program cannot go on (a server cannot listen and the model maps no `error`): stop with `message` and exit status 1. */
    fail?(message: string): void;
    /**
     * The number of the next session of machine `type` in the program, from 1, counted over every server that runs it
     * (`Peer#3` is the third `Peer` any server started). Undefined, or not there: the host does not count them (a
     * test's), and each server numbers its own sessions.
     */
    nextSessionNumber?(type: string): number | undefined;
}

/** The event id that starts a machine: the generated `process` enters the initial state on it. */
export const START_EVENT = -1;

/** The signals a machine turns into events, as (signal, event id) pairs. */
export type SignalTable = ReadonlyArray<readonly [NodeJS.Signals, number]>;

const NO_SIGNALS: SignalTable = Object.freeze([]);

const NO_DETAIL: IoDetail = Object.freeze({});

/** What produced an event: a socket dispatcher, for backpressure (the source of the event being handled pauses). */
export interface EventSource {
    pauseReading(): void;
}

/**
 * What holds a paused machine's sockets: while an inspector pauses the machine, its dispatchers read nothing, so what
 * peers send waits in the kernel (TCP flow control slows them) instead of piling up in the machine's queue.
 */
class PauseHold implements SourceHolder {
    readonly sources = new Set<HoldableSource>();

    forgetSource(source: EventSource): void {
        this.sources.delete(source as HoldableSource);
    }
}

/** Payload of a timer event: the state epoch it was armed in, so a timer of a state already left is ignored. */
type TimerPayload = number;

/**
 * Where a machine is in its life (`machine.status`):
 * - `new`: constructed, not started yet;
 * - `idle`: started, waiting for the next event;
 * - `paused`: started, and held by `pause` (an inspector's pause or breakpoint): events queue until `resume`;
 * - `busy`: processing an event, and then the events queued meanwhile (run-to-completion);
 * - `stopping`: busy, and the step ran the built-in `stop`: once it completes, every top-level machine finishes;
 * - `closing`: finished (a final state, `stop`, or its connection's end): it takes no more events, and what it owns
 *   (its sockets) is closing gracefully;
 * - `done`: finished, and everything it owned has closed.
 */
export type MachineStatus = 'new' | 'idle' | 'paused' | 'busy' | 'stopping' | 'closing' | 'done';

// The status as a small integer, in the order of a machine's life: `dispatch` tells the three cases it cares about
// (take the event now, queue it, drop it) by two comparisons. `STATUS_NAMES` turns it into the public name.
const NEW = 0;
const IDLE = 1;
const PAUSED = 2;
const BUSY = 3;
const STOPPING = 4;
const CLOSING = 5;
const DONE = 6;
type Status = typeof NEW | typeof IDLE | typeof PAUSED | typeof BUSY | typeof STOPPING | typeof CLOSING | typeof DONE;
const STATUS_NAMES: readonly MachineStatus[] = ['new', 'idle', 'paused', 'busy', 'stopping', 'closing', 'done'];

/**
 * A state of a generated machine, shared by every instance: the generated abstract state class extends it with one
 * method per event. Generated state classes take their own machine class where this takes `Machine`.
 */
export abstract class State {
    /** The state's name in the model. */
    abstract readonly name: string;
    /** True for a final state: entering it finishes the machine. */
    readonly final: boolean = false;

    /** Entry actions; timers armed here run while the state lasts. */
    onEnter(_machine: Machine): void {}

    /** Exit actions. */
    onExit(_machine: Machine): void {}

    /** A timer of this state fired (`timer`: its event id). */
    onTimer(_machine: Machine, _timer: number): void {}
}

/**
 * The context of the GoF State pattern, and what every generated machine shares: run-to-completion dispatch, the
 * state changes its transitions make, timers, observers, and what it owns. `S` is the machine's state class, `E` its
 * event ids; the generated subclass adds its sockets, its actions and `process`, the switch from event id to handler.
 * Per instance it holds only what differs between instances: names and tables are getters on the prototype.
 */
export abstract class Machine<S extends State = State, E extends number = number> {
    /** The machine's name in the model. */
    abstract readonly type: string;
    /** Event names by id, for observers (timer events follow the model's events). */
    protected abstract readonly eventNames: readonly string[];

    /** The payload of the event being processed: a Buffer for `read`, an Error for `error`, … */
    payload: unknown = undefined;
    /** The socket whose occurrence produced the event being processed; undefined for timers, signals, `raise`. */
    source: EventSource | undefined = undefined;
    /**
     * True while anyone observes this machine (the reactor's observers or its own): generated code reports each
     * action and internal transition only then, so an unobserved machine pays one boolean check per action.
     */
    tracing: boolean;
    /** The current state; transitions change it through `enter`. */
    state: S;

    /** Counts state entries; timers armed in an earlier entry are stale. */
    private epoch = 0;
    private current: Status = NEW;
    /** Set by `pause` until `resume`: once the step in progress (if any) completes, events wait in the queue. */
    private held = false;
    /** The sockets `pause` stopped reading, released by `resume`. */
    private pauseHold: PauseHold | undefined;
    private queue: EventQueue | undefined;
    private timers: Array<ClockTimer | undefined> | undefined;
    private observers: MachineObserver[] | undefined;
    private owned: Closable[] | undefined;
    private closing: Promise<void> | undefined;
    private label: string | undefined;

    constructor(
        readonly host: MachineHost,
        initial: S
    ) {
        this.tracing = host.observers.length > 0;
        this.state = initial;
    }

    /** Where the machine is in its life: `new`, `idle`, `paused`, `busy`, `stopping`, `closing` or `done` (see MachineStatus). */
    get status(): MachineStatus {
        return STATUS_NAMES[this.current]!;
    }

    /** True once the machine reached a final state or was stopped (status `closing` or `done`): it takes no more events. */
    get finished(): boolean {
        return this.current >= CLOSING;
    }

    /** The current state's name. */
    get stateName(): string {
        return this.state.name;
    }

    /** Signals this machine turns into events, as (signal, event id) pairs; the reactor binds them while it runs. */
    get signals(): SignalTable {
        return NO_SIGNALS;
    }

    /** A name for logs: the type, plus an instance number for sessions. */
    get name(): string {
        return this.label ?? this.type;
    }

    set name(label: string) {
        this.label = label;
    }

    /** Starts the machine: its signals are bound, its clients connect, its servers listen, and it enters its initial state. */
    start(): void {
        if (this.current !== NEW) {
            return;
        }
        this.current = IDLE;
        this.tracing = this.observed();
        if (this.signals.length > 0) {
            this.host.bindSignals?.(this);
        }
        this.dispatch(START_EVENT);
    }

    /** Runs the generated `switch` from event id to the current state's handler. */
    protected abstract process(event: number): void;

    /**
     * Delivers an event. Run-to-completion: an event dispatched while another is processed
     * (by an action, `raise`, or a socket callback) waits in the queue and is taken next.
     */
    dispatch(event: number, payload?: unknown, source?: EventSource): void {
        if (this.current !== IDLE) {
            this.dispatchWhileNotIdle(event, payload, source);
            return;
        }
        // The common case, kept short: an idle machine takes the event at once.
        this.current = BUSY;
        this.payload = payload;
        this.source = source;
        try {
            this.process(event);
        } catch (error) {
            this.stepFailed(error, event, IDLE);
            return;
        }
        this.payload = undefined;
        this.source = undefined;
        if (this.current === BUSY && !this.held && (this.queue === undefined || this.queue.length === 0)) {
            this.current = IDLE;
            return;
        }
        this.completeStep(IDLE);
    }

    /**
     * Holds the machine (an inspector's pause or breakpoint): once the step in progress, if any, has completed, every
     * event — socket occurrences, timers, signals, raised events — waits in the queue, in order, until `resume`.
     * False when the machine has already finished.
     */
    pause(): boolean {
        if (this.current >= CLOSING) {
            return false;
        }
        this.held = true;
        if (this.current === IDLE) {
            this.current = PAUSED;
        }
        this.holdSockets();
        return true;
    }

    /** Every socket the machine owns stops reading (the model's own `pause`/`resume` and backpressure are unaffected). */
    private holdSockets(): void {
        const hold = (this.pauseHold ??= new PauseHold());
        for (const resource of this.owned ?? []) {
            const source = resource as unknown as EventSource;
            if (isHoldable(source) && !hold.sources.has(source) && source.holdFor(hold)) {
                hold.sources.add(source);
            }
        }
    }

    private releaseSockets(): void {
        const hold = this.pauseHold;
        if (hold) {
            const sources = [...hold.sources];
            hold.sources.clear();
            for (const source of sources) {
                source.releaseFrom(hold);
            }
        }
    }

    /** Undoes `pause`: the events that waited are taken now, in order (until the machine is paused again). */
    resume(): void {
        if (!this.held) {
            return;
        }
        this.held = false;
        this.releaseSockets();
        // Resumed within the step that paused it (still busy): that step goes on to take the queue itself.
        if (this.current === PAUSED) {
            this.current = BUSY;
            this.completeStep(IDLE);
        }
    }

    /** `dispatch` on a machine that is not idle: queued while busy, dropped once finished, taken at once when new. */
    private dispatchWhileNotIdle(event: number, payload: unknown, source: EventSource | undefined): void {
        const before = this.current;
        if (before > IDLE) {
            if (before < CLOSING) {
                (this.queue ??= new EventQueue()).push(event, payload, source);
            }
            return;
        }
        this.current = BUSY;
        try {
            this.deliver(event, payload, source);
        } finally {
            this.completeStep(before);
        }
    }

    /** An action of the step threw: observers hear of it (or a warning is emitted), then the step completes. */
    private stepFailed(error: unknown, event: number, before: Status): void {
        try {
            this.reportFailure(error, event);
        } finally {
            this.payload = undefined;
            this.source = undefined;
            this.completeStep(before);
        }
    }

    /**
     * After a step: the events queued meanwhile are taken in order while the machine stays busy, then the status
     * goes back to what it was before the step (`before`); a step that ran `stop` stops the reactor now.
     */
    private completeStep(before: Status): void {
        try {
            const queue = this.queue;
            if (queue) {
                while (queue.length > 0 && this.current === BUSY && !this.held) {
                    const next = queue.peekEvent();
                    const nextSource = queue.peekSource<EventSource>();
                    this.deliver(next, queue.takePayload(), nextSource);
                }
            }
        } finally {
            const after = this.current;
            // A machine paused during the step (a breakpoint) rests paused instead of idle.
            const rest = this.held && before === IDLE ? PAUSED : before;
            if (after === BUSY) {
                this.current = rest;
            } else if (after === STOPPING) {
                // The step that ran `stop` has completed: what it raised is dropped, then the reactor stops.
                this.current = rest;
                this.queue?.clear();
                this.host.stop();
            }
        }
    }

    /** Raises an event, with a payload when given: it is processed after the current one (run-to-completion). */
    raise(event: E, payload?: unknown): void {
        this.dispatch(event, payload);
    }

    /** Leaves the current state (generated transitions call it): its exit actions run and its timers stop. */
    exit(): void {
        this.state.onExit(this);
        this.clearTimers();
    }

    /** Enters a state (generated transitions call it): observers hear of the transition, then its entry actions run and its timers start. */
    enter(to: S, event: number): void {
        const from = this.state.name;
        this.state = to;
        this.epoch++;
        this.notifyTransition(from, event, to.name);
        to.onEnter(this);
        if (to.final) {
            void this.finish();
        }
    }

    /** Subscribes to this machine only; returns the unsubscribe function. */
    observe(observer: MachineObserver): () => void {
        (this.observers ??= []).push(observer);
        this.tracing = true;
        return () => {
            this.observers = this.observers?.filter((o) => o !== observer);
            this.tracing = this.observed();
        };
    }

    /** Takes ownership of a resource: it is closed when the machine finishes. */
    own<T extends Closable>(resource: T): T {
        (this.owned ??= []).push(resource);
        return resource;
    }

    /** Finishes the machine: timers stop, queued events are dropped, owned sockets close gracefully. */
    finish(): Promise<void> {
        if (this.closing) {
            return this.closing;
        }
        // Finishing ends the step in progress (a finished machine runs nothing more), so a `stop` it ran takes effect now.
        const stopAfterStep = this.current === STOPPING;
        this.current = CLOSING;
        this.clearTimers();
        this.queue?.clear();
        if (this.signals.length > 0) {
            this.host.unbindSignals?.(this);
        }
        this.closing = Promise.all((this.owned ?? []).map((resource) => resource.close())).then(() => {
            this.current = DONE;
        });
        if (this.tracing) {
            this.forEachObserver((o) => o.finished?.(this));
        }
        this.host.machineFinished(this);
        if (stopAfterStep) {
            this.host.stop();
        }
        return this.closing;
    }

    /** Arms timer `slot` to dispatch `event` after `ms`, unless the state is left first (generated entry code calls it). */
    armTimer(slot: number, ms: number, event: number, tag: number = this.epoch): void {
        if (this.current >= CLOSING) {
            return;
        }
        const timers = (this.timers ??= []);
        const previous = timers[slot];
        if (previous !== undefined) {
            this.host.clock.clear(previous);
        }
        // `tag` comes back as the timer event's payload: the state entry it was armed in (hierarchical machines tag per timer).
        timers[slot] = this.host.clock.set(ms, () => this.fireTimer(slot, event, tag));
    }

    /** Stops timer `slot` if it is armed (a hierarchical machine leaving the state that owns it). */
    clearTimer(slot: number): void {
        const timers = this.timers;
        const timer = timers?.[slot];
        if (timer !== undefined) {
            this.host.clock.clear(timer);
            timers![slot] = undefined;
        }
    }

    /** Called by a state that does not handle the event: it is ignored and reported. */
    unhandled(event: number): void {
        if (!this.tracing) {
            return;
        }
        const eventName = this.eventNames[event] ?? String(event);
        this.forEachObserver((o) => o.unhandled?.(this, this.stateName, eventName));
    }

    /**
     * The built-in `stop`: the step running it completes first (the actions after it, the next state's entry
     * actions), then every top-level machine still running finishes. Called outside a step, it stops at once.
     */
    stopReactor(): void {
        if (this.current === BUSY) {
            this.current = STOPPING;
        } else if (this.current !== STOPPING) {
            this.host.stop();
        }
    }

    /** Reports a socket occurrence to observers (nothing to do when nobody observes, or once the machine has finished). */
    traceIo(socket: string, what: IoWhat, detail: IoDetail = NO_DETAIL): void {
        if (this.tracing && this.current < CLOSING) {
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
        this.traceInternalIn(this.stateName, event);
    }

    /** Reports an internal transition of `state` (hierarchical machines: the state that declares it; only while `tracing`). */
    traceInternalIn(state: string, event: number): void {
        const eventName = this.eventNames[event] ?? String(event);
        this.forEachObserver((o) => o.internal?.(this, state, eventName));
    }

    /** Reports an action of `state` about to run (hierarchical machines: the state entered, left or declaring the transition; only while `tracing`). */
    traceActionIn(name: string, phase: ActionPhase, state: string): void {
        this.forEachObserver((o) => o.action?.(this, name, state, phase));
    }

    /** Reports a transition from `from` to `to` as written (hierarchical machines, after its actions; only while `tracing`). */
    traceTransition(from: string, event: number, to: string): void {
        this.notifyTransition(from, event, to);
    }

    /** Reports that `state` is entered (hierarchical machines; only while `tracing`). */
    traceEnter(state: string): void {
        this.forEachObserver((o) => o.enter?.(this, state));
    }

    /** Reports that `state` is left (hierarchical machines; only while `tracing`). */
    traceExit(state: string): void {
        this.forEachObserver((o) => o.exit?.(this, state));
    }

    /** The start event (the generated `process` calls it): the sockets start, then the initial state is entered. */
    protected begin(): void {
        this.openSockets();
        this.notifyTransition('', START_EVENT, this.state.name);
        this.state.onEnter(this);
        if (this.state.final) {
            void this.finish();
        }
    }

    /** When the machine starts, before its initial state is entered: the generated machine connects its clients and starts its servers. */
    protected openSockets(): void {}

    /**
     * A timer event (the generated `process` passes on the ids after the model's events): the current state's
     * `onTimer`, unless the timer was armed in a state entry that has since been left. Entry actions of the next
     * state see `undefined` as payload, as timers carry nothing.
     */
    protected timerEvent(event: number): void {
        if ((this.payload as TimerPayload) !== this.epoch) {
            return;
        }
        this.payload = undefined;
        this.state.onTimer(this, event);
    }

    private deliver(event: number, payload: unknown, source: EventSource | undefined): void {
        this.payload = payload;
        this.source = source;
        try {
            this.process(event);
        } catch (error) {
            this.reportFailure(error, event);
        } finally {
            this.payload = undefined;
            this.source = undefined;
        }
    }

    /** An action threw while handling `event`: the observers with an `error` callback hear of it, or a warning is emitted. */
    private reportFailure(error: unknown, event: number): void {
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
    }

    /** Observers hear of a state change (`from` is '' when the machine starts). */
    private notifyTransition(from: string, event: number, to: string): void {
        if (!this.tracing) {
            return; // the common case in production: no closure, no name lookup per event
        }
        const eventName = event === START_EVENT ? '(start)' : this.eventNames[event] ?? String(event);
        this.forEachObserver((o) => o.transition?.(this, from, eventName, to));
    }

    /** Clears every armed timer (on leaving a state and on finishing). */
    private clearTimers(): void {
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

    /** A timer ran out: its slot is cleared, then its event goes through the queue like any other. */
    private fireTimer(slot: number, event: number, epoch: number): void {
        if (this.timers) {
            this.timers[slot] = undefined;
        }
        this.dispatch(event, epoch);
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
}
