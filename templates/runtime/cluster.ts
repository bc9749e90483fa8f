// Runs the program in several processes (Node's cluster, `workers N` / `workers auto`): a primary that runs no machine, and workers that each run the whole program.
//
// The servers' listening sockets are shared by the cluster: with Node's default policy on Linux (SCHED_RR) the primary
// accepts every connection and hands it to the workers in turn, so a few long connections spread evenly; the bytes then
// flow between the client and its worker without the primary. NODE_CLUSTER_SCHED_POLICY=none lets every worker accept
// on the shared socket itself (no hand-over, but the kernel may wake the same worker for most connections).
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { Backoff } from './backoff.js';
import { exitStatus } from './exit-status.js';

/** What `workers` says: a number of processes, or `auto` (one per core the process may use). */
export type WorkerCount = number | 'auto';

/** The environment variable that overrides the model's `workers` (a positive integer or `auto`). */
export const WORKERS_VARIABLE = 'REACTOR_WORKERS';

/** Each worker's number (1 … N, kept by the worker that replaces it), in its environment. */
export const WORKER_ID_VARIABLE = 'REACTOR_WORKER_ID';

/** The most workers a program runs (as `workers N` in the language). */
export const MAX_WORKERS = 256;

/**
 * Signals the primary catches and sends on to every worker; it never dies of them itself. SIGTERM and SIGINT also
 * stop the cluster: no worker is restarted after them, and the primary exits once every worker has exited.
 */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
const STOPPING_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface ClusterOptions {
    /** The environment read for REACTOR_WORKERS (default: process.env). */
    env?: NodeJS.ProcessEnv;
    /** Where the primary's lines go (default: stderr). */
    log?: (line: string) => void;
    /**
     * A worker is up once it has listened and lived this long after (default 1 s), or has lived `startupFallbackMs`
     * (default 30 s) without listening; one that dies before is said to die at start.
     */
    startupMs?: number;
    startupFallbackMs?: number;
    /** Delays before restarting a worker: from `minMs`, doubling to `maxMs` (default 100 ms … 10 s; see Backoff). */
    restart?: { minMs: number; maxMs: number };
    /** A worker that dies at start this many times in a row makes the primary give up (default 5). */
    maxStartFailures?: number;
    /** Runs in the primary before the first worker starts (the generated main removes stale Unix socket files there). */
    beforeStart?: () => Promise<void>;
}

/** How many workers to start: REACTOR_WORKERS when set, else `declared`; `auto` is one per core. A message when the override is bad. */
export function workerCount(declared: WorkerCount, env: NodeJS.ProcessEnv = process.env): { count: number } | { error: string } {
    const override = env[WORKERS_VARIABLE];
    if (override === undefined || override === '') {
        return { count: declared === 'auto' ? availableParallelism() : declared };
    }
    if (override === 'auto') {
        return { count: availableParallelism() };
    }
    const count = /^[0-9]+$/.test(override) ? Number(override) : NaN;
    if (!(count >= 1 && count <= MAX_WORKERS)) {
        return { error: `${WORKERS_VARIABLE}=${JSON.stringify(override)} is not a number of workers: expected an integer from 1 to ${MAX_WORKERS}, or auto` };
    }
    return { count };
}

/**
 * Runs `runProgram` (every top-level machine; resolves with the exit status) in workers. In the primary: starts the
 * workers, sends them the signals it gets, restarts one that dies (with backoff, reported on stderr) and resolves
 * with the cluster's exit status once every worker has exited: 0 when all exited 0, else the first other status
 * (128 + n for a death by signal n); 1 when it gave up because workers keep dying at start; 2 when REACTOR_WORKERS is
 * bad. In a worker: runs the program and resolves with its status.
 */
export async function runWorkers(declared: WorkerCount, runProgram: () => Promise<number>, options: ClusterOptions = {}): Promise<number> {
    if (cluster.isWorker) {
        const status = await runProgram();
        // The channel to the primary would keep this process alive: close it, saying the exit is intended.
        process.exitCode = status;
        cluster.worker?.disconnect();
        return status;
    }
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const count = workerCount(declared, options.env);
    if ('error' in count) {
        log(count.error);
        return 2;
    }
    await options.beforeStart?.();
    return new Primary(count.count, log, options).run();
}

/** One place in the cluster: the worker running there now, and how its restarts went. */
interface Slot {
    readonly id: number;
    worker: Worker | undefined;
    /** Whether the worker there now is up (see ClusterOptions.startupMs). */
    up: boolean;
    upTimer: ReturnType<typeof setTimeout> | undefined;
    restartTimer: ReturnType<typeof setTimeout> | undefined;
    readonly backoff: Backoff;
    /** Deaths at start in a row (0 once a worker is up). */
    startFailures: number;
}

class Primary {
    private readonly slots: Slot[];
    private readonly startupMs: number;
    private readonly startupFallbackMs: number;
    private readonly maxStartFailures: number;
    /** No worker is started any more; the primary ends once every worker has exited. */
    private stopping = false;
    private gaveUp = false;
    /** The first status other than 0 among the workers' last exits. */
    private status: number | undefined;
    /** Signals sent on to the workers: a worker dying of one of them was expected to. */
    private readonly forwarded = new Set<NodeJS.Signals>();
    private readonly listeners = new Map<NodeJS.Signals, () => void>();
    private done: ((status: number) => void) | undefined;

    constructor(
        count: number,
        private readonly log: (line: string) => void,
        options: ClusterOptions
    ) {
        const restart = options.restart ?? { minMs: 100, maxMs: 10_000 };
        this.startupMs = options.startupMs ?? 1_000;
        this.startupFallbackMs = options.startupFallbackMs ?? 30_000;
        this.maxStartFailures = options.maxStartFailures ?? 5;
        this.slots = Array.from({ length: count }, (_, index) => ({
            id: index + 1,
            worker: undefined,
            up: false,
            upTimer: undefined,
            restartTimer: undefined,
            backoff: new Backoff(restart.minMs, restart.maxMs),
            startFailures: 0
        }));
    }

    run(): Promise<number> {
        const finished = new Promise<number>((resolve) => {
            this.done = resolve;
        });
        for (const signal of FORWARDED_SIGNALS) {
            const listener = (): void => this.forward(signal);
            this.listeners.set(signal, listener);
            process.on(signal, listener);
        }
        for (const slot of this.slots) {
            this.start(slot);
        }
        return finished;
    }

    private start(slot: Slot): void {
        slot.restartTimer = undefined;
        const worker = cluster.fork({ [WORKER_ID_VARIABLE]: String(slot.id) });
        slot.worker = worker;
        slot.up = false;
        const upAfter = (ms: number): void => {
            clearTimeout(slot.upTimer);
            slot.upTimer = setTimeout(() => {
                slot.upTimer = undefined;
                slot.up = true;
                slot.startFailures = 0;
                slot.backoff.reset();
            }, ms);
        };
        upAfter(this.startupFallbackMs);
        worker.once('listening', () => {
            if (slot.worker === worker && !slot.up) {
                upAfter(this.startupMs);
            }
        });
        worker.on('error', (error: Error) => this.log(`reactor: worker ${slot.id}: ${error.message}`));
        worker.once('exit', (code, signal: NodeJS.Signals | null) => this.exited(slot, worker, code, signal));
        const pid = worker.process.pid;
        this.log(`reactor: worker ${slot.id} started (pid ${pid ?? '?'})`);
    }

    private exited(slot: Slot, worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
        if (slot.worker !== worker) {
            return;
        }
        slot.worker = undefined;
        const atStart = !slot.up;
        clearTimeout(slot.upTimer);
        slot.upTimer = undefined;
        slot.up = false;
        const status = exitStatus(code, signal);
        const how = signal ? `died of ${signal}` : `exited with status ${status}`;
        const who = `worker ${slot.id} (pid ${worker.process.pid ?? '?'})`;
        if (this.stopping || status === 0 || (signal !== null && this.forwarded.has(signal))) {
            // Shutting down, finished on its own, or killed by a signal it was sent (the model does not map it): all
            // workers run the same program, so the others end the same way; none is restarted any more.
            if (status !== 0) {
                this.stopping = true;
                this.status ??= status;
            }
            this.checkDone();
            return;
        }
        if (atStart) {
            slot.startFailures++;
            // Every place has seen its worker die at start and none is up: the program cannot start (as one process would exit).
            const nobodyUp = this.slots.every((other) => other.startFailures > 0 && !other.up);
            if (nobodyUp || slot.startFailures >= this.maxStartFailures) {
                const why = nobodyUp ? 'no worker could start' : `${slot.startFailures} deaths at start in a row`;
                this.log(`reactor: ${who} ${how} at start; ${why}: giving up`);
                this.giveUp();
                return;
            }
        }
        const delay = slot.backoff.next();
        this.log(`reactor: ${who} ${how}${atStart ? ' at start' : ''}; restarting it in ${delay} ms`);
        slot.restartTimer = setTimeout(() => this.start(slot), delay);
    }

    /** Workers keep dying at start: stop the others and end with status 1. */
    private giveUp(): void {
        this.gaveUp = true;
        this.stop();
        for (const slot of this.slots) {
            slot.worker?.process.kill('SIGTERM');
        }
        this.checkDone();
    }

    private stop(): void {
        this.stopping = true;
        for (const slot of this.slots) {
            clearTimeout(slot.restartTimer);
            slot.restartTimer = undefined;
        }
    }

    /** A signal to the primary goes to every running worker (each handles it as its model says). */
    private forward(signal: NodeJS.Signals): void {
        this.forwarded.add(signal);
        if (STOPPING_SIGNALS.includes(signal)) {
            this.stop();
        }
        for (const slot of this.slots) {
            const worker = slot.worker;
            if (worker && worker.process.exitCode === null && worker.process.signalCode === null) {
                worker.process.kill(signal);
            }
        }
        this.checkDone();
    }

    private checkDone(): void {
        const running = this.slots.some((slot) => slot.worker !== undefined || slot.restartTimer !== undefined);
        if (running || !this.done) {
            return;
        }
        for (const [signal, listener] of this.listeners) {
            process.off(signal, listener);
        }
        this.listeners.clear();
        const done = this.done;
        this.done = undefined;
        done(this.gaveUp ? 1 : (this.status ?? 0));
    }
}
