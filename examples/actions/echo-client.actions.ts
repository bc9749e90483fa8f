// Actions of the EchoClient example: greet the server, print what comes back, ping on every heartbeat.
// `npm start` copies this file into the generated project before generating, so it is kept there.
import type { EchoClientActions } from './echo-client.events.js';

let sent = 0;

export const echoClientActions: EchoClientActions = {
    greet(machine) {
        sent++;
        machine.sockets.upstream.write(`hello #${sent} from ${machine.name}\n`);
    },

    printReply(_machine, payload) {
        for (const line of payload.toString('utf8').split('\n').filter((text) => text !== '')) {
            process.stdout.write(`[EchoClient] server echoed: ${line}\n`);
        }
    },

    heartbeatUpstream(machine) {
        // The echo server sends the ping back, which is what keeps the heartbeat alive.
        machine.sockets.upstream.write('ping\n');
    }
};
