// Helpers for the runtime tests: a hand-made machine that records every event it is given, a host for it,
// real loopback sockets and servers on OS-chosen ports, and a clean-up list that afterEach empties.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { RealClock, type Clock } from '../../templates/runtime/clock.js';
import { Machine, START_EVENT, State, type MachineHost, type MachineObserver } from '../../templates/runtime/machine.js';
import { NO_EVENT, type StreamEvents } from '../../templates/runtime/stream-dispatcher.js';
import { seededRandom as seeded } from '../seeded-random.js';

/** The event ids the test machine uses for a stream socket's events. */
export const EV = {
    connect: 0,
    read: 1,
    drain: 2,
    close: 3,
    error: 4,
    timeout: 5,
    idle: 6,
    heartbeatLost: 7
} as const;

export type EventName = keyof typeof EV;

const EVENT_NAMES: readonly string[] = ['connect', 'read', 'drain', 'close', 'error', 'timeout', 'idle', 'heartbeatLost'];

/** For a machine with several streams: event names `prefix.event` for each prefix, in blocks of eight. */
export function prefixedEventNames(...prefixes: string[]): string[] {
    return prefixes.flatMap((prefix) => EVENT_NAMES.map((name) => `${prefix}.${name}`));
}

/** The stream events of the `block`-th prefix given to prefixedEventNames. */
export function streamEventsOfBlock(block: number): StreamEvents {
    const events: StreamEvents = { ...EV };
    for (const name of Object.keys(EV) as EventName[]) {
        events[name] += block * EVENT_NAMES.length;
    }
    return events;
}

/** Every stream event mapped; `without` leaves some unmapped (NO_EVENT), as a model that does not map them. */
export function streamEvents(...without: EventName[]): StreamEvents {
    const events: StreamEvents = { ...EV };
    for (const name of without) {
        events[name] = NO_EVENT;
    }
    return events;
}

export interface Recorded {
    event: string;
    payload: unknown;
    /** performance.now() when the machine processed it. */
    at: number;
}

/** A host for machines that are not run by a Reactor. */
export class TestHost implements MachineHost {
    readonly observers: MachineObserver[] = [];
    /** Node's timers; a test may set a ManualClock before building machines on this host. */
    clock: Clock = new RealClock();
    readonly finished: Machine[] = [];
    stops = 0;

    machineFinished(machine: Machine): void {
        this.finished.push(machine);
    }

    stop(): void {
        this.stops++;
    }
}

/**
 * A machine with one state that records every event with its payload, and lets a test react to an event
 * inside the dispatch (as an action would). Events dispatched from a reaction go through the run-to-completion queue.
 */
/** The one state of a RecordingMachine. */
class RecordingState extends State {
    readonly name = 'Running';
}

const RECORDING = new RecordingState();

export class RecordingMachine extends Machine {
    readonly type = 'Recorder';
    protected readonly eventNames: readonly string[];
    readonly log: Recorded[] = [];
    /** Called while an event is processed, like a transition action. */
    reaction: ((record: Recorded, machine: RecordingMachine) => void) | undefined;
    private readonly changes = new Changes();

    constructor(host: MachineHost = new TestHost(), eventNames: readonly string[] = EVENT_NAMES) {
        super(host, RECORDING);
        this.eventNames = eventNames;
    }

    override get stateName(): string {
        return this.finished ? 'Finished' : 'Running';
    }

    /** Events of one kind, in order. */
    named(event: string): Recorded[] {
        return this.log.filter((record) => record.event === event);
    }

    /** The event names in the order processed. */
    get sequence(): string[] {
        return this.log.map((record) => record.event);
    }

    protected process(event: number): void {
        if (event === START_EVENT) {
            return;
        }
        const record: Recorded = { event: this.eventNames[event] ?? String(event), payload: this.payload, at: performance.now() };
        this.log.push(record);
        this.reaction?.(record, this);
        this.changes.notify();
    }

    /** Resolves once `condition` holds on the log (checked now and after every event); rejects after `timeoutMs`. */
    until<T>(condition: (log: Recorded[]) => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
        return this.changes.wait(
            () => {
                const value = condition(this.log);
                return value === false ? undefined : value;
            },
            timeoutMs,
            () => `timed out after ${timeoutMs} ms waiting for ${what}; events so far: ${this.sequence.join(', ') || '(none)'}`
        );
    }

    /** The first event named `event` (already recorded or still to come). */
    next(event: string, timeoutMs: number): Promise<Recorded> {
        return this.until((log) => log.find((record) => record.event === event), timeoutMs, `event '${event}'`);
    }
}

/**
 * Waits for a condition on something that changes (a log, a child's output, a socket): each `wait` is checked at
 * once and again at every `notify`, so a test awaits the event itself instead of polling.
 */
export class Changes {
    private readonly checks = new Set<() => void>();

    /** Something changed: checks every pending wait again. */
    notify(): void {
        for (const check of [...this.checks]) {
            check();
        }
    }

    /**
     * Resolves with the first value `probe` returns other than undefined. Rejects with what `probe` throws (what is
     * awaited can no longer happen), or after `timeoutMs` with the message `timedOut` gives then.
     */
    wait<T>(probe: () => T | undefined, timeoutMs: number, timedOut: () => string): Promise<T> {
        return new Promise<T>((resolve, reject) => {
            const check = (): void => {
                let value: T | undefined;
                try {
                    value = probe();
                } catch (error) {
                    done();
                    reject(error);
                    return;
                }
                if (value !== undefined) {
                    done();
                    resolve(value);
                }
            };
            const timer = setTimeout(() => {
                done();
                reject(new Error(timedOut()));
            }, timeoutMs);
            const done = (): void => {
                clearTimeout(timer);
                this.checks.delete(check);
            };
            this.checks.add(check);
            check();
        });
    }
}

/** A deterministic random in [0, 1): the project's one seeded generator, as the bare function Backoff and the peers take. */
export function seededRandom(seed: number): () => number {
    return seeded(seed).next;
}

/** The SHA-256 of the chunks one after another, as hex: compares what was sent with what arrived. */
export function sha256(chunks: readonly Buffer[]): string {
    const hash = createHash('sha256');
    for (const chunk of chunks) {
        hash.update(chunk);
    }
    return hash.digest('hex');
}

/** Rejects after `ms` with `what` in the message, unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Things to close after each test: sockets, servers, child processes, dispatchers. */
export class Cleanup {
    private readonly tasks: Array<() => unknown> = [];

    add(task: () => unknown): void {
        this.tasks.push(task);
    }

    socket<S extends Socket>(socket: S): S {
        this.add(() => socket.destroy());
        return socket;
    }

    server<S extends Server>(server: S): S {
        this.add(
            () =>
                new Promise<void>((resolve) => {
                    if (server.listening) {
                        server.close(() => resolve());
                    } else {
                        resolve();
                    }
                })
        );
        return server;
    }

    child<C extends ChildProcess>(child: C): C {
        this.add(
            () =>
                new Promise<void>((resolve) => {
                    if (child.exitCode !== null || child.signalCode !== null) {
                        resolve();
                        return;
                    }
                    child.once('exit', () => resolve());
                    child.kill('SIGKILL');
                })
        );
        return child;
    }

    /** Runs every task, newest first; none may hang a test for long. */
    async run(): Promise<void> {
        const tasks = this.tasks.splice(0).reverse();
        for (const task of tasks) {
            await within(Promise.resolve().then(task), 5_000, 'a clean-up task');
        }
    }
}

/** A plain net.Server on 127.0.0.1, port chosen by the OS; `onSocket` gets every accepted socket. */
export async function listen(cleanup: Cleanup, onSocket: (socket: Socket) => void, port = 0): Promise<{ server: Server; port: number }> {
    const server = cleanup.server(
        createServer((socket) => {
            cleanup.socket(socket);
            onSocket(socket);
        })
    );
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port }, () => {
            server.off('error', reject);
            resolve();
        });
    });
    return { server, port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on: the OS picks a free one, which is released at once. */
export async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Connects a plain socket to 127.0.0.1:port and resolves once connected. */
export function connectTo(cleanup: Cleanup, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        socket.once('connect', () => {
            socket.off('error', reject);
            resolve(socket);
        });
        socket.once('error', reject);
    });
}

/**
 * A listening socket whose accept queue is full, so that a new connect hangs (Linux drops the SYN while the
 * queue is full, with tcp_abort_on_overflow=0): a child Node process listens with backlog 1 and then blocks
 * its event loop, so it never accepts; this process fills the queue until a connect does not complete.
 */
export async function fullBacklogPort(cleanup: Cleanup): Promise<number> {
    const script = `
const net = require('node:net');
const server = net.createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
    process.stdout.write(server.address().port + '\\n', () => {
        // Block the loop (bounded): the listening socket is never accepted from.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000);
        process.exit(0);
    });
});`;
    const child = cleanup.child(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const port = await within(
        new Promise<number>((resolve, reject) => {
            child.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
            child.once('exit', (code) => reject(new Error(`the blocked listener exited with ${code}`)));
        }),
        5_000,
        'the blocked listener to print its port'
    );
    await fillAcceptQueue(cleanup, port);
    return port;
}

/** Connects to a listener that does not accept until a connect no longer completes (its accept queue is full); bounded. */
export async function fillAcceptQueue(cleanup: Cleanup, port: number): Promise<void> {
    for (let attempt = 0; attempt < 16; attempt++) {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        socket.on('error', () => undefined);
        const connected = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 250);
            socket.once('connect', () => {
                clearTimeout(timer);
                resolve(true);
            });
        });
        if (!connected) {
            return;
        }
    }
    throw new Error(`connects to the listener on port ${port} kept succeeding: its accept queue never filled`);
}

/** Collects process warnings emitted while a test runs (the runtime reports lost errors this way). */
export function collectWarnings(cleanup: Cleanup): Error[] {
    const warnings: Error[] = [];
    const listener = (warning: Error): void => {
        warnings.push(warning);
    };
    process.on('warning', listener);
    cleanup.add(() => process.off('warning', listener));
    return warnings;
}

/** Waits `ms`: only for checking that something does NOT happen, where there is no event to await. */
export function absenceWindow(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a process with this id still exists (signal 0 checks without sending). */
export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
            return false;
        }
        throw error;
    }
}
