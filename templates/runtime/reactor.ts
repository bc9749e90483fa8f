// Runs the top-level machines: starts them, turns signals into events, and ends when every machine has finished.
import { RealClock, type Clock } from './clock.js';
import type { Machine, MachineHost, MachineObserver } from './machine.js';

export interface ReactorOptions {
    /** Observers of every machine, sessions included (tracing, metrics). */
    observers?: MachineObserver[];
    /** The clock every timer runs on (default: Node's timers). */
    clock?: Clock;
}

export class Reactor implements MachineHost {
    readonly observers: MachineObserver[];
    readonly clock: Clock;
    private readonly machines: Machine[] = [];
    private readonly running = new Set<Machine>();
    private readonly signalBindings: Array<{ signal: NodeJS.Signals; machine: Machine; event: number }> = [];
    private readonly listeners = new Map<NodeJS.Signals, () => void>();
    private finishedAll: (() => void) | undefined;
    private readonly closings: Promise<void>[] = [];
    private stopping = false;

    constructor(options: ReactorOptions = {}) {
        this.observers = [...(options.observers ?? [])];
        this.clock = options.clock ?? new RealClock();
    }

    /** Adds a top-level machine and binds its signals; it starts when `run` is called (or at once if the reactor already runs). */
    add<M extends Machine>(machine: M): M {
        this.machines.push(machine);
        for (const [signal, event] of machine.signals) {
            this.bindSignal(signal, machine, event);
        }
        if (this.finishedAll) {
            this.running.add(machine);
            machine.start();
        }
        return machine;
    }

    /** Delivers `signal` to `machine` as `event`: queued on the loop, never handled inside the signal handler. */
    bindSignal(signal: NodeJS.Signals, machine: Machine, event: number): void {
        this.signalBindings.push({ signal, machine, event });
    }

    /** Starts every machine; resolves with the exit code (0) once all have finished and their sockets are closed. */
    async run(): Promise<number> {
        const allFinished = new Promise<void>((resolve) => {
            this.finishedAll = resolve;
        });
        for (const { signal } of this.signalBindings) {
            if (!this.listeners.has(signal)) {
                const listener = (): void => {
                    setImmediate(() => this.deliverSignal(signal));
                };
                this.listeners.set(signal, listener);
                process.on(signal, listener);
            }
        }
        for (const machine of this.machines) {
            this.running.add(machine);
        }
        for (const machine of this.machines) {
            machine.start();
        }
        if (this.running.size === 0 || this.machines.every((machine) => machine.finished)) {
            this.finishedAll?.();
        }
        await allFinished;
        await Promise.all(this.closings);
        this.unbindSignals();
        return 0;
    }

    /** The built-in `stop` action: every machine finishes and closes its sockets gracefully. */
    stop(): void {
        if (this.stopping) {
            return;
        }
        this.stopping = true;
        for (const machine of [...this.running]) {
            void machine.finish();
        }
    }

    machineFinished(machine: Machine): void {
        if (!this.running.delete(machine)) {
            return;
        }
        this.closings.push(machine.finish());
        if (this.running.size === 0) {
            this.finishedAll?.();
        }
    }

    private deliverSignal(signal: NodeJS.Signals): void {
        for (const binding of this.signalBindings) {
            if (binding.signal === signal) {
                binding.machine.dispatch(binding.event, signal);
            }
        }
    }

    private unbindSignals(): void {
        for (const [signal, listener] of this.listeners) {
            process.off(signal, listener);
        }
        this.listeners.clear();
    }
}
