// A listening socket: every accepted connection runs its own session machine; running out of descriptors pauses accepting.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Backoff } from './backoff.js';
import type { Clock } from './clock.js';
import type { Closable, Machine, MachineHost, MachineObserver } from './machine.js';
import { NO_EVENT } from './stream-dispatcher.js';

export interface ServerOptions {
    host: string;
    port: number;
    backlog?: number;
    noDelay?: boolean;
    keepAliveMs?: number;
}

/** Machine event ids a server raises; -1 where the model maps nothing. */
export interface ServerEvents {
    accept: number;
    error: number;
    close: number;
}

/** Builds the session machine for an accepted socket (generated per `session` machine). */
export type SessionFactory = (host: MachineHost, socket: Socket) => Machine;

/** How long accepting pauses after the process ran out of file descriptors: grows from 100 ms to 2 s. */
const DESCRIPTOR_PAUSE = { minMs: 100, maxMs: 2_000 };

export class ServerDispatcher implements Closable, MachineHost {
    server: Server | undefined;
    readonly sessions = new Set<Machine>();
    /** Accepted connections so far, and times accepting paused for lack of descriptors. */
    accepted = 0;
    pauses = 0;

    private closing: Promise<void> | undefined;
    /** The port bound first: listening again after a pause takes the same one, even when the model said 0. */
    private boundPort: number | undefined;
    private resumeTimer: ReturnType<typeof setTimeout> | undefined;
    private readonly pauseBackoff = new Backoff(DESCRIPTOR_PAUSE.minMs, DESCRIPTOR_PAUSE.maxMs);

    constructor(
        readonly machine: Machine,
        readonly name: string,
        private readonly events: ServerEvents,
        private readonly options: ServerOptions,
        private readonly createSession: SessionFactory
    ) {
        machine.own(this);
    }

    get observers(): readonly MachineObserver[] {
        return this.machine.host.observers;
    }

    get clock(): Clock {
        return this.machine.host.clock;
    }

    /** The bound port (useful with port 0). */
    get port(): number | undefined {
        const address = this.server?.address();
        return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
    }

    /** Starts listening; resolves once bound, rejects (and raises `error`) when the address cannot be used. */
    listen(): Promise<void> {
        const { noDelay, keepAliveMs } = this.options;
        const server = (this.server ??= createServer({
            noDelay: noDelay ?? false,
            keepAlive: keepAliveMs !== undefined,
            keepAliveInitialDelay: keepAliveMs ?? 0
        }));
        if (server.listenerCount('connection') === 0) {
            server.on('connection', (socket: Socket) => this.handleAccept(socket));
            server.on('error', (error: NodeJS.ErrnoException) => this.handleError(error));
        }
        return new Promise<void>((resolve, reject) => {
            const failed = (error: Error): void => reject(error);
            server.once('error', failed);
            server.listen({ host: this.options.host, port: this.boundPort ?? this.options.port, backlog: this.options.backlog ?? 511 }, () => {
                server.off('error', failed);
                this.boundPort ??= this.port;
                resolve();
            });
        });
    }

    /** asyncore's handle_accept: a new session machine owns the socket. */
    handleAccept(socket: Socket): void {
        if (this.closing) {
            socket.destroy();
            return;
        }
        this.accepted++;
        this.pauseBackoff.reset();
        const session = this.createSession(this, socket);
        session.name = `${session.type}#${this.accepted}`;
        this.sessions.add(session);
        session.start();
        if (this.events.accept !== NO_EVENT) {
            this.machine.dispatch(this.events.accept, session);
        }
    }

    handleError(error: NodeJS.ErrnoException): void {
        if (error.code === 'EMFILE' || error.code === 'ENFILE') {
            this.pauseAccepting();
        }
        if (this.events.error !== NO_EVENT) {
            this.machine.dispatch(this.events.error, error);
        } else if (error.code !== 'EMFILE' && error.code !== 'ENFILE') {
            process.emitWarning(`${this.machine.name}.${this.name}: ${error.message}`, 'ReactorSocketError');
        }
    }

    /** Stop accepting, close every session gracefully, and resolve when all are closed. */
    close(): Promise<void> {
        if (this.closing) {
            return this.closing;
        }
        if (this.resumeTimer !== undefined) {
            clearTimeout(this.resumeTimer);
            this.resumeTimer = undefined;
        }
        const listenerClosed = new Promise<void>((resolve) => {
            if (this.server?.listening) {
                this.server.close(() => resolve());
            } else {
                resolve();
            }
        });
        // Each session closes its connection gracefully (pending bytes are flushed first).
        const sessionsClosed = Promise.all([...this.sessions].map((session) => session.finish()));
        this.closing = Promise.all([listenerClosed, sessionsClosed]).then(() => {
            if (this.events.close !== NO_EVENT) {
                this.machine.dispatch(this.events.close, false);
            }
        });
        return this.closing;
    }

    // MachineHost for the sessions.

    machineFinished(session: Machine): void {
        this.sessions.delete(session);
    }

    stop(): void {
        this.machine.host.stop();
    }

    /** Out of descriptors: stop listening (no busy accept loop), then listen again after a growing pause. */
    private pauseAccepting(): void {
        const server = this.server;
        if (!server?.listening || this.closing || this.resumeTimer !== undefined) {
            return;
        }
        this.pauses++;
        server.close();
        this.resumeTimer = setTimeout(() => {
            this.resumeTimer = undefined;
            if (!this.closing) {
                this.listen().catch((error: NodeJS.ErrnoException) => this.handleError(error));
            }
        }, this.pauseBackoff.next());
    }
}
