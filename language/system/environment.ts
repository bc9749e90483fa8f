// What the environment can do to a model's sockets, and the one message it sends (content is opaque to models).
import { encodeFrame, framingOf } from '../../templates/runtime/framing.js';
import type { MachineSpec, SocketSpec } from '../semantics/program.js';

/** The message an environment peer sends: one whole message in the socket's framing (guards decide what it means). */
export function environmentMessage(socket: SocketSpec): Buffer {
    return encodeFrame(framingOf(socket.framing), 'x');
}

/**
 * Events of a machine that nothing in the model produces (no socket, signal, timer, heartbeat, idle or `raise`): the
 * program's own API, which code outside the model sends (`machine.send`). The environment may send them at any time.
 */
export function externalEvents(machine: MachineSpec): string[] {
    const produced = new Set<string>();
    for (const socket of machine.sockets) {
        for (const event of Object.values(socket.events)) {
            if (event !== undefined) {
                produced.add(event);
            }
        }
        if (socket.heartbeat) {
            produced.add(socket.heartbeat.event);
        }
        if (socket.idle) {
            produced.add(socket.idle.event);
        }
    }
    for (const signal of machine.signals) {
        produced.add(signal.event);
    }
    const visit = (states: MachineSpec['states']): void => {
        for (const state of states) {
            for (const action of [...state.entry, ...state.exit, ...state.transitions.flatMap((transition) => transition.actions), ...state.timers.flatMap((timer) => timer.actions)]) {
                if (action.kind === 'raise') {
                    produced.add(action.event);
                }
            }
            visit(state.children);
        }
    };
    visit(machine.states);
    return machine.events.filter((event) => !produced.has(event));
}
