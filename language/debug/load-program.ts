// Loads the model a debug session runs: the file (with the launch configuration's other `files`, composed into one
// program), its siblings for cross-file sessions, refused when it has errors.
import { readFile } from 'node:fs/promises';
import { NodeFileSystem } from 'langium/node';
import { InputError } from '../cli/source-files.js';
import { loadModel } from '../cli/load-models.js';
import { composedProgram, loadInputs } from '../cli/program-files.js';
import { refusedForErrors } from '../cli/model-errors.js';
import { createReactorFsmServices } from '../module.js';
import { programOf, type ProgramSpec } from '../semantics/program.js';
import { parseScenario, ScenarioSyntaxError } from '../semantics/scenario.js';
import type { Input } from './debug-run.js';

export class LaunchError extends Error {}

/**
 * The program of `file`, or of `file` and `others` together (as `reactor-fsm simulate FILE OTHERS…` composes them: a
 * client reaches a server of another file); a model with errors, or a machine name two files define, is a LaunchError.
 */
export async function loadProgram(file: string, others: readonly string[] = []): Promise<ProgramSpec> {
    const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
    try {
        if (others.length > 0) {
            const { named, context } = await loadInputs(ReactorFsm, [file, ...others], 'debug');
            const errors: string[] = [];
            const program = composedProgram(named, context, 'not simulating', (line) => errors.push(line));
            if (program === undefined) {
                throw new LaunchError(errors.join('\n'));
            }
            return program;
        }
        const { loaded, context } = await loadModel(ReactorFsm, file, 'debug');
        const errors: string[] = [];
        if (refusedForErrors(loaded, context, 'not simulating', (line) => errors.push(line))) {
            throw new LaunchError(errors.join('\n'));
        }
        return programOf(loaded.document.parseResult.value);
    } catch (error) {
        if (error instanceof InputError) {
            throw new LaunchError(error.message);
        }
        throw error;
    }
}

/** The steps of a scenario file as inputs; a bad line is a LaunchError with its line number. */
export async function loadScript(file: string): Promise<Input[]> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new LaunchError(`cannot read the scenario '${file}': ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
    }
    try {
        const lines = text.split(/\r?\n/);
        return parseScenario(text).map((step) => ({ step, text: lines[step.line - 1]!.trim(), origin: `${file}:${step.line}` }));
    } catch (error) {
        if (error instanceof ScenarioSyntaxError) {
            throw new LaunchError(`${file}:${error.line}: ${error.message}`);
        }
        throw error;
    }
}
