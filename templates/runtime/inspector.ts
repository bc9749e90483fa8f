// The inspector of a running program (`--inspect-fsm[=PORT]`): its live trace, served to debuggers on 127.0.0.1, which may pause machines.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Clock } from './clock.js';
import { WORKER_ID_VARIABLE } from './cluster.js';
import type { Machine, MachineObserver } from './machine.js';
import { traceJson } from './trace-format.js';
import { traceObserver } from './trace.js';

/** The only interface the inspector listens on: it lets a local debugger pause the program's machines. */
export const INSPECTOR_HOST = '127.0.0.1';
/** The port of `--inspect-fsm` without a value. */
export const DEFAULT_INSPECTOR_PORT = 9339;
/** The version of the protocol, in the hello line. */
export const INSPECTOR_PROTOCOL_VERSION = 1;
/** A client with more than this many bytes written to it and not yet taken by the kernel is disconnected. */
export const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;
/** The longest command line a client may send. */
const MAX_COMMAND_BYTES = 64 * 1024;
/** At most this many debuggers at once: each may hold up to `maxBuffered` of the program's memory. */
export const MAX_INSPECTOR_CLIENTS = 8;
/**
 * The first line of an HTTP request: a web page can make a browser send one to 127.0.0.1 with a body of commands, so a
 * connection that starts like one is closed before anything in it is read as a command.
 */
const HTTP_REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/[0-9.]+\r?$/;
/** After the program's end, how long clients get to read the last lines before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1_000;

const OPTION = '--inspect-fsm';

/** What `--inspect-fsm` asks for: a port (0: one the system picks), undefined without the option, or what is wrong with its value. */
export function inspectorOption(argv: readonly string[] = process.argv): { port: number } | { error: string } | undefined {
    let found: { port: number } | { error: string } | undefined;
    for (const arg of argv) {
        if (arg === OPTION) {
            found = { port: DEFAULT_INSPECTOR_PORT };
        } else if (arg.startsWith(`${OPTION}=`)) {
            const value = arg.slice(OPTION.length + 1);
            const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
            found = port >= 0 && port <= 65_535 ? { port } : { error: `${arg}: expected a port from 0 to 65535 (0: one the system picks), or ${OPTION} alone for ${DEFAULT_INSPECTOR_PORT}` };
        }
    }
    return found;
}

/** The message for a bad `--inspect-fsm` value (the generated main exits 2 with it), or undefined. */
export function checkInspectorOption(argv: readonly string[] = process.argv): string | undefined {
    const option = inspectorOption(argv);
    return option !== undefined && 'error' in option ? option.error : undefined;
}

export interface StartInspectorOptions {
    argv?: readonly string[];
    /** A program with `workers`: worker N listens on PORT + N - 1 (REACTOR_WORKER_ID), each on a port of its own for 0. */
    portPerWorker?: boolean;
    env?: NodeJS.ProcessEnv;
}

/**
 * `--inspect-fsm[=PORT]`: an inspector listening on 127.0.0.1, announced on stderr
 * (`reactor-fsm: inspector listening on 127.0.0.1:PORT`); undefined without the option. A program that cannot listen
 * there stops before running any machine: the message on stderr, exit status 1 (2 for a bad value).
 */
export async function startInspector(clock: Clock, options: StartInspectorOptions = {}): Promise<Inspector | undefined> {
    const option = inspectorOption(options.argv);
    if (option === undefined) {
        return undefined;
    }
    if ('error' in option) {
        process.stderr.write(`${option.error}\n`);
        process.exit(2);
    }
    const worker = options.portPerWorker ? Number((options.env ?? process.env)[WORKER_ID_VARIABLE] ?? '1') : 1;
    const port = option.port === 0 ? 0 : option.port + (worker >= 1 ? worker - 1 : 0);
    const inspector = new Inspector({ clock, port });
    try {
        const bound = await inspector.listen();
        process.stderr.write(`reactor-fsm: inspector listening on ${INSPECTOR_HOST}:${bound}\n`);
        return inspector;
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    }
}

export interface InspectorOptions {
    /** The reactor's clock: `t` of every line. */
    clock: Clock;
    /** 0: one the system picks. */
    port: number;
    /** See DEFAULT_MAX_BUFFERED. */
    maxBuffered?: number;
}

/** The breakpoints of machines of any type. */
const ANY_MACHINE = '';

/** One connected debugger. */
interface Client {
    readonly socket: Socket;
    /** The start of a command line whose end has not come yet. */
    pending: string;
}

/** One line to a client: a JSON object with its fields in the order written. */
type Reply = Record<string, unknown>;

/**
 * Serves a program's trace to debuggers. Give `observers` to the Reactor before it runs: they keep the list of
 * machine instances (from their start until their sockets have closed) and turn what they do into trace lines.
 * Each client gets a hello line, a snapshot of the instances, then every trace line as it happens (`traceJson`),
 * one JSON object per line. A client may send commands, one JSON object per line: `pause` and `resume` an instance
 * (`{"command":"pause","machine":"EchoSession#1"}`), and `breakOn` states (`{"command":"breakOn","states":["Echoing"],
 * "machine":"EchoSession"}`: an instance of that type, or of any type without `machine`, pauses itself after
 * entering one of them; `"states":[]` clears). A client that does not read is disconnected, so the program never
 * waits for an inspector; when the last one leaves, every paused instance resumes and the breakpoints are cleared.
 */
export class Inspector {
    readonly observers: readonly MachineObserver[];
    private readonly clock: Clock;
    private readonly requestedPort: number;
    private readonly maxBuffered: number;
    private readonly server: Server;
    private readonly clients = new Set<Client>();
    /** Started instances whose sockets have not all closed yet, in the order they started. */
    private readonly live = new Set<Machine>();
    /** The states to pause in, by machine type (ANY_MACHINE: every type). */
    private readonly breakpoints = new Map<string, ReadonlySet<string>>();
    /** Instances paused at a breakpoint in the step in progress, with the state: announced once the step has completed. */
    private readonly breaking = new Map<Machine, string>();
    private closing: Promise<void> | undefined;

    constructor(options: InspectorOptions) {
        this.clock = options.clock;
        this.requestedPort = options.port;
        this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
        this.server = createServer((socket) => this.accept(socket));
        this.server.on('error', () => undefined);
        const lines = traceObserver(this.clock, (line) => {
            if (this.clients.size > 0) {
                this.broadcast(traceJson(line));
            }
        });
        this.observers = [this.instancesObserver(), lines];
    }

    /** Listens on 127.0.0.1; resolves with the port, or rejects with a message saying why it cannot. */
    listen(): Promise<number> {
        return new Promise((resolve, reject) => {
            const failed = (error: NodeJS.ErrnoException): void => {
                reject(new Error(`reactor-fsm: the inspector cannot listen on ${INSPECTOR_HOST}:${this.requestedPort}: ${describeError(error)}`));
            };
            this.server.once('error', failed);
            // exclusive: in a cluster's worker the port is this process's own, not shared through the primary.
            this.server.listen({ host: INSPECTOR_HOST, port: this.requestedPort, exclusive: true }, () => {
                this.server.off('error', failed);
                resolve(this.port);
            });
        });
    }

    /** The port listened on (0 before `listen`). */
    get port(): number {
        const address = this.server.address() as AddressInfo | null;
        return address?.port ?? 0;
    }

    /** How many clients are connected. */
    get clientCount(): number {
        return this.clients.size;
    }

    /** The machine instances now (what a client's snapshot lists). */
    get instances(): readonly Machine[] {
        return [...this.live];
    }

    /**
     * Stops listening and ends every client's connection after what was written to it (destroyed after a grace
     * period when a client does not read it); paused instances resume. Resolves once every connection has closed.
     */
    close(): Promise<void> {
        if (this.closing) {
            return this.closing;
        }
        const clients = [...this.clients];
        this.clients.clear();
        this.release();
        const listener = new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
        const connections = clients.map(
            ({ socket }) =>
                new Promise<void>((resolve) => {
                    if (socket.destroyed) {
                        resolve();
                        return;
                    }
                    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
                    socket.once('close', () => {
                        clearTimeout(timer);
                        resolve();
                    });
                    socket.end();
                })
        );
        this.closing = Promise.all([listener, ...connections]).then(() => undefined);
        return this.closing;
    }

    /** Keeps `live` and pauses instances at breakpoints. */
    private instancesObserver(): MachineObserver {
        return {
            transition: (machine, from, _event, to) => {
                if (from === '') {
                    this.live.add(machine);
                }
                this.checkBreakpoint(machine, to);
            },
            enter: (machine, state) => this.checkBreakpoint(machine, state),
            finished: (machine) => {
                // `finish` again only returns the promise of the closing under way: the instance is listed until it has closed.
                void machine.finish().then(() => this.live.delete(machine));
            }
        };
    }

    private accept(socket: Socket): void {
        if (this.closing) {
            socket.destroy();
            return;
        }
        if (this.clients.size >= MAX_INSPECTOR_CLIENTS) {
            socket.end(`${JSON.stringify({ kind: 'error', message: `${MAX_INSPECTOR_CLIENTS} debuggers are connected already: disconnected` })}\n`);
            socket.on('error', () => undefined);
            return;
        }
        const client: Client = { socket, pending: '' };
        this.clients.add(client);
        socket.setNoDelay(true);
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => this.received(client, text));
        socket.on('error', () => undefined);
        socket.on('close', () => this.drop(client));
        this.send(client, { reactorFsm: 'inspect', version: INSPECTOR_PROTOCOL_VERSION, pid: process.pid, t: this.clock.now() });
        this.send(client, {
            kind: 'snapshot',
            t: this.clock.now(),
            instances: [...this.live].map((machine) => ({ machine: machine.name, state: machine.stateName, finished: machine.finished }))
        });
    }

    /** A client's bytes: each complete line is a command. */
    private received(client: Client, text: string): void {
        const lines = (client.pending + text).split('\n');
        client.pending = lines.pop()!;
        for (const line of lines) {
            if (!this.clients.has(client)) {
                return;
            }
            if (HTTP_REQUEST_LINE.test(line)) {
                // Not a debugger: a browser (or anything speaking HTTP). Nothing after this line is a command.
                client.socket.destroy();
                this.drop(client);
                return;
            }
            if (line.trim() !== '') {
                this.command(client, line);
            }
        }
        if (client.pending.length > MAX_COMMAND_BYTES) {
            client.pending = '';
            this.send(client, { kind: 'error', message: `a command line longer than ${MAX_COMMAND_BYTES} bytes: disconnected` });
            client.socket.end();
            this.drop(client);
        }
    }

    private command(client: Client, line: string): void {
        let command: unknown;
        try {
            command = JSON.parse(line);
        } catch (error) {
            this.send(client, { kind: 'error', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` });
            return;
        }
        if (typeof command !== 'object' || command === null || Array.isArray(command)) {
            this.send(client, { kind: 'error', message: 'a command is a JSON object with a "command" field' });
            return;
        }
        const fields = command as Record<string, unknown>;
        switch (fields.command) {
            case 'pause':
                this.forInstances(client, fields.machine, (machine) => {
                    machine.pause();
                    this.send(client, { kind: 'paused', machine: machine.name, state: machine.stateName });
                });
                return;
            case 'resume':
                this.forInstances(client, fields.machine, (machine) => {
                    // Answered first: the lines of the events that waited come after it.
                    this.send(client, { kind: 'resumed', machine: machine.name });
                    machine.resume();
                });
                return;
            case 'breakOn':
                this.breakOn(client, fields.states, fields.machine);
                return;
            default:
                this.send(client, { kind: 'error', message: `unknown command ${JSON.stringify(fields.command)}: expected pause, resume or breakOn` });
        }
    }

    /** Runs `act` on each running instance named `name` (sessions of two servers may share one); an error when there is none. */
    private forInstances(client: Client, name: unknown, act: (machine: Machine) => void): void {
        if (typeof name !== 'string') {
            this.send(client, { kind: 'error', message: 'expected "machine": the name of an instance, such as "EchoSession#1"' });
            return;
        }
        const named = [...this.live].filter((machine) => machine.name === name);
        const running = named.filter((machine) => !machine.finished);
        if (running.length === 0) {
            this.send(client, { kind: 'error', message: named.length > 0 ? `${name} has finished` : `no machine instance named ${JSON.stringify(name)}` });
            return;
        }
        for (const machine of running) {
            act(machine);
        }
    }

    /** `breakOn`: the states of one machine type (`machine`), or of every type (then any earlier breakpoint is replaced). */
    private breakOn(client: Client, states: unknown, machine: unknown): void {
        if (!Array.isArray(states) || !states.every((state): state is string => typeof state === 'string')) {
            this.send(client, { kind: 'error', message: 'expected "states": an array of state names' });
            return;
        }
        if (machine !== undefined && typeof machine !== 'string') {
            this.send(client, { kind: 'error', message: 'expected "machine" (optional): the name of a machine in the model, such as "EchoSession"' });
            return;
        }
        const type = machine ?? ANY_MACHINE;
        if (type === ANY_MACHINE) {
            this.breakpoints.clear();
        }
        if (states.length > 0) {
            this.breakpoints.set(type, new Set(states));
        } else {
            this.breakpoints.delete(type);
        }
    }

    /** `machine` entered `state`: at a breakpoint it pauses (after the step) and says so once the step has completed. */
    private checkBreakpoint(machine: Machine, state: string): void {
        if (this.breakpoints.size === 0 || this.breaking.has(machine)) {
            return;
        }
        const hit = this.breakpoints.get(machine.type)?.has(state) || this.breakpoints.get(ANY_MACHINE)?.has(state);
        if (!hit || !machine.pause()) {
            return;
        }
        this.breaking.set(machine, state);
        // The step goes on to its end (run-to-completion); the announcement follows its trace lines.
        queueMicrotask(() => {
            this.breaking.delete(machine);
            if (machine.status === 'paused') {
                this.broadcast(JSON.stringify({ kind: 'paused', machine: machine.name, state, reason: 'breakpoint' }));
            }
        });
    }

    private broadcast(line: string): void {
        for (const client of [...this.clients]) {
            this.write(client, line);
        }
    }

    private send(client: Client, reply: Reply): void {
        this.write(client, JSON.stringify(reply));
    }

    /** One line to a client; one that lets more than `maxBuffered` bytes pile up is disconnected, nothing else waits for it. */
    private write(client: Client, line: string): void {
        const socket = client.socket;
        if (socket.destroyed || !socket.writable) {
            return;
        }
        socket.write(`${line}\n`);
        if (socket.writableLength > this.maxBuffered) {
            socket.destroy();
            this.drop(client);
        }
    }

    /** A client left (or was dropped): when it was the last, paused instances resume and breakpoints are cleared. */
    private drop(client: Client): void {
        if (!this.clients.delete(client) || this.clients.size > 0) {
            return;
        }
        // Not inside the step whose trace line found the client gone: after it.
        queueMicrotask(() => {
            if (this.clients.size === 0) {
                this.release();
            }
        });
    }

    /** No debugger any more: breakpoints are cleared and every paused instance resumes, in the order they started. */
    private release(): void {
        this.breakpoints.clear();
        for (const machine of [...this.live]) {
            if (machine.status === 'paused') {
                machine.resume();
            }
        }
    }
}

/** `address already in use (EADDRINUSE)`, from Node's `listen EADDRINUSE: address already in use 127.0.0.1:9339`. */
function describeError(error: NodeJS.ErrnoException): string {
    const text = error.message.replace(/^listen \w+: /, '').replace(/ \S+:\d+$/, '');
    return error.code && !text.includes(error.code) ? `${text} (${error.code})` : text;
}
