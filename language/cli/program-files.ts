// The program several model files make together, for the commands that run them (simulate, explore): loading, the
// machine-name clashes between files, and refusing files with errors.
import { statSync } from 'node:fs';
import type { ReactorFsmServices } from '../module.js';
import { assertComposable, ProgramCompositionError, programOfModels, type ProgramSpec } from '../semantics/program.js';
import { loadModel, loadModels, type LoadedModel } from './load-models.js';
import { refusedForErrors } from './model-errors.js';
import { InputError } from './source-files.js';

function isDirectory(input: string): boolean {
    try {
        return statSync(input).isDirectory();
    } catch {
        return false; // the loader says plainly that it does not exist
    }
}

/**
 * The named model files (one file, or several files and folders) and their sibling files, loaded as one workspace. One
 * folder alone is its files together, as several inputs are.
 */
export async function loadInputs(services: ReactorFsmServices, inputs: readonly string[], command: string): Promise<{ named: LoadedModel[]; context: LoadedModel[] }> {
    if (inputs.length === 1 && !isDirectory(inputs[0]!)) {
        const { loaded, context } = await loadModel(services, inputs[0]!, command);
        return { named: [loaded], context };
    }
    return loadModels(services, inputs);
}

/**
 * The program the named files make together, or undefined when one of them has errors (they are printed, each once).
 * Two files defining one machine name is an InputError naming both places; it is looked for first, as the model
 * errors it also causes (duplicate-name) name only the other file.
 */
export function composedProgram(named: readonly LoadedModel[], context: readonly LoadedModel[], notDoing: string, err: (line: string) => void): ProgramSpec | undefined {
    const models = named.map((loaded) => loaded.document.parseResult.value);
    try {
        if (models.length > 1) {
            assertComposable(models); // one file alone: such a clash is a model error (duplicate-name), refused below as ever
        }
    } catch (error) {
        if (error instanceof ProgramCompositionError) {
            throw new InputError(error.message);
        }
        throw error;
    }
    const printed = new Set<string>();
    const errOnce = (line: string): void => {
        if (!printed.has(line)) {
            printed.add(line);
            err(line);
        }
    };
    const refused = named.filter((loaded) => refusedForErrors(loaded, [...named, ...context], notDoing, errOnce));
    return refused.length > 0 ? undefined : programOfModels(models);
}

