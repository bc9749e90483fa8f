// Runs the top-level machines: starts them, turns signals into events, keeps the process alive, and ends when every machine has finished.
import { RealClock, type Clock } from './clock.js';
import type { Machine, MachineHost, MachineObserver } from './machine.js';

export interface ReactorOptions {
    /** Observers of every machine, sessions included (tracing, metrics). */
    observers?: MachineObserver[];
    /** The clock every timer runs on (default: Node's timers). */
    clock?: Clock;
}

/** Longest interval Node accepts: the keep-alive handle never fires in practice, it only holds the event loop open. */
const KEEP_ALIVE_MS = 2_147_483_647;

export class Reactor implements MachineHost {
    readonly observers: readonly MachineObserver[];
    readonly clock: Clock;
    /** The exit status `run` resolves with: 0, or 1 once the program could not go on (see `fail`). */
    exitCode = 0;
    private readonly machines: Machine[] = [];
    /** Top-level machines started and not finished, in the order they started. */
    private readonly running = new Set<Machine>();
    /** Running machines (top-level and sessions) that bind signals, in the order they started. */
    private readonly signalled = new Set<Machine>();
    /** The process listener of each bound signal, and how many running machines bind it. */
    private readonly listeners = new Map<NodeJS.Signals, { listener: () => void; machines: number }>();
    private finishedAll: (() => void) | undefined;
    private readonly closings: Promise<void>[] = [];
    private starting = false;
    private stopping = false;
    private keepAlive: ReturnType<typeof setInterval> | undefined;
    /** Sessions started so far, by session machine: the N of `Peer#N`, over every server. */
    private readonly sessionNumbers = new Map<string, number>();

    constructor(options: ReactorOptions = {}) {
        this.observers = [...(options.observers ?? [])];
        this.clock = options.clock ?? new RealClock();
    }

    /** Adds a top-level machine; it starts when `run` is called (or at once if the reactor already runs). */
    add<M extends Machine>(machine: M): M {
        this.machines.push(machine);
        if (this.finishedAll && !this.starting) {
            this.startMachine(machine);
        }
        return machine;
    }

    /**
     * Starts every machine in the order added; resolves with the exit status once all have finished and their
     * sockets are closed. Until then the process stays alive, even when its machines only wait for a signal.
     */
    async run(): Promise<number> {
        const allFinished = new Promise<void>((resolve) => {
            this.finishedAll = resolve;
        });
        // Signal listeners do not keep Node's event loop alive: this handle does, while any top-level machine runs.
        this.keepAlive = setInterval(() => undefined, KEEP_ALIVE_MS);
        this.starting = true;
        for (const machine of this.machines) {
            this.startMachine(machine);
        }
        this.starting = false;
        this.checkAllFinished();
        await allFinished;
        await Promise.all(this.closings);
        return this.exitCode;
    }

    /** The built-in `stop` (after the step that ran it): every top-level machine still running finishes, in the order they started. */
    stop(): void {
        if (this.stopping) {
            return;
        }
        this.stopping = true;
        for (const machine of [...this.running]) {
            void machine.finish();
        }
    }

    /** The program cannot go on: prints `message` (one line, to stderr), stops every machine, and `run` resolves with 1. */
    fail(message: string): void {
        if (this.exitCode === 0) {
            process.stderr.write(`${message}\n`);
        }
        this.exitCode = 1;
        this.stop();
    }

    nextSessionNumber(type: string): number {
        const number = (this.sessionNumbers.get(type) ?? 0) + 1;
        this.sessionNumbers.set(type, number);
        return number;
    }

    machineFinished(machine: Machine): void {
        if (!this.running.delete(machine)) {
            return;
        }
        this.closings.push(machine.finish());
        this.checkAllFinished();
    }

    /** A running machine's signals reach it through the event loop, never inside the signal handler. */
    bindSignals(machine: Machine): void {
        if (this.signalled.has(machine)) {
            return;
        }
        this.signalled.add(machine);
        for (const [signal] of machine.signals) {
            const bound = this.listeners.get(signal);
            if (bound) {
                bound.machines++;
            } else {
                const listener = (): void => {
                    setImmediate(() => this.deliverSignal(signal));
                };
                this.listeners.set(signal, { listener, machines: 1 });
                process.on(signal, listener);
            }
        }
    }

    /** A machine finished: a signal that no running machine binds any more gets Node's default behaviour back. */
    unbindSignals(machine: Machine): void {
        if (!this.signalled.delete(machine)) {
            return;
        }
        for (const [signal] of machine.signals) {
            const bound = this.listeners.get(signal);
            if (bound && --bound.machines === 0) {
                process.off(signal, bound.listener);
                this.listeners.delete(signal);
            }
        }
    }

    private startMachine(machine: Machine): void {
        this.running.add(machine);
        machine.start();
    }

    private checkAllFinished(): void {
        if (this.running.size === 0 && !this.starting && this.finishedAll) {
            if (this.keepAlive !== undefined) {
                clearInterval(this.keepAlive);
                this.keepAlive = undefined;
            }
            this.finishedAll();
        }
    }

    /** Every running machine that binds `signal` gets its event, in the order they started; each runs it to completion first. */
    private deliverSignal(signal: NodeJS.Signals): void {
        const bound = [...this.signalled].filter((machine) => machine.signals.some(([candidate]) => candidate === signal));
        for (const machine of bound) {
            for (const [candidate, event] of machine.signals) {
                if (candidate === signal) {
                    machine.dispatch(event, signal);
                }
            }
        }
    }
}
