// Random whole programs for the conformance suite: top-level machines with clients (with and without connect
// timeout, reconnect, heartbeat, idle) and sometimes a server whose session machine owns a connection; signals
// (SIGTERM, SIGUSR2, SIGHUP) in top-level and session machines; `stop`, `raise`, `connect`, `close`, final states,
// guards and timers. Built from a seed, valid by construction where it is cheap (the real validator has the last
// word), and printed as `.fsm` text.
import type { Random } from '../../seeded-random.js';

export type ActionModel =
    | { kind: 'call'; name: string }
    | { kind: 'raise'; event: string }
    | { kind: 'stop' }
    | { kind: 'connect'; socket: string }
    | { kind: 'close'; socket: string };

export interface TransitionModel {
    event: string;
    guard?: { name: string; negated: boolean };
    /** Absent for an internal transition. */
    target?: string;
    actions: ActionModel[];
}

export interface TimerModel {
    ms: number;
    target: string;
    actions: ActionModel[];
}

export interface StateModel {
    name: string;
    initial: boolean;
    final: boolean;
    entry: ActionModel[];
    exit: ActionModel[];
    transitions: TransitionModel[];
    timers: TimerModel[];
}

export type SocketEventName = 'accept' | 'connect' | 'read' | 'close' | 'error' | 'timeout';

export interface SocketModel {
    kind: 'client' | 'server' | 'connection';
    name: string;
    events: Partial<Record<SocketEventName, string>>;
    timeoutMs?: number;
    reconnect?: { minMs: number; maxMs: number };
    heartbeat?: { intervalMs: number; timeoutMs: number; event: string };
    idle?: { ms: number; event: string };
    /** Servers: the session machine. */
    session?: string;
}

export interface MachineModel {
    name: string;
    events: string[];
    states: StateModel[];
    sockets: SocketModel[];
    signals: Array<{ signal: string; event: string }>;
}

export interface ProgramModel {
    /** Top-level machines first (in the order they start), then the session machine if a server has one. */
    machines: MachineModel[];
}

/** The signals scenarios send (a program that does not bind one would be killed by it: only bound ones are sent). */
export const SIGNALS = ['SIGTERM', 'SIGUSR2', 'SIGHUP'] as const;

/** The guards every program shares (see guards.ts): two counters and one on the payload. */
export const GUARDS = ['g0', 'g1', 'gb'] as const;

const TIMER_MS = [30, 50, 100, 250, 500, 1000];

function actionArbitrary(random: Random, prefix: string, events: readonly string[], clients: readonly string[], closables: readonly string[]): ActionModel {
    const roll = random.next();
    if (roll < 0.55) {
        return { kind: 'call', name: `${prefix}${random.int(3)}` };
    }
    if (roll < 0.7) {
        return { kind: 'raise', event: random.pick(events) };
    }
    if (roll < 0.8 && clients.length > 0) {
        return { kind: 'connect', socket: random.pick(clients) };
    }
    if (roll < 0.93 && closables.length > 0) {
        return { kind: 'close', socket: random.pick(closables) };
    }
    if (roll < 0.96) {
        return { kind: 'stop' };
    }
    return { kind: 'call', name: `${prefix}${random.int(3)}` };
}

function actions(random: Random, max: number, prefix: string, events: readonly string[], clients: readonly string[], closables: readonly string[]): ActionModel[] {
    return Array.from({ length: random.int(max + 1) }, () => actionArbitrary(random, prefix, events, clients, closables));
}

interface MachinePlan {
    name: string;
    /** Action name prefix: a for the first top-level machine, b, c, … */
    prefix: string;
    states: number;
    events: number;
    clients: number;
    server: string | undefined;
    connection: boolean;
    signals: number;
}

function stateNames(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `S${i}`);
}

function machine(random: Random, plan: MachinePlan): MachineModel {
    const events = Array.from({ length: plan.events }, (_, i) => `E${i}`);
    const names = stateNames(plan.states);
    const sockets: SocketModel[] = [];
    const pickEvent = (p: number): string | undefined => (random.chance(p) ? random.pick(events) : undefined);
    const mapped = (entries: Array<[SocketEventName, string | undefined]>): Partial<Record<SocketEventName, string>> =>
        Object.fromEntries(entries.filter(([, event]) => event !== undefined));
    for (let i = 0; i < plan.clients; i++) {
        const socket: SocketModel = {
            kind: 'client',
            name: `c${i}`,
            events: mapped([
                ['connect', pickEvent(0.85)],
                ['read', pickEvent(0.7)],
                ['close', pickEvent(0.7)],
                ['error', pickEvent(0.7)],
                ['timeout', pickEvent(0.3)]
            ])
        };
        if (random.chance(0.5)) {
            socket.timeoutMs = random.pick([50, 200, 1000]);
        }
        if (random.chance(0.45)) {
            const minMs = random.pick([50, 100, 200]);
            socket.reconnect = { minMs, maxMs: minMs * random.pick([1, 2, 4]) };
        }
        if (random.chance(0.3)) {
            const intervalMs = random.pick([50, 100, 200]);
            socket.heartbeat = { intervalMs, timeoutMs: intervalMs * random.pick([2, 3]), event: random.pick(events) };
        }
        if (random.chance(0.3)) {
            socket.idle = { ms: random.pick([100, 300, 1000]), event: random.pick(events) };
        }
        sockets.push(socket);
    }
    if (plan.server) {
        sockets.push({
            kind: 'server',
            name: 'srv',
            session: plan.server,
            events: mapped([
                ['accept', pickEvent(0.8)],
                ['close', pickEvent(0.5)],
                ['error', pickEvent(0.2)]
            ])
        });
    }
    if (plan.connection) {
        const socket: SocketModel = {
            kind: 'connection',
            name: 'peer',
            events: mapped([
                ['read', pickEvent(0.85)],
                ['close', pickEvent(0.7)],
                ['error', pickEvent(0.6)]
            ])
        };
        if (random.chance(0.3)) {
            socket.idle = { ms: random.pick([100, 300]), event: random.pick(events) };
        }
        if (random.chance(0.25)) {
            const intervalMs = random.pick([50, 100]);
            socket.heartbeat = { intervalMs, timeoutMs: intervalMs * 2, event: random.pick(events) };
        }
        sockets.push(socket);
    }
    const clients = sockets.filter((socket) => socket.kind === 'client').map((socket) => socket.name);
    const closables = sockets.map((socket) => socket.name);
    const initial = 0;
    const finals = names.map((_, i) => i !== initial && random.chance(0.25));
    const states = names.map((name, index): StateModel => {
        const final = finals[index]!;
        const state: StateModel = {
            name,
            initial: index === initial,
            final,
            entry: actions(random, random.chance(0.5) ? 2 : 0, `${plan.prefix}n`, events, clients, closables),
            exit: final ? [] : actions(random, random.chance(0.3) ? 1 : 0, `${plan.prefix}x`, events, clients, closables),
            transitions: [],
            timers: []
        };
        if (final) {
            return state;
        }
        const unguarded = new Set<string>();
        for (let t = 1 + random.int(5); t > 0; t--) {
            const event = random.pick(events);
            const transition: TransitionModel = { event, actions: actions(random, 2, `${plan.prefix}t`, events, clients, closables) };
            const roll = random.next();
            if (roll < 0.25) {
                // internal
            } else if (roll < 0.4) {
                transition.target = name;
            } else {
                transition.target = random.pick(names);
            }
            if (random.chance(0.25) || unguarded.has(event)) {
                transition.guard = { name: random.pick(GUARDS), negated: random.chance(0.4) };
            } else {
                unguarded.add(event);
            }
            state.transitions.push(transition);
        }
        // The unguarded transition of an event last, as its fallback (no shadowed-transition warnings needed here).
        state.transitions = [...state.transitions.filter((t) => t.guard), ...state.transitions.filter((t) => !t.guard)];
        if (random.chance(0.35)) {
            state.timers.push({ ms: random.pick(TIMER_MS), target: random.pick(names), actions: actions(random, 1, `${plan.prefix}t`, events, clients, closables) });
        }
        return state;
    });
    const signals = [...SIGNALS]
        .filter(() => random.chance(plan.signals))
        .map((signal) => ({ signal, event: random.pick(events) }));
    return { name: plan.name, events, states, sockets, signals };
}

/** A random program; `prefix` makes its machine names unique among the programs compiled together. */
export function programModel(random: Random, prefix: string): ProgramModel {
    const hasServer = random.chance(0.5);
    const session = hasServer ? `${prefix}Sess` : undefined;
    const main = machine(random, {
        name: `${prefix}Main`,
        prefix: 'a',
        states: 3 + random.int(4),
        events: 4 + random.int(4),
        clients: hasServer ? random.int(2) : 1 + random.int(2),
        server: session,
        connection: false,
        signals: 0.5
    });
    const machines = [main];
    if (random.chance(0.3)) {
        machines.push(machine(random, { name: `${prefix}Aux`, prefix: 'b', states: 2 + random.int(3), events: 2 + random.int(3), clients: random.int(2), server: undefined, connection: false, signals: 0.5 }));
    }
    if (session) {
        machines.push(machine(random, { name: session, prefix: 's', states: 2 + random.int(3), events: 3 + random.int(3), clients: 0, server: undefined, connection: true, signals: 0.4 }));
    }
    return { machines };
}

function actionText(action: ActionModel): string {
    switch (action.kind) {
        case 'call':
            return action.name;
        case 'raise':
            return `raise ${action.event}`;
        case 'stop':
            return 'stop';
        case 'connect':
            return `connect ${action.socket}`;
        case 'close':
            return `close ${action.socket}`;
    }
}

function actionsSuffix(actions: readonly ActionModel[]): string {
    return actions.length > 0 ? ` / ${actions.map(actionText).join(', ')}` : '';
}

/** The model as `.fsm` text; every client connects to 127.0.0.1:1 and the server listens on 127.0.0.1:1 (the harness overrides both). */
export function printProgram(program: ProgramModel): string {
    const lines: string[] = [];
    for (const machine of program.machines) {
        lines.push(`machine ${machine.name} {`, `    events ${machine.events.join(', ')}`);
        for (const state of machine.states) {
            const head = `    ${state.initial ? 'initial ' : ''}${state.final ? 'final ' : ''}state ${state.name}`;
            const body = [
                ...(state.entry.length > 0 ? [`entry ${state.entry.map(actionText).join(', ')}`] : []),
                ...(state.exit.length > 0 ? [`exit ${state.exit.map(actionText).join(', ')}`] : []),
                ...state.transitions.map((t) => `on ${t.event}${t.guard ? ` [${t.guard.negated ? '!' : ''}${t.guard.name}]` : ''}${t.target ? ` -> ${t.target}` : ''}${actionsSuffix(t.actions)}`),
                ...state.timers.map((timer) => `after ${timer.ms}ms -> ${timer.target}${actionsSuffix(timer.actions)}`)
            ];
            lines.push(body.length === 0 ? head : `${head} {\n${body.map((line) => `        ${line}`).join('\n')}\n    }`);
        }
        for (const socket of machine.sockets) {
            const members: string[] = [];
            if (socket.session) {
                members.push(`session ${socket.session}`);
            }
            if (socket.timeoutMs !== undefined) {
                members.push(`timeout ${socket.timeoutMs}ms`);
            }
            if (socket.reconnect) {
                members.push(`reconnect ${socket.reconnect.minMs}ms..${socket.reconnect.maxMs}ms`);
            }
            if (socket.heartbeat) {
                members.push(`heartbeat ${socket.heartbeat.intervalMs}ms timeout ${socket.heartbeat.timeoutMs}ms -> ${socket.heartbeat.event}`);
            }
            if (socket.idle) {
                members.push(`idle ${socket.idle.ms}ms -> ${socket.idle.event}`);
            }
            for (const [occurrence, event] of Object.entries(socket.events)) {
                members.push(`${occurrence} -> ${event}`);
            }
            const head = socket.kind === 'client' ? `client ${socket.name} connect 127.0.0.1:1` : socket.kind === 'server' ? `server ${socket.name} listen 127.0.0.1:1` : `connection ${socket.name}`;
            lines.push(`    ${head} {`, ...members.map((member) => `        ${member}`), '    }');
        }
        for (const { signal, event } of machine.signals) {
            lines.push(`    signal ${signal} -> ${event}`);
        }
        lines.push('}');
    }
    return `${lines.join('\n')}\n`;
}
