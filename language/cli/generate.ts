// `reactor-fsm generate`: a model file to a TypeScript project, refused while the model has errors.
import * as path from 'node:path';
import { WriteRefusedError, writeGeneratedFiles } from '../generator/write-files.js';
import type { ReactorFsmServices } from '../module.js';
import { loadModel } from './load-models.js';
import { refusedForErrors } from './model-errors.js';
import { InputError, showPath } from './source-files.js';

export interface GenerateOptions {
    out: string;
}

/** Generates the project; returns 0, or 1 when the model (or a session machine it uses) has errors. */
export async function runGenerate(services: ReactorFsmServices, input: string, options: GenerateOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
    if (options.out === '') {
        // path.resolve('') is the working folder: an empty -o would scatter the project into it.
        throw new InputError(`-o needs a folder name: '' would write into the current folder (write '-o .' for that)`);
    }
    const { loaded, context } = await loadModel(services, input, 'generate');
    const { source, document } = loaded;
    const model = document.parseResult.value;

    if (refusedForErrors(loaded, context, 'not generating from', err)) {
        return 1;
    }
    if (model.machines.length === 0) {
        throw new InputError(`'${source.shown}' declares no machine: nothing to generate`);
    }

    const files = services.generator.ProjectGenerator.generate(model, source.shown);
    const folder = path.resolve(options.out);
    let report;
    try {
        // Every output path is checked first: a refused run writes nothing.
        report = await writeGeneratedFiles(folder, files, { show: showPath });
    } catch (error) {
        if (error instanceof WriteRefusedError) {
            throw new InputError(error.message);
        }
        throw error;
    }
    for (const file of report.written) {
        out(`wrote     ${file}`);
    }
    for (const file of report.kept) {
        out(`kept      ${file} (yours: never overwritten)`);
    }
    out(`${showPath(folder)}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.kept.length} kept`);
    return 0;
}
