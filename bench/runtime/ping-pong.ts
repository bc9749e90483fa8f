// The echo client: N connections each sending a small message and waiting for its echo, again and again, for a fixed time.
import { createConnection, type Socket } from 'node:net';

const MESSAGE = Buffer.from('ping 0123456789abcdefghijklmnop\n'); // 32 bytes

export interface PingPongResult {
    /** Round trips completed within the time. */
    readonly messages: number;
    readonly seconds: number;
    readonly perSecond: number;
    /** Connections that failed (error or early close). */
    readonly failures: number;
}

export function connect(port: number, timeoutMs = 10_000): Promise<Socket> {
    return new Promise((resolve, reject) => {
        const socket = createConnection({ host: '127.0.0.1', port });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`connect to 127.0.0.1:${port} timed out`));
        }, timeoutMs);
        const failed = (error: Error): void => {
            clearTimeout(timer);
            reject(error);
        };
        socket.once('error', failed);
        socket.once('connect', () => {
            clearTimeout(timer);
            socket.off('error', failed);
            // Later errors (a reset) are followed by 'close'; users of the socket watch that.
            socket.on('error', () => undefined);
            resolve(socket);
        });
    });
}

/** One round trip on an open socket: resolves true when the whole message came back within `timeoutMs`. */
export function echoOnce(socket: Socket, timeoutMs = 5_000): Promise<boolean> {
    return new Promise((resolve) => {
        let received = 0;
        const done = (ok: boolean): void => {
            clearTimeout(timer);
            socket.off('data', onData);
            resolve(ok);
        };
        const onData = (chunk: Buffer): void => {
            received += chunk.length;
            if (received >= MESSAGE.length) {
                done(true);
            }
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        socket.on('data', onData);
        socket.write(MESSAGE);
    });
}

export async function pingPong(port: number, connections: number, durationMs: number): Promise<PingPongResult> {
    const sockets = await Promise.all(Array.from({ length: connections }, () => connect(port)));
    let messages = 0;
    let failures = 0;
    let running = true;
    const start = process.hrtime.bigint();
    const finished = sockets.map(
        (socket) =>
            new Promise<void>((resolve) => {
                let received = 0;
                socket.setNoDelay(true);
                socket.on('data', (chunk: Buffer) => {
                    received += chunk.length;
                    if (received >= MESSAGE.length) {
                        received -= MESSAGE.length;
                        if (running) {
                            messages++;
                            socket.write(MESSAGE);
                        } else {
                            resolve();
                        }
                    }
                });
                socket.once('error', () => {
                    failures++;
                    resolve();
                });
                socket.once('close', () => resolve());
                socket.write(MESSAGE);
            })
    );
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    running = false;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    // Every connection has one message in flight: wait for it (bounded), then close.
    await Promise.race([Promise.all(finished), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    for (const socket of sockets) {
        socket.destroy();
    }
    return { messages, seconds, perSecond: messages / seconds, failures };
}
