// Copies one instance of a simulation before the simulation first changes it: a copied simulation shares its source's
// instances (and timers) until then (Simulation.own), so a step copies only what it touches.
import { Instance, type StreamSocket } from './instance.js';

/**
 * A copy of `source` that `writer` may change: its own states (shared until changed: Instance.enterState), queue and
 * sockets (servers list their sessions by name, so a session copied keeps its server and the other way round). Its
 * timers stay as they are: a timer is not changed once armed and names its owner.
 */
export function copyInstance(source: Instance, writer: object): Instance {
    const copy = new Instance(source.name, source.spec, source.server, source);
    copy.writer = writer;
    // Timers are not changed once armed and name their owner: a socket's copy keeps its timers.
    for (const socket of source.sockets.values()) {
        copy.sockets.set(
            socket.spec.name,
            socket.kind === 'server' ? { kind: 'server', spec: socket.spec, status: socket.status, sessions: socket.sessions.slice(), accepted: socket.accepted } : copyStream(socket)
        );
    }
    return copy;
}

/** A stream socket's own copy; written out field by field, which is faster than a spread. */
function copyStream(socket: StreamSocket): StreamSocket {
    return {
        kind: socket.kind,
        spec: socket.spec,
        status: socket.status,
        closeRequested: socket.closeRequested,
        attempt: socket.attempt,
        lastReceived: socket.lastReceived,
        connectTimer: socket.connectTimer,
        reconnectTimer: socket.reconnectTimer,
        lingerTimer: socket.lingerTimer,
        idleTimer: socket.idleTimer,
        heartbeatTimer: socket.heartbeatTimer,
        generation: socket.generation,
        lingering: socket.lingering,
        frames: socket.frames?.copy(),
        paused: socket.paused,
        held: socket.held.length === 0 ? [] : socket.held.slice(),
        unsentWhileConnecting: socket.unsentWhileConnecting
    };
}
