// What an instance's key says of it alone (ownKey in state-key.ts, the definition) as numbers, written into a list:
// the same fields in the same order, each a number (statuses, flags, counts, document order numbers) or the atom of
// its text where it is text (histories, bytes held). The search's table numbers these lists as it numbered the text
// (StateTable.ownAtom), without making a string for every instance a move changes. Equal lists for exactly the equal
// texts: the shared-instances test holds the codes to the keys on every world the search reaches.
import type { Instance, ServerStatus, SocketState, StreamStatus } from '../semantics/instance.js';
import type { IntList } from './int-list.js';
import { attemptKey, framesKey, heartbeatTicks, heldKey, historiesKey } from './state-key.js';
import { socketMark, type World } from './world.js';

const STREAM_STATUS: Readonly<Record<StreamStatus, number>> = { idle: 0, connecting: 1, connected: 2, closing: 3, closed: 4 };
const SERVER_STATUS: Readonly<Record<ServerStatus, number>> = { idle: 0, listening: 1, closing: 2, closed: 3 };

/** Stands for a finished instance after its machine (ownKey's `:F`). */
const FINISHED = -1;

/** Numbers text (the table's atoms). */
export interface Atoms {
    atom(text: string): number;
}

/**
 * Writes `instance`'s own key as numbers into `out` (from its end): its machine (`machine`, the machine's atom), then,
 * unless finished, its active states, what its histories remember, and each socket (in declaration order). The marks
 * a world puts on sockets count only when `marked` (a world without marks has none to look up).
 */
export function pushOwnCode(out: IntList, atoms: Atoms, world: World, instance: Instance, machine: number, marked: boolean): void {
    out.push(machine);
    if (instance.finished) {
        out.push(FINISHED);
        return;
    }
    // The active states' document order numbers, ascending.
    const active = instance.active;
    out.push(active.size);
    if (active.size === 1) {
        for (const node of active) {
            out.push(node.order);
        }
    } else {
        const start = out.length;
        for (const node of active) {
            out.push(node.order);
        }
        out.data.subarray(start, out.length).sort();
    }
    out.push(instance.histories.size === 0 ? -1 : atoms.atom(historiesKey(instance)));
    for (const socket of instance.sockets.values()) {
        pushSocket(out, atoms, world, instance, socket, marked);
    }
}

/** A socket's situation (socketKey): status, flags, counts, what it holds, its heartbeat, the world's marks on it. */
function pushSocket(out: IntList, atoms: Atoms, world: World, instance: Instance, socket: SocketState, marked: boolean): void {
    if (socket.kind === 'server') {
        out.push(SERVER_STATUS[socket.status]);
        out.push(marked && world.listenFailed.size > 0 && world.listenFailed.has(`${instance.name}.${socket.spec.name}`) ? 1 : 0);
        return;
    }
    out.push(STREAM_STATUS[socket.status]);
    out.push((socket.closeRequested ? 1 : 0) | (socket.paused ? 2 : 0) | (socket.unsentWhileConnecting > 0 ? 4 : 0));
    out.push(attemptKey(socket));
    out.push(socket.lingering);
    out.push(socket.held.length);
    for (const held of socket.held) {
        out.push(atoms.atom(heldKey(held)));
    }
    out.push(socket.frames && socket.frames.buffered > 0 ? atoms.atom(framesKey(socket)) : -1);
    out.push(heartbeatTicks(socket));
    let marks = 0;
    if (marked) {
        const mark = socketMark(instance.name, socket.spec.name, socket.generation);
        marks = (world.envEnded.has(mark) ? 1 : 0) | (world.owesDrain.has(mark) ? 2 : 0) | (socket.kind === 'process' && world.spawnSettled.has(mark) ? 4 : 0);
    }
    out.push(marks);
}
