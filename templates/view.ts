// What the templates print: every name, id, type and branch of a generated project, decided before any template runs
// (language/generator builds these views from a checked model). Types only: the templates depend on nothing else.
import type { FramingSpec } from './runtime/framing.js';

/** An action in an action list; `label` names it in traces as the interpreter does (`greet`, `close upstream`, `raise Retry`, `stop`). */
export type ActionCall = { label: string } & (
    /** `payloadType` as the member's: the payload is passed cast to it, or not at all when undefined. */
    | { kind: 'call'; member: string; payloadType: string | undefined }
    | { kind: 'close'; socket: string }
    | { kind: 'connect'; socket: string }
    /** `payload`: pass the current event's payload on (`raise E(payload)`). */
    | { kind: 'raise'; event: string; payload: boolean }
    | { kind: 'stop' }
    /** `send NAME "text"` (`text` the string) or `send NAME payload` (`text` undefined: the event's payload). */
    | { kind: 'send'; socket: string; text: string | undefined }
    | { kind: 'pause' | 'resume'; socket: string }
    | { kind: 'spawn'; socket: string }
);

/** A call of a guard; `payloadType` as the guard's (undefined: it takes none). */
export interface GuardCall {
    member: string;
    negated: boolean;
    payloadType: string | undefined;
}

export interface Branch {
    guard?: GuardCall;
    /** The target state's constant; absent for an internal transition (no exit, no entry). */
    target?: string;
    actions: ActionCall[];
    /** Source text, printed as a comment above the branch. */
    source: string;
}

export interface EventView {
    name: string;
    key: string;
    id: number;
    method: string;
    payloadType: string;
}

export interface TimerView {
    id: number;
    /** As written: `after 1s`. */
    label: string;
    slot: number;
    ms: number;
    branch: Branch;
}

export interface HandlerView {
    event: EventView;
    branches: Branch[];
    /** True when some branch always matches (an unguarded one). */
    exhaustive: boolean;
}

export interface StateView {
    name: string;
    className: string;
    constName: string;
    initial: boolean;
    final: boolean;
    entry: ActionCall[];
    exit: ActionCall[];
    handlers: HandlerView[];
    timers: TimerView[];
}

export interface MemberView {
    member: string;
    name: string;
    kind: 'action' | 'guard' | 'heartbeat';
    /** The payload's type, or undefined when the calls carry none. */
    payloadType: string | undefined;
    /** Where the model uses it, for the stub's comment. */
    uses: string[];
}

/** What every socket view has: names in the model and in code, and the address (empty for connections). */
interface SocketViewBase {
    name: string;
    key: string;
    className: string;
    envVariable: string;
    host: string;
    port: number;
    /** A Unix domain socket's path (then host is '' and port 0). */
    path?: string;
}

export interface StreamSocketView extends SocketViewBase {
    kind: 'client' | 'connection';
    events: Record<'connect' | 'read' | 'drain' | 'close' | 'error' | 'timeout' | 'idle' | 'heartbeatLost', string | undefined>;
    options: {
        noDelay: boolean;
        keepAliveMs?: number;
        idleMs?: number;
        heartbeatMs?: number;
        heartbeatTimeoutMs?: number;
        connectTimeoutMs?: number;
        reconnect?: { minMs: number; maxMs: number };
        /** Absent for `framing none`. */
        framing?: FramingSpec;
        /** The read event is declared `E(string)`: reads deliver UTF-8 text. */
        readText?: boolean;
    };
    heartbeatMember?: string;
    /** Clients: the `tls { … }` block (PEM paths and the name to check). */
    tls?: TlsView;
}

/** A `tls { … }` block: PEM file paths (relative to the working directory) and, for clients, the server name to check. */
export interface TlsView {
    ca?: string;
    cert?: string;
    key?: string;
    servername?: string;
}

/** A `process`: the command it spawns, its stdout read (framed) and its stdin written. */
export interface ProcessSocketView extends SocketViewBase {
    kind: 'process';
    command: string;
    args: string[];
    events: Record<'stdout' | 'exit' | 'error' | 'drain', string | undefined>;
    options: {
        /** Absent for `framing none`. */
        framing?: FramingSpec;
        /** The stdout event is declared `E(string)`: it delivers UTF-8 text. */
        readText?: boolean;
    };
}

export interface ServerSocketView extends SocketViewBase {
    kind: 'server';
    backlog?: number;
    noDelay: boolean;
    keepAliveMs?: number;
    events: Record<'accept' | 'error' | 'close', string | undefined>;
    session: MachineNames;
    tls?: TlsView;
}

export type SocketView = StreamSocketView | ServerSocketView | ProcessSocketView;

/** The names one machine's generated files use, also needed by the files of machines that refer to it. */
export interface MachineNames {
    name: string;
    fileBase: string;
    className: string;
    eventsConst: string;
    /** The event names by id (`${eventsConst}Names`). */
    eventNamesConst: string;
    /** The union of the event ids (`${eventsConst}Id`). */
    eventIdType: string;
    payloadsType: string;
    actionsType: string;
    actionsConst: string;
    sessionsType: string;
    /** The machine constructor's options: a factory per socket (your Dispatcher subclasses). */
    optionsType: string;
    stateBase: string;
    /** True when the machine has servers: its constructor takes the actions of the sessions they start. */
    runsServers: boolean;
}

/** A state or region of a hierarchical machine, numbered in document order (the machine itself is 0). */
export interface TreeNodeView {
    index: number;
    name: string;
    kind: 'atomic' | 'compound' | 'parallel' | 'region';
    parent: number;
    /** Children in document order (a parallel state's are its regions). */
    children: number[];
    final: boolean;
    entry: ActionCall[];
    exit: ActionCall[];
    /** The timers it owns: armed after its entry actions, cleared when it is left. */
    timers: Array<{ slot: number; ms: number; id: number }>;
    /** Atomic states: their class and constant, and the region (by number; 0 the machine's own) whose active state they are. */
    leaf?: { className: string; constName: string; region: number };
    /** The histories it holds, filled in when it is left: its active child, its active atomic state (deep), or its regions. */
    remembers: Array<{ history: number; what: 'child' | 'leaf' | 'regions' | 'snapshot' }>;
    /** Final states below the top level: the completion event of the parent to queue, and of a parallel grandparent once every region is final. */
    completes?: { parentDone?: number; parallelDone?: { id: number; regions: number[] } };
}

/** A state to enter, or a deep history's holder entered again with everything inside it as remembered (`snapshot`). */
export type EntryStep = number | { restore: number; history: number };

/** Where a transition's exits stop, or its entries start: the subtree of a composite; with a history target, per what it remembers. */
export type TreeStep<T> = { kind: 'static'; value: T } | { kind: 'history'; history: number; cases: Array<{ remembered: number; value: T }> };

/** A transition of a hierarchical machine with its precomputed exit and entry sequences. */
export interface TreeTransitionView {
    index: number;
    /** The state that declares it, as the trace names it. */
    source: string;
    /** The event id expression traces name it by. */
    eventExpression: string;
    /** The target as written (a state or a history); absent for an internal transition. */
    target?: string;
    actions: ActionCall[];
    /** The composite (0: the machine) whose active subtree it leaves: its domain. */
    exitBelow?: TreeStep<number>;
    /** The states it enters, outermost first (a deep history over regions: its snapshot restored in their place). */
    enters?: TreeStep<EntryStep[]>;
    /** The number of the state that declares it. */
    sourceIndex: number;
    comment: string;
}

/** A transition an atomic state may take on an event: its own or an ancestor's, in the order SCXML tries them. */
export interface TreeBranchView {
    transition: number;
    guard?: GuardCall;
    /** Declared above a parallel state: another region may have chosen it already in this step. */
    shared: boolean;
    comment: string;
}

export interface TreeHandlerView {
    event: EventView;
    branches: TreeBranchView[];
    exhaustive: boolean;
}

export interface HierarchyView {
    /** The machine has parallel states: the runtime's RegionMachine chooses across regions. */
    parallel: boolean;
    /** States and regions by number; index 0 is a placeholder for the machine itself. */
    nodes: TreeNodeView[];
    regionCount: number;
    historyCount: number;
    /** Composites inside deep histories over regions: entered again as a snapshot of `active` says. */
    restorable: number[];
    /** The name of the machine's initial state (the start line) and what starting enters. */
    initialName: string;
    startEnters: number[];
    transitions: TreeTransitionView[];
    /** The handlers of each atomic state, by node number. */
    handlers: Map<number, TreeHandlerView[]>;
    timers: Array<{ id: number; slot: number; transition: number }>;
    /** Completion events after the timers (`done` in traces): the state completed, its parent, and its `on done` branches. */
    completions: Array<{ id: number; state: number; parent: number; branches: Array<{ transition: number; guard?: GuardCall }> }>;
}

export interface MachineView extends MachineNames {
    sourceFile: string;
    /** The release of reactor-fsm that generates (package.json's version), named in every file's header. */
    generatorVersion: string;
    events: EventView[];
    timerCount: number;
    states: StateView[];
    initial: StateView;
    sockets: SocketView[];
    signals: Array<{ signal: string; eventKey: string }>;
    /** The module-level constant holding `signals` in the machine file. */
    signalsConst: string;
    members: MemberView[];
    /** The session machines this machine's own servers start, each once (their classes are `accept` payloads). */
    serverSessions: MachineNames[];
    /** Every session machine a server of this machine, or of its sessions, starts: their actions come in through `sessions`. */
    sessionMachines: MachineNames[];
    isSession: boolean;
    /** Machines with composite states, regions or histories (undefined for flat machines). */
    hierarchy?: HierarchyView;
}

export interface ProjectView {
    /** The model file's name without folder or extension, for the project's name. */
    name: string;
    sourceFile: string;
    /** The release of reactor-fsm that generates (package.json's version), named in every file's header. */
    generatorVersion: string;
    machines: MachineView[];
    /** Machines main.ts starts: those no server of the project runs as a session. */
    topLevel: MachineView[];
    /**
     * `workers N` / `workers auto` on a server of a top-level machine: the program runs in that many processes (Node's
     * cluster; `auto`: one per core), each running every top-level machine; undefined: one process.
     */
    workers?: number | 'auto';
}
