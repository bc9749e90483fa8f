// The actions files of the generated echo server (examples/echo-server.fsm): written over the generated stubs.
// EchoSession echoes what it reads. EchoServer remembers the server machine so the benchmark can ask, over the
// child-process IPC channel, how many sessions are live and how much memory the process holds.

export const ECHO_ACTION_FILES: Readonly<Record<string, string>> = {
    'src/echo-session.actions.ts': `// Benchmark actions of EchoSession: echo every chunk back.
import type { EchoSessionActions } from './echo-session.events.js';

export const echoSessionActions: EchoSessionActions = {
    echo(machine, payload) {
        machine.sockets.peer.write(payload);
    },
};
`,
    'src/echo-server.actions.ts': `// Benchmark actions of EchoServer: count clients; answer 'stats' requests from the benchmark (IPC).
import type { EchoServerMachine } from './echo-server.machine.js';
import type { EchoServerActions } from './echo-server.events.js';

let server: EchoServerMachine | undefined;

if (process.send) {
    process.on('message', (message) => {
        if (message === 'stats') {
            const listener = server?.sockets.listener;
            const memory = process.memoryUsage();
            process.send?.({ sessions: listener?.sessions.size ?? 0, accepted: listener?.accepted ?? 0, pauses: listener?.pauses ?? 0, rss: memory.rss, heapUsed: memory.heapUsed });
        }
    });
    // The channel must not keep the server alive once its machine has finished.
    process.channel?.unref();
}

export const echoServerActions: EchoServerActions = {
    countClient(machine) {
        server = machine;
    },
};
`
};
