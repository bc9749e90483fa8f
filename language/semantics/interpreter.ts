// The interpreter: what a model does, on a virtual clock, with every socket and signal abstract. The definition of the language.
import type { ActionPhase, IoWhat, TraceLine } from '../../templates/runtime/trace-format.js';
import { Instance, type QueuedEvent, type ServerSocket, type StreamSocket, type TimerJob, type VirtualTimer } from './instance.js';
import { copyInstance } from './simulation-copy.js';
import { encodeFrame, FrameDecoder, FramingError, framingOf } from '../../templates/runtime/framing.js';
import type { Probe } from './probe.js';
import { scenarioPayload } from './scenario-payload.js';
import { LINGER_MS, type ActionSpec, type ProgramSpec, type SocketEventName } from './program.js';
import type { StateNode, TreeTransition } from './state-tree.js';
import { enabledTransitions, entrySet, exitSet, isInFinalState, rememberHistories } from './transition-sets.js';

/** A step the model's current situation does not allow (an unknown name, a socket that is not connected, …). */
export class SimulationError extends Error {}

/** How many events one step may deliver before it is taken for an endless cycle of `raise`. */
export const STEP_BUDGET = 10_000;

/** What a socket step says happened. */
export type SocketOccurrence =
    | { readonly what: 'connected' | 'refused' | 'timeout' | 'drained' | 'closed' | 'reset' | 'accept' }
    /** Bytes as a scenario writes them (a string, UTF-8), or as they are (the system explorer passes what a peer sent). */
    | { readonly what: 'data'; readonly data: string | Uint8Array }
    | { readonly what: 'error'; readonly code: string }
    /** A process ended with this status (128 + the signal's number when a signal ended it). */
    | { readonly what: 'exit'; readonly status: number };

/** Error codes with which a process fails to start (it is then not running); any other (EPIPE, …) leaves it running. */
const SPAWN_FAILURES: ReadonlySet<string> = new Set(['ENOENT', 'EACCES', 'ENOEXEC', 'EAGAIN', 'ENOMEM', 'E2BIG', 'ENOTDIR', 'EMFILE', 'ENFILE']);

/** The bytes of a `data` step: a scenario's text as UTF-8, or bytes as they are. */
function bytesOf(data: string | Uint8Array): Buffer {
    return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}

/** The status of a process that SIGKILL ended: after `close`, one that has not exited within two lingers (SIGTERM came after the first). */
const SIGKILL_STATUS = 137;

export interface SimulationOptions {
    /** Called for every trace line as it happens (the lines are also kept in `trace`). */
    readonly onTrace?: (line: TraceLine) => void;
    /**
     * Decides a user guard (before `!` is applied). By default a guard has the value the scenario set (`guard ready true`),
     * false until then; tests that hold other runners to the interpreter pass the same guard code they give those.
     */
    readonly guard?: (name: string, instance: Instance, negated: boolean) => boolean;
    /** Told of each point inside a step where a debugger may stop (see ProbePoint). */
    readonly probe?: Probe;
    /** False: trace lines are only passed to `onTrace`, not kept in `trace` (an explorer runs millions of steps). */
    readonly keepTrace?: boolean;
    /** Told of every message a `send` accepts for writing (framed as the socket says), while connected or connecting. */
    readonly onWrite?: (instance: Instance, socket: StreamSocket, bytes: Buffer) => void;
    /**
     * Only `unhandled` lines are made (for `onTrace`; with `keepTrace: false`): the system explorer needs no others
     * while it searches, and making them would cost it time. What happens is the same.
     */
    readonly onlyUnhandled?: boolean;
}

/** The order timers fire in: by due time, then in the order they were armed. */
export function firingOrder(a: VirtualTimer, b: VirtualTimer): number {
    return a.due - b.due || a.order - b.order;
}

/** `timer` is one of a state's timers (of `state`, or of any state) of the instance called `owner`. */
function stateTimerOf(timer: VirtualTimer, owner: string, state: StateNode | undefined): boolean {
    return timer.owner === owner && timer.job.kind === 'state' && (state === undefined || timer.job.state === state);
}

function anyBusy(instances: readonly Instance[]): boolean {
    for (let index = 0; index < instances.length; index++) {
        if (instances[index]!.busy) {
            return true;
        }
    }
    return false;
}

export class Simulation {
    readonly trace: TraceLine[] = [];
    /** Every instance in the order it started: top-level machines, then sessions as they are accepted. */
    readonly instances: Instance[];
    /**
     * Guard values set by the scenario; every guard starts false. A guard given several values takes the next one at
     * each evaluation and keeps the last.
     */
    get guards(): Map<string, boolean[]> {
        return (this.guardValues ??= new Map<string, boolean[]>());
    }
    /** The guards' values, made when first set or read (a search's simulations never have any). */
    private guardValues: Map<string, boolean[]> | undefined;
    /** The exit status the program would end with, once known (1 after a listen failure nobody handles), and why. */
    exitCode: number | undefined;
    exitReason: string | undefined;
    private time = 0;
    private order = 0;
    private timers: VirtualTimer[];
    /** Occurrences Node delivers on a later tick (a destroyed socket's close): run after the current callback. */
    private deferred: Array<() => void> = [];
    private delivered = 0;
    private stopping = false;
    /** Sessions started so far, by session machine: the N of `Peer#N`. */
    private sessionNumbers: Map<string, number>;
    /** `sessionNumbers` is shared with a copy of this simulation (or its source): copied before it changes. */
    private sessionNumbersShared: boolean;

    /** Trace lines other than `unhandled` are made (see SimulationOptions.onlyUnhandled). */
    private readonly traced: boolean;
    /**
     * This simulation's token: the instances whose `writer` it is are its own to change in place; any other it shares
     * with a copy (or the source it was copied from) and copies before it first changes it (own).
     */
    private writer: object = {};
    /** Some instance has `writer` as its token (else a copy need not make a new one). */
    private writerUsed = false;

    constructor(
        readonly program: ProgramSpec,
        private readonly options: SimulationOptions = {},
        /** The simulation this one is a copy of (Simulation.copy): its instances and timers, its session numbers (shared). */
        source?: Simulation
    ) {
        this.traced = options.onlyUnhandled !== true;
        // slice, not a spread: V8 copies an array's elements at once (a spread iterates), and every move copies these.
        this.instances = source ? source.instances.slice() : [];
        this.timers = source ? source.timers.slice() : [];
        this.sessionNumbers = source ? source.sessionNumbers : new Map<string, number>();
        this.sessionNumbersShared = source !== undefined;
    }

    /**
     * An independent copy of this simulation between steps (same program and clock), which runs on with `options`:
     * what the system explorer branches from. The two share their instances (and timers) until either changes one:
     * it copies the instance first (own), so a step copies only the instances it touches.
     */
    copy(options: SimulationOptions = this.options): Simulation {
        if (this.deferred.length > 0 || anyBusy(this.instances)) {
            throw new Error('internal: a simulation is copied only between steps');
        }
        // Session numbers are shared until either simulation starts a session (accept copies the map first).
        const copy = new Simulation(this.program, options, this);
        // The instances are shared now: this simulation, too, copies one before it changes it (a new token, unless no
        // instance has the current one: copied again before any change, as when a world's moves are tried).
        if (this.writerUsed) {
            this.writer = {};
            this.writerUsed = false;
        }
        if (options.keepTrace !== false) {
            copy.trace.push(...this.trace);
        }
        if (this.guardValues && this.guardValues.size > 0) {
            for (const [name, values] of this.guardValues) {
                copy.guards.set(name, [...values]);
            }
        }
        copy.exitCode = this.exitCode;
        copy.exitReason = this.exitReason;
        copy.time = this.time;
        copy.order = this.order;
        copy.stopping = this.stopping;
        this.sessionNumbersShared = true;
        return copy;
    }

    /** `stop` ran: the reactor has stopped (part of a simulation's state for the explorer). */
    get stopped(): boolean {
        return this.stopping;
    }

    /**
     * The instance named like `instance` that this simulation may change: `instance` itself if this simulation made or
     * copied it, else a copy that replaces it here (its timers stay shared: they name their owner and are not changed).
     * Whatever a step changes has passed through here first in that step: the instance the step is about, one a timer
     * or a server reaches, each one `stop` ends.
     */
    private own(instance: Instance): Instance {
        if (instance.writer === this.writer) {
            instance.unkey();
            return instance;
        }
        let at = this.instances.indexOf(instance);
        if (at < 0) {
            // Reached through a reference from before it was copied in this step: the copy, by name.
            at = this.instances.findIndex((candidate) => candidate.name === instance.name);
            const current = this.instances[at];
            if (!current) {
                throw new Error(`internal: ${instance.name} is not an instance of this simulation`);
            }
            if (current.writer === this.writer) {
                current.unkey();
                return current;
            }
        }
        const copy = copyInstance(this.instances[at]!, this.writer);
        this.writerUsed = true;
        this.instances[at] = copy;
        return copy;
    }

    /** The instance called `name`, owned (see own): a server's session, a session's server. */
    private ownNamed(name: string): Instance {
        const instance = this.instance(name);
        if (!instance) {
            throw new Error(`internal: no instance ${name} in this simulation`);
        }
        return this.own(instance);
    }

    /** Whether some timer is `instance`'s. */
    private holdsTimer(instance: Instance): boolean {
        const timers = this.timers;
        for (let index = 0; index < timers.length; index++) {
            if (timers[index]!.owner === instance.name) {
                return true;
            }
        }
        return false;
    }

    /**
     * Lets finished sessions go that no timer needs any more (the explorer keeps its states small this way; their
     * names stay used: the next session is still `Name#N+1`). A finished session stays while a kept instance is a
     * session of one of its servers (sessions of sessions). Loops over a handful of instances, no sets: this runs
     * after every step of a search.
     */
    forgetFinishedSessions(): void {
        const instances = this.instances;
        let kept: boolean[] | undefined;
        for (let index = 0; index < instances.length; index++) {
            const instance = instances[index]!;
            if (instance.server && instance.finished && !this.holdsTimer(instance)) {
                kept ??= new Array<boolean>(instances.length).fill(true);
                kept[index] = false;
            }
        }
        if (!kept) {
            return; // most often every finished session still has a timer (its linger): nothing to let go
        }
        // The hosts of kept sessions are kept, up the chain.
        for (let changed = true; changed; ) {
            changed = false;
            for (let index = 0; index < instances.length; index++) {
                const host = instances[index]!.server;
                if (!kept[index] || !host) {
                    continue;
                }
                const at = instances.findIndex((candidate) => candidate.name === host.instance);
                if (at >= 0 && !kept[at]) {
                    kept[at] = true;
                    changed = true;
                }
            }
        }
        // The kept ones, in order, in place (the instances are this simulation's own list: a copy slices it).
        let to = 0;
        for (let from = 0; from < instances.length; from++) {
            if (kept[from]) {
                instances[to++] = instances[from]!;
            }
        }
        instances.length = to;
    }

    get now(): number {
        return this.time;
    }

    /** Timers armed now, in the order they will fire. */
    get pendingTimers(): readonly VirtualTimer[] {
        return [...this.timers].sort(firingOrder);
    }

    /** Timers armed now, in no particular order (not copied: read it before the next step). */
    get armedTimers(): readonly VirtualTimer[] {
        return this.timers;
    }

    /** The first of the armed timers `where` accepts to fire, if any (without sorting them all). */
    nextTimer(where: (timer: VirtualTimer) => boolean = () => true): VirtualTimer | undefined {
        let next: VirtualTimer | undefined;
        for (const timer of this.timers) {
            if (where(timer) && (!next || firingOrder(timer, next) < 0)) {
                next = timer;
            }
        }
        return next;
    }

    /** The top-level machines that still run. */
    get running(): Instance[] {
        return this.instances.filter((instance) => !instance.server && !instance.finished);
    }

    /** Starts every top-level machine, in the order written. */
    start(): void {
        this.step(() => {
            for (const name of this.program.topLevel) {
                const instance = new Instance(name, this.machine(name), undefined);
                instance.writer = this.writer;
                this.writerUsed = true;
                this.instances.push(instance);
                this.dispatch(instance, { kind: 'start' });
            }
        });
    }

    instance(name: string): Instance | undefined {
        // A loop, not find with a closure: the explorer asks this many times per move.
        const instances = this.instances;
        for (let index = 0; index < instances.length; index++) {
            if (instances[index]!.name === name) {
                return instances[index];
            }
        }
        return undefined;
    }

    /** An event from outside to `instance` (ignored once it has finished, as a program ignores it). */
    send(instance: Instance, event: string, payload?: unknown): void {
        if (!instance.spec.events.includes(event)) {
            throw new SimulationError(`machine ${instance.spec.name} has no event '${event}'`);
        }
        const fitting = scenarioPayload(event, instance.spec.payloadTypes.get(event), payload);
        if (!fitting.ok) {
            throw new SimulationError(fitting.message);
        }
        this.step(() => this.dispatch(this.own(instance), { kind: 'event', event, payload: fitting.value }));
    }

    /** Moves the virtual clock `ms` on: due timers fire in time order, each callback run to completion. */
    advance(ms: number): void {
        this.step(() => this.advanceTo(this.time + ms));
    }

    /** Fires every timer due up to `end` in time order, then leaves the clock at `end`. */
    private advanceTo(end: number): void {
        for (;;) {
            const timers = this.timers;
            let at = -1;
            for (let index = 0; index < timers.length; index++) {
                const timer = timers[index]!;
                if (timer.due <= end && (at < 0 || firingOrder(timer, timers[at]!) < 0)) {
                    at = index;
                }
            }
            if (at < 0) {
                break;
            }
            const due = timers[at]!;
            // Its owner is changed now: owned first.
            const owner = this.ownNamed(due.owner);
            timers.splice(at, 1); // the armed timers are this simulation's own list (a copy slices it)
            this.time = due.due;
            this.fire(due, owner);
            this.runDeferred();
        }
        this.time = end;
    }

    /** A POSIX signal: every running machine that binds it gets its event, in the order they started. */
    signal(signal: string): void {
        const bound = this.instances.filter((instance) => !instance.finished && instance.spec.signals.some((binding) => binding.signal === signal));
        if (bound.length === 0) {
            throw new SimulationError(`no running machine binds ${signal}: the program would be killed by it`);
        }
        this.step(() => {
            for (const instance of bound) {
                const binding = instance.spec.signals.find((candidate) => candidate.signal === signal)!;
                const bindingInstance = this.own(instance);
                this.options.probe?.({ kind: 'signal', instance: bindingInstance, spec: binding });
                this.dispatch(bindingInstance, { kind: 'event', event: binding.event, payload: signal });
            }
        });
    }

    /** Something happened on a socket of `instance`. */
    socket(instance: Instance, name: string, occurrence: SocketOccurrence): void {
        if (!instance.sockets.has(name)) {
            throw new SimulationError(`machine ${instance.spec.name} has no socket '${name}'`);
        }
        if (instance.finished) {
            return; // the peer may still answer a graceful close, but a finished machine hears nothing more
        }
        // A step (see step), without a closure: the system check takes one for most moves it tries.
        this.delivered = 0;
        const owned = this.own(instance);
        const socket = owned.sockets.get(name)!;
        if (socket.kind === 'server') {
            this.serverStep(owned, socket, occurrence);
        } else if (socket.kind === 'process') {
            this.processStep(owned, socket, occurrence);
        } else {
            this.streamStep(owned, socket, occurrence);
        }
        this.runDeferred();
    }

    // ---- steps -------------------------------------------------------------------------------------------------

    private step(body: () => void): void {
        this.delivered = 0;
        body();
        this.runDeferred();
    }

    private runDeferred(): void {
        while (this.deferred.length > 0) {
            this.deferred.shift()!();
        }
    }

    private serverStep(instance: Instance, server: ServerSocket, occurrence: SocketOccurrence): void {
        if (occurrence.what === 'accept') {
            if (server.status !== 'listening') {
                throw new SimulationError(`${instance.name}.${server.spec.name} is not listening (${server.status}): no connection can be accepted`);
            }
            this.accept(instance, server);
        } else if (occurrence.what === 'error') {
            if (server.status !== 'listening') {
                throw new SimulationError(`${instance.name}.${server.spec.name} is not listening (${server.status}): it has no error to report`);
            }
            this.io(instance, server.spec.name, 'error', { code: occurrence.code });
            const outOfDescriptors = occurrence.code === 'EMFILE' || occurrence.code === 'ENFILE';
            if (server.spec.events.error !== undefined) {
                this.dispatch(instance, { kind: 'event', event: server.spec.events.error, payload: occurrence.code });
            } else if (outOfDescriptors) {
                // Out of descriptors: the server pauses accepting for a while and listens again; nothing stops.
            } else {
                // A program cannot go on without its listener when the model does not handle the error.
                this.exitCode = 1;
                this.exitReason = `${instance.name}.${server.spec.name} cannot listen (${occurrence.code}) and the model maps no error event`;
                this.stopReactor();
            }
        } else {
            throw new SimulationError(`'${occurrence.what}' does not happen to a server: use 'accept' or 'error CODE'`);
        }
    }

    private streamStep(instance: Instance, socket: StreamSocket, occurrence: SocketOccurrence): void {
        const name = socket.spec.name;
        const expect = (allowed: readonly string[], what: string): void => {
            if (!allowed.includes(socket.status)) {
                throw new SimulationError(`${instance.name}.${name} is ${socket.status}: '${what}' can happen only while it is ${allowed.join(' or ')}`);
            }
        };
        switch (occurrence.what) {
            case 'connected':
                expect(['connecting'], 'connected');
                this.connected(instance, socket);
                return;
            case 'refused':
                expect(['connecting'], 'refused');
                this.failConnect(instance, socket, 'ECONNREFUSED');
                return;
            case 'timeout':
                expect(['connecting'], 'timeout');
                if (socket.spec.connectTimeoutMs === undefined || !socket.connectTimer) {
                    throw new SimulationError(`${instance.name}.${name} has no 'timeout' option: its connect cannot time out`);
                }
                // The clock moves on to the connect timeout (what is due before it happens first).
                this.advanceTo(socket.connectTimer.due);
                return;
            case 'data':
                expect(['connected', 'closing'], 'data');
                this.receiveOrHold(instance, socket, bytesOf(occurrence.data));
                return;
            case 'drained':
                expect(['connected', 'closing'], 'drained');
                this.io(instance, name, 'drain');
                this.emit(instance, socket, 'drain', undefined);
                return;
            case 'closed':
                expect(['connected', 'closing'], 'closed');
                if (this.holds(instance, socket, 'closed')) {
                    socket.held.push({ what: 'closed' });
                } else {
                    this.closed(instance, socket, false);
                }
                return;
            case 'reset':
                expect(['connected', 'closing'], 'reset');
                if (this.holds(instance, socket, 'reset')) {
                    socket.held.push({ what: 'reset' });
                } else {
                    this.failConnection(instance, socket, 'ECONNRESET');
                }
                return;
            case 'error':
                expect(['connecting', 'connected', 'closing'], 'error');
                if (socket.status === 'connecting') {
                    this.failConnect(instance, socket, occurrence.code);
                } else {
                    this.failConnection(instance, socket, occurrence.code);
                }
                return;
            case 'accept':
                throw new SimulationError(`${name} is not a server: only servers accept`);
            case 'exit':
                throw new SimulationError(`${name} is not a process: only processes exit (a socket is 'closed' or 'reset')`);
        }
    }

    /** A step of a process: its stdout (`data`), stdin drained, an error, or its end (`exit N`). */
    private processStep(instance: Instance, socket: StreamSocket, occurrence: SocketOccurrence): void {
        const name = socket.spec.name;
        const running = (what: string): void => {
            if (socket.status !== 'connected' && socket.status !== 'closing') {
                throw new SimulationError(`${instance.name}.${name} is not running: '${what}' can happen only after 'spawn ${name}' and before it exits`);
            }
        };
        switch (occurrence.what) {
            case 'data':
                running('data');
                if (socket.spec.framing.kind !== 'none' && socket.frames === undefined) {
                    return; // after a message too long: the rest of its stdout is read and discarded, unheard
                }
                this.receiveOrHold(instance, socket, bytesOf(occurrence.data));
                return;
            case 'drained':
                running('drained');
                this.io(instance, name, 'drain');
                this.emit(instance, socket, 'drain', undefined);
                return;
            case 'exit':
                running('exit');
                if (this.holds(instance, socket, 'exit')) {
                    socket.held.push({ what: 'exit', status: occurrence.status });
                } else {
                    this.exited(instance, socket, occurrence.status);
                }
                return;
            case 'error':
                running('error');
                if (SPAWN_FAILURES.has(occurrence.code)) {
                    // The child never ran: no stdout, no exit; a later `spawn` tries again.
                    socket.status = 'closed';
                    socket.generation++;
                    socket.frames = undefined;
                    socket.held = [];
                    socket.lingerTimer = this.clear(socket.lingerTimer);
                }
                this.io(instance, name, 'error', { code: occurrence.code });
                this.reportError(instance, socket, occurrence.code);
                return;
            default:
                throw new SimulationError(`'${occurrence.what}' does not happen to a process: use data "…", drained, error CODE or exit STATUS`);
        }
    }

    /** `spawn NAME`: the child runs (reading its stdout, writing its stdin); ignored while one runs. */
    private spawn(instance: Instance, socket: StreamSocket): void {
        if (socket.status === 'connected' || socket.status === 'closing' || instance.finished) {
            return;
        }
        socket.generation++;
        socket.closeRequested = false;
        this.freshConnection(socket);
        socket.status = 'connected';
    }

    /** The process ended: its last message (a line without LF), then `exit` with the status. */
    private exited(instance: Instance, socket: StreamSocket, status: number): void {
        const frames = socket.frames;
        socket.frames = undefined;
        socket.held = [];
        socket.paused = false;
        socket.status = 'closed';
        socket.generation++;
        socket.lingerTimer = this.clear(socket.lingerTimer);
        if (frames) {
            this.deliverLastFrames(instance, socket, frames);
        }
        this.io(instance, socket.spec.name, 'exit', { status });
        this.emit(instance, socket, 'exit', status);
    }

    /** `close NAME` of a process: stdin ends; SIGTERM after the linger, SIGKILL (status 137) after a second one. */
    private closeProcess(instance: Instance, socket: StreamSocket): void {
        socket.closeRequested = true;
        if (socket.status !== 'connected') {
            return;
        }
        this.resumeReading(instance, socket);
        this.killAfter(instance, socket, 2 * LINGER_MS);
    }

    /** The process is on its way out (stdin ended, or SIGTERM sent): SIGKILL ends it after `ms` unless it exits first. */
    private killAfter(instance: Instance, socket: StreamSocket, ms: number): void {
        socket.status = 'closing';
        socket.lingerTimer = this.clear(socket.lingerTimer);
        const generation = socket.generation;
        socket.lingerTimer = this.arm(instance, ms, 'kill', { kind: 'kill', socket: socket.spec.name, generation });
    }

    // ---- run-to-completion -------------------------------------------------------------------------------------

    private machine(name: string) {
        const spec = this.program.machines.get(name);
        if (!spec) {
            throw new Error(`internal: no machine '${name}' in the program`);
        }
        return spec;
    }

    /** Delivers an event; one that arrives while the machine is busy waits in its queue (run-to-completion). */
    private dispatch(instance: Instance, event: QueuedEvent): void {
        if (instance.finished) {
            return;
        }
        if (instance.busy) {
            instance.queue.push(event);
            return;
        }
        instance.busy = true;
        try {
            this.deliver(instance, event);
            while (instance.queue.length > 0 && !instance.finished && !instance.stopAfterStep) {
                this.deliver(instance, instance.queue.shift()!);
            }
        } finally {
            instance.busy = false;
        }
        if (instance.stopAfterStep) {
            instance.stopAfterStep = false;
            instance.queue = [];
            this.stopReactor();
        }
    }

    private deliver(instance: Instance, event: QueuedEvent): void {
        if (++this.delivered > STEP_BUDGET) {
            throw new SimulationError(`${instance.name} took more than ${STEP_BUDGET} events in one step: an endless cycle of 'raise'?`);
        }
        this.options.probe?.({ kind: 'deliver', instance, event });
        switch (event.kind) {
            case 'start':
                this.begin(instance);
                return;
            case 'timer': {
                const state = event.state;
                if (!instance.active.has(state) || instance.entries.get(state) !== event.epoch) {
                    return; // armed in an entry of the state that has been left since
                }
                const timer = state.spec.timers[event.timer]!;
                instance.payload = undefined;
                this.microstep(instance, [{ source: state, event: timer.label, target: timer.target, spec: timer }]);
                return;
            }
            case 'done': {
                const completed = event.state;
                instance.payload = undefined;
                const enabled = enabledTransitions(instance, (transition, source) => transition.done && source === completed && this.guardHolds(instance, transition.guard));
                if (enabled.length > 0) {
                    this.microstep(instance, enabled);
                }
                return; // a state left before its completion was processed: nothing to do
            }
            case 'event': {
                instance.payload = event.payload;
                const name = event.event;
                const enabled = enabledTransitions(instance, (transition) => !transition.done && transition.event === name && this.guardHolds(instance, transition.guard));
                if (enabled.length > 0) {
                    this.microstep(instance, enabled);
                } else {
                    this.record({ t: this.time, kind: 'unhandled', machine: instance.name, state: instance.stateName, event: name });
                }
                instance.payload = undefined;
                return;
            }
        }
    }

    private begin(instance: Instance): void {
        for (const socket of instance.sockets.values()) {
            if (socket.kind === 'server') {
                socket.status = 'listening';
            } else if (socket.kind === 'client') {
                this.connect(instance, socket);
            }
        }
        const initial = instance.tree.root.initial!;
        if (this.traced) {
            this.record({ t: this.time, kind: 'start', machine: instance.name, state: initial.name });
        }
        this.enter(instance, entrySet(instance, [], [initial]));
    }

    private guardHolds(instance: Instance, guard: { name: string; negated: boolean } | undefined): boolean {
        if (!guard) {
            return true;
        }
        const value = this.options.guard ? this.options.guard(guard.name, instance, guard.negated) : this.nextGuardValue(guard.name);
        return guard.negated ? !value : value;
    }

    private nextGuardValue(name: string): boolean {
        const values = this.guardValues?.get(name);
        if (!values || values.length === 0) {
            return false;
        }
        return values.length > 1 ? values.shift()! : values[0]!;
    }

    /**
     * Takes the enabled transitions together: the states they leave (innermost first: exit actions, timers stop),
     * each transition's actions (a transition without a target is internal: it leaves and enters nothing), then the
     * states they enter (outermost first). In a flat machine: exit the state, the actions, enter the target.
     */
    private microstep(instance: Instance, transitions: readonly TreeTransition[]): void {
        const probe = this.options.probe;
        if (probe) {
            for (const { source, event, spec } of transitions) {
                probe({ kind: 'transition', instance, source, spec, event });
            }
        }
        const leaving = exitSet(instance, transitions);
        rememberHistories(instance, leaving);
        for (const state of leaving) {
            if (instance.spec.hierarchical && this.traced) {
                this.record({ t: this.time, kind: 'exit', machine: instance.name, state: state.name });
            }
            this.run(instance, state.spec.exit, 'exit', state.name);
            this.clearStateTimers(instance, state);
            instance.leaveState(state);
        }
        let entering = false;
        for (const transition of transitions) {
            const { source, event, target, spec } = transition;
            if (target === undefined) {
                if (this.traced) {
                    this.record({ t: this.time, kind: 'internal', machine: instance.name, state: source.name, event });
                }
                this.run(instance, spec.actions, 'transition', source.name);
                continue;
            }
            this.run(instance, spec.actions, 'transition', source.name);
            if (instance.finished) {
                return;
            }
            if (this.traced) {
                this.record({ t: this.time, kind: 'transition', machine: instance.name, from: source.name, event, to: target });
            }
            entering = true;
        }
        if (entering) {
            this.enter(instance, entrySet(instance, transitions));
        }
    }

    /**
     * Enters `states` (outermost first): each one's entry actions, then its timers; a final state finishes the machine
     * at the top level, or completes its parent (whose `done` is queued, and a parallel grandparent's once every region
     * is final).
     */
    private enter(instance: Instance, states: readonly StateNode[]): void {
        for (const state of states) {
            instance.enterState(state, ++instance.epoch);
            if (instance.spec.hierarchical && this.traced) {
                this.record({ t: this.time, kind: 'enter', machine: instance.name, state: state.name });
            }
            this.options.probe?.({ kind: 'enter', instance, state });
            this.run(instance, state.spec.entry, 'entry', state.name);
            if (instance.finished) {
                return;
            }
            this.armTimersOf(instance, state);
            if (state.spec.final) {
                const parent = state.parent!;
                if (parent === instance.tree.root) {
                    this.finish(instance);
                    return;
                }
                this.completed(instance, parent);
                const grandparent = parent.parent;
                if (grandparent?.spec.kind === 'parallel' && isInFinalState(instance, grandparent)) {
                    this.completed(instance, grandparent);
                }
            }
        }
    }

    /** `state` completed: its `done` is queued when it has an `on done` (processed after the current event, like `raise`). */
    private completed(instance: Instance, state: StateNode): void {
        if (state.spec.transitions.some((transition) => transition.done)) {
            this.dispatch(instance, { kind: 'done', state });
        }
    }

    private armTimersOf(instance: Instance, state: StateNode): void {
        const timers = state.spec.timers;
        if (timers.length === 0) {
            return;
        }
        const epoch = instance.entries.get(state)!;
        timers.forEach((timer, index) => {
            this.arm(instance, timer.delayMs, timer.label, { kind: 'state', state, index, epoch });
        });
    }

    /** Runs the actions of `state` (its entry or exit, or a transition declared in it). */
    private run(instance: Instance, actions: readonly ActionSpec[], phase: ActionPhase, state: string): void {
        for (const action of actions) {
            this.action(instance, action, phase, state);
        }
    }

    private action(instance: Instance, action: ActionSpec, phase: ActionPhase, state: string): void {
        if (this.traced || this.options.probe) {
            const name = action.kind === 'call' ? action.name : action.kind === 'stop' ? 'stop' : action.kind === 'raise' ? `raise ${action.event}` : `${action.kind} ${action.socket}`;
            this.options.probe?.({ kind: 'action', instance, action, name, phase, state });
            if (this.traced) {
                this.record({ t: this.time, kind: 'action', machine: instance.name, name, state, phase });
            }
        }
        switch (action.kind) {
            case 'call':
                return; // user code: the interpreter only traces it
            case 'raise':
                this.dispatch(instance, { kind: 'event', event: action.event, payload: action.payload ? instance.payload : undefined });
                return;
            case 'stop':
                instance.stopAfterStep = true;
                return;
            case 'spawn': {
                const socket = instance.sockets.get(action.socket);
                if (socket?.kind === 'process') {
                    this.spawn(instance, socket);
                }
                return;
            }
            case 'connect': {
                const socket = instance.sockets.get(action.socket);
                if (socket?.kind === 'client') {
                    socket.closeRequested = false;
                    this.connect(instance, socket);
                }
                return;
            }
            case 'close': {
                const socket = instance.sockets.get(action.socket);
                if (socket?.kind === 'server') {
                    this.closeServer(socket, false);
                } else if (socket?.kind === 'process') {
                    this.closeProcess(instance, socket);
                } else if (socket) {
                    this.closeStream(instance, socket);
                }
                return;
            }
            case 'send': {
                const socket = instance.sockets.get(action.socket);
                if (socket && socket.kind !== 'server') {
                    this.write(instance, socket, action.text ?? instance.payload);
                }
                return;
            }
            case 'pause': {
                const socket = instance.sockets.get(action.socket);
                // A socket being closed reads on until its peer closes, so that the close is seen.
                if (socket && socket.kind !== 'server' && socket.status !== 'closing') {
                    socket.paused = true;
                }
                return;
            }
            case 'resume': {
                const socket = instance.sockets.get(action.socket);
                if (socket && socket.kind !== 'server') {
                    this.resumeReading(instance, socket);
                }
                return;
            }
        }
    }

    /** The machine finishes: timers stop, the queue is dropped, its sockets close gracefully. */
    private finish(instance: Instance): void {
        if (instance.finished) {
            return;
        }
        instance.finished = true;
        this.clearStateTimers(instance);
        instance.queue = [];
        for (const socket of instance.sockets.values()) {
            if (socket.kind === 'server') {
                this.closeServer(socket, true);
            } else if (socket.kind === 'process') {
                this.closeProcess(instance, socket);
            } else {
                this.closeStream(instance, socket);
            }
        }
        if (this.traced) {
            this.record({ t: this.time, kind: 'finish', machine: instance.name, state: instance.stateName });
        }
        this.options.probe?.({ kind: 'finish', instance });
        const host = instance.server;
        if (host) {
            const server = this.ownNamed(host.instance).sockets.get(host.socket);
            if (server?.kind !== 'server') {
                throw new Error(`internal: ${host.instance}.${host.socket}, the server of ${instance.name}, is not a server`);
            }
            const at = server.sessions.indexOf(instance.name);
            if (at >= 0) {
                server.sessions.splice(at, 1);
            }
            if (server.status === 'closing' && server.sessions.length === 0) {
                this.serverClosed(server);
            }
        }
    }

    /** The built-in `stop`, once its step has completed: every top-level machine still running finishes. */
    private stopReactor(): void {
        if (this.stopping) {
            return;
        }
        this.stopping = true;
        for (const instance of this.running) {
            this.finish(this.own(instance));
        }
    }

    // ---- timers ------------------------------------------------------------------------------------------------

    /** Arms a timer; `order` places it among timers due at the same time (default: after every one armed so far). */
    private arm(owner: Instance, ms: number, label: string, job: TimerJob, order = this.order++): VirtualTimer {
        const timer: VirtualTimer = { due: this.time + ms, order, label, owner: owner.name, job, keyAtom: -1, keyAtomBy: undefined };
        this.timers.push(timer);
        return timer;
    }

    /** A timer is due: what it was armed to do to `instance`, its owner, happens now (it has left the armed timers). */
    private fire(timer: VirtualTimer, instance: Instance): void {
        const job = timer.job;
        if (job.kind === 'state') {
            this.dispatch(instance, { kind: 'timer', state: job.state, timer: job.index, epoch: job.epoch });
            return;
        }
        const socket = instance.stream(job.socket);
        switch (job.kind) {
            case 'kill':
                socket.lingerTimer = undefined;
                if (socket.generation === job.generation && socket.status === 'closing') {
                    this.exited(instance, socket, SIGKILL_STATUS);
                }
                return;
            case 'linger':
                socket.lingerTimer = undefined;
                if (socket.generation === job.generation && socket.status === 'closing') {
                    // Destroyed: a connect the error's handler starts is a new one, and this close is not its.
                    socket.status = 'closed';
                    this.io(instance, socket.spec.name, 'error', { code: 'ERR_LINGER_EXPIRED' });
                    this.reportError(instance, socket, 'ERR_LINGER_EXPIRED');
                    if (socket.generation === job.generation) {
                        this.closed(instance, socket, false);
                    }
                }
                return;
            case 'linger-on':
                socket.lingering--;
                this.io(instance, socket.spec.name, 'error', { code: 'ERR_LINGER_EXPIRED' });
                this.reportError(instance, socket, 'ERR_LINGER_EXPIRED');
                return;
            case 'connect-timeout':
                socket.connectTimer = undefined;
                this.connectTimedOut(instance, socket);
                return;
            case 'reconnect':
                socket.reconnectTimer = undefined;
                this.connect(instance, socket);
                return;
            case 'idle':
                socket.idleTimer = undefined;
                this.io(instance, socket.spec.name, 'idle');
                this.dispatch(instance, { kind: 'event', event: socket.spec.idle!.event, payload: undefined });
                return;
            case 'heartbeat': {
                socket.heartbeatTimer = undefined;
                const heartbeat = socket.spec.heartbeat!;
                if (this.time - socket.lastReceived >= heartbeat.timeoutMs) {
                    this.io(instance, socket.spec.name, 'heartbeat-lost');
                    this.dispatch(instance, { kind: 'event', event: heartbeat.event, payload: 'EHEARTBEAT' });
                } else {
                    socket.heartbeatTimer = this.arm(instance, Math.min(heartbeat.intervalMs, heartbeat.timeoutMs), 'heartbeat', { kind: 'heartbeat', socket: socket.spec.name });
                    if (this.traced) {
                        this.record({ t: this.time, kind: 'action', machine: instance.name, name: `heartbeat ${socket.spec.name}`, state: instance.stateName, phase: 'heartbeat' });
                    }
                }
                return;
            }
        }
    }

    private clear(timer: VirtualTimer | undefined): undefined {
        if (timer) {
            const at = this.timers.indexOf(timer);
            if (at >= 0) {
                this.timers.splice(at, 1);
            }
        }
        return undefined;
    }

    /**
     * Disarms the timers of `state` of `instance` (armed on its entry), or of every state of it: found among the armed
     * timers (a handful).
     */
    private clearStateTimers(instance: Instance, state?: StateNode): void {
        const timers = this.timers;
        for (let index = timers.length - 1; index >= 0; index--) {
            if (stateTimerOf(timers[index]!, instance.name, state)) {
                timers.splice(index, 1);
            }
        }
    }

    // ---- sockets -----------------------------------------------------------------------------------------------

    private io(instance: Instance, socket: string, what: IoWhat, detail: { bytes?: number; code?: string; hadError?: boolean; session?: string; status?: number } = {}): void {
        if (!instance.finished) {
            if (this.traced) {
                this.record({ t: this.time, kind: 'io', machine: instance.name, socket, what, ...detail });
            }
            const probe = this.options.probe;
            const spec = probe ? instance.sockets.get(socket)?.spec : undefined;
            if (probe && spec) {
                probe({ kind: 'io', instance, socket: spec, what });
            }
        }
    }

    /** Delivers the event the model maps to a socket occurrence, if any. */
    private emit(instance: Instance, socket: StreamSocket | ServerSocket, occurrence: SocketEventName, payload: unknown): void {
        const event = socket.spec.events[occurrence];
        if (event !== undefined) {
            // An event declared `E(string)` reads text: the bytes as UTF-8.
            const text = occurrence === 'read' && payload instanceof Uint8Array && instance.spec.payloadTypes.get(event) === 'string';
            this.dispatch(instance, { kind: 'event', event, payload: text ? Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8') : payload });
        }
    }

    /** Starts a connect; ignored while connecting or connected, and once the machine has finished. */
    private connect(instance: Instance, socket: StreamSocket): void {
        socket.reconnectTimer = this.clear(socket.reconnectTimer);
        if (socket.status === 'connecting' || socket.status === 'connected' || instance.finished) {
            return;
        }
        // A previous connection still closing finishes on its own: its close no longer reaches the machine, but if
        // the peer does not close it within the linger, bytes may be lost and that is still reported. One destroyed
        // while it closed (a reset, an error) has closed: its linger ended with it (Node's close of that socket clears
        // it, as the runtime's StreamDispatcher does), though its close had not been delivered yet.
        if (socket.status === 'closing' && socket.lingerTimer) {
            this.lingerOn(instance, socket, socket.lingerTimer);
        } else {
            this.clear(socket.lingerTimer);
        }
        socket.lingerTimer = undefined;
        this.stopWatching(socket);
        socket.generation++;
        socket.status = 'connecting';
        this.freshConnection(socket);
        const timeout = socket.spec.connectTimeoutMs;
        if (timeout !== undefined) {
            socket.connectTimer = this.arm(instance, timeout, 'connect timeout', { kind: 'connect-timeout', socket: socket.spec.name });
        }
    }

    private connected(instance: Instance, socket: StreamSocket): void {
        socket.connectTimer = this.clear(socket.connectTimer);
        socket.attempt = 0;
        socket.unsentWhileConnecting = 0;
        this.io(instance, socket.spec.name, 'connect');
        this.startWatching(instance, socket);
        this.emit(instance, socket, 'connect', undefined);
    }

    /** The connect failed (refused, unreachable, …): `error`, then, on the next tick, `close` after an error. */
    private failConnect(instance: Instance, socket: StreamSocket, code: string): void {
        socket.connectTimer = this.clear(socket.connectTimer);
        socket.status = 'closed';
        // The generation of this socket: a connect the error's handler starts is a new one, whose close this is not.
        const generation = socket.generation;
        this.io(instance, socket.spec.name, 'error', { code });
        this.reportError(instance, socket, code);
        this.deferred.push(() => this.closedIfCurrent(instance, socket, generation, true));
    }

    private connectTimedOut(instance: Instance, socket: StreamSocket): void {
        socket.connectTimer = this.clear(socket.connectTimer);
        socket.status = 'closed';
        const generation = socket.generation;
        this.io(instance, socket.spec.name, 'timeout');
        this.emit(instance, socket, socket.spec.events.timeout !== undefined ? 'timeout' : 'error', 'ETIMEDOUT');
        this.deferred.push(() => this.closedIfCurrent(instance, socket, generation, false));
    }

    /** Bytes the socket reads: one `read` per chunk, or, with a framing, one per whole message they complete. */
    private received(instance: Instance, socket: StreamSocket, data: Buffer): void {
        socket.lastReceived = this.time;
        if (socket.spec.idle && (socket.status === 'connected' || socket.status === 'closing')) {
            this.clear(socket.idleTimer);
            socket.idleTimer = this.armIdle(instance, socket);
        }
        this.io(instance, socket.spec.name, 'data', { bytes: data.byteLength });
        if (socket.frames) {
            socket.frames.push(data);
            this.deliverFrames(instance, socket);
        } else {
            this.emit(instance, socket, 'read', data);
        }
    }

    /** Whole messages, one `read` each, until none is left, reading is paused, or the connection is gone. */
    private deliverFrames(instance: Instance, socket: StreamSocket): void {
        const frames = socket.frames;
        const generation = socket.generation;
        while (frames && !socket.paused && socket.generation === generation && socket.frames === frames && !instance.finished) {
            let frame: Buffer | undefined;
            try {
                frame = frames.next();
            } catch (error) {
                this.framingFailed(instance, socket, error as FramingError);
                return;
            }
            if (frame === undefined) {
                return;
            }
            this.emit(instance, socket, 'read', frame);
        }
    }

    /** A message too long or malformed: `error` with its code, then the connection is destroyed (`close` after an error). */
    private framingFailed(instance: Instance, socket: StreamSocket, error: FramingError): void {
        if (socket.kind === 'process') {
            // A process is not destroyed like a socket: its stdout is no longer read and it gets SIGTERM at once. An exit
            // that already waits behind the unread stdout stays: the child has ended, and that is still heard.
            socket.frames = undefined;
            socket.held = socket.held.filter((held) => held.what === 'exit');
            this.io(instance, socket.spec.name, 'error', { code: error.code });
            this.reportError(instance, socket, error.code);
            this.killAfter(instance, socket, LINGER_MS);
            return;
        }
        socket.status = 'closed';
        socket.frames = undefined;
        socket.held = [];
        const generation = socket.generation;
        this.io(instance, socket.spec.name, 'error', { code: error.code });
        this.reportError(instance, socket, error.code);
        this.deferred.push(() => this.closedIfCurrent(instance, socket, generation, true));
    }

    /** Bytes arrived: read now, or, while reading is paused (or something before them waits), held in order. */
    private receiveOrHold(instance: Instance, socket: StreamSocket, data: Buffer): void {
        if (this.holds(instance, socket, 'data')) {
            socket.held.push({ what: 'data', data });
        } else {
            this.received(instance, socket, data);
        }
    }

    /** Whether an occurrence waits in the kernel: reading is paused, or something before it still waits. */
    private holds(instance: Instance, socket: StreamSocket, what: string): boolean {
        if (socket.held.some((held) => held.what !== 'data')) {
            throw new SimulationError(`${instance.name}.${socket.spec.name}: the peer has already closed (the machine has not read it yet, reading is paused): '${what}' cannot follow`);
        }
        return socket.paused || socket.held.length > 0;
    }

    /** `resume NAME` (or a graceful close): after this step, what waited is read, in order, until reading is paused again. */
    private resumeReading(instance: Instance, socket: StreamSocket): void {
        if (!socket.paused) {
            return;
        }
        socket.paused = false;
        const generation = socket.generation;
        this.deferred.push(() => {
            if (socket.generation !== generation || socket.paused) {
                return;
            }
            this.deliverFrames(instance, socket);
            while (socket.generation === generation && !socket.paused && socket.held.length > 0 && !instance.finished) {
                const held = socket.held.shift()!;
                if (held.what === 'data') {
                    this.received(instance, socket, held.data);
                } else if (held.what === 'closed') {
                    this.closed(instance, socket, false);
                } else if (held.what === 'exit') {
                    this.exited(instance, socket, held.status);
                } else {
                    this.failConnection(instance, socket, 'ECONNRESET');
                }
            }
        });
    }

    /**
     * `send NAME …`: the text, or the current event's payload when it is bytes (or a string), framed as the socket says.
     * Writes are not simulated: bytes sent while connecting wait for the connect (and are reported if it fails); a socket
     * that is not open for writing, a payload that is not bytes and a message the framing cannot send are `error`s.
     */
    private write(instance: Instance, socket: StreamSocket, message: unknown): void {
        const fail = (code: string): void => {
            this.io(instance, socket.spec.name, 'error', { code });
            this.reportError(instance, socket, code);
        };
        if (!(typeof message === 'string' || message instanceof Uint8Array)) {
            fail('ERR_PAYLOAD_NOT_BYTES');
            return;
        }
        let frame: Buffer;
        try {
            frame = encodeFrame(framingOf(socket.spec.framing), typeof message === 'string' ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength));
        } catch (error) {
            fail((error as FramingError).code);
            return;
        }
        if (socket.kind === 'process') {
            // Not spawned, exited (even while its exit waits behind unread stdout), or stdin ended by `close`.
            if (socket.status !== 'connected' || socket.held.some((held) => held.what === 'exit')) {
                fail('ERR_PROCESS_NOT_RUNNING');
                return;
            }
        } else if (socket.status === 'connecting') {
            socket.unsentWhileConnecting += frame.byteLength;
        } else if (socket.status !== 'connected') {
            fail('ERR_SOCKET_CLOSED');
            return;
        }
        this.options.onWrite?.(instance, socket, frame);
    }

    /** A new connection (a connect starts, or a session's socket was accepted): reading on, no message half-read. */
    private freshConnection(socket: StreamSocket): void {
        socket.frames = socket.spec.framing.kind === 'none' ? undefined : new FrameDecoder(framingOf(socket.spec.framing));
        socket.paused = false;
        socket.held = [];
        socket.unsentWhileConnecting = 0;
    }

    /** A connection failed (reset, …): `error`, then, on the next tick, `close` after an error. */
    private failConnection(instance: Instance, socket: StreamSocket, code: string): void {
        // Node has destroyed the socket before it reports the error: a connect the handler starts is a new one.
        socket.status = 'closed';
        const generation = socket.generation;
        this.io(instance, socket.spec.name, 'error', { code });
        this.reportError(instance, socket, code);
        this.deferred.push(() => this.closedIfCurrent(instance, socket, generation, true));
    }

    private reportError(instance: Instance, socket: StreamSocket, code: string): void {
        this.emit(instance, socket, 'error', code);
    }

    private closedIfCurrent(instance: Instance, socket: StreamSocket, generation: number, hadError: boolean): void {
        if (socket.generation === generation) {
            this.closed(instance, socket, hadError);
        }
    }

    /** The socket has closed: `close`; then a client may reconnect and a session without its connection finishes. */
    private closed(instance: Instance, socket: StreamSocket, hadError: boolean): void {
        // The end of the stream ends the last message: a last line without its LF is read (and the socket can still
        // answer it: the peer's FIN ends only its own direction); a prefixed one cut short is an error.
        const frames = socket.frames;
        socket.frames = undefined;
        socket.held = [];
        socket.paused = false;
        if (frames && !hadError) {
            this.deliverLastFrames(instance, socket, frames);
        }
        socket.status = 'closed';
        socket.connectTimer = this.clear(socket.connectTimer);
        socket.lingerTimer = this.clear(socket.lingerTimer);
        this.stopWatching(socket);
        if (socket.unsentWhileConnecting > 0) {
            socket.unsentWhileConnecting = 0;
            this.io(instance, socket.spec.name, 'error', { code: 'ERR_UNFLUSHED' });
            this.reportError(instance, socket, 'ERR_UNFLUSHED');
        }
        this.io(instance, socket.spec.name, 'close', { hadError });
        this.emit(instance, socket, 'close', hadError);
        if (socket.kind === 'client') {
            const reconnect = socket.spec.reconnect;
            if (reconnect && !socket.closeRequested && !instance.finished && socket.status === 'closed') {
                const delay = Math.min(reconnect.maxMs, reconnect.minMs * 2 ** Math.min(socket.attempt, 30));
                socket.attempt++;
                socket.reconnectTimer = this.arm(instance, delay, 'reconnect', { kind: 'reconnect', socket: socket.spec.name });
            }
        } else if (!instance.finished) {
            this.finish(instance);
        }
    }

    /** The stream ended: what it held ends its last message (a line without LF is read; a prefixed one cut short is an error). */
    private deliverLastFrames(instance: Instance, socket: StreamSocket, frames: FrameDecoder): void {
        try {
            for (let frame = frames.end(); frame !== undefined; frame = frames.end()) {
                this.emit(instance, socket, 'read', frame);
            }
        } catch (error) {
            const code = (error as FramingError).code;
            this.io(instance, socket.spec.name, 'error', { code });
            this.reportError(instance, socket, code);
        }
    }

    /** Graceful close: a connecting client gives up at once; a connected socket ends its write side and lingers. */
    private closeStream(instance: Instance, socket: StreamSocket): void {
        socket.closeRequested = true;
        socket.reconnectTimer = this.clear(socket.reconnectTimer);
        if (socket.status === 'connecting') {
            socket.connectTimer = this.clear(socket.connectTimer);
            socket.status = 'closed';
            const generation = socket.generation;
            this.deferred.push(() => this.closedIfCurrent(instance, socket, generation, false));
            return;
        }
        if (socket.status !== 'connected') {
            return;
        }
        // A socket being closed reads on until its peer closes, whatever paused it, so that the close is seen.
        this.resumeReading(instance, socket);
        socket.status = 'closing';
        socket.heartbeatTimer = this.clear(socket.heartbeatTimer);
        const generation = socket.generation;
        socket.lingerTimer = this.arm(instance, LINGER_MS, 'linger', { kind: 'linger', socket: socket.spec.name, generation });
    }

    /** Idle and heartbeat watch a connected socket. */
    private startWatching(instance: Instance, socket: StreamSocket): void {
        this.stopWatching(socket);
        socket.status = 'connected';
        socket.lastReceived = this.time;
        if (socket.spec.idle) {
            socket.idleTimer = this.armIdle(instance, socket);
        }
        const heartbeat = socket.spec.heartbeat;
        if (heartbeat) {
            socket.heartbeatTimer = this.arm(instance, Math.min(heartbeat.intervalMs, heartbeat.timeoutMs), 'heartbeat', { kind: 'heartbeat', socket: socket.spec.name });
        }
    }

    /** A replaced socket that is still closing: when its linger runs out, the loss is reported (nothing else). */
    private lingerOn(instance: Instance, socket: StreamSocket, linger: VirtualTimer): void {
        this.clear(linger);
        socket.lingering++;
        this.arm(instance, linger.due - this.time, 'linger', { kind: 'linger-on', socket: socket.spec.name }, linger.order);
    }

    private armIdle(instance: Instance, socket: StreamSocket): VirtualTimer {
        const idle = socket.spec.idle!;
        return this.arm(instance, idle.ms, 'idle', { kind: 'idle', socket: socket.spec.name });
    }

    private stopWatching(socket: StreamSocket): void {
        socket.idleTimer = this.clear(socket.idleTimer);
        socket.heartbeatTimer = this.clear(socket.heartbeatTimer);
    }

    // ---- servers and sessions ----------------------------------------------------------------------------------

    private accept(instance: Instance, server: ServerSocket): void {
        const sessionSpec = this.machine(server.spec.session!);
        server.accepted++;
        // Sessions are numbered per session machine over every server that runs it (`Peer#3`: the third Peer).
        const number = (this.sessionNumbers.get(sessionSpec.name) ?? 0) + 1;
        if (this.sessionNumbersShared) {
            this.sessionNumbers = new Map(this.sessionNumbers);
            this.sessionNumbersShared = false;
        }
        this.sessionNumbers.set(sessionSpec.name, number);
        const session = new Instance(`${sessionSpec.name}#${number}`, sessionSpec, { instance: instance.name, socket: server.spec.name });
        session.writer = this.writer;
        this.writerUsed = true;
        for (const socket of session.sockets.values()) {
            if (socket.kind === 'connection') {
                this.freshConnection(socket);
                this.startWatching(session, socket);
                break; // a session owns one connection: the accepted socket
            }
        }
        server.sessions.push(session.name);
        this.instances.push(session);
        this.dispatch(session, { kind: 'start' });
        this.io(instance, server.spec.name, 'accept', { session: session.name });
        this.emit(instance, server, 'accept', session.name);
    }

    /**
     * Stops accepting. `close NAME` lets the sessions run on until they end by themselves; when the server's machine
     * finishes, every session's connection is also closed gracefully (the sessions still see their peers' close).
     */
    private closeServer(server: ServerSocket, closeSessions: boolean): void {
        if (server.status === 'closing' && closeSessions) {
            this.closeSessions(server);
        }
        if (server.status !== 'listening') {
            return;
        }
        server.status = 'closing';
        if (closeSessions) {
            this.closeSessions(server);
        }
        if (server.sessions.length === 0) {
            this.serverClosed(server);
        }
    }

    private closeSessions(server: ServerSocket): void {
        for (const name of [...server.sessions]) {
            const session = this.ownNamed(name);
            for (const socket of session.sockets.values()) {
                if (socket.kind === 'connection') {
                    this.closeStream(session, socket);
                }
            }
        }
    }

    /** The listener and every session have closed: the server's `close`, on a later tick. */
    private serverClosed(server: ServerSocket): void {
        const owner = this.instances.find((instance) => instance.sockets.get(server.spec.name) === server)!;
        server.status = 'closed';
        this.deferred.push(() => {
            this.io(owner, server.spec.name, 'close', { hadError: false });
            this.emit(owner, server, 'close', false);
        });
    }

    private record(line: TraceLine): void {
        if (this.options.keepTrace !== false) {
            this.trace.push(line);
        }
        this.options.onTrace?.(line);
    }
}
