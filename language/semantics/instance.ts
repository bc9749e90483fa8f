// The state of one running machine instance and of its sockets, as the interpreter keeps it.
import type { MachineSpec, SocketSpec, StateSpec } from './program.js';

/** A timer on the interpreter's virtual clock. */
export interface VirtualTimer {
    readonly due: number;
    readonly order: number;
    /** What the timer does, for people (debugger, errors): `after 2s`, `connect timeout`, `heartbeat`, … */
    readonly label: string;
    readonly owner: Instance;
    fire: (() => void) | undefined;
}

/** What waits in a machine's queue: an event by name, a state timer (with the entry it was armed in), or the start. */
export type QueuedEvent =
    | { readonly kind: 'event'; readonly event: string; readonly payload: unknown }
    | { readonly kind: 'timer'; readonly timer: number; readonly epoch: number }
    | { readonly kind: 'start' };

export type StreamStatus = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

/** A client or connection socket: where it is in its life, and the timers it owns. */
export interface StreamSocket {
    readonly kind: 'client' | 'connection';
    readonly spec: SocketSpec;
    status: StreamStatus;
    /** `close NAME` was asked for since the last connect: no automatic reconnect. */
    closeRequested: boolean;
    /** Reconnect attempts since the last successful connect. */
    attempt: number;
    lastReceived: number;
    connectTimer: VirtualTimer | undefined;
    reconnectTimer: VirtualTimer | undefined;
    lingerTimer: VirtualTimer | undefined;
    idleTimer: VirtualTimer | undefined;
    heartbeatTimer: VirtualTimer | undefined;
    /** Counts sockets this dispatcher had: an occurrence of a replaced one no longer reaches the machine. */
    generation: number;
    /** Replaced sockets still closing gracefully (they only report a linger that runs out). */
    lingering: number;
}

export type ServerStatus = 'idle' | 'listening' | 'closing' | 'closed';

export interface ServerSocket {
    readonly kind: 'server';
    readonly spec: SocketSpec;
    status: ServerStatus;
    readonly sessions: Instance[];
    /** Connections accepted so far: the N of `Session#N`. */
    accepted: number;
}

export type SocketState = StreamSocket | ServerSocket;

export class Instance {
    state: StateSpec;
    finished = false;
    busy = false;
    queue: QueuedEvent[] = [];
    /** Counts state entries: a state timer armed in an earlier entry is stale. */
    epoch = 0;
    /** Armed state timers by their index in the current state. */
    readonly stateTimers = new Map<number, VirtualTimer>();
    readonly sockets = new Map<string, SocketState>();
    /** `stop` ran in the current step: when it completes, the reactor stops. */
    stopAfterStep = false;
    /** The payload of the event being processed. */
    payload: unknown = undefined;

    constructor(
        readonly name: string,
        readonly spec: MachineSpec,
        /** The server that started this session; undefined for top-level machines. */
        readonly server: ServerSocket | undefined
    ) {
        const initial = spec.states.find((state) => state.initial);
        if (!initial) {
            throw new Error(`internal: machine '${spec.name}' has no initial state`);
        }
        this.state = initial;
        for (const socket of spec.sockets) {
            this.sockets.set(socket.name, socket.kind === 'server' ? { kind: 'server', spec: socket, status: 'idle', sessions: [], accepted: 0 } : newStream(socket));
        }
    }

    stateNamed(name: string): StateSpec {
        const state = this.spec.states.find((candidate) => candidate.name === name);
        if (!state) {
            throw new Error(`internal: machine '${this.spec.name}' has no state '${name}'`);
        }
        return state;
    }

    stream(name: string): StreamSocket {
        const socket = this.sockets.get(name);
        if (!socket || socket.kind === 'server') {
            throw new Error(`internal: '${name}' is not a stream socket of ${this.name}`);
        }
        return socket;
    }
}

function newStream(spec: SocketSpec): StreamSocket {
    return {
        kind: spec.kind === 'client' ? 'client' : 'connection',
        spec,
        status: 'idle',
        closeRequested: false,
        attempt: 0,
        lastReceived: 0,
        connectTimer: undefined,
        reconnectTimer: undefined,
        lingerTimer: undefined,
        idleTimer: undefined,
        heartbeatTimer: undefined,
        generation: 0,
        lingering: 0
    };
}
