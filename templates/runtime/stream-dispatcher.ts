// asyncore's dispatcher over a Node socket: readiness becomes machine events; writes honour backpressure.
import type { Socket } from 'node:net';
import { ReactorError } from './errors.js';
import type { Closable, Machine } from './machine.js';

/** Machine event ids a stream socket raises; -1 where the model maps nothing. */
export interface StreamEvents {
    connect: number;
    read: number;
    drain: number;
    close: number;
    error: number;
    timeout: number;
    idle: number;
    heartbeatLost: number;
}

export const NO_EVENT = -1;

export interface StreamOptions {
    noDelay?: boolean;
    keepAliveMs?: number;
    /** No bytes in either direction for this long raises `idle`. */
    idleMs?: number;
    /** Every `heartbeatMs` the dispatcher's `handleHeartbeat` may send a ping; nothing received for `heartbeatTimeoutMs` raises the heartbeat event. */
    heartbeatMs?: number;
    heartbeatTimeoutMs?: number;
    /** How long a graceful close waits for the peer after ending the write side (default 2 s). */
    lingerMs?: number;
}

export const DEFAULT_LINGER_MS = 2_000;

/** The machines' stream dispatchers, for pausing every reader of a machine while one of its writes waits. */
const streamsByMachine = new WeakMap<Machine, StreamDispatcher[]>();

/** Bytes still queued on a socket when it was destroyed, reported once it has closed. */
const unsentAtDestroy = new WeakMap<Socket, number>();

/** Sockets destroyed because the peer did not close within the linger time (the kernel may discard what it held). */
const lingerExpired = new WeakSet<Socket>();

export class StreamDispatcher implements Closable {
    /** The current socket; a previous one may still be lingering on its own after a graceful close. */
    socket: Socket | undefined;
    /** Bytes received, and bytes accepted by `write`, over every socket this dispatcher had. */
    bytesIn = 0;
    bytesOut = 0;

    private closing: Promise<void> | undefined;
    private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
    private lastReceived = 0;
    private readPaused = false;

    constructor(
        readonly machine: Machine,
        readonly name: string,
        protected readonly events: StreamEvents,
        protected readonly options: StreamOptions = {}
    ) {
        const streams = streamsByMachine.get(machine);
        if (streams) {
            streams.push(this);
        } else {
            streamsByMachine.set(machine, [this]);
        }
        machine.own(this);
    }

    /** True while a socket is attached and open for writing. */
    get writable(): boolean {
        return this.socket !== undefined && !this.socket.destroyed && this.socket.writable;
    }

    /** True while the current socket is being closed gracefully (ended, waiting for the peer). */
    get closingGracefully(): boolean {
        return this.closing !== undefined && this.socket !== undefined && !this.socket.destroyed;
    }

    /**
     * Writes bytes. Returns false when they were queued behind earlier ones: every reader of this machine
     * pauses until the socket drains, so a slow peer cannot make memory grow. Writing to a closed socket
     * loses nothing silently: the bytes are reported through the `error` event.
     */
    write(data: string | Uint8Array): boolean {
        const socket = this.socket;
        const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        if (!socket || socket.destroyed || !socket.writable) {
            this.report(new ReactorError('ERR_SOCKET_CLOSED', `${this.machine.name}.${this.name}: write of ${size} bytes on a closed socket`, size));
            return false;
        }
        this.bytesOut += size;
        const flushed = socket.write(data);
        if (!flushed) {
            for (const stream of streamsByMachine.get(this.machine) ?? []) {
                stream.pauseReading();
            }
        }
        return flushed;
    }

    /** Stops taking bytes from the peer (they wait in the kernel; TCP flow control slows the sender). */
    pauseReading(): void {
        if (!this.readPaused) {
            this.readPaused = true;
            this.socket?.pause();
        }
    }

    resumeReading(): void {
        if (this.readPaused) {
            this.readPaused = false;
            this.socket?.resume();
        }
    }

    /** Graceful close: end the write side (pending bytes are flushed first), then destroy after the linger time. */
    close(): Promise<void> {
        if (this.closing) {
            return this.closing;
        }
        const socket = this.socket;
        if (!socket || socket.destroyed) {
            this.closing = Promise.resolve();
            return this.closing;
        }
        this.stopHeartbeat();
        // A socket paused for backpressure would never see the peer's FIN ('drain' does not come after end()).
        this.resumeReading();
        this.closing = new Promise<void>((resolve) => {
            const linger = setTimeout(() => {
                unsentAtDestroy.set(socket, socket.writableLength);
                lingerExpired.add(socket);
                socket.destroy();
            }, this.options.lingerMs ?? DEFAULT_LINGER_MS);
            socket.once('close', () => {
                clearTimeout(linger);
                resolve();
            });
        });
        socket.end();
        return this.closing;
    }

    /** Closes at once, dropping unsent bytes (they are reported). */
    destroy(): void {
        const socket = this.socket;
        if (socket && !socket.destroyed) {
            unsentAtDestroy.set(socket, socket.writableLength);
            socket.destroy();
        }
    }

    // asyncore's roles. Generated subclasses may override them; each ends by dispatching the mapped event.

    handleConnect(): void {
        this.startHeartbeat();
        this.emit(this.events.connect, undefined);
    }

    handleRead(chunk: Buffer): void {
        this.emit(this.events.read, chunk);
    }

    /** The socket drained: readers resume once no stream of the machine still waits. */
    handleWrite(): void {
        this.resumeMachineReaders();
        this.emit(this.events.drain, undefined);
    }

    handleClose(hadError: boolean): void {
        this.emit(this.events.close, hadError);
    }

    handleError(error: Error): void {
        this.emit(this.events.error, error);
    }

    /** No traffic for `idleMs`. */
    handleIdle(): void {
        this.emit(this.events.idle, undefined);
    }

    /** Called every `heartbeatMs` while connected: override to write a ping. */
    handleHeartbeat(): void {}

    /**
     * Makes `socket` the current one. A previous socket still closing lingers on its own: its data and
     * errors no longer reach the machine, but bytes it could not send are still reported.
     */
    protected attach(socket: Socket): void {
        this.socket = socket;
        this.closing = undefined;
        this.readPaused = false;
        this.lastReceived = Date.now();
        const current = (): boolean => this.socket === socket;
        const { noDelay, keepAliveMs, idleMs } = this.options;
        if (noDelay) {
            socket.setNoDelay(true);
        }
        if (keepAliveMs !== undefined) {
            socket.setKeepAlive(true, keepAliveMs);
        }
        if (idleMs !== undefined) {
            socket.setTimeout(idleMs);
            socket.on('timeout', () => current() && this.handleIdle());
        }
        socket.on('data', (chunk: Buffer) => {
            if (current()) {
                this.bytesIn += chunk.byteLength;
                this.lastReceived = Date.now();
                this.handleRead(chunk);
            }
        });
        socket.on('drain', () => current() && this.handleWrite());
        socket.on('error', (error) => current() && this.handleError(error));
        socket.on('close', (hadError) => this.socketClosed(socket, hadError));
    }

    /** A socket closed: report bytes it could not send; for the current socket, tell the machine. */
    protected socketClosed(socket: Socket, hadError: boolean): void {
        const unsent = Math.max(unsentAtDestroy.get(socket) ?? 0, socket.writableLength);
        if (lingerExpired.has(socket)) {
            // Destroying a socket whose peer still sends makes the kernel reset it, dropping what it had queued for
            // the peer too: Node cannot count those bytes, so the report says they may be lost.
            const lingerMs = this.options.lingerMs ?? DEFAULT_LINGER_MS;
            this.report(
                new ReactorError(
                    'ERR_LINGER_EXPIRED',
                    `${this.machine.name}.${this.name}: the peer did not close within ${lingerMs} ms: destroyed with ${unsent} bytes not sent, and bytes the kernel still held for the peer may be lost`,
                    unsent
                )
            );
        } else if (unsent > 0) {
            this.report(new ReactorError('ERR_UNFLUSHED', `${this.machine.name}.${this.name}: socket closed with ${unsent} bytes not sent`, unsent));
        }
        if (this.socket !== socket) {
            return;
        }
        this.stopHeartbeat();
        this.closing ??= Promise.resolve();
        // A socket that backed up and then died sends no 'drain': the machine's other readers must not stay paused.
        this.resumeMachineReaders();
        this.handleClose(hadError);
    }

    /** Resumes every reader of the machine unless one of its open sockets still waits for 'drain'. */
    private resumeMachineReaders(): void {
        const streams = streamsByMachine.get(this.machine) ?? [];
        if (!streams.some((stream) => stream.socket !== undefined && !stream.socket.destroyed && stream.socket.writableNeedDrain)) {
            for (const stream of streams) {
                stream.resumeReading();
            }
        }
    }

    /** Delivers an event to the machine, when the model maps one. */
    protected emit(event: number, payload: unknown): void {
        if (event !== NO_EVENT) {
            this.machine.dispatch(event, payload);
        }
    }

    /** An error the model should hear about: through `error` when mapped and the machine still runs, else as a process warning. */
    protected report(error: Error): void {
        if (this.events.error !== NO_EVENT && !this.machine.finished) {
            this.machine.dispatch(this.events.error, error);
        } else {
            process.emitWarning(error.message, 'ReactorSocketError');
        }
    }

    protected startHeartbeat(): void {
        const { heartbeatMs, heartbeatTimeoutMs } = this.options;
        if (heartbeatMs === undefined || heartbeatTimeoutMs === undefined) {
            return;
        }
        this.stopHeartbeat();
        this.lastReceived = Date.now();
        this.heartbeatTimer = setInterval(() => {
            if (Date.now() - this.lastReceived >= heartbeatTimeoutMs) {
                this.stopHeartbeat();
                this.emit(this.events.heartbeatLost, new ReactorError('EHEARTBEAT', `${this.machine.name}.${this.name}: nothing received for ${heartbeatTimeoutMs} ms`));
            } else {
                this.handleHeartbeat();
            }
        }, Math.min(heartbeatMs, heartbeatTimeoutMs));
    }

    protected stopHeartbeat(): void {
        if (this.heartbeatTimer !== undefined) {
            clearInterval(this.heartbeatTimer);
            this.heartbeatTimer = undefined;
        }
    }
}
