// A model run under a debugger: the interpreter runs one input at a time (the start, then scenario steps and Debug
// Console commands); every point where it may stop is kept with a snapshot, so stepping moves a cursor through them,
// backwards as well as forwards. The interpreter is deterministic: going back to an earlier input and doing something
// else replays the inputs before it.
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import type { Instance } from '../semantics/instance.js';
import { Simulation, SimulationError } from '../semantics/interpreter.js';
import type { ProbePoint } from '../semantics/probe.js';
import type { ProgramSpec, SourceSpot } from '../semantics/program.js';
import { applyStep, machineUnderTest, ScenarioStepError } from '../semantics/run-scenario.js';
import type { ScenarioStep } from '../semantics/scenario.js';
import { takeSnapshot, TRAIL_LENGTH, type Snapshot, type TakenTransition, type ViewCache } from './snapshot.js';

export type PointKind = ProbePoint['kind'] | 'settled';

/** The most points a run keeps (each with a snapshot); older ones are let go, so stepping back reaches only so far. */
export const MAX_POINTS = 200_000;

/** A place in the run where the debugger may stop. */
export interface Point {
    readonly kind: PointKind;
    /** The instance it concerns; undefined for `settled`. */
    readonly instance: string | undefined;
    /** For people: `Idle --Coin--> Paid`, `enters Paid`, `entry log`, `upstream: data`, … */
    readonly label: string;
    /** Where in the model it happens (the top stack frame). */
    readonly spot: SourceSpot | undefined;
    /** The places whose breakpoints stop here. */
    readonly breakSpots: readonly SourceSpot[];
    /** The input whose run reached it (0 = the start). */
    readonly input: number;
    /** How many trace lines were written before it. */
    readonly traceEnd: number;
    readonly snapshot: Snapshot;
    /** `settled` after an input the model's situation did not allow: why. */
    readonly problem?: string;
}

/** Something from outside: a scenario step (from the script or the Debug Console). */
export interface Input {
    readonly step: ScenarioStep;
    /** The text as written (`send Coin`), for messages. */
    readonly text: string;
    /** Where it comes from: `scenario.txt:4` or `Debug Console`. */
    readonly origin: string;
    /** Typed in the Debug Console (or sent from the editor): undone when the model does not allow it. */
    readonly interactive?: boolean;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'idle' | 'ended' | 'start';

export interface Stop {
    readonly reason: StopReason;
    readonly point: Point;
    /** Breakpoint matching: the points's index in the history. */
    readonly index: number;
}

/** Decides, for each point the cursor reaches, whether to stop there. */
export type StopTest = (point: Point, index: number) => StopReason | undefined;

export interface DebugRunOptions {
    readonly machine?: string;
    /** Scenario steps to run, in order, before the Debug Console's. */
    readonly script?: readonly Input[];
    readonly onTrace?: (line: TraceLine) => void;
    /** The most points kept (default MAX_POINTS). */
    readonly maxPoints?: number;
}

function transitionLabel(point: Extract<ProbePoint, { kind: 'transition' }>): string {
    const target = point.spec.target;
    return target === undefined ? `${point.source.name}: ${point.event} (internal)` : `${point.source.name} --${point.event}--> ${target}`;
}

function deliverLabel(point: Extract<ProbePoint, { kind: 'deliver' }>): string {
    const event = point.event;
    switch (event.kind) {
        case 'start':
            return 'starts';
        case 'event':
            return `gets ${event.event}${event.payload === undefined ? '' : ` ${JSON.stringify(event.payload) ?? ''}`}`;
        case 'timer':
            return `${event.state.spec.timers[event.timer]?.label ?? 'a timer'} of ${event.state.name} fires`;
        case 'done':
            return `${event.state.name} is done`;
    }
}

/** `read` for a `data` occurrence, … : the mapping a socket line writes. */
const MAPPED: Readonly<Record<string, string>> = { connect: 'connect', data: 'read', drain: 'drain', error: 'error', close: 'close', timeout: 'timeout', accept: 'accept', exit: 'exit' };

export class DebugRun {
    readonly history: Point[] = [];
    cursor = 0;
    readonly underTest: string;
    private simulation!: Simulation;
    private trails = new Map<Instance, TakenTransition[]>();
    /** Where each instance's transition actions are written: the transitions being taken, by source state (regions take several at once). */
    private taking = new Map<Instance, Map<string, SourceSpot>>();
    private readonly executed: Input[] = [];
    private readonly pending: Input[];
    private recording = true;
    private inputIndex = 0;
    /** How many trace lines `newTrace` has handed out (of the run as it now stands). */
    private printed = 0;
    /** Instance views of the last snapshot, shared by the next one where nothing changed. */
    private views: ViewCache = new WeakMap();

    constructor(
        readonly program: ProgramSpec,
        private readonly options: DebugRunOptions = {}
    ) {
        this.underTest = machineUnderTest(program, options.machine);
        this.pending = [...(options.script ?? [])];
        this.begin();
    }

    get trace(): readonly TraceLine[] {
        return this.simulation.trace;
    }

    /** The trace lines written up to the cursor that no call has returned yet (going back and forth prints each once). */
    newTrace(): readonly TraceLine[] {
        const end = this.point.traceEnd;
        if (end <= this.printed) {
            return [];
        }
        const lines = this.simulation.trace.slice(this.printed, end);
        this.printed = end;
        return lines;
    }

    get point(): Point {
        return this.history[this.cursor]!;
    }

    get atEnd(): boolean {
        return this.cursor === this.history.length - 1;
    }

    /** Inputs still to run (the rest of the script). */
    get pendingInputs(): readonly Input[] {
        return this.pending;
    }

    get machines(): Simulation['instances'] {
        return this.simulation.instances;
    }

    /** True when no top-level machine runs any more: the program has ended. */
    get ended(): boolean {
        return this.simulation.running.length === 0;
    }

    /** Moves forward until `test` says stop, running inputs as the cursor passes the last point; stops at the end. */
    forward(test: StopTest): Stop {
        for (;;) {
            if (this.cursor < this.history.length - 1) {
                this.cursor++;
                const point = this.point;
                const reason = point.problem !== undefined ? 'exception' : test(point, this.cursor);
                if (reason) {
                    return { reason, point, index: this.cursor };
                }
                continue;
            }
            const next = this.pending.shift();
            if (!next) {
                return { reason: this.ended ? 'ended' : 'idle', point: this.point, index: this.cursor };
            }
            this.execute(next);
        }
    }

    /** Moves backward until `test` says stop; stops at the first point. */
    backward(test: StopTest): Stop {
        while (this.cursor > 0) {
            this.cursor--;
            const reason = test(this.point, this.cursor);
            if (reason) {
                return { reason, point: this.point, index: this.cursor };
            }
        }
        return { reason: 'start', point: this.point, index: 0 };
    }

    /**
     * Runs `input` now: after the input the cursor is in (an earlier one when the cursor went back: the inputs after
     * it are then undone and run again after this one), then moves forward through it until `test` says stop or it has
     * settled.
     */
    inject(input: Input, test: StopTest): Stop {
        const current = this.point.input;
        // Input N is executed[N - 1]: inputs after the cursor's exist while it is before the last one.
        if (current < this.executed.length) {
            this.rewindTo(current);
        }
        this.pending.unshift(input);
        const index = this.executed.length + 1;
        this.lastInjected = index;
        return this.forward((point, at) => test(point, at) ?? (point.kind === 'settled' && point.input === index ? 'step' : undefined));
    }

    /** The input numbered `input` (1 = the first after the start), if it is still part of the run. */
    inputNumbered(input: number): Input | undefined {
        return input >= 1 ? this.executed[input - 1] : undefined;
    }

    /** The number of the last input run. */
    get lastInput(): number {
        return this.executed.length;
    }

    /** Points let go to bound memory (the oldest ones; see MAX_POINTS). */
    dropped = 0;

    /** The number of the input `inject` ran last. */
    lastInjected = 0;

    /**
     * Undoes the last input run (one the model did not allow: it may have done part of its work before the error):
     * the run is as it was before it, the cursor at the end.
     */
    undoLast(): void {
        this.rewindTo(this.executed.length - 1);
        this.pending.shift();
        this.cursor = this.history.length - 1;
    }

    // ---- running inputs ----------------------------------------------------------------------------------------

    private begin(): void {
        this.simulation = new Simulation(this.program, { onTrace: (line) => this.recording && this.options.onTrace?.(line), probe: (point) => this.probed(point) });
        this.trails = new Map();
        this.taking = new Map();
        this.inputIndex = 0;
        let problem: string | undefined;
        try {
            this.simulation.start();
        } catch (error) {
            problem = this.problemOf(error, 'at the start');
        }
        this.settle(problem);
    }

    private execute(input: Input): void {
        this.inputIndex = this.executed.length + 1;
        this.executed.push(input);
        let problem: string | undefined;
        try {
            applyStep(this.simulation, input.step, this.underTest);
        } catch (error) {
            problem = this.problemOf(error, input.origin);
        }
        this.settle(problem);
    }

    private problemOf(error: unknown, origin: string): string {
        if (error instanceof ScenarioStepError || error instanceof SimulationError) {
            return `${origin}: ${error.message}`;
        }
        throw error;
    }

    /** Undoes every input after `input` (they go back in front of the pending ones) by running the ones up to it again. */
    private rewindTo(input: number): void {
        const undone = this.executed.splice(input);
        const kept = this.executed.splice(0);
        let last = this.history.length - 1;
        while (last >= 0 && this.history[last]!.input > input) {
            last--;
        }
        this.history.length = last + 1;
        this.printed = Math.min(this.printed, this.history[last]?.traceEnd ?? 0);
        this.recording = false;
        try {
            this.begin();
            for (const replayed of kept) {
                this.execute(replayed);
            }
        } finally {
            this.recording = true;
        }
        this.pending.unshift(...undone);
    }

    private settle(problem: string | undefined): void {
        this.add({ kind: 'settled', instance: undefined, label: problem === undefined ? 'waits for the next input' : 'stopped by an error', spot: undefined, breakSpots: [], ...(problem === undefined ? {} : { problem }) });
    }

    private add(point: Omit<Point, 'input' | 'traceEnd' | 'snapshot'>): void {
        if (this.recording) {
            this.history.push({ ...point, input: this.inputIndex, traceEnd: this.simulation.trace.length, snapshot: takeSnapshot(this.simulation, this.trails, this.views) });
            const max = this.options.maxPoints ?? MAX_POINTS;
            if (this.history.length > max) {
                // The oldest points go, a tenth at a time: stepping back stops at the oldest one kept.
                const drop = Math.ceil(max / 10);
                this.history.splice(0, drop);
                this.cursor = Math.max(0, this.cursor - drop);
                this.dropped += drop;
            }
        }
    }

    private probed(point: ProbePoint): void {
        const instance = point.instance;
        const name = instance.name;
        switch (point.kind) {
            case 'deliver':
                this.add({ kind: 'deliver', instance: name, label: `${name} ${deliverLabel(point)}`, spot: undefined, breakSpots: [] });
                return;
            case 'transition': {
                const spot = point.spec.spot;
                const taking = this.taking.get(instance) ?? new Map<string, SourceSpot>();
                taking.set(point.source.name, spot);
                this.taking.set(instance, taking);
                const trail = [{ spot, event: point.event }, ...(this.trails.get(instance) ?? [])].slice(0, TRAIL_LENGTH);
                this.add({ kind: 'transition', instance: name, label: transitionLabel(point), spot, breakSpots: [spot] });
                this.trails.set(instance, trail);
                return;
            }
            case 'enter':
                this.add({ kind: 'enter', instance: name, label: `enters ${point.state.name}`, spot: point.state.spec.spot, breakSpots: [point.state.spec.spot] });
                return;
            case 'action': {
                const spot = point.phase === 'transition' ? this.taking.get(instance)?.get(point.state) : instance.tree.nodes.find((node) => node.name === point.state)?.spec.spot;
                this.add({ kind: 'action', instance: name, label: `${point.phase === 'transition' ? '/' : point.phase} ${point.name}`, spot, breakSpots: [] });
                return;
            }
            case 'signal':
                this.add({ kind: 'signal', instance: name, label: `${point.spec.signal} → ${point.spec.event}`, spot: point.spec.spot, breakSpots: [point.spec.spot] });
                return;
            case 'io': {
                const mapping = MAPPED[point.what];
                const eventSpot = mapping === undefined ? undefined : point.socket.eventSpots[mapping as keyof typeof point.socket.eventSpots];
                const spots = eventSpot ? [point.socket.spot, eventSpot] : [point.socket.spot];
                this.add({ kind: 'io', instance: name, label: `${point.socket.name}: ${point.what}`, spot: eventSpot ?? point.socket.spot, breakSpots: spots });
                return;
            }
            case 'finish':
                this.add({ kind: 'finish', instance: name, label: `finished in ${instance.stateName}`, spot: undefined, breakSpots: [] });
                return;
        }
    }
}
