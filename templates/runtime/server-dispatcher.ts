// A listening socket: every accepted connection runs its own session machine; running out of descriptors pauses accepting.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { lstat, unlink } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { describeAddress } from './addresses.js';
import { Backoff } from './backoff.js';
import type { Clock, ClockTimer } from './clock.js';
import type { Closable, Machine, MachineHost, MachineObserver } from './machine.js';
import { NO_EVENT } from './stream-dispatcher.js';
import { serverTlsOptions, tlsSetupFailure, type TlsFiles } from './tls.js';

export interface ServerOptions {
    host: string;
    port: number;
    /** A Unix domain socket's path: listen there instead of on host and port (a stale socket file is removed first). */
    path?: string;
    backlog?: number;
    noDelay?: boolean;
    keepAliveMs?: number;
    /**
     * Listen with TLS (`cert` and `key` required; `ca` given: clients must present a certificate it signed). The files are
     * read when listening starts; one that cannot be read fails the listen. Sessions start once the handshake is done.
     */
    tls?: TlsFiles;
}

/** Machine event ids a server raises; -1 where the model maps nothing. */
export interface ServerEvents {
    accept: number;
    error: number;
    close: number;
}

/** Builds the session machine for an accepted socket (generated per `session` machine). */
export type SessionFactory = (host: MachineHost, socket: Socket) => Machine;

/** A session machine as generated: it exposes the connection it owns, which a closing server closes gracefully. */
interface SessionWithConnection {
    readonly connection?: Closable;
}

/** How long accepting pauses after the process ran out of file descriptors: grows from 100 ms to 2 s. */
const DESCRIPTOR_PAUSE = { minMs: 100, maxMs: 2_000 };

export class ServerDispatcher implements Closable, MachineHost {
    server: Server | undefined;
    /** Sessions started and not finished yet. */
    readonly sessions = new Set<Machine>();
    /** Accepted connections so far, and times accepting paused for lack of descriptors. */
    accepted = 0;
    pauses = 0;
    /** TLS clients whose handshake failed (no or a refused certificate, not TLS at all, …): no session was started for them. */
    tlsRejected = 0;

    private closing: Promise<void> | undefined;
    /** Resolves once every session has finished, after `close`. */
    private sessionsFinished: (() => void) | undefined;
    /** Finished sessions whose sockets are still closing (a connection lingering for its peer). */
    private readonly lingering = new Set<Promise<void>>();
    /** The port bound first: listening again after a pause takes the same one, even when the model said 0. */
    private boundPort: number | undefined;
    /** True while a `listen` is in progress: its failure is handled by `listen`'s caller, not as a server error. */
    private binding = false;
    private resumeTimer: ClockTimer | undefined;
    private readonly pauseBackoff: Backoff;

    constructor(
        readonly machine: Machine,
        readonly name: string,
        protected readonly events: ServerEvents,
        protected readonly options: ServerOptions,
        private readonly sessionFactory?: SessionFactory
    ) {
        const clock = machine.host.clock;
        this.pauseBackoff = new Backoff(DESCRIPTOR_PAUSE.minMs, DESCRIPTOR_PAUSE.maxMs, () => clock.random());
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
        return address && typeof address === 'object' ? address.port : undefined;
    }

    /**
     * Starts listening (the machine's start calls it). When the address cannot be used, the model's `error` event
     * gets the error; without an `error` mapping the program stops with a message and exit status 1.
     */
    startListening(): void {
        this.listen().catch((error: NodeJS.ErrnoException) => this.listenFailed(error));
    }

    /**
     * Starts listening; resolves once bound, rejects when the address cannot be used. A Unix socket path that is
     * taken by a socket nobody listens on any more (left by a process that died) is removed, and listening retried once.
     */
    async listen(): Promise<void> {
        try {
            await this.listenOnce();
        } catch (error) {
            const path = this.options.path;
            if (path === undefined || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !(await removeStaleSocket(path))) {
                throw error;
            }
            await this.listenOnce();
        }
    }

    private listenOnce(): Promise<void> {
        let server: Server;
        try {
            server = this.server ??= this.createListener();
        } catch (error) {
            // The TLS files cannot be used: a listen failure like an address in use.
            return Promise.reject(tlsSetupFailure(error));
        }
        // With TLS, a session starts once the handshake is done; a client that fails it is only counted.
        const accepting = this.options.tls !== undefined ? 'secureConnection' : 'connection';
        if (server.listenerCount(accepting) === 0) {
            server.on(accepting, (socket: Socket) => this.handleAccept(socket));
            if (this.options.tls !== undefined) {
                server.on('tlsClientError', (_error: Error, socket: TLSSocket) => {
                    this.tlsRejected++;
                    socket.destroy();
                });
            }
            server.on('error', (error: NodeJS.ErrnoException) => {
                if (!this.binding) {
                    this.handleError(error);
                }
            });
        }
        this.binding = true;
        return new Promise<void>((resolve, reject) => {
            const failed = (error: Error): void => {
                this.binding = false;
                server.off('listening', bound);
                reject(error);
            };
            const bound = (): void => {
                this.binding = false;
                server.off('error', failed);
                this.boundPort ??= this.port;
                resolve();
            };
            server.once('error', failed);
            server.once('listening', bound);
            const backlog = this.options.backlog ?? 511;
            const path = this.options.path;
            server.listen(path !== undefined ? { path, backlog } : { host: this.options.host, port: this.boundPort ?? this.options.port, backlog });
        });
    }

    /** The listening socket, TCP or TLS (reading the TLS files now: throws when they cannot be used). */
    private createListener(): Server {
        const { noDelay, keepAliveMs, tls } = this.options;
        const options = {
            // The dispatcher ends our side when the peer's FIN comes, after the last message is read and answered.
            allowHalfOpen: true,
            noDelay: noDelay ?? false,
            keepAlive: keepAliveMs !== undefined,
            keepAliveInitialDelay: keepAliveMs ?? 0
        };
        return tls !== undefined ? createTlsServer({ ...options, ...serverTlsOptions(tls) }) : createServer(options);
    }

    /** Builds the session for an accepted socket; the generated subclass overrides it (and so may yours). */
    protected createSession(host: MachineHost, socket: Socket): Machine {
        if (!this.sessionFactory) {
            throw new Error(`${this.machine.name}.${this.name}: no session factory`);
        }
        return this.sessionFactory(host, socket);
    }

    /** asyncore's handle_accept: a new session machine owns the socket; it starts, then the server's machine hears `accept`. */
    handleAccept(socket: Socket): void {
        if (this.closing) {
            socket.destroy();
            return;
        }
        this.accepted++;
        this.pauseBackoff.reset();
        const session = this.createSession(this, socket);
        session.name = `${session.type}#${this.nextSessionNumber(session.type) ?? this.accepted}`;
        this.sessions.add(session);
        session.start();
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'accept', { session: session.name });
        }
        if (this.events.accept !== NO_EVENT) {
            this.machine.dispatch(this.events.accept, session);
        }
    }

    /** An error of the listening socket (out of descriptors on accept, …). */
    handleError(error: NodeJS.ErrnoException): void {
        const outOfDescriptors = error.code === 'EMFILE' || error.code === 'ENFILE';
        if (outOfDescriptors) {
            this.pauseAccepting();
        }
        this.traceError(error);
        if (this.events.error !== NO_EVENT) {
            this.machine.dispatch(this.events.error, error);
        } else if (!outOfDescriptors) {
            process.emitWarning(`${this.machine.name}.${this.name}: ${error.message}`, 'ReactorSocketError');
        }
    }

    /** The address cannot be used (in use, not available, …): the model's `error`, or the program stops with exit status 1. */
    protected listenFailed(error: NodeJS.ErrnoException): void {
        if (this.closing) {
            return;
        }
        this.traceError(error);
        if (this.events.error !== NO_EVENT) {
            this.machine.dispatch(this.events.error, error);
            return;
        }
        const message = `${this.machine.name}.${this.name}: cannot listen on ${describeAddress({ ...this.options, port: this.boundPort ?? this.options.port })}: ${describeError(error)}`;
        if (this.machine.host.fail) {
            this.machine.host.fail(message);
        } else {
            process.emitWarning(message, 'ReactorSocketError');
            process.exitCode = 1;
        }
    }

    /**
     * Graceful close. `close NAME` drains: the server stops accepting and its sessions run on until they end by
     * themselves. Once the server's machine has finished (it calls this too), every session's connection is also closed
     * gracefully: the sessions keep running (they still read, and see their peer's close as their `close` event) until
     * their connections have closed. Either way, when the last session has finished the server's `close` event goes to
     * its machine, and the promise resolves once every socket of the sessions has closed.
     */
    close(): Promise<void> {
        if (this.closing) {
            if (this.machine.finished) {
                this.closeSessions();
            }
            return this.closing;
        }
        if (this.resumeTimer !== undefined) {
            this.clock.clear(this.resumeTimer);
            this.resumeTimer = undefined;
        }
        const server = this.server;
        if (server?.listening) {
            // Stops accepting at once; the callback (when every accepted connection has ended) is not waited for.
            server.close();
        } else if (server && this.binding) {
            // Closed while still binding (a `stop` in the start step): close as soon as it is bound.
            server.once('listening', () => server.close());
        }
        const sessionsFinished = new Promise<void>((resolve) => {
            this.sessionsFinished = resolve;
        });
        this.closing = sessionsFinished.then(() => Promise.all([...this.lingering])).then(() => undefined);
        if (this.machine.finished) {
            this.closeSessions();
        }
        this.checkSessionsFinished();
        return this.closing;
    }

    /** Closes every session's connection gracefully (the server's machine has finished). */
    private closeSessions(): void {
        for (const session of [...this.sessions]) {
            const connection = (session as Machine & SessionWithConnection).connection;
            if (connection) {
                void connection.close();
            } else {
                void session.finish();
            }
        }
    }

    // MachineHost for the sessions.

    machineFinished(session: Machine): void {
        if (!this.sessions.delete(session)) {
            return;
        }
        const closed = session.finish();
        this.lingering.add(closed);
        void closed.then(() => this.lingering.delete(closed));
        this.checkSessionsFinished();
    }

    stop(): void {
        this.machine.host.stop();
    }

    /** Sessions are numbered over the whole program: the reactor counts them (undefined: a host that does not count). */
    nextSessionNumber(type: string): number | undefined {
        return this.machine.host.nextSessionNumber?.(type);
    }

    bindSignals(session: Machine): void {
        this.machine.host.bindSignals?.(session);
    }

    unbindSignals(session: Machine): void {
        this.machine.host.unbindSignals?.(session);
    }

    fail(message: string): void {
        if (this.machine.host.fail) {
            this.machine.host.fail(message);
        } else {
            process.emitWarning(message, 'ReactorSocketError');
            process.exitCode = 1;
        }
    }

    /** Once closing and every session has finished: the server's `close`, after the step that finished the last one. */
    private checkSessionsFinished(): void {
        const done = this.sessionsFinished;
        if (!done || this.sessions.size > 0) {
            return;
        }
        this.sessionsFinished = undefined;
        queueMicrotask(() => {
            if (this.machine.tracing) {
                this.machine.traceIo(this.name, 'close', { hadError: false });
            }
            if (this.events.close !== NO_EVENT) {
                this.machine.dispatch(this.events.close, false);
            }
            done();
        });
    }

    private traceError(error: NodeJS.ErrnoException): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'error', error.code === undefined ? {} : { code: error.code });
        }
    }

    /** Out of descriptors: stop listening (no busy accept loop), then listen again after a growing pause. */
    private pauseAccepting(): void {
        const server = this.server;
        if (!server?.listening || this.closing || this.resumeTimer !== undefined) {
            return;
        }
        this.pauses++;
        server.close();
        this.resumeTimer = this.clock.set(this.pauseBackoff.next(), () => {
            this.resumeTimer = undefined;
            if (!this.closing) {
                this.listen().catch((error: NodeJS.ErrnoException) => this.listenFailed(error));
            }
        });
    }
}

/** `address already in use (EADDRINUSE)`: Node's message without its `listen CODE:` prefix and address, plus the code. */
function describeError(error: NodeJS.ErrnoException): string {
    const text = error.message.replace(/^listen \w+: /, '').replace(/ \S+:\d+$/, '');
    return error.code && !text.includes(error.code) ? `${text} (${error.code})` : text;
}

/**
 * Removes the socket files at these addresses' Unix paths that nobody listens on any more (TCP addresses are skipped).
 * A cluster's primary runs it once before its workers share the paths: a worker's own retry would not match the
 * primary's record of that listen.
 */
export async function removeStaleSockets(addresses: ReadonlyArray<{ path?: string }>): Promise<void> {
    for (const { path } of addresses) {
        if (path !== undefined) {
            await removeStaleSocket(path);
        }
    }
}

/**
 * Removes a Unix socket file that no process listens on (a connect is refused): true when removed. A path that is not
 * a socket, or a socket someone answers on, is left alone (the listen's EADDRINUSE then stands).
 */
async function removeStaleSocket(path: string): Promise<boolean> {
    const stats = await lstat(path).catch(() => undefined);
    if (!stats?.isSocket()) {
        return false;
    }
    const refused = await new Promise<boolean>((resolve) => {
        const probe = netConnect({ path });
        probe.once('connect', () => {
            probe.destroy();
            resolve(false);
        });
        probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (!refused) {
        return false;
    }
    await unlink(path).catch(() => undefined);
    return true;
}
