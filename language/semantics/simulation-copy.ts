// Copies the instances and timers of a simulation between steps: the copy shares the program (specs, state trees) and nothing that changes.
import { Instance, type ServerSocket, type StreamSocket, type VirtualTimer } from './instance.js';

export interface CopiedInstances {
    readonly instances: Instance[];
    readonly timers: VirtualTimer[];
}

/**
 * Copies `instances` (in order) and `timers` (each owned by one of them): sessions keep their server, sockets their timers.
 * A simulation holds a handful of instances and timers, so copies are found by position in arrays (faster than maps
 * here: the system check copies a simulation for every move it tries), and nothing else is allocated on the way.
 */
export function copyInstances(instances: readonly Instance[], timers: readonly VirtualTimer[]): CopiedInstances {
    const instanceCopies: Instance[] = new Array<Instance>(instances.length);
    // Server sockets, each followed by its copy.
    const servers: ServerSocket[] = [];
    // Top-level machines come before the sessions their servers start, so a session's server is copied before it.
    for (let index = 0; index < instances.length; index++) {
        const source = instances[index]!;
        let server: ServerSocket | undefined;
        if (source.server) {
            const at = servers.indexOf(source.server);
            if (at < 0) {
                throw new Error(`internal: the server of ${source.name} is not copied before it`);
            }
            server = servers[at + 1];
        }
        const copy = new Instance(source.name, source.spec, server, source);
        instanceCopies[index] = copy;
        for (const [name, socket] of source.sockets) {
            if (socket.kind === 'server') {
                const serverCopy: ServerSocket = { kind: 'server', spec: socket.spec, status: socket.status, sessions: [], accepted: socket.accepted };
                servers.push(socket, serverCopy);
                copy.sockets.set(name, serverCopy);
            } else {
                copy.sockets.set(name, copyStream(socket));
            }
        }
    }
    const copiedTimers: VirtualTimer[] = new Array<VirtualTimer>(timers.length);
    for (let index = 0; index < timers.length; index++) {
        const timer = timers[index]!;
        const at = instances.indexOf(timer.owner);
        if (at < 0) {
            throw new Error(`internal: a timer of ${timer.owner.name}, which the simulation does not hold`);
        }
        copiedTimers[index] = { due: timer.due, order: timer.order, label: timer.label, owner: instanceCopies[at]!, job: timer.job };
    }
    for (let index = 0; index < instances.length; index++) {
        const source = instances[index]!;
        const copy = instanceCopies[index]!;
        if (source.stateTimers.size > 0) {
            for (const [state, armed] of source.stateTimers) {
                const armedCopy = new Map<number, VirtualTimer>();
                for (const [at, armedTimer] of armed) {
                    armedCopy.set(at, timerCopy(armedTimer, timers, copiedTimers)!);
                }
                copy.stateTimers.set(state, armedCopy);
            }
        }
        for (const [name, socket] of source.sockets) {
            const socketCopy = copy.sockets.get(name)!;
            if (socket.kind === 'server') {
                const sessions = (socketCopy as ServerSocket).sessions;
                for (const session of socket.sessions) {
                    sessions.push(instanceCopies[instances.indexOf(session)]!);
                }
            } else {
                const stream = socketCopy as StreamSocket;
                stream.connectTimer = timerCopy(socket.connectTimer, timers, copiedTimers);
                stream.reconnectTimer = timerCopy(socket.reconnectTimer, timers, copiedTimers);
                stream.lingerTimer = timerCopy(socket.lingerTimer, timers, copiedTimers);
                stream.idleTimer = timerCopy(socket.idleTimer, timers, copiedTimers);
                stream.heartbeatTimer = timerCopy(socket.heartbeatTimer, timers, copiedTimers);
            }
        }
    }
    return { instances: instanceCopies, timers: copiedTimers };
}

/** The copy of an armed timer `source` (in `timers`, copied to the same place in `copies`). */
function timerCopy(source: VirtualTimer | undefined, timers: readonly VirtualTimer[], copies: readonly VirtualTimer[]): VirtualTimer | undefined {
    if (source === undefined) {
        return undefined;
    }
    const at = timers.indexOf(source);
    if (at < 0) {
        throw new Error(`internal: a socket or state holds a timer (${source.label}) that is not armed`);
    }
    return copies[at];
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
