// The views of a machine's sockets: the Dispatcher class of each, its address, options and the events it raises.
import type { Machine, Socket } from '../generated/ast.js';
import type { MachineNames, ProcessSocketView, ServerSocketView, SocketView, StreamSocketView } from '../../templates/index.js';
import { processCommand, tlsSettings } from '../values/endpoints.js';
import { parseAddress } from '../values/addresses.js';
import { parseCount } from '../values/quantities.js';
import type { EventTable } from './events.js';
import { constantCase } from './identifiers.js';
import { heartbeatHook, type MemberTable } from './members.js';
import { durationMs } from './model-values.js';
import type { ModuleNames } from './names.js';
import { sessionOf } from './sessions.js';
import { socketFraming } from '../values/framing.js';

type SocketMember = Socket['members'][number];

/** What a socket view refers to: the machine's names, events and members, and the names of session machines. */
export interface SocketScope {
    names: MachineNames;
    moduleNames: ModuleNames;
    socketKeys: ReadonlyMap<string, string>;
    events: EventTable;
    members: MemberTable;
    namesOf: (machine: Machine) => MachineNames;
}

function option<T extends SocketMember['$type']>(socket: Socket, type: T): Extract<SocketMember, { $type: T }> | undefined {
    return socket.members.find((member) => member.$type === type) as Extract<SocketMember, { $type: T }> | undefined;
}

/** Whether the socket's `read` event (a process's `stdout`) is declared to carry text (`Line(string)`). */
function readsText(socket: Socket, reading: 'read' | 'stdout' = 'read'): boolean {
    return socket.members.some((member) => member.$type === 'EventMapping' && member.socketEvent === reading && member.event?.ref?.type === 'string');
}

export function socketView(socket: Socket, scope: SocketScope): SocketView {
    const mapped = (socketEvent: string): string | undefined => {
        const mapping = socket.members.find((member) => member.$type === 'EventMapping' && member.socketEvent === socketEvent);
        return mapping?.$type === 'EventMapping' ? scope.events.of(mapping.event.ref).key : undefined;
    };
    const flag = (name: string): boolean => socket.members.some((member) => member.$type === 'FlagOption' && member.option === name);
    const keepalive = option(socket, 'KeepaliveOption');
    const keepAliveMs = keepalive ? (keepalive.delay === undefined ? 0 : durationMs(keepalive.delay)) : undefined;
    const address = socket.$type === 'Connection' || socket.$type === 'Process' ? undefined : parseAddress(socket.address);
    const base = {
        name: socket.name,
        key: scope.socketKeys.get(socket.name)!,
        className: scope.moduleNames.socketClasses.get(socket)!,
        envVariable: `${constantCase(scope.names.name)}_${constantCase(socket.name)}`,
        host: address?.ok ? address.value.host : '',
        port: address?.ok ? address.value.port : 0,
        ...(address?.ok && address.value.path !== undefined ? { path: address.value.path } : {})
    };
    const tls = tlsSettings(socket);
    if (socket.$type === 'Process') {
        const command = processCommand(socket);
        const framing = socketFraming(socket);
        const process: ProcessSocketView = {
            kind: 'process',
            ...base,
            command: command.ok ? command.value.command : '',
            args: command.ok ? command.value.args : [],
            events: { stdout: mapped('stdout'), exit: mapped('exit'), error: mapped('error'), drain: mapped('drain') },
            options: {
                ...(framing.kind === 'none' ? {} : { framing }),
                ...(readsText(socket, 'stdout') ? { readText: true } : {})
            }
        };
        return process;
    }
    if (socket.$type === 'Server') {
        const backlog = option(socket, 'BacklogOption');
        const parsedBacklog = backlog ? parseCount(backlog.size, 1, 65535) : undefined;
        const server: ServerSocketView = {
            kind: 'server',
            ...base,
            ...(parsedBacklog?.ok ? { backlog: parsedBacklog.value } : {}),
            noDelay: flag('nodelay'),
            ...(keepAliveMs === undefined ? {} : { keepAliveMs }),
            events: { accept: mapped('accept'), error: mapped('error'), close: mapped('close') },
            session: scope.namesOf(sessionOf(socket)!),
            ...(tls ? { tls } : {})
        };
        return server;
    }
    const heartbeat = option(socket, 'HeartbeatOption');
    const idle = option(socket, 'IdleOption');
    const timeout = option(socket, 'TimeoutOption');
    const reconnect = option(socket, 'ReconnectOption');
    const framing = socketFraming(socket);
    const stream: StreamSocketView = {
        kind: socket.$type === 'Client' ? 'client' : 'connection',
        ...base,
        events: {
            connect: mapped('connect'),
            read: mapped('read'),
            drain: mapped('drain'),
            close: mapped('close'),
            error: mapped('error'),
            timeout: mapped('timeout'),
            idle: idle ? scope.events.of(idle.event.ref).key : undefined,
            heartbeatLost: heartbeat ? scope.events.of(heartbeat.event.ref).key : undefined
        },
        options: {
            noDelay: flag('nodelay'),
            ...(keepAliveMs === undefined ? {} : { keepAliveMs }),
            ...(idle ? { idleMs: durationMs(idle.delay) } : {}),
            ...(heartbeat ? { heartbeatMs: durationMs(heartbeat.interval), heartbeatTimeoutMs: durationMs(heartbeat.timeout) } : {}),
            ...(timeout ? { connectTimeoutMs: durationMs(timeout.delay) } : {}),
            ...(reconnect ? { reconnect: { minMs: durationMs(reconnect.min), maxMs: durationMs(reconnect.max) } } : {}),
            ...(framing.kind === 'none' ? {} : { framing }),
            ...(readsText(socket) ? { readText: true } : {})
        },
        ...(heartbeat ? { heartbeatMember: scope.members.of('heartbeat', heartbeatHook(socket.name)).member } : {}),
        ...(tls ? { tls } : {})
    };
    return stream;
}
