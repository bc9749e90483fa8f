// Actions of the EchoSession example: send every byte back (backpressure is the runtime's job).
import type { EchoSessionActions } from './echo-session.events.js';

export const echoSessionActions: EchoSessionActions = {
    echo(machine, payload) {
        machine.sockets.peer.write(payload);
    }
};
