// Execution (b): the product's interpreter (language/semantics/), the definition of what a model does. The random
// machine is printed as `.fsm` text, parsed and validated by the language services, and `programOf` gives the
// program the interpreter runs (see generated.ts, where each machine is compiled). Guards are decided by the same
// predicates as the other executions (semantics.ts), through the interpreter's `guard` option; what the test keeps
// (the ordered action calls with their state and payload, what observers hear) is read from the interpreter's trace.
import { Simulation, SimulationError, STEP_BUDGET } from '../../../language/semantics/interpreter.js';
import type { ProgramSpec } from '../../../language/semantics/program.js';
import type { TraceLine } from '../../../templates/runtime/trace-format.js';
import { USER_NAMES, eventName, stateName, userName, type MachineSpec } from './model.js';
import { evaluateGuard, newRecorder, recordAction, type Execution, type Payload, type Recorder } from './semantics.js';

export { STEP_BUDGET };

/** Thrown when one step keeps the machine busy forever (a cycle of `raise`): the case cannot be run by anyone. */
export class EndlessStep extends Error {
    /** Index of the step in its sequence (-1: the start). */
    step = -1;
}

/** What a run went through, read from the interpreter's trace, to show what the comparison covered. */
export interface Exercised {
    /** Internal transitions taken (actions only). */
    internal: number;
    /** Self transitions taken (exit and re-entry of the same state). */
    self: number;
    /** Transitions to another state (timers included). */
    external: number;
    /** Timers that expired and took their transition. */
    timer: number;
    /** Events ignored: no transition, or every guard false. */
    unhandled: number;
    /** `raise` actions run. */
    raised: number;
    /** Guard decisions (before `!`): true and false. */
    guardsTrue: number;
    guardsFalse: number;
    /** Runs that ended in a final state. */
    finished: number;
    /** `stop` actions run. */
    stops: number;
    /** Runs finished by `stop` (not in a final state). */
    stopped: number;
}

export function newExercised(): Exercised {
    return { internal: 0, self: 0, external: 0, timer: 0, unhandled: 0, raised: 0, guardsTrue: 0, guardsFalse: 0, finished: 0, stops: 0, stopped: 0 };
}

/** Which canonical name (S0, E1, n2, …) each printed name stands for. */
export interface Legend {
    state(name: string): string;
    event(name: string): string;
    user(name: string): string | undefined;
}

export function legendOf(spec: MachineSpec): Legend {
    const states = new Map(spec.states.map((state, index) => [stateName(spec, index), state.name]));
    const events = new Map(spec.events.map((event, index) => [eventName(spec, index), event]));
    const users = new Map(USER_NAMES.map((name) => [userName(spec, name), name]));
    return {
        state: (name) => states.get(name) ?? `?${name}`,
        event: (name) => (name.startsWith('after ') ? name : events.get(name) ?? `?${name}`),
        user: (name) => users.get(name)
    };
}

/**
 * What observers are told, as one comparable note per trace line, with its time (both clocks start at 0):
 * `0 start S0`, `10 S0 -after 10ms-> S2`, `10 S2 -E1 internal`, `10 unhandled E1 in S2`, `10 entry n0@S2`, `10 finish S2`.
 */
export function noteOf(line: TraceLine, legend: Legend): string | undefined {
    switch (line.kind) {
        case 'start':
            return `${line.t} start ${legend.state(line.state)}`;
        case 'transition':
            return `${line.t} ${legend.state(line.from)} -${legend.event(line.event)}-> ${legend.state(line.to)}`;
        case 'internal':
            return `${line.t} ${legend.state(line.state)} -${legend.event(line.event)} internal`;
        case 'unhandled':
            return `${line.t} unhandled ${legend.event(line.event)} in ${legend.state(line.state)}`;
        case 'action': {
            const name = line.name.startsWith('raise ') ? `raise ${legend.event(line.name.slice(6))}` : legend.user(line.name) ?? line.name;
            return `${line.t} ${line.phase} ${name}@${legend.state(line.state)}`;
        }
        case 'finish':
            return `${line.t} finish ${legend.state(line.state)}`;
        case 'io':
            return `${line.t} io ${line.socket} ${line.what}`;
    }
}

/** The phase each kind of user action belongs to: `n…` entry, `x…` exit, `t…` transitions and timers. */
const PHASE_OF_PREFIX: Record<string, string> = { n: 'entry', x: 'exit', t: 'transition' };

export class InterpreterExecution implements Execution {
    readonly recorder: Recorder = newRecorder();
    readonly notes: string[] = [];
    /** Everything the interpreter traced, as it came. */
    readonly trace: TraceLine[] = [];
    timerFirings = 0;
    /** Events taken from the queue: sent, raised and timers (one transition, internal or unhandled line each). */
    delivered = 0;
    readonly exercised = newExercised();
    /** Trace lines that break what the test relies on (an action in the wrong phase, …). */
    readonly anomalies: string[] = [];
    readonly simulation: Simulation;
    private readonly legend: Legend;

    constructor(
        program: ProgramSpec,
        private readonly spec: MachineSpec
    ) {
        const legend = (this.legend = legendOf(spec));
        this.simulation = new Simulation(program, {
            onTrace: (line) => this.observe(line),
            guard: (name, instance) => {
                const canonical = legend.user(name);
                if (!canonical) {
                    throw new Error(`the interpreter asks for guard '${name}', which the model does not use`);
                }
                const holds = evaluateGuard(canonical, instance.payload, this.recorder.actions.length, this.recorder);
                if (holds) {
                    this.exercised.guardsTrue++;
                } else {
                    this.exercised.guardsFalse++;
                }
                return holds;
            }
        });
    }

    start(): void {
        this.guarded(() => this.simulation.start());
    }

    send(event: string, payload: Payload): void {
        const instance = this.simulation.instances[0]!;
        this.guarded(() => this.simulation.send(instance, eventName(this.spec, this.spec.events.indexOf(event)), payload));
    }

    advance(ms: number): void {
        this.guarded(() => this.simulation.advance(ms));
    }

    state(): string {
        return this.legend.state(this.simulation.instances[0]!.state.name);
    }

    finished(): boolean {
        return this.simulation.instances[0]!.finished;
    }

    /** A step that delivers more than STEP_BUDGET events is an endless cycle of `raise`: nobody can run it. */
    private guarded(step: () => void): void {
        try {
            step();
        } catch (error) {
            if (error instanceof SimulationError && /more than \d+ events in one step/.test(error.message)) {
                throw new EndlessStep(error.message);
            }
            throw error;
        }
    }

    private observe(line: TraceLine): void {
        this.trace.push(line);
        const note = noteOf(line, this.legend);
        if (note !== undefined) {
            this.notes.push(note);
        }
        switch (line.kind) {
            case 'transition':
                this.delivered++;
                if (line.event.startsWith('after ')) {
                    this.timerFirings++;
                    this.exercised.timer++;
                }
                if (line.from === line.to) {
                    this.exercised.self++;
                } else {
                    this.exercised.external++;
                }
                return;
            case 'internal':
                this.delivered++;
                this.exercised.internal++;
                return;
            case 'unhandled':
                this.delivered++;
                this.exercised.unhandled++;
                return;
            case 'finish': {
                const index = this.spec.states.findIndex((state) => state.name === this.legend.state(line.state));
                if (this.spec.states[index]?.final) {
                    this.exercised.finished++;
                } else {
                    this.exercised.stopped++;
                }
                return;
            }
            case 'action':
                this.action(line);
                return;
            default:
                return;
        }
    }

    private action(line: Extract<TraceLine, { kind: 'action' }>): void {
        if (line.name === 'stop') {
            this.exercised.stops++;
            this.recorder.actions.push('stop');
            return;
        }
        if (line.name.startsWith('raise ')) {
            this.exercised.raised++;
            return;
        }
        const canonical = this.legend.user(line.name);
        if (!canonical) {
            this.anomalies.push(`the interpreter traced an action '${line.name}' the model does not have`);
            return;
        }
        if (PHASE_OF_PREFIX[canonical[0]!] !== line.phase) {
            this.anomalies.push(`the interpreter traced ${line.name} (${canonical}) in phase ${line.phase}`);
        }
        // The trace is written as the action runs: the instance holds the payload of the event being processed.
        recordAction(this.recorder, canonical, this.legend.state(line.state), this.simulation.instances[0]!.payload);
    }
}
