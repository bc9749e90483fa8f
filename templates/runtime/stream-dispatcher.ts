// asyncore's dispatcher over a Node socket: readiness becomes machine events; writes honour backpressure.
import type { Socket } from 'node:net';
import type { Clock, ClockTimer } from './clock.js';
import { ReactorError } from './errors.js';
import { holdSource, NO_EVENT, outgoingMessage, releaseSources, reportError, type HoldableSource, type ResumableSource, type SourceHolder } from './dispatch.js';
import { FrameDecoder, FramingError, framingOf, type Framing, type FramingSpec } from './framing.js';
import type { Closable, EventSource, Machine } from './machine.js';

export { isHoldable, NO_EVENT, type HoldableSource, type SourceHolder } from './dispatch.js';

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

export interface StreamOptions {
    noDelay?: boolean;
    keepAliveMs?: number;
    /** No bytes received for this long while connected raises `idle` (once, until bytes arrive again). */
    idleMs?: number;
    /** Every min(`heartbeatMs`, `heartbeatTimeoutMs`) while connected: nothing received for `heartbeatTimeoutMs` raises the heartbeat event, else `handleHeartbeat` runs. */
    heartbeatMs?: number;
    heartbeatTimeoutMs?: number;
    /** How long a graceful close waits for the peer after ending the write side (default 2 s). */
    lingerMs?: number;
    /** How `read` cuts bytes into messages and `send` frames them (default: none, chunks as they come). */
    framing?: FramingSpec;
    /** `read` delivers text (the bytes as UTF-8) instead of a Buffer: the model declares its read event `E(string)`. */
    readText?: boolean;
}

export const DEFAULT_LINGER_MS = 2_000;

/** Bytes still queued on a socket when it was destroyed, reported once it has closed. */
const unsentAtDestroy = new WeakMap<Socket, number>();

/** Sockets destroyed because the peer did not close within the linger time (the kernel may discard what it held). */
const lingerExpired = new WeakSet<Socket>();

/** Sockets destroyed because a message was too long or malformed: their close follows an error. */
const framingFailed = new WeakSet<Socket>();

export class StreamDispatcher implements Closable, EventSource, HoldableSource, SourceHolder {
    /** The current socket; a previous one may still be lingering on its own after a graceful close. */
    socket: Socket | undefined;
    /** Bytes received, and bytes accepted by `write`, over every socket this dispatcher had. */
    bytesIn = 0;
    bytesOut = 0;

    private closing: Promise<void> | undefined;
    /** True between the connect (or the accept) and the close: idle and heartbeat watch the socket. */
    private watching = false;
    private heartbeatTimer: ClockTimer | undefined;
    private idleTimer: ClockTimer | undefined;
    /** The clock's time of the last bytes received (or of the connect). */
    private lastReceived = 0;
    /** Reading paused by `pauseReading()` (the model's own call), until `resumeReading()`. */
    private pausedByCall = false;
    /** Whether the socket is paused now; it is when paused by call or while `blockedOn` is not empty. */
    private readPaused = false;
    /** Backpressure, as a source: the written dispatchers still waiting for 'drain' with bytes this socket produced. */
    private readonly blockedOn = new Set<SourceHolder>();
    /** Backpressure, as the written socket: the sources paused until this socket drains (or closes). */
    private readonly waiting = new Set<ResumableSource>();
    /** The framing, when not `none`. */
    private readonly framing: Framing | undefined;
    /** The current socket's messages not yet delivered (with a framing). */
    private frames: FrameDecoder | undefined;
    /** Messages that waited while reading was paused are being delivered: the socket stays paused until they are. */
    private deliveringHeld = false;
    /**
     * The current socket's error and close, held while reading is paused: they come after the bytes nobody read yet.
     * (Node reads on while its buffer has room, so it sees a FIN or a reset even while the socket is paused.)
     */
    private heldEnd: Array<() => void> = [];

    constructor(
        readonly machine: Machine,
        readonly name: string,
        protected readonly events: StreamEvents,
        protected readonly options: StreamOptions = {}
    ) {
        machine.own(this);
        this.framing = options.framing === undefined || options.framing.kind === 'none' ? undefined : framingOf(options.framing);
    }

    /** True while a socket is attached and open for writing. */
    get writable(): boolean {
        return this.socket !== undefined && !this.socket.destroyed && this.socket.writable;
    }

    /** True while the current socket is being closed gracefully (ended, waiting for the peer). */
    get closingGracefully(): boolean {
        return this.closing !== undefined && this.socket !== undefined && !this.socket.destroyed;
    }

    /** The machine's clock: idle, heartbeat and the linger of a graceful close run on it. */
    private get machineClock(): Clock {
        return this.machine.host.clock;
    }

    /**
     * Writes bytes. Returns false when they were queued behind earlier ones: then the source of the event being
     * handled (`machine.source`, the socket whose data this is) stops reading until this socket drains or closes, as
     * `stream.pipe` does; other sockets keep reading. A write with no source (a timer, a signal, `raise`, the heartbeat)
     * pauses nothing. Writing to a closed socket loses nothing silently: the bytes are reported through the `error` event.
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
            this.holdSource(this.machine.source);
        }
        return flushed;
    }

    /**
     * The built-in `send`: a string or bytes (anything else is reported: `ERR_PAYLOAD_NOT_BYTES`), framed as the model
     * says (a message the framing cannot send is reported with its FramingError code, and nothing is written), then
     * written as `write` does.
     */
    send(message: unknown): boolean {
        const outgoing = outgoingMessage(this.framing, message, `${this.machine.name}.${this.name}`);
        if (outgoing instanceof ReactorError) {
            this.report(outgoing);
            return false;
        }
        return this.write(outgoing);
    }

    /**
     * Stops taking bytes from the peer (they wait in the kernel; TCP flow control slows the sender) until `resumeReading`;
     * with a framing, the messages already received wait too. A socket being closed reads on (its peer's close must be seen).
     */
    pauseReading(): void {
        if (this.closingGracefully) {
            return;
        }
        this.pausedByCall = true;
        this.updateReading();
    }

    /**
     * Undoes `pauseReading`. Reading stays paused while a socket written with this one's data still waits for 'drain'.
     * Messages that waited are delivered first, one event each, on the next tick (after the current step).
     */
    resumeReading(): void {
        if (!this.pausedByCall) {
            return;
        }
        this.pausedByCall = false;
        if ((this.frames !== undefined && this.frames.buffered > 0) || this.heldEnd.length > 0) {
            this.deliverHeldFrames();
        } else {
            this.updateReading();
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
            // A close that waited while reading was paused is delivered now (after what was still unread).
            this.resumeReading();
            return this.closing;
        }
        this.stopHeartbeat();
        this.closing = new Promise<void>((resolve) => {
            const clock = this.machineClock;
            const linger = clock.set(this.options.lingerMs ?? DEFAULT_LINGER_MS, () => {
                if (!socket.destroyed) {
                    unsentAtDestroy.set(socket, socket.writableLength);
                    lingerExpired.add(socket);
                    socket.destroy();
                }
            });
            socket.once('close', () => {
                clock.clear(linger);
                resolve();
            });
        });
        // 'drain' does not come after end(): sources waiting for this socket resume now (writes to it fail from here on,
        // so nothing grows). And this socket reads on until its peer closes, whatever paused it, so the FIN is seen.
        this.releaseSources();
        for (const sink of this.blockedOn) {
            sink.forgetSource(this);
        }
        this.blockedOn.clear();
        // Messages that waited for those sockets' drain are read now (after this step), like the bytes after them.
        if (!this.pausedByCall && this.frames !== undefined && this.frames.buffered > 0) {
            this.deliverHeldFrames();
        }
        this.resumeReading();
        this.updateReading();
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

    // asyncore's roles. Generated subclasses may override them; each reports the occurrence to observers, then
    // dispatches the mapped event with this dispatcher as its source.

    /** Connected (the client reports the occurrence before calling this): idle and heartbeat start watching. */
    handleConnect(): void {
        this.startWatching();
        this.emit(this.events.connect, undefined);
    }

    /** Bytes arrived: `read` with the chunk, or, with a framing, one `read` per whole message they complete. */
    handleRead(chunk: Buffer): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'data', { bytes: chunk.byteLength });
        }
        if (this.frames === undefined) {
            this.emitRead(chunk);
        } else {
            this.frames.push(chunk);
            this.deliverFrames();
        }
    }

    /** The socket drained: the sources paused for it resume (each once nothing else it filled still waits). */
    handleWrite(): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'drain');
        }
        this.releaseSources();
        this.emit(this.events.drain, undefined);
    }

    handleClose(hadError: boolean): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'close', { hadError });
        }
        this.emit(this.events.close, hadError);
    }

    /** A socket error (Node's, with `code`): the `error` event, or a process warning where the model maps none. */
    handleError(error: Error): void {
        this.report(error, false);
    }

    /** No bytes received for `idleMs`. */
    handleIdle(): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'idle');
        }
        this.emit(this.events.idle, undefined);
    }

    /** Called at each heartbeat check that found the peer alive: override to write a ping. */
    handleHeartbeat(): void {}

    /** Nothing received for `heartbeatTimeoutMs`: the heartbeat event; the heartbeat has stopped. */
    handleHeartbeatLost(timeoutMs: number): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'heartbeat-lost');
        }
        this.emit(this.events.heartbeatLost, new ReactorError('EHEARTBEAT', `${this.machine.name}.${this.name}: nothing received for ${timeoutMs} ms`));
    }

    /**
     * Makes `socket` the current one. A previous socket still closing lingers on its own: its data and
     * errors no longer reach the machine, but bytes it could not send are still reported.
     */
    protected attach(socket: Socket): void {
        // Nobody waits for a previous socket's drain any more: it flushes on its own, and takes no more writes.
        this.releaseSources();
        this.stopWatching();
        this.socket = socket;
        this.closing = undefined;
        this.pausedByCall = false;
        this.deliveringHeld = false;
        this.heldEnd = [];
        this.frames = this.framing === undefined ? undefined : new FrameDecoder(this.framing);
        // A new connection starts paused while a socket written with the previous one's data still waits for 'drain'.
        this.readPaused = this.blockedOn.size > 0;
        if (this.readPaused) {
            socket.pause();
        }
        this.lastReceived = this.machineClock.now();
        const current = (): boolean => this.socket === socket;
        const { noDelay, keepAliveMs } = this.options;
        if (noDelay) {
            socket.setNoDelay(true);
        }
        if (keepAliveMs !== undefined) {
            socket.setKeepAlive(true, keepAliveMs);
        }
        socket.on('data', (chunk: Buffer) => {
            if (current()) {
                this.bytesIn += chunk.byteLength;
                this.received();
                this.handleRead(chunk);
            }
        });
        socket.on('drain', () => current() && this.handleWrite());
        // The peer's FIN (sockets are half-open: Node does not end our side by itself): the last message is read while
        // our side can still answer it, then our side ends too, after what is queued.
        socket.on('end', () => (current() ? this.holdWhilePaused(() => this.peerEnded(socket)) : socket.end()));
        // Only a connection's end waits behind its unread bytes: a failed connect is reported at once.
        let connected = !socket.connecting;
        socket.once('connect', () => {
            connected = true;
        });
        socket.on('error', (error) => current() && (connected ? this.holdWhilePaused(() => this.handleError(error)) : this.handleError(error)));
        socket.on('close', (hadError) => {
            if (current() && connected) {
                this.holdWhilePaused(() => this.socketClosed(socket, hadError));
            } else {
                this.socketClosed(socket, hadError);
            }
        });
    }

    /** The peer ended its side: the end ends the last message (read now, while we can still write), then we end ours. */
    private peerEnded(socket: Socket): void {
        if (this.socket === socket) {
            this.endFrames(false);
        }
        if (!socket.writableEnded) {
            socket.end();
        }
    }

    /** The current socket's error or close: now, or, while reading is paused, after resume (behind the unread bytes). */
    private holdWhilePaused(occurrence: () => void): void {
        if (this.pausedByCall || this.deliveringHeld || this.heldEnd.length > 0) {
            this.heldEnd.push(occurrence);
        } else {
            occurrence();
        }
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
        this.stopWatching();
        this.closing ??= Promise.resolve();
        // A socket that backed up and then died sends no 'drain': the sources paused for it must not stay paused.
        this.releaseSources();
        const failed = framingFailed.has(socket);
        this.endFrames(hadError || failed);
        this.handleClose(hadError || failed);
    }

    /** Whole messages, one `read` each, until none is left, reading is paused, or the socket is replaced. */
    private deliverFrames(): void {
        const frames = this.frames;
        if (frames === undefined) {
            return;
        }
        let frame: Buffer | undefined;
        try {
            // The decoder throws only a FramingError; the machine's dispatch catches what actions throw.
            while (this.frames === frames && !this.pausedByCall && this.blockedOn.size === 0 && !this.machine.finished && (frame = frames.next()) !== undefined) {
                this.emitRead(frame);
            }
        } catch (error) {
            if (!(error instanceof FramingError)) {
                throw error;
            }
            this.failFraming(error);
        }
    }

    /** After `resumeReading`: the messages that waited, on the next tick; the socket reads again once they are out. */
    private deliverHeldFrames(): void {
        if (this.deliveringHeld) {
            return;
        }
        this.deliveringHeld = true;
        const frames = this.frames;
        process.nextTick(() => {
            if (this.frames !== frames || !this.deliveringHeld) {
                return;
            }
            this.deliveringHeld = false;
            this.deliverFrames();
            this.updateReading();
            // The peer's error and close that waited come last, unless one of the messages paused reading again.
            if (!this.pausedByCall) {
                for (const occurrence of this.heldEnd.splice(0)) {
                    occurrence();
                }
            }
        });
    }

    /** A message too long or malformed: the `error` event with the FramingError, then the socket is destroyed. */
    private failFraming(error: FramingError): void {
        const socket = this.socket;
        this.frames = undefined;
        this.report(error);
        if (socket && !socket.destroyed) {
            framingFailed.add(socket);
            unsentAtDestroy.set(socket, socket.writableLength);
            socket.destroy();
        }
    }

    /** The stream ended: its end ends the last message (a last line without LF is read; a prefixed one cut short is an error). */
    private endFrames(hadError: boolean): void {
        const frames = this.frames;
        this.frames = undefined;
        this.deliveringHeld = false;
        if (frames === undefined || hadError) {
            return;
        }
        try {
            for (let frame = frames.end(); frame !== undefined; frame = frames.end()) {
                this.emitRead(frame);
            }
        } catch (error) {
            this.report(error as FramingError);
        }
    }

    /** A chunk or a message as the `read` event: a Buffer, or UTF-8 text where the model declares the event `E(string)`. */
    private emitRead(bytes: Buffer): void {
        this.emit(this.events.read, this.options.readText === true ? bytes.toString('utf8') : bytes);
    }

    /** Delivers an event to the machine, when the model maps one, with this dispatcher as its source. */
    protected emit(event: number, payload: unknown): void {
        if (event !== NO_EVENT) {
            this.machine.dispatch(event, payload, this);
        }
    }

    /**
     * An error the model should hear about: traced, then the `error` event when mapped and the machine still runs.
     * Otherwise a process warning: always for lost bytes (the runtime's own errors), and for a socket error from Node
     * while the machine runs (once the machine has finished, only lost bytes are worth a warning).
     */
    protected report(error: Error, always = true): void {
        reportError(this.machine, this.name, this.events.error, this, error, always, 'ReactorSocketError');
    }

    /** The socket is connected: idle and heartbeat start counting from now (client: on connect; connection: at attach). */
    protected startWatching(): void {
        this.watching = true;
        this.lastReceived = this.machineClock.now();
        this.armIdle();
        this.startHeartbeat();
    }

    /** The socket closed (or a new one is attached): idle and heartbeat stop. */
    protected stopWatching(): void {
        this.watching = false;
        this.stopIdle();
        this.stopHeartbeat();
    }

    /** The heartbeat checks every min(interval, timeout); it stops when the peer is lost, on close, and on a graceful close. */
    protected startHeartbeat(): void {
        const { heartbeatMs, heartbeatTimeoutMs } = this.options;
        if (heartbeatMs === undefined || heartbeatTimeoutMs === undefined) {
            return;
        }
        this.stopHeartbeat();
        const every = Math.min(heartbeatMs, heartbeatTimeoutMs);
        const clock = this.machineClock;
        const tick = (): void => {
            this.heartbeatTimer = undefined;
            if (clock.now() - this.lastReceived >= heartbeatTimeoutMs) {
                this.handleHeartbeatLost(heartbeatTimeoutMs);
            } else {
                this.heartbeatTimer = clock.set(every, tick);
                this.handleHeartbeat();
            }
        };
        this.heartbeatTimer = clock.set(every, tick);
    }

    protected stopHeartbeat(): void {
        if (this.heartbeatTimer !== undefined) {
            this.machineClock.clear(this.heartbeatTimer);
            this.heartbeatTimer = undefined;
        }
    }

    /** Bytes arrived: the heartbeat counts from now, and idle starts over (it is armed again if it had fired). */
    private received(): void {
        this.lastReceived = this.machineClock.now();
        if (this.watching && this.options.idleMs !== undefined) {
            this.armIdle();
        }
    }

    private armIdle(): void {
        const idleMs = this.options.idleMs;
        if (idleMs === undefined) {
            return;
        }
        this.stopIdle();
        this.idleTimer = this.machineClock.set(idleMs, () => {
            this.idleTimer = undefined;
            this.handleIdle();
        });
    }

    private stopIdle(): void {
        if (this.idleTimer !== undefined) {
            this.machineClock.clear(this.idleTimer);
            this.idleTimer = undefined;
        }
    }

    /** Backpressure, as a source: `sink` queued bytes this socket produced; it reads nothing until `sink` releases it. */
    holdFor(sink: SourceHolder): boolean {
        if (this.closing !== undefined) {
            return false; // a socket being closed reads on until its peer closes
        }
        this.blockedOn.add(sink);
        this.updateReading();
        return true;
    }

    /** Backpressure, as a source: `sink` drained or closed; the messages that waited come first (on the next tick). */
    releaseFrom(sink: SourceHolder): void {
        this.blockedOn.delete(sink);
        if (this.blockedOn.size === 0 && !this.pausedByCall && this.frames !== undefined && this.frames.buffered > 0) {
            this.deliverHeldFrames();
        }
        this.updateReading();
    }

    /** Backpressure, as the sink: `source` is being closed and no longer waits for this socket. */
    forgetSource(source: EventSource): void {
        this.waiting.delete(source);
    }

    /** A write on this socket was queued while `source`'s event was handled: `source` stops reading until this socket drains. */
    private holdSource(source: EventSource | undefined): void {
        holdSource(this, this.waiting, source);
    }

    /** This socket drained or closed: every source it held resumes, unless another socket it filled still waits. */
    private releaseSources(): void {
        releaseSources(this, this.waiting);
    }

    /** Pauses or resumes the socket: paused while paused by call or held by a socket it filled. */
    private updateReading(): void {
        const paused = this.pausedByCall || this.blockedOn.size > 0 || this.deliveringHeld;
        if (paused === this.readPaused) {
            return;
        }
        this.readPaused = paused;
        if (paused) {
            this.socket?.pause();
        } else {
            this.socket?.resume();
        }
    }
}
