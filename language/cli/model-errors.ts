// Errors that refuse a run (`generate`, `simulate`): those of the model file and of every file its session machines come from.
import { blockingErrors } from '../generator/blocking-errors.js';
import { byPosition, reportedLine, toReported } from './check.js';
import type { LoadedModel } from './load-models.js';

/** Prints the blocking errors and one line saying what was not done; returns true when the run must stop (exit 1). */
export function refusedForErrors(loaded: LoadedModel, context: readonly LoadedModel[], notDoing: string, err: (line: string) => void): boolean {
    const shownPath = new Map([loaded, ...context].map((each) => [each.document.uri.toString(), each.source.shown]));
    const errors = blockingErrors(loaded.document)
        .map(({ document: involved, diagnostic }) => toReported(shownPath.get(involved.uri.toString()) ?? involved.uri.fsPath, diagnostic))
        .sort((a, b) => a.file.localeCompare(b.file) || byPosition(a, b));
    if (errors.length === 0) {
        return false;
    }
    errors.forEach((d) => err(reportedLine(d)));
    err(`reactor-fsm: ${notDoing} ${loaded.source.shown}: fix the ${errors.length === 1 ? 'error' : `${errors.length} errors`} above first`);
    return true;
}
