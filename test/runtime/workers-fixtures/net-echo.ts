// A tiny program for runWorkers without the generator: an echo server on node:net in each worker, which says who it
// is first ("worker ID PID\n"). FIXTURE_PORT: where it listens; FIXTURE_WORKERS: the declared count (a number or
// auto); FIXTURE_EXIT: 'now' ends each worker at once with that status (FIXTURE_STATUS), 'first' only the first worker.
// SIGTERM closes the server, ends every connection once its peer has ended it, and exits 0.
import { createServer, type Socket } from 'node:net';
import { runWorkers } from '../../../templates/runtime/cluster.js';

const declared = process.env.FIXTURE_WORKERS === 'auto' ? 'auto' : Number(process.env.FIXTURE_WORKERS ?? '2');

async function runProgram(): Promise<number> {
    const id = process.env.REACTOR_WORKER_ID ?? '?';
    if (process.env.FIXTURE_EXIT === 'now' || (process.env.FIXTURE_EXIT === 'first' && id === '1')) {
        process.stderr.write(`worker ${id}: failing on purpose\n`);
        return Number(process.env.FIXTURE_STATUS ?? '1');
    }
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.write(`worker ${id} ${process.pid}\n`);
        socket.pipe(socket);
    });
    return new Promise<number>((resolve) => {
        server.once('error', (error) => {
            process.stderr.write(`worker ${id}: ${error.message}\n`);
            resolve(1);
        });
        server.listen(Number(process.env.FIXTURE_PORT), '127.0.0.1', () => process.stderr.write(`worker ${id} listening (pid ${process.pid})\n`));
        process.once('SIGTERM', () => {
            server.close(() => resolve(0));
        });
    });
}

process.exitCode = await runWorkers(declared, runProgram, { startupMs: Number(process.env.FIXTURE_STARTUP_MS ?? '1000'), startupFallbackMs: 60_000 });
