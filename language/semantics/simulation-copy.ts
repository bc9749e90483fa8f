// Copies the instances and timers of a simulation between steps: the copy shares the program (specs, state trees) and nothing that changes.
import { Instance, type ServerSocket, type SocketState, type StreamSocket, type VirtualTimer } from './instance.js';

export interface CopiedInstances {
    readonly instances: Instance[];
    readonly timers: VirtualTimer[];
}

/** Copies `instances` (in order) and `timers` (each owned by one of them): sessions keep their server, sockets their timers. */
export function copyInstances(instances: readonly Instance[], timers: readonly VirtualTimer[]): CopiedInstances {
    const instanceCopies = new Map<Instance, Instance>();
    const serverCopies = new Map<ServerSocket, ServerSocket>();
    const timerCopies = new Map<VirtualTimer, VirtualTimer>();
    // Top-level machines come before the sessions their servers start, so a session's server is copied before it.
    for (const source of instances) {
        const server = source.server ? serverCopies.get(source.server) : undefined;
        if (source.server && !server) {
            throw new Error(`internal: the server of ${source.name} is not copied before it`);
        }
        const copy = new Instance(source.name, source.spec, server, source);
        instanceCopies.set(source, copy);
        for (const [name, socket] of source.sockets) {
            if (socket.kind === 'server') {
                const serverCopy: ServerSocket = { kind: 'server', spec: socket.spec, status: socket.status, sessions: [], accepted: socket.accepted };
                serverCopies.set(socket, serverCopy);
                copy.sockets.set(name, serverCopy);
            } else {
                copy.sockets.set(name, copyStream(socket));
            }
        }
    }
    const copiedTimers = timers.map((timer) => {
        const owner = instanceCopies.get(timer.owner);
        if (!owner) {
            throw new Error(`internal: a timer of ${timer.owner.name}, which the simulation does not hold`);
        }
        const copy: VirtualTimer = { due: timer.due, order: timer.order, label: timer.label, owner, job: timer.job };
        timerCopies.set(timer, copy);
        return copy;
    });
    const timer = (source: VirtualTimer | undefined): VirtualTimer | undefined => {
        if (source === undefined) {
            return undefined;
        }
        const copy = timerCopies.get(source);
        if (!copy) {
            throw new Error(`internal: a socket or state holds a timer (${source.label}) that is not armed`);
        }
        return copy;
    };
    for (const [source, copy] of instanceCopies) {
        for (const [state, armed] of source.stateTimers) {
            copy.stateTimers.set(state, new Map([...armed].map(([index, armedTimer]) => [index, timer(armedTimer)!])));
        }
        for (const [name, socket] of source.sockets) {
            const socketCopy = copy.sockets.get(name) as SocketState;
            if (socket.kind === 'server') {
                (socketCopy as ServerSocket).sessions.push(...socket.sessions.map((session) => instanceCopies.get(session)!));
            } else {
                const stream = socketCopy as StreamSocket;
                stream.connectTimer = timer(socket.connectTimer);
                stream.reconnectTimer = timer(socket.reconnectTimer);
                stream.lingerTimer = timer(socket.lingerTimer);
                stream.idleTimer = timer(socket.idleTimer);
                stream.heartbeatTimer = timer(socket.heartbeatTimer);
            }
        }
    }
    return { instances: instances.map((source) => instanceCopies.get(source)!), timers: copiedTimers };
}

/** A stream socket's own copy (its timers are set by the caller); written out field by field, which is faster than a spread. */
function copyStream(socket: StreamSocket): StreamSocket {
    return {
        kind: socket.kind,
        spec: socket.spec,
        status: socket.status,
        closeRequested: socket.closeRequested,
        attempt: socket.attempt,
        lastReceived: socket.lastReceived,
        connectTimer: undefined,
        reconnectTimer: undefined,
        lingerTimer: undefined,
        idleTimer: undefined,
        heartbeatTimer: undefined,
        generation: socket.generation,
        lingering: socket.lingering,
        frames: socket.frames?.copy(),
        paused: socket.paused,
        held: socket.held.length === 0 ? [] : [...socket.held],
        unsentWhileConnecting: socket.unsentWhileConnecting
    };
}
