// Just enough of the Chrome DevTools protocol to force a full garbage collection in the language server and read its
// process.memoryUsage(): the server is started with `--inspect=127.0.0.1:0` (through NODE_OPTIONS, since the test
// client spawns it) and this speaks WebSocket to the port it announces on stderr. Without a forced collection the
// server's RSS says more about when V8 last collected than about what it keeps.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** `ws://127.0.0.1:<port>/<id>` from the server's "Debugger listening on …" line. */
export function inspectorUrl(stderr: string): string | undefined {
    return /Debugger listening on (ws:\/\/[^\s]+)/.exec(stderr)?.[1];
}

/** Runs `start` with NODE_OPTIONS asking for the inspector on a free local port (child processes inherit it). */
export function withInspectorOption<T>(start: () => T): T {
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${previous ?? ''} --inspect=127.0.0.1:0`.trim();
    try {
        return start();
    } finally {
        if (previous === undefined) {
            delete process.env.NODE_OPTIONS;
        } else {
            process.env.NODE_OPTIONS = previous;
        }
    }
}

export interface MemoryUsage {
    rss: number;
    heapTotal: number;
    heapUsed: number;
    external: number;
    arrayBuffers: number;
}

/** One DevTools protocol session over a WebSocket (text frames, no extensions). */
export class InspectorSession {
    private buffer = Buffer.alloc(0);
    private nextId = 1;
    private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

    private constructor(private readonly socket: Socket) {
        socket.on('data', (chunk: Buffer) => this.receive(chunk));
        socket.on('error', (error) => this.failAll(error));
        socket.on('close', () => this.failAll(new Error('the inspector connection closed')));
    }

    static connect(url: string, ms = 5_000): Promise<InspectorSession> {
        const { hostname, port, pathname } = new URL(url);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms connecting to ${url}`)), ms);
            const upgrade = request({
                host: hostname,
                port: Number(port),
                path: pathname,
                headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') }
            });
            upgrade.on('upgrade', (_response, socket: Socket) => {
                clearTimeout(timer);
                resolve(new InspectorSession(socket));
            });
            upgrade.on('response', (response) => {
                clearTimeout(timer);
                reject(new Error(`the inspector answered ${response.statusCode} instead of switching protocols`));
            });
            upgrade.on('error', (error) => {
                clearTimeout(timer);
                reject(error);
            });
            upgrade.end();
        });
    }

    /** A protocol method's result, within `ms`. */
    call<T>(method: string, params: Record<string, unknown> = {}, ms = 10_000): Promise<T> {
        const id = this.nextId++;
        return new Promise<T>((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(id);
                reject(new Error(`Timed out after ${ms} ms waiting for the inspector's answer to ${method}`));
            }, ms);
            this.pending.set(id, {
                resolve: (value) => {
                    clearTimeout(timer);
                    resolve(value as T);
                },
                reject: (error) => {
                    clearTimeout(timer);
                    reject(error);
                }
            });
            this.send(JSON.stringify({ id, method, params }));
        });
    }

    /** A full garbage collection, then process.memoryUsage() of the inspected process. */
    async collectAndMeasure(): Promise<MemoryUsage> {
        await this.call('HeapProfiler.collectGarbage');
        const answer = await this.call<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
        return JSON.parse(answer.result.value) as MemoryUsage;
    }

    close(): void {
        this.socket.destroy();
    }

    /** A masked text frame, as a client must send. */
    private send(text: string): void {
        const payload = Buffer.from(text, 'utf8');
        const length = payload.length;
        const header = length < 126 ? Buffer.from([0x81, 0x80 | length])
            : length < 65_536 ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
            : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), (() => {
                const big = Buffer.alloc(8);
                big.writeBigUInt64BE(BigInt(length));
                return big;
            })()]);
        const mask = randomBytes(4);
        const masked = Buffer.alloc(length);
        for (let i = 0; i < length; i++) {
            masked[i] = payload[i]! ^ mask[i % 4]!;
        }
        this.socket.write(Buffer.concat([header, mask, masked]));
    }

    /** Unmasked frames from the server; answers (with an id) settle their calls, events are ignored. */
    private receive(chunk: Buffer): void {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        for (;;) {
            if (this.buffer.length < 2) {
                return;
            }
            const opcode = this.buffer[0]! & 0x0f;
            let length = this.buffer[1]! & 0x7f;
            let offset = 2;
            if (length === 126) {
                if (this.buffer.length < 4) {
                    return;
                }
                length = this.buffer.readUInt16BE(2);
                offset = 4;
            } else if (length === 127) {
                if (this.buffer.length < 10) {
                    return;
                }
                length = Number(this.buffer.readBigUInt64BE(2));
                offset = 10;
            }
            if (this.buffer.length < offset + length) {
                return;
            }
            const payload = this.buffer.subarray(offset, offset + length);
            this.buffer = this.buffer.subarray(offset + length);
            if (opcode === 0x1) {
                const message = JSON.parse(payload.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
                const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
                if (waiting) {
                    this.pending.delete(message.id!);
                    if (message.error) {
                        waiting.reject(new Error(message.error.message));
                    } else {
                        waiting.resolve(message.result);
                    }
                }
            } else if (opcode === 0x8) {
                this.socket.end();
                return;
            }
        }
    }

    private failAll(error: Error): void {
        for (const waiting of this.pending.values()) {
            waiting.reject(error);
        }
        this.pending.clear();
    }
}
