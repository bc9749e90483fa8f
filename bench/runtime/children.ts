// Child processes of the benchmark: started here, tracked, and always killed (by pid) when the run ends.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

const children = new Set<ChildProcess>();

export interface Child {
    readonly process: ChildProcess;
    /** Everything the child wrote to stderr so far (last 64 KB). */
    stderr(): string;
    /** Resolves with the exit code (or signal name) once the child has exited. */
    readonly exited: Promise<number | string>;
}

export function startChild(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    children.add(child);
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
        errors = (errors + chunk.toString()).slice(-65_536);
    });
    child.stdout?.resume();
    const exited = new Promise<number | string>((resolve) => {
        child.once('exit', (code, signal) => {
            children.delete(child);
            resolve(code ?? signal ?? -1);
        });
        child.once('error', (error) => {
            children.delete(child);
            errors += String(error);
            resolve(-1);
        });
    });
    return { process: child, stderr: () => errors, exited };
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stopChild(child: Child, graceMs = 3_000): Promise<void> {
    const { process: proc } = child;
    if (proc.exitCode !== null || proc.signalCode !== null) {
        return;
    }
    if (proc.connected) {
        proc.disconnect();
    }
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
}

/** Last resort on exit: SIGKILL every child still running (synchronous, safe in an 'exit' handler). */
export function killAllChildren(): void {
    for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGKILL');
        }
    }
    children.clear();
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it; another process could still take it). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            const port = typeof address === 'object' && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}

/** Waits until something accepts connections on 127.0.0.1:port, or the child dies, or `timeoutMs` passes. */
export async function waitForPort(port: number, child: Child, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.process.exitCode !== null || child.process.signalCode !== null) {
            throw new Error(`the server exited before listening: ${child.stderr().trim() || 'no output'}`);
        }
        const open = await new Promise<boolean>((resolve) => {
            const socket = createConnection({ host: '127.0.0.1', port });
            socket.once('connect', () => {
                socket.destroy();
                resolve(true);
            });
            socket.once('error', () => resolve(false));
        });
        if (open) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
