// Starts the two echo servers as child processes on free loopback ports: the generated one and the raw `net` one.
import * as path from 'node:path';
import { freePort, startChild, stopChild, waitForPort, type Child } from './children.js';

export interface RunningServer {
    readonly child: Child;
    readonly port: number;
    /** The fd limit the server really runs with, as "soft:hard" from /proc, and how it was obtained. */
    readonly nofile?: string;
    stop(): Promise<void>;
}

async function started(child: Child, port: number, nofile?: string): Promise<RunningServer> {
    try {
        await waitForPort(port, child);
    } catch (error) {
        await stopChild(child);
        throw error;
    }
    return { child, port, ...(nofile === undefined ? {} : { nofile }), stop: () => stopChild(child) };
}

/** The generated echo server (dist/main.js), with an IPC channel for its stats; under `prlimit` when `nofile` is given. */
export async function startGeneratedEcho(dist: string, nofile?: number): Promise<RunningServer> {
    const port = await freePort();
    const main = path.join(dist, 'main.js');
    const command = nofile === undefined ? process.execPath : 'prlimit';
    const args = nofile === undefined ? [main] : [`--nofile=${nofile}:${nofile}`, process.execPath, main];
    const child = startChild(command, args, {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, ECHO_SERVER_LISTENER: `127.0.0.1:${port}` }
    });
    return started(child, port, nofile === undefined ? undefined : String(nofile));
}

/** The baseline: raw-echo-server.ts, compiled to plain JavaScript (`script`) so it runs on bare Node like the generated one. */
export async function startRawEcho(script: string): Promise<RunningServer> {
    const port = await freePort();
    const child = startChild(process.execPath, [script], {
        env: { ...process.env, RAW_ECHO_LISTENER: `127.0.0.1:${port}` }
    });
    return started(child, port);
}

export interface ServerStats {
    readonly sessions: number;
    readonly accepted: number;
    readonly pauses: number;
    readonly rss: number;
    readonly heapUsed: number;
}

/** Asks the generated server (through its actions file's IPC handler) for its live sessions and memory. */
export function serverStats(server: RunningServer, timeoutMs = 5_000): Promise<ServerStats> {
    const proc = server.child.process;
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            proc.off('message', answer);
            reject(new Error('the server did not answer a stats request'));
        }, timeoutMs);
        const answer = (message: unknown): void => {
            clearTimeout(timer);
            proc.off('message', answer);
            resolve(message as ServerStats);
        };
        proc.on('message', answer);
        proc.send('stats');
    });
}
