// A checked model as plain data for the interpreter: machines, states, transitions, timers, sockets and signals.
import { AstUtils } from 'langium';
import type { Action, History, Machine, Model, Region, Socket, SocketMember, State, Transition } from '../generated/ast.js';
import { isHierarchical } from '../ast/hierarchy.js';
import { withSessions } from '../generator/project-view.js';
import { parseAddress, type SocketAddress } from '../values/addresses.js';
import { parseDuration } from '../values/quantities.js';
import { socketFraming, sendText, type FramingSpec } from '../values/framing.js';

/** Where a piece of the model stands in its file (1-based), for traces, breakpoints and errors. */
export interface SourceSpot {
    /** The file's name (no folders), as errors and traces show it. */
    readonly file: string;
    /** The file's absolute path (its URI's path for documents not on disk), for breakpoints and the diagram. */
    readonly path: string;
    readonly line: number;
    /** 1-based; absent where a spot is made up (the root of a state tree). */
    readonly column?: number;
}

export type ActionSpec =
    | { readonly kind: 'call'; readonly name: string }
    | { readonly kind: 'close'; readonly socket: string }
    | { readonly kind: 'connect'; readonly socket: string }
    /** `payload`: `raise E(payload)` passes the current event's payload on. */
    | { readonly kind: 'raise'; readonly event: string; readonly payload: boolean }
    | { readonly kind: 'stop' }
    /** `send NAME "text"` (the text as a string) or `send NAME payload` (the current event's bytes). */
    | { readonly kind: 'send'; readonly socket: string; readonly text: string | undefined }
    | { readonly kind: 'pause' | 'resume'; readonly socket: string }
    /** `spawn NAME`: starts a process (ignored while it runs). */
    | { readonly kind: 'spawn'; readonly socket: string };

export interface GuardSpec {
    readonly name: string;
    readonly negated: boolean;
}

export interface TransitionSpec {
    /** The event's name; `done` for a completion transition (`on done`), taken when the state it belongs to completes. */
    readonly event: string;
    /** True for `on done`. */
    readonly done: boolean;
    readonly guard: GuardSpec | undefined;
    /** Undefined for an internal transition; a state's or a history's name. */
    readonly target: string | undefined;
    readonly actions: readonly ActionSpec[];
    readonly spot: SourceSpot;
}

export interface TimerSpec {
    readonly delayMs: number;
    /** The event name in traces: `after 2s`, the delay as written. */
    readonly label: string;
    /** A state's or a history's name. */
    readonly target: string;
    readonly actions: readonly ActionSpec[];
    readonly spot: SourceSpot;
}

/** `history H` (shallow) or `deep history H` in a composite state, with its default target when given. */
export interface HistorySpec {
    readonly name: string;
    readonly deep: boolean;
    readonly default: string | undefined;
    readonly spot: SourceSpot;
}

/**
 * A state without states inside (`atomic`), a composite state (`compound`, one child `initial`), a `parallel` state
 * (its children are its regions, all active together), or a `region` of a parallel state (like a compound state with
 * no actions, transitions or timers of its own).
 */
export type StateKind = 'atomic' | 'compound' | 'parallel' | 'region';

export interface StateSpec {
    readonly name: string;
    readonly kind: StateKind;
    readonly initial: boolean;
    readonly final: boolean;
    readonly entry: readonly ActionSpec[];
    readonly exit: readonly ActionSpec[];
    readonly transitions: readonly TransitionSpec[];
    readonly timers: readonly TimerSpec[];
    /** Compound states and regions: their states; parallel states: their regions; atomic states: none. */
    readonly children: readonly StateSpec[];
    readonly histories: readonly HistorySpec[];
    readonly spot: SourceSpot;
}

/** Socket occurrences a model can map to events; a process's `stdout` is its `read`, and `exit` is its own. */
export type SocketEventName = 'accept' | 'connect' | 'read' | 'drain' | 'close' | 'error' | 'timeout' | 'exit';

export interface SocketSpec {
    readonly name: string;
    readonly kind: 'client' | 'server' | 'connection' | 'process';
    /** A client's `connect` or a server's `listen` address, parsed; undefined for connections and processes. */
    readonly address: SocketAddress | undefined;
    readonly events: Readonly<Partial<Record<SocketEventName, string>>>;
    /** Where each mapping (`read -> Line`) is written. */
    readonly eventSpots: Readonly<Partial<Record<SocketEventName, SourceSpot>>>;
    readonly connectTimeoutMs: number | undefined;
    readonly reconnect: { readonly minMs: number; readonly maxMs: number } | undefined;
    readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number; readonly event: string } | undefined;
    readonly idle: { readonly ms: number; readonly event: string } | undefined;
    /** Servers: the machine each accepted connection runs. */
    readonly session: string | undefined;
    /** Clients and connections: how `read` cuts bytes into messages and how `send` frames them. */
    readonly framing: FramingSpec;
    readonly spot: SourceSpot;
}

export interface SignalSpec {
    readonly signal: string;
    readonly event: string;
    readonly spot: SourceSpot;
}

export interface MachineSpec {
    readonly name: string;
    readonly events: readonly string[];
    /** The payload type each event declares (`Line(string)`), by name; undeclared ones are absent. */
    readonly payloadTypes: ReadonlyMap<string, string>;
    /** The top-level states; composite ones hold the rest (`children`). */
    readonly states: readonly StateSpec[];
    /** True when some state holds states, regions or a history: traces then show every state entered and left. */
    readonly hierarchical: boolean;
    readonly sockets: readonly SocketSpec[];
    readonly signals: readonly SignalSpec[];
    readonly spot: SourceSpot;
}

export interface ProgramSpec {
    /** Every machine of the program, top-level first, then the sessions their servers start. */
    readonly machines: ReadonlyMap<string, MachineSpec>;
    /** The machines the program starts, in the order they are written. */
    readonly topLevel: readonly string[];
}

/** How long a graceful close waits for the peer before destroying the socket (the runtime's DEFAULT_LINGER_MS). */
export const LINGER_MS = 2_000;

/** Two files run together define a machine of the same name; the message names both places (`file:line`). */
export class ProgramCompositionError extends Error {
    constructor(
        readonly machine: string,
        readonly first: SourceSpot,
        readonly second: SourceSpot
    ) {
        const sameName = first.file === second.file;
        const place = (spot: SourceSpot): string => `${sameName ? spot.path : spot.file}:${spot.line}`;
        super(`machine '${machine}' is defined in two files: ${place(first)} and ${place(second)}; files run together need distinct machine names`);
        this.name = 'ProgramCompositionError';
    }
}

/** The program a model file describes: its machines that no server runs as a session, and those sessions. */
export function programOf(model: Model): ProgramSpec {
    return programOfMachines(model.machines);
}

/**
 * The program several model files make together: every machine of each, top-level ones in the order of the models then
 * as written, and the sessions their servers start (wherever those are written). A machine name that two different
 * files define throws a ProgramCompositionError.
 */
export function programOfModels(models: readonly Model[]): ProgramSpec {
    assertComposable(models);
    return programOfMachines([...new Set(models)].flatMap((model) => model.machines));
}

/**
 * Throws a ProgramCompositionError when two different files define a machine of the same name among the models' machines
 * and the sessions they start. It builds nothing, so it may run on models that still have errors.
 */
export function assertComposable(models: readonly Model[]): void {
    const firstByName = new Map<string, Machine>();
    for (const machine of withSessions([...new Set(models)].flatMap((model) => model.machines))) {
        const name = machine.name as string | undefined; // undefined in a machine the parser could not finish
        if (name === undefined) {
            continue;
        }
        const earlier = firstByName.get(name);
        if (earlier === undefined) {
            firstByName.set(name, machine);
        } else if (AstUtils.getDocument(earlier).uri.toString() !== AstUtils.getDocument(machine).uri.toString()) {
            throw new ProgramCompositionError(name, spotOf(earlier), spotOf(machine));
        }
    }
}

/** `roots` and the sessions their servers start; the roots no server runs as a session are the top-level machines. */
function programOfMachines(roots: readonly Machine[]): ProgramSpec {
    const all = withSessions(roots);
    const sessions = new Set<string>();
    for (const machine of all) {
        for (const socket of machine.sockets) {
            for (const member of socket.members) {
                if (member.$type === 'SessionOption' && member.machine.ref) {
                    sessions.add(member.machine.ref.name);
                }
            }
        }
    }
    const machines = new Map<string, MachineSpec>();
    for (const machine of all) {
        if (!machines.has(machine.name)) {
            machines.set(machine.name, machineSpec(machine));
        }
    }
    return { machines, topLevel: roots.filter((machine) => !sessions.has(machine.name)).map((machine) => machine.name) };
}

function spotOf(node: { $cstNode?: { range: { start: { line: number; character: number } } } } & object): SourceSpot {
    const document = AstUtils.getDocument(node as Parameters<typeof AstUtils.getDocument>[0]);
    const file = document.uri.path.split('/').pop() ?? document.uri.path;
    const start = node.$cstNode?.range.start;
    return { file, path: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.path, line: (start?.line ?? 0) + 1, column: (start?.character ?? 0) + 1 };
}

function milliseconds(text: string): number {
    const parsed = parseDuration(text);
    if (!parsed.ok) {
        throw new Error(`internal: a checked model has a bad duration '${text}'`);
    }
    return parsed.value;
}

function actionSpec(action: Action): ActionSpec {
    switch (action.$type) {
        case 'CloseAction':
            return { kind: 'close', socket: action.socket.ref?.name ?? action.socket.$refText };
        case 'ConnectAction':
            return { kind: 'connect', socket: action.socket.ref?.name ?? action.socket.$refText };
        case 'RaiseAction':
            return { kind: 'raise', event: action.event.ref?.name ?? action.event.$refText, payload: action.payload };
        case 'StopAction':
            return { kind: 'stop' };
        case 'CallAction':
            return { kind: 'call', name: action.name };
        case 'SendAction': {
            const text = sendText(action);
            return { kind: 'send', socket: action.socket.ref?.name ?? action.socket.$refText, text: text?.ok ? text.value : undefined };
        }
        case 'PauseAction':
            return { kind: 'pause', socket: action.socket.ref?.name ?? action.socket.$refText };
        case 'ResumeAction':
            return { kind: 'resume', socket: action.socket.ref?.name ?? action.socket.$refText };
        case 'SpawnAction':
            return { kind: 'spawn', socket: action.socket.ref?.name ?? action.socket.$refText };
    }
}

function transitionSpec(transition: Transition): TransitionSpec {
    return {
        event: transition.done ? 'done' : (transition.event?.ref?.name ?? transition.event?.$refText ?? ''),
        done: transition.done,
        guard: transition.guard ? { name: transition.guard.name, negated: transition.guard.negated } : undefined,
        target: transition.target ? (transition.target.ref?.name ?? transition.target.$refText) : undefined,
        actions: transition.actions.map(actionSpec),
        spot: spotOf(transition)
    };
}

function historySpec(history: History): HistorySpec {
    return {
        name: history.name,
        deep: history.deep,
        default: history.default ? (history.default.ref?.name ?? history.default.$refText) : undefined,
        spot: spotOf(history)
    };
}

function stateSpec(state: State): StateSpec {
    const kind = state.parallel ? 'parallel' : state.states.length > 0 ? 'compound' : 'atomic';
    return {
        name: state.name,
        kind,
        initial: state.initial,
        final: state.final,
        entry: state.entries.flatMap((block) => block.actions.map(actionSpec)),
        exit: state.exits.flatMap((block) => block.actions.map(actionSpec)),
        transitions: state.transitions.map(transitionSpec),
        timers: state.timers.map((timer) => ({
            delayMs: milliseconds(timer.delay),
            label: `after ${timer.delay}`,
            target: timer.target.ref?.name ?? timer.target.$refText,
            actions: timer.actions.map(actionSpec),
            spot: spotOf(timer)
        })),
        children: kind === 'parallel' ? state.regions.map(regionSpec) : state.states.map(stateSpec),
        histories: state.histories.map(historySpec),
        spot: spotOf(state)
    };
}

function regionSpec(region: Region): StateSpec {
    return {
        name: region.name,
        kind: 'region',
        initial: false,
        final: false,
        entry: [],
        exit: [],
        transitions: [],
        timers: [],
        children: region.states.map(stateSpec),
        histories: region.histories.map(historySpec),
        spot: spotOf(region)
    };
}

function socketSpec(socket: Socket): SocketSpec {
    const members: readonly SocketMember[] = socket.members;
    const events: Partial<Record<SocketEventName, string>> = {};
    const eventSpots: Partial<Record<SocketEventName, SourceSpot>> = {};
    let connectTimeoutMs: number | undefined;
    let reconnect: SocketSpec['reconnect'];
    let heartbeat: SocketSpec['heartbeat'];
    let idle: SocketSpec['idle'];
    let session: string | undefined;
    for (const member of members) {
        switch (member.$type) {
            case 'EventMapping': {
                const occurrence = member.socketEvent === 'stdout' ? 'read' : member.socketEvent;
                events[occurrence] = member.event.ref?.name ?? member.event.$refText;
                eventSpots[occurrence] = spotOf(member);
                break;
            }
            case 'TimeoutOption':
                connectTimeoutMs = milliseconds(member.delay);
                break;
            case 'ReconnectOption':
                reconnect = { minMs: milliseconds(member.min), maxMs: milliseconds(member.max) };
                break;
            case 'HeartbeatOption':
                heartbeat = { intervalMs: milliseconds(member.interval), timeoutMs: milliseconds(member.timeout), event: member.event.ref?.name ?? member.event.$refText };
                break;
            case 'IdleOption':
                idle = { ms: milliseconds(member.delay), event: member.event.ref?.name ?? member.event.$refText };
                break;
            case 'SessionOption':
                session = member.machine.ref?.name ?? member.machine.$refText;
                break;
            default:
                break; // nodelay, keepalive, backlog, reuseaddr: no observable behaviour in the model; framing: below
        }
    }
    const kind = socket.$type === 'Server' ? 'server' : socket.$type === 'Client' ? 'client' : socket.$type === 'Process' ? 'process' : 'connection';
    return { name: socket.name, kind, address: addressOf(socket), events, eventSpots, connectTimeoutMs, reconnect, heartbeat, idle, session, framing: socketFraming(socket), spot: spotOf(socket) };
}

/** The parsed `connect` / `listen` address (undefined for connections, processes, and an address a checked model never has). */
function addressOf(socket: Socket): SocketAddress | undefined {
    if (socket.$type === 'Connection' || socket.$type === 'Process' || socket.address === undefined) {
        return undefined;
    }
    const parsed = parseAddress(socket.address);
    return parsed.ok ? parsed.value : undefined;
}

function machineSpec(machine: Machine): MachineSpec {
    return {
        name: machine.name,
        events: machine.eventLists.flatMap((list) => list.events.map((event) => event.name)),
        payloadTypes: new Map(machine.eventLists.flatMap((list) => list.events.flatMap((event) => (event.type === undefined ? [] : [[event.name, event.type] as const])))),
        states: machine.states.map(stateSpec),
        hierarchical: isHierarchical(machine),
        sockets: machine.sockets.map(socketSpec),
        signals: machine.signals.map((signal) => ({ signal: signal.signal, event: signal.event.ref?.name ?? signal.event.$refText, spot: spotOf(signal) })),
        spot: spotOf(machine)
    };
}
