// `reactor-fsm generate`: a model file to a TypeScript project, refused while the model has errors.
import * as path from 'node:path';
import { blockingErrors } from '../generator/blocking-errors.js';
import { generateProject } from '../generator/generator.js';
import { WriteRefusedError, writeGeneratedFiles } from '../generator/write-files.js';
import type { ReactorFsmServices } from '../module.js';
import { byPosition, toReported } from './check.js';
import { loadModels } from './load-models.js';
import { InputError, showPath } from './source-files.js';

export interface GenerateOptions {
    out: string;
}

/** Generates the project; returns 0, or 1 when the model (or a session machine it uses) has errors. */
export async function runGenerate(services: ReactorFsmServices, input: string, options: GenerateOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
    const { named, context } = await loadModels(services, [input]);
    if (named.length !== 1) {
        throw new InputError(`generate takes one .fsm file; '${input}' holds ${named.length}`);
    }
    const { source, document } = named[0]!;
    const model = document.parseResult.value;

    const shownPath = new Map([...named, ...context].map((loaded) => [loaded.document.uri.toString(), loaded.source.shown]));
    const errors = blockingErrors(document)
        .map(({ document: involved, diagnostic }) => toReported(shownPath.get(involved.uri.toString()) ?? involved.uri.fsPath, diagnostic))
        .sort((a, b) => a.file.localeCompare(b.file) || byPosition(a, b));
    if (errors.length > 0) {
        for (const d of errors) {
            err(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);
        }
        err(`reactor-fsm: not generating from ${source.shown}: fix the ${errors.length === 1 ? 'error' : `${errors.length} errors`} above first`);
        return 1;
    }
    if (model.machines.length === 0) {
        throw new InputError(`'${source.shown}' declares no machine: nothing to generate`);
    }

    const files = generateProject(model, source.shown);
    const folder = path.resolve(options.out);
    let report;
    try {
        report = await writeGeneratedFiles(folder, files);
    } catch (error) {
        if (error instanceof WriteRefusedError) {
            throw new InputError(error.message);
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code) {
            throw new InputError(`cannot write to '${showPath(folder)}': ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code}`);
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
