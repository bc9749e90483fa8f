// Load peers for test/robustness/load.test.ts: each drives real loopback connections to the generated echo server,
// sends its RecordStream, and checks the echo as it arrives (EchoChecker). Every wait is bounded: a peer that gets
// stuck rejects with what it was waiting for instead of hanging the suite.
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Changes, within } from '../../runtime/runtime-helpers.js';
import { EchoChecker, RecordStream } from './stream.js';

/** How a connection ended, as this side saw it. */
export type Ending = 'open' | 'closed' | 'reset-by-us' | 'aborted-by-us' | 'error';

/** One connection of a peer: what was sent on it, what came back, and how it ended. */
export interface ConnectionReport {
    localPort: number;
    /** Stream offset where this connection started (a record boundary). */
    start: number;
    /** Bytes handed to the socket on this connection. */
    sent: number;
    /** Bytes echoed back on this connection, each checked. */
    received: number;
    firstRecord: number;
    endRecord: number;
    checksumOk: boolean;
    problem: string | undefined;
    ending: Ending;
    errorCode: string | undefined;
    /** Times a write returned false (the socket's buffer was full). */
    backpressure: number;
    /** performance.now() when the connection was opened (for matching with the server's sessions). */
    openedAt: number;
}

/** A client socket to the echo server that sends a stream and checks the echo. */
export class PeerConnection {
    readonly socket: Socket;
    readonly checker: EchoChecker;
    /** Absolute stream offset written so far. */
    sentUpTo: number;
    backpressure = 0;
    errorCode: string | undefined;
    ending: Ending = 'open';
    /** True once the server's FIN arrived. */
    ended = false;
    localPort = -1;
    readonly openedAt = performance.now();
    /** Resolves when the socket has closed. */
    readonly closed: Promise<void>;
    private isClosed = false;
    private readonly changes = new Changes();

    private constructor(
        socket: Socket,
        readonly stream: RecordStream,
        readonly start: number,
        private readonly random: () => number
    ) {
        this.socket = socket;
        this.checker = new EchoChecker(stream, start);
        this.sentUpTo = start;
        socket.on('data', (chunk: Buffer) => {
            this.checker.take(chunk, this.sentUpTo);
            this.changes.notify();
        });
        socket.on('end', () => {
            this.ended = true;
            this.changes.notify();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => {
            this.errorCode ??= error.code ?? error.message;
        });
        this.closed = new Promise((resolve) => {
            socket.once('close', () => {
                this.isClosed = true;
                if (this.ending === 'open') {
                    this.ending = this.errorCode ? 'error' : 'closed';
                }
                this.changes.notify();
                resolve();
            });
        });
    }

    /** Connects to 127.0.0.1:port; resolves once connected, rejects on an error or after `timeoutMs`. */
    static open(port: number, stream: RecordStream, start: number, random: () => number, timeoutMs: number): Promise<PeerConnection> {
        return new Promise((resolve, reject) => {
            const socket = netConnect({ host: '127.0.0.1', port });
            const connection = new PeerConnection(socket, stream, start, random);
            const timer = setTimeout(() => {
                socket.destroy();
                reject(new Error(`connect to 127.0.0.1:${port} did not finish within ${timeoutMs} ms`));
            }, timeoutMs);
            const failed = (error: Error): void => {
                clearTimeout(timer);
                reject(error);
            };
            socket.once('error', failed);
            socket.once('connect', () => {
                clearTimeout(timer);
                socket.off('error', failed);
                connection.localPort = socket.localPort ?? -1;
                resolve(connection);
            });
        });
    }

    get isOpen(): boolean {
        return !this.isClosed && !this.socket.destroyed;
    }

    /**
     * Writes the stream up to offset `target` in chunks of random size, waiting for 'drain' whenever a write
     * returns false, and letting other sockets run every few writes. Stops early when the socket closes or the
     * server has ended the connection; with `blockedMs`, also when a 'drain' has not come within that time
     * (the peer's writes are blocked: resolves with 'blocked').
     */
    async sendUpTo(target: number, options: { chunkBytes?: number; blockedMs?: number; yieldEvery?: number } = {}): Promise<'sent' | 'blocked' | 'closed'> {
        const { chunkBytes = 16 * 1024, blockedMs, yieldEvery = 4 } = options;
        let writes = 0;
        while (this.sentUpTo < target) {
            if (!this.isOpen || !this.socket.writable || this.ended) {
                return 'closed';
            }
            const end = Math.min(target, this.sentUpTo + 256 + Math.floor(this.random() * chunkBytes));
            const data = this.stream.slice(this.sentUpTo, end);
            this.sentUpTo = end;
            if (!this.socket.write(data)) {
                this.backpressure++;
                if (!(await this.drained(blockedMs))) {
                    return 'blocked';
                }
            } else if (++writes % yieldEvery === 0) {
                await nextTurn();
            }
        }
        return 'sent';
    }

    /** Writes the stream up to `target` in one write, whatever the backpressure (Node queues what the kernel does not take). */
    writeRegardless(target: number): void {
        if (this.isOpen && this.socket.writable && target > this.sentUpTo) {
            const data = this.stream.slice(this.sentUpTo, target);
            this.sentUpTo = target;
            if (!this.socket.write(data)) {
                this.backpressure++;
            }
        }
    }

    /** Resolves once the echo has reached `offset`; rejects when the connection closes first or after `timeoutMs`. */
    async echoReaches(offset: number, timeoutMs: number): Promise<void> {
        await this.until(() => this.checker.position >= offset || undefined, timeoutMs, `the echo to reach offset ${offset} (at ${this.checker.position})`);
    }

    /** Resolves once `condition` holds (checked after every chunk, FIN and close); rejects after `timeoutMs`. */
    until<T>(condition: () => T | undefined, timeoutMs: number, what: string, allowClosed = false): Promise<T> {
        return this.changes.wait(
            () => {
                const value = condition();
                if (value === undefined && this.checker.problem) {
                    throw new Error(`port ${this.localPort}: ${this.checker.problem}`);
                }
                if (value === undefined && this.isClosed && !allowClosed) {
                    throw new Error(`port ${this.localPort}: the connection closed (${this.errorCode ?? 'no error'}) before ${what}`);
                }
                return value;
            },
            timeoutMs,
            () => `port ${this.localPort}: timed out after ${timeoutMs} ms waiting for ${what}`
        );
    }

    /** Sends RST (SO_LINGER 0) and closes at once. */
    reset(): Promise<void> {
        this.ending = 'reset-by-us';
        this.socket.resetAndDestroy();
        return this.closed;
    }

    /** Drops the connection at once without waiting for the echo still in flight. */
    abort(): Promise<void> {
        this.ending = 'aborted-by-us';
        this.socket.destroy();
        return this.closed;
    }

    /** Ends the write side and waits for the close (the server closes when it sees the FIN). */
    async finish(timeoutMs: number): Promise<void> {
        this.socket.end();
        await this.until(() => this.isClosed || undefined, timeoutMs, 'the close after our FIN', true);
    }

    report(): ConnectionReport {
        return {
            localPort: this.localPort,
            start: this.start,
            sent: this.sentUpTo - this.start,
            received: this.checker.received,
            firstRecord: this.checker.firstRecord,
            endRecord: this.checker.endRecord,
            checksumOk: this.checker.checksumMatches(),
            problem: this.checker.problem,
            ending: this.ending,
            errorCode: this.errorCode,
            backpressure: this.backpressure,
            openedAt: this.openedAt
        };
    }

    /** Resolves with true on 'drain' or close, with false when neither came within `timeoutMs` (if given). */
    private drained(timeoutMs?: number): Promise<boolean> {
        return new Promise((resolve) => {
            const done = (drained: boolean): void => {
                clearTimeout(timer);
                this.socket.off('drain', onDrain);
                this.socket.off('close', onDrain);
                resolve(drained);
            };
            const onDrain = (): void => done(true);
            const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
            this.socket.once('drain', onDrain);
            this.socket.once('close', onDrain);
        });
    }
}

export type PeerKind = 'steady' | 'reset' | 'stall' | 'reconnect';

export interface PeerOutcome {
    id: number;
    kind: PeerKind;
    /** Bytes of the whole stream (what a completing peer must get back). */
    total: number;
    completed: boolean;
    connections: ConnectionReport[];
    /** For stalls: how long reading was stopped, and whether the writes backed up meanwhile. */
    stalledMs: number;
    stallBackedUp: boolean;
    stallSent: number;
}

export interface PeerTiming {
    /** Bound of every single wait (connect, echo, close). */
    waitMs: number;
    /** A stall lasts until the writes are blocked for `stallBlockedMs` (at most `stallMaxMs`), then about `stallHoldMs` more. */
    stallMaxMs: number;
    stallBlockedMs: number;
    stallHoldMs: number;
}

/**
 * A peer of the 1,000-session run: joins (connects, one record echoed), then behaves as its kind says: `steady`
 * sends its whole stream and checks it all comes back; `reset` sends part of it and resets the connection (RST);
 * `stall` stops reading for a while; `reconnect` drops its connection mid-stream and resumes on a new one.
 */
export class LoadPeer {
    readonly stream: RecordStream;
    readonly connections: PeerConnection[] = [];
    completed = false;
    stalledMs = 0;
    stallBackedUp = false;
    /** Bytes the stalled peer had written when it stopped writing or its stall ran out of time. */
    stallSent = 0;

    constructor(
        readonly id: number,
        readonly kind: PeerKind,
        private readonly port: number,
        public total: number,
        private readonly random: () => number,
        private readonly timing: PeerTiming
    ) {
        this.stream = new RecordStream(0x1000 + id);
        // A stalled peer's stream is generated as it is sent: it usually stops well short of its cap.
        this.stream.ensure(kind === 'stall' ? 0 : total);
        // Round the stream up to whole records, so a completing peer's echo ends on a record boundary.
        this.total = kind === 'stall' ? total : this.stream.length;
    }

    private get current(): PeerConnection {
        return this.connections[this.connections.length - 1]!;
    }

    /** Connects and sends record 0; resolves once it is echoed, so the server has a live session for this peer. */
    async join(): Promise<void> {
        const connection = await PeerConnection.open(this.port, this.stream, 0, this.random, this.timing.waitMs);
        this.connections.push(connection);
        this.stream.ensureRecords(1);
        await connection.sendUpTo(this.stream.starts[1]!);
        await connection.echoReaches(this.stream.starts[1]!, this.timing.waitMs);
    }

    /** The rest of the peer's life, by kind. */
    async run(): Promise<void> {
        const { waitMs } = this.timing;
        switch (this.kind) {
            case 'steady':
                await this.complete(this.current);
                return;
            case 'stall':
                await this.stall(this.current);
                return;
            case 'reset': {
                const connection = this.current;
                const cut = this.cutPoint();
                await connection.sendUpTo(cut);
                await connection.echoReaches(Math.floor((connection.start + cut) / 2), waitMs);
                await connection.reset();
                return;
            }
            case 'reconnect': {
                const first = this.current;
                const cut = this.cutPoint();
                // Drop the connection while bytes are still in flight both ways, then resume from the first record
                // that did not come back whole.
                const sending = first.sendUpTo(cut);
                await first.echoReaches(Math.floor((first.start + cut) / 2), waitMs);
                await first.abort();
                await sending;
                const resumeAt = this.stream.starts[first.checker.endRecord]!;
                const second = await PeerConnection.open(this.port, this.stream, resumeAt, this.random, waitMs);
                this.connections.push(second);
                await this.complete(second);
                return;
            }
        }
    }

    outcome(): PeerOutcome {
        return {
            id: this.id,
            kind: this.kind,
            total: this.total,
            completed: this.completed,
            connections: this.connections.map((connection) => connection.report()),
            stalledMs: this.stalledMs,
            stallBackedUp: this.stallBackedUp,
            stallSent: this.stallSent
        };
    }

    /** Sends the rest of the stream, waits for all of it to come back, then closes. */
    private async complete(connection: PeerConnection): Promise<void> {
        await connection.sendUpTo(this.total);
        await connection.echoReaches(this.total, this.timing.waitMs);
        await connection.finish(this.timing.waitMs);
        this.completed = connection.checker.position === this.total;
    }

    /**
     * Stops reading and writes on until its writes are blocked (no 'drain' for `stallBlockedMs`: the kernel buffers
     * of both ends are full and the server, its echo queued, has stopped reading), or at most `stallMaxMs`; holds a
     * little longer; then resumes reading and completes with the stream cut at the next record boundary.
     */
    private async stall(connection: PeerConnection): Promise<void> {
        const { stallMaxMs, stallHoldMs, stallBlockedMs } = this.timing;
        connection.socket.pause();
        const stalledAt = performance.now();
        // No yielding while stalled: the writes fill the buffers as fast as the kernel takes them.
        const stalling = connection.sendUpTo(this.total, { chunkBytes: 64 * 1024, blockedMs: stallBlockedMs, yieldEvery: Number.POSITIVE_INFINITY });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const outcome = await Promise.race([stalling, new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), stallMaxMs)))]);
        clearTimeout(timer);
        this.stallBackedUp = outcome === 'blocked';
        this.stallSent = connection.sentUpTo;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(stallHoldMs * (0.5 + this.random()))));
        this.stalledMs = performance.now() - stalledAt;
        connection.socket.resume();
        // One writer at a time: a stall that ran out of time writes on (to the cap, or until blocked again).
        await stalling;
        this.stream.ensure(connection.sentUpTo + 1);
        this.total = this.stream.starts[this.stream.recordsBefore(connection.sentUpTo) + 1]!;
        await this.complete(connection);
    }

    /** A random point between 20 % and 80 % of the stream. */
    private cutPoint(): number {
        return Math.floor(this.total * (0.2 + 0.6 * this.random()));
    }
}

export type StreamingKind = 'streaming' | 'stalled' | 'stalled-writing';

/**
 * A peer of the SIGTERM run. `streaming` writes a few KB every few ms and reads its echo; `stalled` stops reading
 * and writes until its writes are blocked, then waits; `stalled-writing` does the same, then keeps writing a few KB
 * every few ms whatever the backpressure (a peer that sends but never reads). Each stops writing once the server
 * has ended the connection, or at its cap; a stalled peer reads again only when released (after the server exited).
 */
export class StreamingPeer {
    readonly stream: RecordStream;
    connection!: PeerConnection;
    private stopped = false;
    private pumping: Promise<unknown> = Promise.resolve();

    constructor(
        readonly id: number,
        readonly kind: StreamingKind,
        private readonly port: number,
        private readonly capBytes: number,
        private readonly random: () => number,
        private readonly waitMs: number
    ) {
        this.stream = new RecordStream(0x9000 + id);
    }

    /** Connects and has record 0 echoed. */
    async join(): Promise<void> {
        this.connection = await PeerConnection.open(this.port, this.stream, 0, this.random, this.waitMs);
        this.stream.ensureRecords(1);
        await this.connection.sendUpTo(this.stream.starts[1]!);
        await this.connection.echoReaches(this.stream.starts[1]!, this.waitMs);
    }

    /** Starts writing in the background, as the kind says; resolves once a stalled peer's writes are blocked. */
    async start(): Promise<void> {
        const connection = this.connection;
        if (this.kind === 'streaming') {
            this.pumping = this.paced(async (target) => {
                await connection.sendUpTo(target);
            });
            return;
        }
        connection.socket.pause();
        const blocked = connection.sendUpTo(this.capBytes, { chunkBytes: 64 * 1024, blockedMs: 300, yieldEvery: Number.POSITIVE_INFINITY });
        this.pumping = blocked;
        const outcome = await within(blocked, this.waitMs, `peer ${this.id}: its writes to be blocked while it does not read`);
        this.blocked = outcome === 'blocked';
        if (this.kind === 'stalled-writing') {
            this.pumping = this.paced((target) => {
                connection.writeRegardless(target);
            });
        }
    }

    /** True when a stalled peer's writes were blocked (no 'drain' for 300 ms) before the shutdown. */
    blocked = false;

    /** Writes 1–8 KB every 5–25 ms until stopped, closed, ended by the server, or at the cap. */
    private async paced(write: (target: number) => Promise<void> | void): Promise<void> {
        const connection = this.connection;
        while (!this.stopped && connection.isOpen && connection.socket.writable && !connection.ended && connection.sentUpTo < this.capBytes) {
            await write(Math.min(this.capBytes, connection.sentUpTo + 1_024 + Math.floor(this.random() * 7 * 1_024)));
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(this.random() * 20)));
        }
    }

    /** Stops writing (the loop ends at its next turn) and, for a stalled peer, reads again. */
    async release(): Promise<void> {
        this.stopped = true;
        this.connection.socket.resume();
        await this.pumping;
    }
}
