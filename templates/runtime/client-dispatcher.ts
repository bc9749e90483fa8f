// An outgoing connection: non-blocking connect with a timeout, and reconnect with backoff after it fails or drops.
import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describeAddress } from './addresses.js';
import { Backoff } from './backoff.js';
import type { Clock, ClockTimer } from './clock.js';
import { ReactorError } from './errors.js';
import type { Machine } from './machine.js';
import { NO_EVENT, StreamDispatcher, type StreamEvents, type StreamOptions } from './stream-dispatcher.js';
import { clientTlsOptions, tlsSetupFailure, type TlsFiles } from './tls.js';

export interface ClientOptions extends StreamOptions {
    host: string;
    port: number;
    /** A Unix domain socket's path: connect there instead of to host and port. */
    path?: string;
    /** A connect that has not finished by then raises `timeout` (or `error` where no timeout is mapped). */
    connectTimeoutMs?: number;
    /** Reconnect automatically after a failed or dropped connection, with delays growing from min to max. */
    reconnect?: { minMs: number; maxMs: number };
    /**
     * Connect with TLS: the files are read at each connect; `connect` comes once the handshake is done, and a
     * certificate the handshake refuses is an `error` (Node's code: DEPTH_ZERO_SELF_SIGNED_CERT, …) then `close`.
     */
    tls?: TlsFiles;
}

export class ClientDispatcher extends StreamDispatcher {
    /** The delay before the next automatic reconnect, for observers and tests; undefined when none is scheduled. */
    nextReconnectMs: number | undefined;

    private connectTimer: ClockTimer | undefined;
    private reconnectTimer: ClockTimer | undefined;
    /** Connects abandoned by `close`: their close is reported by `close` itself, in order. */
    private readonly abandoned = new WeakSet<Socket>();
    private readonly backoff: Backoff | undefined;
    /** True once `close` was asked for: no reconnect until the next `connect`. */
    private closeRequested = false;
    /** Sockets connected (with TLS: the handshake done); before that, a connect is still in progress. */
    private readonly established = new WeakSet<Socket>();
    /** TLS sockets that had an error: Node may report their close without `hadError` (an alert after the handshake). */
    private readonly failed = new WeakSet<Socket>();

    constructor(machine: Machine, name: string, events: StreamEvents, protected readonly client: ClientOptions) {
        super(machine, name, events, client);
        // The clock's random gives the jitter: on a manual clock every delay is its whole step, as in the interpreter.
        const clock = machine.host.clock;
        this.backoff = client.reconnect ? new Backoff(client.reconnect.minMs, client.reconnect.maxMs, () => clock.random()) : undefined;
    }

    /** True while connecting or connected (not while a previous connection is only closing). */
    get active(): boolean {
        return this.socket !== undefined && !this.socket.destroyed && !this.closingGracefully;
    }

    /** The reactor's clock: the connect timeout and the reconnect delays run on it. */
    private get clientClock(): Clock {
        return this.machine.host.clock;
    }

    /**
     * Starts a non-blocking connect (the built-in `connect` action); ignored while connecting or connected.
     * A previous connection that is still closing gracefully finishes on its own beside the new one.
     */
    connect(): void {
        this.closeRequested = false;
        this.cancelReconnect();
        if (this.active || this.machine.finished) {
            return;
        }
        const { connectTimeoutMs, tls } = this.client;
        const socket = this.openSocket();
        this.attach(socket);
        if (socket.destroyed) {
            return; // the TLS files could not be used: error and close follow, as for a failed connect
        }
        if (connectTimeoutMs !== undefined) {
            this.connectTimer = this.clientClock.set(connectTimeoutMs, () => this.connectTimedOut(socket, connectTimeoutMs));
        }
        if (tls !== undefined) {
            socket.once('error', () => this.failed.add(socket));
        }
        // With TLS, connected means the handshake is done (the timeout covers it).
        socket.once(tls !== undefined ? 'secureConnect' : 'connect', () => {
            this.established.add(socket);
            this.clearConnectTimer();
            if (this.socket !== socket) {
                return;
            }
            this.backoff?.reset();
            this.machine.traceIo(this.name, 'connect');
            this.handleConnect();
        });
    }

    /** A connecting socket: TCP or Unix, with TLS when the model says; a socket destroyed with the error when the TLS files cannot be used. */
    private openSocket(): Socket {
        const { host, port, path, tls } = this.client;
        // Half-open, as accepted sockets are: the peer's FIN is handled by the dispatcher (it ends our side after the last message).
        const address = path !== undefined ? { path, allowHalfOpen: true } : { host, port, allowHalfOpen: true };
        if (tls === undefined) {
            return netConnect(address);
        }
        try {
            return tlsConnect({ ...address, ...clientTlsOptions(tls, path !== undefined ? '' : host) });
        } catch (error) {
            // Reported as the connect's error (ENOENT, EACCES, bad PEM), then close, and a reconnect reads the files again.
            const failed = new Socket();
            failed.destroy(tlsSetupFailure(error));
            return failed;
        }
    }

    /** A connect (with TLS: a handshake) still in progress. */
    private connecting(socket: Socket): boolean {
        return !socket.destroyed && (socket.connecting || !this.established.has(socket));
    }

    override close(): Promise<void> {
        this.closeRequested = true;
        this.cancelReconnect();
        this.clearConnectTimer();
        const socket = this.socket;
        if (socket && this.connecting(socket)) {
            // Nothing was sent yet: a connect in progress is simply abandoned. Node emits 'close' for destroyed handles
            // in reverse order, so the close is reported on the next tick, in the order the connects were abandoned.
            this.abandoned.add(socket);
            socket.destroy();
            process.nextTick(() => this.closed(socket, false));
        }
        return super.close();
    }

    protected override socketClosed(socket: Socket, hadError: boolean): void {
        if (!this.abandoned.has(socket)) {
            this.closed(socket, hadError || this.failed.has(socket));
        }
    }

    private closed(socket: Socket, hadError: boolean): void {
        if (this.socket === socket) {
            this.clearConnectTimer();
        }
        super.socketClosed(socket, hadError);
        if (this.socket === socket && this.backoff && !this.closeRequested && !this.machine.finished) {
            const delay = this.backoff.next();
            this.nextReconnectMs = delay;
            this.reconnectTimer = this.clientClock.set(delay, () => {
                this.reconnectTimer = undefined;
                this.nextReconnectMs = undefined;
                this.connect();
            });
        }
    }

    private connectTimedOut(socket: Socket, ms: number): void {
        this.connectTimer = undefined;
        if (socket !== this.socket || !this.connecting(socket)) {
            return;
        }
        const error = new ReactorError('ETIMEDOUT', `${this.machine.name}.${this.name}: connect to ${describeAddress(this.client)} timed out after ${ms} ms`);
        socket.destroy();
        this.machine.traceIo(this.name, 'timeout');
        const event = this.events.timeout !== NO_EVENT ? this.events.timeout : this.events.error;
        if (event !== NO_EVENT) {
            this.emit(event, error);
        } else if (!this.machine.finished) {
            process.emitWarning(error.message, 'ReactorSocketError');
        }
    }

    private clearConnectTimer(): void {
        if (this.connectTimer !== undefined) {
            this.clientClock.clear(this.connectTimer);
            this.connectTimer = undefined;
        }
    }

    private cancelReconnect(): void {
        if (this.reconnectTimer !== undefined) {
            this.clientClock.clear(this.reconnectTimer);
            this.reconnectTimer = undefined;
            this.nextReconnectMs = undefined;
        }
    }
}
