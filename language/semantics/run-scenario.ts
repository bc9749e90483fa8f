// Runs a scenario through the interpreter: the program starts, then each step happens in order.
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import type { Instance } from './instance.js';
import { Simulation, SimulationError } from './interpreter.js';
import type { ProgramSpec } from './program.js';
import type { ScenarioStep, StepTarget } from './scenario.js';

/** A step that cannot happen in the model's situation at that point; `line` is the scenario's, 1-based. */
export class ScenarioStepError extends Error {
    constructor(
        readonly line: number,
        message: string
    ) {
        super(message);
    }
}

export interface ScenarioRun {
    readonly simulation: Simulation;
    readonly trace: readonly TraceLine[];
}

/** Which top-level machine plain steps (`send E`, `upstream data …`) are for: `machine`, or the first one the program starts. */
export function machineUnderTest(program: ProgramSpec, machine: string | undefined): string {
    if (machine === undefined) {
        const first = program.topLevel[0];
        if (first === undefined) {
            throw new ScenarioStepError(0, 'the file has no top-level machine to run (every machine is a session of a server)');
        }
        return first;
    }
    if (!program.topLevel.includes(machine)) {
        const known = program.topLevel.join(', ') || 'none';
        throw new ScenarioStepError(0, program.machines.has(machine) ? `'${machine}' is a session machine: it runs when a server accepts a connection (top-level machines: ${known})` : `no machine '${machine}' in the file (top-level machines: ${known})`);
    }
    return machine;
}

function resolve(simulation: Simulation, target: StepTarget, underTest: string, line: number): Instance {
    const name = target.kind === 'default' ? underTest : target.instance;
    const instance = simulation.instance(name);
    if (!instance) {
        const known = simulation.instances.map((candidate) => candidate.name).join(', ');
        throw new ScenarioStepError(line, `no machine instance '${name}' (running so far: ${known})`);
    }
    return instance;
}

/** Applies one step; a step the model's situation does not allow throws a ScenarioStepError. */
export function applyStep(simulation: Simulation, step: ScenarioStep, underTest: string): void {
    try {
        switch (step.kind) {
            case 'send':
                simulation.send(resolve(simulation, step.target, underTest, step.line), step.event, step.payload);
                return;
            case 'advance':
                simulation.advance(step.ms);
                return;
            case 'signal':
                simulation.signal(step.signal);
                return;
            case 'guard':
                simulation.guards.set(step.guard, [...step.values]);
                return;
            case 'socket':
                simulation.socket(resolve(simulation, step.target, underTest, step.line), step.socket, step.occurrence);
                return;
        }
    } catch (error) {
        if (error instanceof SimulationError) {
            throw new ScenarioStepError(step.line, error.message);
        }
        throw error;
    }
}

/** Starts the program and runs every step; `onTrace` sees each line as it happens. */
export function runScenario(program: ProgramSpec, steps: readonly ScenarioStep[], options: { machine?: string; onTrace?: (line: TraceLine) => void } = {}): ScenarioRun {
    const underTest = machineUnderTest(program, options.machine);
    const simulation = new Simulation(program, { onTrace: options.onTrace });
    try {
        simulation.start();
    } catch (error) {
        throw error instanceof SimulationError ? new ScenarioStepError(0, `at the start: ${error.message}`) : error;
    }
    for (const step of steps) {
        applyStep(simulation, step, underTest);
    }
    return { simulation, trace: simulation.trace };
}
