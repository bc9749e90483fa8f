// Copies one instance of a simulation, with the timers it owns, before the simulation first changes it: a copied
// simulation shares its source's instances until then (Simulation.own), so a step copies only what it touches.
import { Instance, type StreamSocket, type VirtualTimer } from './instance.js';

/**
 * A copy of `source` that `writer` may change: its own states, queue and sockets (servers list their sessions by
 * name, so a session copied keeps its server and the other way round), and its own timers: those `source` owns in
 * `timers` (the simulation's armed timers) are replaced there, in place, by the copy's.
 */
export function copyInstance(source: Instance, timers: VirtualTimer[], writer: object): Instance {
    const copy = new Instance(source.name, source.spec, source.server, source);
    copy.writer = writer;
    // The source's timers and their copies, by position (a handful at most).
    const owned: VirtualTimer[] = [];
    const copies: VirtualTimer[] = [];
    for (let index = 0; index < timers.length; index++) {
        const timer = timers[index]!;
        if (timer.owner === source) {
            const timerCopy: VirtualTimer = { due: timer.due, order: timer.order, label: timer.label, owner: copy, job: timer.job, keyAtom: -1, keyAtomBy: undefined };
            owned.push(timer);
            copies.push(timerCopy);
            timers[index] = timerCopy;
        }
    }
    // One pass over the sockets (a map's values: no entry pairs), each copied with its timers' copies.
    for (const socket of source.sockets.values()) {
        copy.sockets.set(
            socket.spec.name,
            socket.kind === 'server' ? { kind: 'server', spec: socket.spec, status: socket.status, sessions: socket.sessions.slice(), accepted: socket.accepted } : copyStream(socket, owned, copies)
        );
    }
    return copy;
}

/** The copy of an armed timer `source` (in `owned`, copied to the same place in `copies`). */
function copyOf(source: VirtualTimer | undefined, owned: readonly VirtualTimer[], copies: readonly VirtualTimer[]): VirtualTimer | undefined {
    if (source === undefined) {
        return undefined;
    }
    const at = owned.indexOf(source);
    if (at < 0) {
        throw new Error(`internal: a socket or state of ${source.owner.name} holds a timer (${source.label}) that is not armed`);
    }
    return copies[at];
}

/** A stream socket's own copy, with the copies of its timers; written out field by field, which is faster than a spread. */
function copyStream(socket: StreamSocket, owned: readonly VirtualTimer[], copies: readonly VirtualTimer[]): StreamSocket {
    return {
        kind: socket.kind,
        spec: socket.spec,
        status: socket.status,
        closeRequested: socket.closeRequested,
        attempt: socket.attempt,
        lastReceived: socket.lastReceived,
        connectTimer: copyOf(socket.connectTimer, owned, copies),
        reconnectTimer: copyOf(socket.reconnectTimer, owned, copies),
        lingerTimer: copyOf(socket.lingerTimer, owned, copies),
        idleTimer: copyOf(socket.idleTimer, owned, copies),
        heartbeatTimer: copyOf(socket.heartbeatTimer, owned, copies),
        generation: socket.generation,
        lingering: socket.lingering,
        frames: socket.frames?.copy(),
        paused: socket.paused,
        held: socket.held.length === 0 ? [] : socket.held.slice(),
        unsentWhileConnecting: socket.unsentWhileConnecting
    };
}
