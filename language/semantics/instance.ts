// The state of one running machine instance and of its sockets, as the interpreter keeps it.
import type { MachineSpec, SocketSpec, StateSpec } from './program.js';
import { stateTree, type StateNode, type StateTree } from './state-tree.js';
import type { FrameDecoder } from '../../templates/runtime/framing.js';
import { copyMap } from '../values/small-collections.js';

/**
 * What a timer does when it fires, as data (so that a simulation can be copied, hashed and restored): a state's
 * timer (armed in the entry `epoch` of `state`), or a socket's timer, by the socket's name in the owner; `generation`
 * is the socket's connection the timer was armed for.
 */
export type TimerJob =
    | { readonly kind: 'state'; readonly state: StateNode; readonly index: number; readonly epoch: number }
    | { readonly kind: 'kill' | 'linger'; readonly socket: string; readonly generation: number }
    | { readonly kind: 'connect-timeout' | 'reconnect' | 'linger-on' | 'heartbeat' | 'idle'; readonly socket: string };

/**
 * A timer on the interpreter's virtual clock. Not changed once armed, and its owner named, not referred to: a copied
 * simulation shares its timers with its source (and a copied instance keeps its sockets' timers).
 */
export interface VirtualTimer {
    readonly due: number;
    readonly order: number;
    /** What the timer does, for people (debugger, errors): `after 2s`, `connect timeout`, `heartbeat`, … */
    readonly label: string;
    /** The instance it belongs to, by name. */
    readonly owner: string;
    readonly job: TimerJob;
    /** What the system check's table of states numbered this timer's job as (state-code.ts), and that table. */
    keyAtom: number;
    keyAtomBy: object | undefined;
}

/**
 * What waits in a machine's queue: an event by name, a state's timer (with the entry of that state it was armed in),
 * the completion of a composite state (`on done`), or the start.
 */
export type QueuedEvent =
    | { readonly kind: 'event'; readonly event: string; readonly payload: unknown }
    | { readonly kind: 'timer'; readonly state: StateNode; readonly timer: number; readonly epoch: number }
    | { readonly kind: 'done'; readonly state: StateNode }
    | { readonly kind: 'start' };

export type StreamStatus = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

/** A client or connection socket: where it is in its life, and the timers it owns. */
export interface StreamSocket {
    /** A `process` is a stream too: 'connected' while the child runs (stdout read, stdin written), 'closing' after `close`. */
    readonly kind: 'client' | 'connection' | 'process';
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
    /** The current connection's messages not yet delivered (with `framing` other than `none`), else undefined. */
    frames: FrameDecoder | undefined;
    /** `pause NAME` ran since the connection started and `resume NAME` (or `close NAME`) has not. */
    paused: boolean;
    /** What the peer sent while reading was paused, in order: it waits in the kernel until reading resumes. */
    held: HeldOccurrence[];
    /** Bytes written while connecting: Node queues them until the connect, and reports them if it fails. */
    unsentWhileConnecting: number;
}

/** An occurrence a paused socket has not seen yet: bytes, the peer's close, or its reset. */
export type HeldOccurrence =
    | { readonly what: 'data'; readonly data: Buffer }
    | { readonly what: 'closed' | 'reset' }
    /** A process ended: its exit waits behind the stdout it wrote before. */
    | { readonly what: 'exit'; readonly status: number };

export type ServerStatus = 'idle' | 'listening' | 'closing' | 'closed';

export interface ServerSocket {
    readonly kind: 'server';
    readonly spec: SocketSpec;
    status: ServerStatus;
    /**
     * The names of the sessions it runs, in the order accepted (by name, not by object: a simulation copies an instance
     * only when it changes it, so a session may be changed without its server, see Simulation.own).
     */
    readonly sessions: string[];
    /** Connections this server accepted so far (sessions are numbered over the program: see Simulation). */
    accepted: number;
}

export type SocketState = StreamSocket | ServerSocket;

/** The server socket that started a session: its machine instance and socket, by name. */
export interface SessionHost {
    readonly instance: string;
    readonly socket: string;
}

/** The machine an instance runs, by the instance's name: `EchoSession#2` → `EchoSession` (a top-level one is its machine). */
export function machineOfInstance(name: string): string {
    return name.replace(/#[0-9]+$/, '');
}

/** The histories of every instance that remembers nothing (never changed: see Instance.remember). */
const NOTHING_REMEMBERED: ReadonlyMap<string, readonly StateNode[]> = new Map<string, readonly StateNode[]>();

export class Instance {
    readonly tree: StateTree;
    /**
     * The active states and regions (the configuration), atomic or not, and the entry (`epoch`) each was entered in:
     * changed through enterState and leaveState only. A copy shares its source's until it first changes them (a
     * step that changes no state, an internal transition or a socket's event, copies neither).
     */
    private activeStates: Set<StateNode>;
    private entryEpochs: Map<StateNode, number>;
    private configurationShared: boolean;
    /** The active atomic states in document order (see leaves), worked out once per configuration. */
    private leavesOf: readonly StateNode[] | undefined;
    /**
     * What each history remembers, by history name: the children (shallow) or atomic descendants (deep) last active.
     * Changed through `remember` only (instances that remember nothing share one empty map).
     */
    histories: ReadonlyMap<string, readonly StateNode[]>;
    finished: boolean;
    busy: boolean;
    queue: QueuedEvent[];
    /** Counts state entries: a timer armed in an earlier entry of its state is stale. */
    epoch: number;
    readonly sockets: Map<string, SocketState>;
    /** `stop` ran in the current step: when it completes, the reactor stops. */
    stopAfterStep: boolean;
    /** The payload of the event being processed. */
    payload: unknown;
    /**
     * The simulation that may change this instance in place (its token, see Simulation.own); a simulation copied from
     * another shares the other's instances and copies each one before it first changes it.
     */
    writer: object | undefined;
    /**
     * What the system check's state key made of this instance (state-key.ts), kept while the instance is unchanged:
     * a simulation clears it before it changes the instance (Simulation.own).
     */
    keyed: string | undefined;
    /** The number a table of states gave `keyed` (state-code.ts), and that table; cleared with `keyed` (unkey). */
    keyedAtom: number;
    keyedAtomBy: object | undefined;
    /** What the system check's state summary made of this instance (explore.ts), kept while it is unchanged (unkey). */
    summaryMemo: object | undefined;

    /**
     * A new instance; with `source`, a copy of it for a copied simulation (the same tree and specs, its own queue, its
     * states shared until changed; its sockets are the copier's to fill in). Both set every field in the same order (one shape
     * for every instance, which the explorer's hot path reads).
     */
    constructor(
        readonly name: string,
        readonly spec: MachineSpec,
        /** The server that started this session; undefined for top-level machines. */
        readonly server: SessionHost | undefined,
        source?: Instance
    ) {
        this.tree = source ? source.tree : stateTree(spec);
        // Shared with the source (which is not changed any more: see Simulation.own) until enterState or leaveState.
        this.activeStates = source ? source.activeStates : new Set<StateNode>();
        this.entryEpochs = source ? source.entryEpochs : new Map<StateNode, number>();
        this.configurationShared = source !== undefined;
        this.leavesOf = source ? source.leavesOf : undefined;
        this.histories = source && source.histories.size > 0 ? copyMap(source.histories) : NOTHING_REMEMBERED;
        this.finished = source ? source.finished : false;
        this.busy = source ? source.busy : false;
        this.queue = source && source.queue.length > 0 ? source.queue.slice() : [];
        this.epoch = source ? source.epoch : 0;
        this.sockets = new Map<string, SocketState>();
        this.stopAfterStep = source ? source.stopAfterStep : false;
        this.payload = source ? source.payload : undefined;
        this.writer = undefined;
        this.keyed = undefined;
        this.keyedAtom = -1;
        this.keyedAtomBy = undefined;
        this.summaryMemo = undefined;
        if (source) {
            return;
        }
        if (!this.tree.root.initial) {
            throw new Error(`internal: machine '${spec.name}' has no initial state`);
        }
        for (const socket of spec.sockets) {
            this.sockets.set(socket.name, socket.kind === 'server' ? { kind: 'server', spec: socket, status: 'idle', sessions: [], accepted: 0 } : newStream(socket));
        }
    }

    /** The active states and regions (the configuration), atomic or not. */
    get active(): ReadonlySet<StateNode> {
        return this.activeStates;
    }

    /** The entry (`epoch`) each active state was entered in. */
    get entries(): ReadonlyMap<StateNode, number> {
        return this.entryEpochs;
    }

    /** `state` becomes active, entered in `epoch` (none: the configuration only, as a trace check's scratch copy). */
    enterState(state: StateNode, epoch: number | undefined): void {
        this.ownConfiguration(undefined);
        this.activeStates.add(state);
        if (epoch !== undefined) {
            this.entryEpochs.set(state, epoch);
        }
    }

    /** `state` is left. */
    leaveState(state: StateNode): void {
        if (this.configurationShared) {
            this.ownConfiguration(state); // copied without it
        } else {
            this.leavesOf = undefined;
            this.activeStates.delete(state);
            this.entryEpochs.delete(state);
        }
    }

    /** Makes the configuration this instance's own to change (a copy if it is shared), leaving out `without`. */
    private ownConfiguration(without: StateNode | undefined): void {
        this.leavesOf = undefined;
        if (this.configurationShared) {
            const active = new Set<StateNode>();
            for (const state of this.activeStates) {
                if (state !== without) {
                    active.add(state);
                }
            }
            const entries = new Map<StateNode, number>();
            for (const [state, epoch] of this.entryEpochs) {
                if (state !== without) {
                    entries.set(state, epoch);
                }
            }
            this.activeStates = active;
            this.entryEpochs = entries;
            this.configurationShared = false;
        }
    }

    /** Forgets what the system check's keys and summaries made of this instance (it is about to change). */
    unkey(): void {
        this.keyed = undefined;
        this.keyedAtomBy = undefined;
        this.summaryMemo = undefined;
    }

    /** Sets what the history `name` remembers. */
    remember(name: string, nodes: readonly StateNode[]): void {
        if (this.histories === NOTHING_REMEMBERED) {
            this.histories = new Map<string, readonly StateNode[]>();
        }
        (this.histories as Map<string, readonly StateNode[]>).set(name, nodes);
    }

    /** The active atomic states in document order (before the start: the initial state). */
    get leaves(): readonly StateNode[] {
        if (this.leavesOf === undefined) {
            const active = this.activeStates;
            // Before the start, or a flat machine: one state.
            this.leavesOf = active.size <= 1 ? (active.size === 0 ? [this.tree.root.initial!] : [...active]) : [...active].filter((node) => node.children.length === 0).sort((a, b) => a.order - b.order);
        }
        return this.leavesOf;
    }

    /** The current state: the first active atomic state (in a flat machine, the only one). */
    get state(): StateSpec {
        return this.leaves[0]!.spec;
    }

    /** The current state's name; with regions, every active atomic state's, in document order, joined by ', '. */
    get stateName(): string {
        const leaves = this.leaves;
        return leaves.length === 1 ? leaves[0]!.name : leaves.map((node) => node.name).join(', ');
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
        kind: spec.kind === 'server' ? 'connection' : spec.kind,
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
        lingering: 0,
        frames: undefined,
        paused: false,
        held: [],
        unsentWhileConnecting: 0
    };
}
