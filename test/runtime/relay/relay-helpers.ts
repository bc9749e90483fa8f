// Helpers for the relay tests: an echo upstream nobody here wrote (socat), and a client that streams bytes through a
// relay while reading the echo back at the same time, hashing both directions as it goes.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { hasCommand } from '../program-helpers.js';
import { Changes, connectTo, within, type Cleanup } from '../runtime-helpers.js';

/**
 * `socat TCP-LISTEN:0,fork PIPE` on 127.0.0.1: every connection echoes what it receives. Resolves with the port.
 * - `-b 4096`: socat echoes through a pipe it both writes and reads, with blocking writes. A block larger than PIPE_BUF
 *   can block on a pipe that select() called writable, and then socat waits for itself for good (seen with the default
 *   8 KiB blocks: stuck in anon_pipe_write). Blocks of PIPE_BUF never block once select() said writable.
 * - `rcvbuf`/`sndbuf` 128 KiB: fixed socket buffers, as an upstream across a real network has windows of its own, instead
 *   of loopback's autotuned megabytes that hide a relay deadlock most of the time (with them the old rule stalled in one
 *   run of five; with these, in every run, after 9 to 13 MB). Smaller ones make socat itself the bottleneck (3 MB/s).
 */
export async function socatEcho(cleanup: Cleanup): Promise<{ port: number; log: () => string }> {
    if (!hasCommand('socat')) {
        throw new Error('socat is not installed (apt-get install -y socat, or scripts/test-prerequisites.sh)');
    }
    // In a process group of its own: the children it forks per connection go with it at clean-up (killing only the
    // listener would leave a child behind whose connection is still open).
    const socat = cleanup.child(
        spawn('socat', ['-b', '4096', '-d', '-d', 'TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,rcvbuf=131072,sndbuf=131072', 'PIPE'], {
            stdio: ['ignore', 'ignore', 'pipe'],
            detached: true
        })
    );
    cleanup.add(() => {
        try {
            process.kill(-socat.pid!, 'SIGKILL');
        } catch {
            // The group is gone already.
        }
    });
    let log = '';
    const port = await within(
        new Promise<number>((resolve, reject) => {
            socat.stderr.on('data', (data: Buffer) => {
                log += data.toString();
                const match = /listening on AF=2 127\.0\.0\.1:(\d+)/.exec(log);
                if (match) {
                    resolve(Number(match[1]));
                }
            });
            socat.once('exit', (code) => reject(new Error(`socat exited with ${code} before listening:\n${log}`)));
        }),
        5_000,
        'socat to listen'
    );
    return { port, log: () => log };
}

/** Recv-Q and Send-Q of the TCP connections on these ports (`ss`), for failure messages. */
export function socketQueues(ports: readonly number[]): string {
    const filter = ports.map((port) => `sport = :${port} or dport = :${port}`).join(' or ');
    const ss = spawnSync('ss', ['-tn', `( ${filter} )`], { encoding: 'utf8' });
    return ss.status === 0 ? ss.stdout : `(ss failed: ${ss.stderr || ss.error?.message})`;
}

export interface StreamResult {
    sent: number;
    received: number;
    sentSha256: string;
    receivedSha256: string;
    seconds: number;
}

/**
 * Connects to `port`, writes `total` random bytes (honouring the socket's backpressure) while reading everything that
 * comes back, and resolves once `total` bytes came back. The hashes are computed on the fly (200 MB kept twice in memory
 * would be a test of the machine, not of the relay). Rejects when nothing moved for `stallMs` (with `describe()` in the
 * message), when the connection ends early, or after `timeoutMs`.
 */
export async function streamThrough(
    cleanup: Cleanup,
    port: number,
    total: number,
    limits: { timeoutMs: number; stallMs: number },
    describe: () => string
): Promise<StreamResult> {
    const socket: Socket = await connectTo(cleanup, port);
    const started = performance.now();
    const sentHash = createHash('sha256');
    const receivedHash = createHash('sha256');
    const changes = new Changes();
    let sent = 0;
    let received = 0;
    let ended: Error | undefined;
    let lastProgress = performance.now();
    socket.on('data', (data: Buffer) => {
        receivedHash.update(data);
        received += data.byteLength;
        lastProgress = performance.now();
        changes.notify();
    });
    socket.on('error', (error) => {
        ended ??= error;
        changes.notify();
    });
    socket.on('close', () => {
        ended ??= new Error('the connection closed');
        changes.notify();
    });
    socket.on('drain', () => changes.notify());
    const CHUNK = 64 * 1024;
    const pump = (): void => {
        while (sent < total && !ended && !socket.writableNeedDrain) {
            const chunk = randomBytes(Math.min(CHUNK, total - sent));
            sentHash.update(chunk);
            sent += chunk.byteLength;
            lastProgress = performance.now();
            socket.write(chunk);
        }
    };
    socket.on('drain', pump);
    const stallCheck = setInterval(() => changes.notify(), 500);
    cleanup.add(() => clearInterval(stallCheck));
    pump();
    try {
        await changes.wait(
            () => {
                if (received >= total) {
                    return true;
                }
                if (ended) {
                    throw new Error(`${ended.message} after ${sent} bytes sent and ${received} received\n${describe()}`);
                }
                const idle = performance.now() - lastProgress;
                if (idle >= limits.stallMs) {
                    throw new Error(`stalled: nothing moved for ${Math.round(idle)} ms after ${sent} bytes sent and ${received} received\n${describe()}`);
                }
                return undefined;
            },
            limits.timeoutMs,
            () => `timed out after ${limits.timeoutMs} ms with ${sent} bytes sent and ${received} received\n${describe()}`
        );
    } finally {
        clearInterval(stallCheck);
    }
    const seconds = (performance.now() - started) / 1_000;
    socket.end();
    return { sent, received, sentSha256: sentHash.digest('hex'), receivedSha256: receivedHash.digest('hex'), seconds };
}
