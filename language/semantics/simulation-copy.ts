// Copies the instances and timers of a simulation between steps: the copy shares the program (specs, state trees) and nothing that changes.
import { Instance, type ServerSocket, type SocketState, type StreamSocket, type VirtualTimer } from './instance.js';

export interface CopiedInstances {
    readonly instances: Instance[];
    readonly timers: VirtualTimer[];
}

/**
 * Copies `instances` (in order) and `timers` (each owned by one of them): sessions keep their server, sockets their timers.
 * A simulation holds a handful of instances and timers, so copies are found by position in arrays (faster than maps
 * here: the system check copies a simulation for every move it tries).
 */
export function copyInstances(instances: readonly Instance[], timers: readonly VirtualTimer[]): CopiedInstances {
    const instanceCopies: Instance[] = [];
    const servers: ServerSocket[] = [];
    const serverCopies: ServerSocket[] = [];
    // Top-level machines come before the sessions their servers start, so a session's server is copied before it.
    for (const source of instances) {
        const at = source.server ? servers.indexOf(source.server) : -1;
        if (source.server && at < 0) {
            throw new Error(`internal: the server of ${source.name} is not copied before it`);
        }
        const copy = new Instance(source.name, source.spec, at < 0 ? undefined : serverCopies[at], source);
        instanceCopies.push(copy);
        for (const [name, socket] of source.sockets) {
            if (socket.kind === 'server') {
                const serverCopy: ServerSocket = { kind: 'server', spec: socket.spec, status: socket.status, sessions: [], accepted: socket.accepted };
                servers.push(socket);
                serverCopies.push(serverCopy);
                copy.sockets.set(name, serverCopy);
            } else {
                copy.sockets.set(name, copyStream(socket));
            }
        }
    }
    const copiedTimers: VirtualTimer[] = [];
    for (const timer of timers) {
        const at = instances.indexOf(timer.owner);
        if (at < 0) {
            throw new Error(`internal: a timer of ${timer.owner.name}, which the simulation does not hold`);
        }
        copiedTimers.push({ due: timer.due, order: timer.order, label: timer.label, owner: instanceCopies[at]!, job: timer.job });
    }
    const timer = (source: VirtualTimer | undefined): VirtualTimer | undefined => {
        if (source === undefined) {
            return undefined;
        }
        const at = timers.indexOf(source);
        if (at < 0) {
            throw new Error(`internal: a socket or state holds a timer (${source.label}) that is not armed`);
        }
        return copiedTimers[at];
    };
    instances.forEach((source, index) => {
        const copy = instanceCopies[index]!;
        for (const [state, armed] of source.stateTimers) {
            const armedCopy = new Map<number, VirtualTimer>();
            for (const [at, armedTimer] of armed) {
                armedCopy.set(at, timer(armedTimer)!);
            }
            copy.stateTimers.set(state, armedCopy);
        }
        for (const [name, socket] of source.sockets) {
            const socketCopy = copy.sockets.get(name) as SocketState;
            if (socket.kind === 'server') {
                for (const session of socket.sessions) {
                    (socketCopy as ServerSocket).sessions.push(instanceCopies[instances.indexOf(session)]!);
                }
            } else {
                const stream = socketCopy as StreamSocket;
                stream.connectTimer = timer(socket.connectTimer);
                stream.reconnectTimer = timer(socket.reconnectTimer);
                stream.lingerTimer = timer(socket.lingerTimer);
                stream.idleTimer = timer(socket.idleTimer);
                stream.heartbeatTimer = timer(socket.heartbeatTimer);
            }
        }
    });
    return { instances: instanceCopies, timers: copiedTimers };
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
