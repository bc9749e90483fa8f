// An upstream for the restarting-client test: a plain net.Server on 127.0.0.1 that can drop its connections
// (FIN, destroy or RST), go away (stop listening: connects are refused) and come back on the same port.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Changes } from '../../runtime/runtime-helpers.js';

export type DropMode = 'end' | 'destroy' | 'reset';

export class FlakyUpstream {
    port = 0;
    /** performance.now() of every accept, in order. */
    readonly accepts: number[] = [];
    private server: Server | undefined;
    private readonly sockets = new Set<Socket>();
    private readonly changes = new Changes();

    /** Listens on 127.0.0.1 (the port chosen by the OS the first time, the same port after). */
    async up(): Promise<void> {
        const server = createServer((socket) => {
            this.sockets.add(socket);
            socket.on('error', () => undefined);
            socket.on('close', () => this.sockets.delete(socket));
            socket.resume(); // the client's pings are read and dropped
            this.accepts.push(performance.now());
            this.changes.notify();
        });
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen({ host: '127.0.0.1', port: this.port }, () => {
                server.off('error', reject);
                resolve();
            });
        });
        this.server = server;
        this.port = (server.address() as AddressInfo).port;
    }

    /** Drops every open connection. */
    drop(mode: DropMode): void {
        for (const socket of this.sockets) {
            if (mode === 'end') {
                socket.end();
            } else if (mode === 'reset') {
                socket.resetAndDestroy();
            } else {
                socket.destroy();
            }
        }
    }

    /** Stops listening and drops every connection: connects are refused until `up`. */
    async down(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        this.drop('destroy');
        if (server) {
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    }

    /** Resolves with the time of the `count`-th accept (1-based) once it happened; rejects after `timeoutMs`. */
    accepted(count: number, timeoutMs: number): Promise<number> {
        return this.changes.wait(
            () => this.accepts[count - 1],
            timeoutMs,
            () => `timed out after ${timeoutMs} ms waiting for accept #${count} (${this.accepts.length} so far)`
        );
    }

    get open(): number {
        return this.sockets.size;
    }
}

/** One line the restart client's actions print: `EVENT <kind> <ms> <json>`. */
export interface ClientEvent {
    kind: 'connected' | 'dropped' | 'failed' | 'resources';
    at: number;
    detail: unknown;
}

export function clientEvents(lines: readonly string[]): ClientEvent[] {
    const events: ClientEvent[] = [];
    for (const line of lines) {
        const match = /^EVENT (\w+) ([\d.]+) (.*)$/.exec(line);
        if (match) {
            events.push({ kind: match[1] as ClientEvent['kind'], at: Number(match[2]), detail: JSON.parse(match[3]!) });
        }
    }
    return events;
}

/** A reconnect delay as seen by the client: from a drop to the next attempt's outcome, with its attempt number since the last connect. */
export interface ObservedDelay {
    /** 0 for the first reconnect after a connection, 1 for the next, … */
    attempt: number;
    ms: number;
    /** What the attempt gave. */
    outcome: 'connected' | 'failed';
}

/**
 * Reads the reconnect delays from the client's events: each `dropped` starts a delay that ends with the next
 * attempt's outcome (`failed` for a refused connect, `connected`). A `failed` while connected (a reset) does not.
 */
export function reconnectDelays(events: readonly ClientEvent[]): ObservedDelay[] {
    const delays: ObservedDelay[] = [];
    let droppedAt: number | undefined;
    let attempt = 0;
    for (const event of events) {
        if (event.kind === 'dropped') {
            droppedAt = event.at;
        } else if ((event.kind === 'failed' || event.kind === 'connected') && droppedAt !== undefined) {
            delays.push({ attempt, ms: event.at - droppedAt, outcome: event.kind });
            droppedAt = undefined;
            attempt = event.kind === 'connected' ? 0 : attempt + 1;
        } else if (event.kind === 'connected') {
            attempt = 0;
        }
    }
    return delays;
}
