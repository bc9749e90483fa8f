// Child process: the baseline echo server, Node's `net` and nothing else. Listens on RAW_ECHO_LISTENER (host:port).
import { createServer } from 'node:net';

const [host, port] = (process.env.RAW_ECHO_LISTENER ?? '127.0.0.1:0').split(':') as [string, string];
const server = createServer((socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
});
server.listen({ host, port: Number(port), backlog: 511 });
process.on('SIGTERM', () => {
    server.close();
    process.exit(0);
});
