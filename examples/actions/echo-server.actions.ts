// Actions of the EchoServer example: count the clients that join.
import type { EchoServerActions } from './echo-server.events.js';

let clients = 0;

export const echoServerActions: EchoServerActions = {
    countClient(_machine, session) {
        clients++;
        process.stdout.write(`[EchoServer] client ${clients} joined: ${session.sockets.peer.peer}\n`);
    }
};
