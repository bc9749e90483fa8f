// The generator's view of a model: every name, id, type and branch the templates print, decided in one place.
import type { Action, Event, EventMapping, Machine, Socket, State, Timer, Transition } from '../generated/ast.js';
import { analyzeMachine, type EventProducer } from '../analysis/machine-analysis.js';
import { parseAddress } from '../model/addresses.js';
import { parseCount, parseDuration } from '../model/quantities.js';
import { EXTERNAL_NAMES, unionType as union, type ActionCall, type Branch, type EventView, type HandlerView, type MachineNames, type MachineView, type MemberView, type SocketView, type StateView, type StreamSocketView, type TimerView } from '../../templates/index.js';
import { constantCase, NameAllocator, pascalCase } from './identifiers.js';

/** The session machines this machine's own servers start, each once (their classes are `accept` payloads). */
function serverSessions(sockets: readonly SocketView[]): MachineNames[] {
    return [...new Set(sockets.flatMap((socket) => (socket.kind === 'server' ? [socket.session] : [])))];
}

/** The names of one machine's generated files; `pascal` is unique within the project. */
export function machineNames(machine: Machine, fileBase: string, pascal: string): MachineNames {
    return {
        name: machine.name,
        fileBase,
        className: `${pascal}Machine`,
        eventsConst: `${pascal}Event`,
        eventNamesConst: `${pascal}EventNames`,
        eventIdType: `${pascal}EventId`,
        payloadsType: `${pascal}Payloads`,
        actionsType: `${pascal}Actions`,
        actionsConst: `${pascal[0]!.toLowerCase()}${pascal.slice(1)}Actions`,
        sessionsType: `${pascal}Sessions`,
        optionsType: `${pascal}MachineOptions`,
        stateBase: `${pascal}State`,
        runsServers: machine.sockets.some((socket) => socket.$type === 'Server')
    };
}

function sourceText(node: { $cstNode?: { text: string } }): string {
    return (node.$cstNode?.text ?? '').replace(/\s+/g, ' ').trim();
}

function durationMs(text: string | undefined): number | undefined {
    if (text === undefined) {
        return undefined;
    }
    const parsed = parseDuration(text);
    if (!parsed.ok) {
        throw new Error(`internal: invalid duration '${text}' reached the generator`);
    }
    return parsed.value;
}

/**
 * Builds the view of one machine. `namesOf` gives the names of other machines (sessions); `takenNames` are the
 * project's machine-level names, which the machine's own state and socket classes must not take.
 * The model must be free of errors (the generator refuses models with errors before this).
 */
export function buildMachineView(
    machine: Machine,
    names: MachineNames,
    sourceFile: string,
    namesOf: (machine: Machine) => MachineNames,
    isSession: boolean,
    takenNames: readonly string[]
): MachineView {
    const analysis = analyzeMachine(machine);

    // Event ids: the model's events in order (first declaration of a name), then one per timer.
    const eventKeys = new NameAllocator();
    const methods = new NameAllocator(['onEnter', 'onExit', 'onTimer', 'name', 'final']);
    const firstByName = new Map<string, Event>();
    for (const event of analysis.events) {
        if (!firstByName.has(event.name)) {
            firstByName.set(event.name, event);
        }
    }
    const sessionOf = (mapping: EventMapping): string => {
        const server = mapping.$container as Socket;
        const session = server.members.find((member) => member.$type === 'SessionOption');
        const target = session?.$type === 'SessionOption' ? session.machine.ref : undefined;
        return target ? namesOf(target).className : 'unknown';
    };
    const producerType = (producer: EventProducer): string => {
        switch (producer.$type) {
            case 'EventMapping':
                switch (producer.socketEvent) {
                    case 'accept':
                        return sessionOf(producer);
                    case 'read':
                        return 'Buffer';
                    case 'close':
                        return 'boolean';
                    case 'error':
                    case 'timeout':
                        return 'Error';
                    default:
                        return 'undefined';
                }
            case 'HeartbeatOption':
                return 'Error';
            case 'Signal':
                return 'NodeJS.Signals';
            default:
                return 'undefined';
        }
    };
    const events: EventView[] = [...firstByName.values()].map((event, id) => ({
        name: event.name,
        key: eventKeys.claim(event.name),
        id,
        method: methods.claim(`on${event.name[0]!.toUpperCase()}${event.name.slice(1)}`),
        payloadType: union((analysis.producers.get(event) ?? []).map(producerType))
    }));
    const eventView = (event: Event | undefined): EventView => {
        const view = events.find((candidate) => candidate.name === event?.name);
        if (!view) {
            throw new Error(`internal: unresolved event reached the generator`);
        }
        return view;
    };

    // Sockets and their keys in `machine.sockets`.
    const socketKeys = new NameAllocator();
    const socketKeyByName = new Map<string, string>();
    for (const socket of machine.sockets) {
        socketKeyByName.set(socket.name, socketKeys.claim(socket.name));
    }

    // Members of the actions interface: user actions, guards and heartbeat hooks.
    const memberNames = new NameAllocator();
    const members = new Map<string, MemberView & { payloadTypes: Set<string> }>();
    const member = (name: string, kind: MemberView['kind'], payloadType: string, use: string): MemberView & { payloadTypes: Set<string> } => {
        const key = `${kind}:${name}`;
        let view = members.get(key);
        if (!view) {
            view = { member: memberNames.claim(name), name, kind, payloadType: undefined, uses: [], payloadTypes: new Set() };
            members.set(key, view);
        }
        view.payloadTypes.add(payloadType);
        if (!view.uses.includes(use)) {
            view.uses.push(use);
        }
        return view;
    };
    // Payload flags are decided once all uses are known; calls keep a reference to their member.
    const pendingCalls: Array<{ call: { payloadType: string | undefined }; view: MemberView & { payloadTypes: Set<string> } }> = [];
    const actionCalls = (actions: readonly Action[], payloadType: string, use: string): ActionCall[] =>
        actions.map((action): ActionCall => {
            switch (action.$type) {
                case 'CloseAction':
                    return { kind: 'close', socket: socketKeyByName.get(action.socket.ref!.name)!, label: `close ${action.socket.ref!.name}` };
                case 'ConnectAction':
                    return { kind: 'connect', socket: socketKeyByName.get(action.socket.ref!.name)!, label: `connect ${action.socket.ref!.name}` };
                case 'RaiseAction':
                    return { kind: 'raise', event: eventView(action.event.ref).key, label: `raise ${eventView(action.event.ref).name}` };
                case 'StopAction':
                    return { kind: 'stop', label: 'stop' };
                case 'CallAction': {
                    const view = member(action.name, 'action', payloadType, use);
                    const call = { kind: 'call' as const, member: view.member, payloadType: undefined, label: action.name };
                    pendingCalls.push({ call, view });
                    return call;
                }
            }
        });

    // One scope for every module-level name of the machine's files: its own names, the sessions' classes, imports.
    const moduleNames = new NameAllocator([
        ...EXTERNAL_NAMES,
        ...takenNames,
        names.className,
        names.stateBase,
        names.eventsConst,
        names.eventNamesConst,
        names.eventIdType,
        names.payloadsType,
        names.actionsType,
        names.sessionsType,
        names.optionsType
    ]);
    const stateIds = new Map<State, { className: string; constName: string }>();
    for (const state of analysis.states) {
        stateIds.set(state, { className: moduleNames.claim(`${pascalCase(state.name)}State`), constName: moduleNames.claim(constantCase(state.name) || 'STATE') });
    }

    // Which payloads reach each state's entry and exit actions.
    const entryPayloads = new Map<State, Set<string>>(analysis.states.map((state) => [state, new Set<string>()]));
    const exitPayloads = new Map<State, Set<string>>(analysis.states.map((state) => [state, new Set<string>()]));
    if (analysis.initial) {
        entryPayloads.get(analysis.initial)!.add('undefined');
    }
    for (const edges of analysis.outgoing.values()) {
        for (const edge of edges) {
            const payload = edge.trigger.$type === 'Timer' ? 'undefined' : eventView((edge.trigger as Transition).event.ref).payloadType;
            entryPayloads.get(edge.target)!.add(payload);
            exitPayloads.get(edge.source)!.add(payload);
        }
    }

    let nextTimerId = events.length;
    const branchOf = (trigger: Transition | Timer, payloadType: string, stateName: string): Branch => {
        const source = sourceText(trigger);
        const use = `${stateName}: ${source}`;
        const target = trigger.target?.ref;
        const branch: Branch = { actions: actionCalls(trigger.actions, payloadType, use), source };
        if (target) {
            branch.target = stateIds.get(target)!.constName;
        }
        if (trigger.$type === 'Transition' && trigger.guard) {
            const view = member(trigger.guard.name, 'guard', payloadType, use);
            const guard = { member: view.member, negated: trigger.guard.negated, payloadType: undefined };
            pendingCalls.push({ call: guard, view });
            branch.guard = guard;
        }
        return branch;
    };

    const states: StateView[] = analysis.states.map((state) => {
        const ids = stateIds.get(state)!;
        const handlers: HandlerView[] = [];
        for (const transition of state.transitions) {
            const event = eventView(transition.event.ref);
            let handler = handlers.find((candidate) => candidate.event === event);
            if (!handler) {
                handler = { event, branches: [], exhaustive: false };
                handlers.push(handler);
            }
            if (handler.exhaustive) {
                continue; // after an unguarded branch nothing can fire (reported as shadowed-transition)
            }
            handler.branches.push(branchOf(transition, event.payloadType, state.name));
            handler.exhaustive = transition.guard === undefined;
        }
        const timers = state.timers.map((timer, slot): TimerView => ({ id: nextTimerId++, label: `after ${timer.delay}`, slot, ms: durationMs(timer.delay)!, branch: branchOf(timer, 'undefined', state.name) }));
        const entryType = union(entryPayloads.get(state)!);
        const exitType = union(exitPayloads.get(state)!.size > 0 ? exitPayloads.get(state)! : ['undefined']);
        return {
            name: state.name,
            className: ids.className,
            constName: ids.constName,
            initial: state.initial,
            final: state.final,
            entry: actionCalls(state.entries.flatMap((block) => block.actions), entryType, `${state.name}: entry`),
            exit: actionCalls(state.exits.flatMap((block) => block.actions), exitType, `${state.name}: exit`),
            handlers,
            timers
        };
    });

    const sockets = machine.sockets.map((socket) => socketView(socket, names, moduleNames, socketKeyByName.get(socket.name)!, eventView, namesOf, (hook) => member(hook, 'heartbeat', 'undefined', `${socket.name}: heartbeat`).member));

    // Now every use is known: a member takes a payload unless every call carries none.
    const memberViews: MemberView[] = [...members.values()].map(({ payloadTypes, ...view }) => {
        const type = union(payloadTypes);
        return { ...view, payloadType: type === 'undefined' ? undefined : type };
    });
    for (const { call, view } of pendingCalls) {
        const type = union(view.payloadTypes);
        call.payloadType = type === 'undefined' ? undefined : type;
    }

    return {
        ...names,
        sourceFile,
        events,
        timerCount: nextTimerId - events.length,
        states,
        initial: states.find((state) => state.initial) ?? states[0]!,
        sockets,
        signals: machine.signals.map((signal) => ({ signal: signal.signal, eventKey: eventView(signal.event.ref).key })),
        members: memberViews,
        serverSessions: serverSessions(sockets),
        sessionMachines: [],
        isSession
    };
}

function socketView(
    socket: Socket,
    names: MachineNames,
    moduleNames: NameAllocator,
    key: string,
    eventView: (event: Event | undefined) => EventView,
    namesOf: (machine: Machine) => MachineNames,
    heartbeatMember: (hook: string) => string
): SocketView {
    const mapped = (socketEvent: string): string | undefined => {
        const mapping = socket.members.find((member) => member.$type === 'EventMapping' && member.socketEvent === socketEvent);
        return mapping?.$type === 'EventMapping' ? eventView(mapping.event.ref).key : undefined;
    };
    const option = <T extends Socket['members'][number]['$type']>(type: T): Extract<Socket['members'][number], { $type: T }> | undefined =>
        socket.members.find((member) => member.$type === type) as Extract<Socket['members'][number], { $type: T }> | undefined;
    const flag = (name: string): boolean => socket.members.some((member) => member.$type === 'FlagOption' && member.option === name);
    const className = moduleNames.claim(`${pascalCase(names.name)}${pascalCase(socket.name)}`);
    const envVariable = `${constantCase(names.name)}_${constantCase(socket.name)}`;
    const keepalive = option('KeepaliveOption');
    const keepAliveMs = keepalive ? durationMs(keepalive.delay) ?? 0 : undefined;
    const address = socket.$type === 'Connection' ? undefined : parseAddress(socket.address);
    const host = address?.ok ? address.value.host : '';
    const port = address?.ok ? address.value.port : 0;

    const base = { name: socket.name, key, className, envVariable, host, port };
    if (socket.$type === 'Server') {
        const session = option('SessionOption')!.machine.ref!;
        const backlog = option('BacklogOption');
        const parsedBacklog = backlog ? parseCount(backlog.size, 1, 65535) : undefined;
        return {
            kind: 'server',
            ...base,
            ...(parsedBacklog?.ok ? { backlog: parsedBacklog.value } : {}),
            noDelay: flag('nodelay'),
            ...(keepAliveMs === undefined ? {} : { keepAliveMs }),
            events: { accept: mapped('accept'), error: mapped('error'), close: mapped('close') },
            session: namesOf(session)
        };
    }
    const heartbeat = option('HeartbeatOption');
    const idle = option('IdleOption');
    const timeout = option('TimeoutOption');
    const reconnect = option('ReconnectOption');
    const view: StreamSocketView = {
        kind: socket.$type === 'Client' ? 'client' : 'connection',
        ...base,
        events: {
            connect: mapped('connect'),
            read: mapped('read'),
            drain: mapped('drain'),
            close: mapped('close'),
            error: mapped('error'),
            timeout: mapped('timeout'),
            idle: idle ? eventView(idle.event.ref).key : undefined,
            heartbeatLost: heartbeat ? eventView(heartbeat.event.ref).key : undefined
        },
        options: {
            noDelay: flag('nodelay'),
            ...(keepAliveMs === undefined ? {} : { keepAliveMs }),
            ...(idle ? { idleMs: durationMs(idle.delay)! } : {}),
            ...(heartbeat ? { heartbeatMs: durationMs(heartbeat.interval)!, heartbeatTimeoutMs: durationMs(heartbeat.timeout)! } : {}),
            ...(timeout ? { connectTimeoutMs: durationMs(timeout.delay)! } : {}),
            ...(reconnect ? { reconnect: { minMs: durationMs(reconnect.min)!, maxMs: durationMs(reconnect.max)! } } : {})
        }
    };
    if (heartbeat) {
        view.heartbeatMember = heartbeatMember(`heartbeat${pascalCase(socket.name)}`);
    }
    return view;
}
