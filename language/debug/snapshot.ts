// What a debugger shows at one point of a run: every instance's states, queue, timers, sockets, and the guards.
import type { Instance, QueuedEvent, SocketState, VirtualTimer } from '../semantics/instance.js';
import type { Simulation } from '../semantics/interpreter.js';
import type { SourceSpot } from '../semantics/program.js';

export interface StateView {
    readonly name: string;
    readonly spot: SourceSpot;
    /** 0 for a top-level state, 1 for a state inside it, … */
    readonly depth: number;
}

export interface TimerView {
    readonly label: string;
    /** When it fires, on the virtual clock (the time left is this minus the snapshot's `t`). */
    readonly dueMs: number;
    /** A state's `after` clause; undefined for socket timers (connect timeout, reconnect, linger, idle, heartbeat). */
    readonly spot: SourceSpot | undefined;
}

export interface SocketView {
    readonly name: string;
    readonly kind: SocketState['kind'];
    readonly status: string;
    /** More about the socket, for people: paused, reconnect attempts, sessions, … */
    readonly detail: string;
    readonly spot: SourceSpot;
}

/** A transition an instance took: where it is written and the event that took it. */
export interface TakenTransition {
    readonly spot: SourceSpot;
    readonly event: string;
}

export interface InstanceView {
    /** `EchoClient`, or `EchoSession#2`. */
    readonly name: string;
    readonly machine: string;
    readonly machineSpot: SourceSpot;
    readonly finished: boolean;
    /** The active states, outermost first (a state's parents before it), in document order. */
    readonly states: readonly StateView[];
    /** The current state as traces name it (several active states joined by ', '). */
    readonly stateName: string;
    readonly queue: readonly string[];
    readonly timers: readonly TimerView[];
    readonly sockets: readonly SocketView[];
    /** The payload of the event being processed (undefined between events). */
    readonly payload: unknown;
    /** The transitions this instance took, most recent first (at most TRAIL_LENGTH). */
    readonly trail: readonly TakenTransition[];
}

export interface Snapshot {
    readonly t: number;
    readonly instances: readonly InstanceView[];
    /** Guard values the scenario set: the values still to come for each guard (the last one stays). */
    readonly guards: ReadonlyMap<string, readonly boolean[]>;
    readonly exitCode: number | undefined;
    readonly exitReason: string | undefined;
}

export const TRAIL_LENGTH = 3;

function queued(event: QueuedEvent): string {
    switch (event.kind) {
        case 'event':
            return event.payload === undefined ? event.event : `${event.event} ${JSON.stringify(event.payload) ?? ''}`.trimEnd();
        case 'timer':
            return `${event.state.spec.timers[event.timer]?.label ?? 'timer'} (of ${event.state.name})`;
        case 'done':
            return `done (of ${event.state.name})`;
        case 'start':
            return 'start';
    }
}

function socketView(socket: SocketState): SocketView {
    if (socket.kind === 'server') {
        const detail = `${socket.sessions.length} session${socket.sessions.length === 1 ? '' : 's'}, ${socket.accepted} accepted`;
        return { name: socket.spec.name, kind: socket.kind, status: socket.status, detail, spot: socket.spec.spot };
    }
    const notes: string[] = [];
    if (socket.paused) {
        notes.push(`paused${socket.held.length > 0 ? ` (${socket.held.length} held)` : ''}`);
    }
    if (socket.attempt > 0) {
        notes.push(`reconnect attempt ${socket.attempt}`);
    }
    if (socket.closeRequested) {
        notes.push('close asked');
    }
    return { name: socket.spec.name, kind: socket.kind, status: socket.status, detail: notes.join(', '), spot: socket.spec.spot };
}

function instanceView(instance: Instance, timersOf: readonly VirtualTimer[], trail: readonly TakenTransition[]): InstanceView {
    const states = [...instance.active]
        .filter((node) => node.parent !== undefined)
        .sort((a, b) => a.order - b.order)
        .map((node) => {
            let depth = 0;
            for (let parent = node.parent; parent?.parent !== undefined; parent = parent.parent) {
                depth++;
            }
            return { name: node.name, spot: node.spec.spot, depth };
        });
    const timers = timersOf.map((timer) => ({ label: timer.label, dueMs: timer.due, spot: timer.job.kind === 'state' ? timer.job.state.spec.timers[timer.job.index]!.spot : undefined }));
    return {
        name: instance.name,
        machine: instance.spec.name,
        machineSpot: instance.spec.spot,
        finished: instance.finished,
        states,
        stateName: instance.active.size === 0 ? '(not started)' : instance.stateName,
        queue: instance.queue.map(queued),
        timers,
        sockets: [...instance.sockets.values()].map(socketView),
        payload: instance.payload,
        trail
    };
}

/**
 * What decides an instance's view: when none of it changed since the last snapshot, the view is shared (a run keeps a
 * snapshot at every point; most points change one instance of many).
 */
function viewKey(instance: Instance, timersOf: readonly VirtualTimer[], trail: readonly TakenTransition[]): unknown[] {
    const sockets = [...instance.sockets.values()].map((socket) =>
        socket.kind === 'server' ? `${socket.status}/${socket.sessions.length}/${socket.accepted}` : `${socket.status}/${socket.paused}/${socket.held.length}/${socket.attempt}/${socket.closeRequested}`
    );
    return [instance.epoch, instance.active.size, instance.finished, instance.payload, instance.queue.length, instance.queue[0], instance.queue.at(-1), trail, sockets.join(' '), timersOf.map((timer) => `${timer.label}@${timer.due}`).join(' ')];
}

/** The views of the last snapshot, by instance, with what they were made from. */
export type ViewCache = WeakMap<Instance, { readonly key: unknown[]; readonly view: InstanceView }>;

/**
 * Copies what the debugger shows; `trails` holds each instance's taken transitions, most recent first. Views of
 * instances that did not change since the last snapshot taken with the same `cache` are shared.
 */
export function takeSnapshot(simulation: Simulation, trails: ReadonlyMap<Instance, readonly TakenTransition[]>, cache: ViewCache = new WeakMap()): Snapshot {
    const timers = new Map<string, VirtualTimer[]>();
    for (const timer of simulation.pendingTimers) {
        timers.set(timer.owner, [...(timers.get(timer.owner) ?? []), timer]);
    }
    return {
        t: simulation.now,
        instances: simulation.instances.map((instance) => {
            const timersOf = timers.get(instance.name) ?? [];
            const trail = trails.get(instance) ?? [];
            const key = viewKey(instance, timersOf, trail);
            const cached = cache.get(instance);
            if (cached && cached.key.length === key.length && cached.key.every((part, index) => part === key[index])) {
                return cached.view;
            }
            const view = instanceView(instance, timersOf, trail);
            cache.set(instance, { key, view });
            return view;
        }),
        guards: new Map([...simulation.guards].map(([name, values]) => [name, [...values]])),
        exitCode: simulation.exitCode,
        exitReason: simulation.exitReason
    };
}
