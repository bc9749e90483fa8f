// `reactor-fsm simulate`: runs a scenario through the interpreter and prints the trace (text, or NDJSON with --json);
// several files run together as one program.
import { readFile } from 'node:fs/promises';
import { traceJson, traceText } from '../../templates/runtime/trace-format.js';
import type { ReactorFsmServices } from '../module.js';
import { machineUnderTest, runScenario, ScenarioStepError } from '../semantics/run-scenario.js';
import { parseScenario, ScenarioSyntaxError, type ScenarioStep } from '../semantics/scenario.js';
import { composedProgram, loadInputs } from './program-files.js';
import { InputError } from './source-files.js';

export interface SimulateOptions {
    machine?: string;
    /** A scenario file, or `-` for standard input; without one the program only starts. */
    script?: string;
    json?: boolean;
}

/** Exit status of a scenario that cannot be run (a bad line, a step the model does not allow). */
const EXIT_BAD_SCENARIO = 2;

async function readScenario(script: string | undefined, stdin: () => Promise<string>): Promise<{ name: string; text: string }> {
    if (script === undefined) {
        return { name: '(no scenario)', text: '' };
    }
    if (script === '-') {
        return { name: '(stdin)', text: await stdin() };
    }
    try {
        return { name: script, text: await readFile(script, 'utf8') };
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new InputError(`cannot read the scenario '${script}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code ?? String(error)}`);
    }
}

/**
 * Runs the scenario on the program of `inputs` (one model file, or several run together); returns 0, 1 when a model has
 * errors, 2 when the scenario is bad (the trace so far is printed).
 */
export async function runSimulate(
    services: ReactorFsmServices,
    inputs: readonly string[],
    options: SimulateOptions,
    out: (line: string) => void,
    err: (line: string) => void,
    stdin: () => Promise<string>
): Promise<number> {
    const { named, context } = await loadInputs(services, inputs, 'simulate');
    const program = composedProgram(named, context, 'not simulating', err);
    if (program === undefined) {
        return 1;
    }
    const scenario = await readScenario(options.script, stdin);
    let steps: ScenarioStep[];
    try {
        steps = parseScenario(scenario.text);
        machineUnderTest(program, options.machine);
    } catch (error) {
        if (error instanceof ScenarioSyntaxError) {
            err(`${scenario.name}:${error.line}: ${error.message}`);
            return EXIT_BAD_SCENARIO;
        }
        if (error instanceof ScenarioStepError) {
            throw new InputError(error.message);
        }
        throw error;
    }
    try {
        const { simulation } = runScenario(program, steps, { machine: options.machine, onTrace: (line) => out(options.json ? traceJson(line) : traceText(line)) });
        if (simulation.exitCode !== undefined) {
            err(`reactor-fsm: the program stops here with exit status ${simulation.exitCode}: ${simulation.exitReason ?? 'see the trace'}`);
        }
    } catch (error) {
        if (error instanceof ScenarioStepError) {
            err(`${scenario.name}:${error.line}: ${error.message}`);
            return EXIT_BAD_SCENARIO;
        }
        throw error;
    }
    return 0;
}
