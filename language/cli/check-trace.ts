// `reactor-fsm check-trace`: replays a program's recorded `--trace=json` trace against its model; the first line it does not allow, and coverage.
import { readFile } from 'node:fs/promises';
import type { ReactorFsmServices } from '../module.js';
import { programOf } from '../semantics/program.js';
import { checkTrace, parseTrace, type CoverageCount, type TraceCheckResult } from '../semantics/trace-check.js';
import { loadModel } from './load-models.js';
import { refusedForErrors } from './model-errors.js';
import { InputError } from './source-files.js';

export interface CheckTraceOptions {
    /** Print the result as one JSON object (`{ok, firstProblem?, coverage}`) and nothing else. */
    json?: boolean;
}

/** Exit status of a trace the model does not allow. */
const EXIT_NONCONFORMING = 1;
/** Exit status of a trace that cannot be read as trace lines. */
const EXIT_BAD_TRACE = 2;

async function readTrace(file: string): Promise<string> {
    try {
        return await readFile(file, 'utf8');
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new InputError(`cannot read the trace '${file}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(error))}`);
    }
}

/**
 * Checks the trace; returns 0 when the model allows every line, 1 when it does not (or the model has errors), and 2
 * when the trace is not a trace (a line that is not JSON or not a trace line, or no lines at all).
 */
export async function runCheckTrace(services: ReactorFsmServices, input: string, traceFile: string, options: CheckTraceOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
    const { loaded, context } = await loadModel(services, input, 'check-trace');
    if (refusedForErrors(loaded, context, 'not checking a trace against', err)) {
        return 1;
    }
    const parsed = parseTrace(await readTrace(traceFile));
    if (!parsed.ok) {
        err(`${traceFile}:${parsed.traceLine}: ${parsed.message}`);
        return EXIT_BAD_TRACE;
    }
    if (parsed.lines.length === 0) {
        err(`${traceFile}: no trace lines (record one with the program's --trace=json, which writes them to standard error)`);
        return EXIT_BAD_TRACE;
    }
    if (parsed.skipped > 0) {
        err(`${traceFile}: ${parsed.skipped} ${parsed.skipped === 1 ? "line is the program's own message" : "lines are the program's own messages"} (reactor-fsm: …, Node warnings), not trace lines: skipped`);
    }
    const result = checkTrace(programOf(loaded.document.parseResult.value), parsed.lines);
    if (options.json) {
        out(JSON.stringify(result));
    } else {
        report(result, traceFile, loaded.source.shown, parsed.lines.length, out);
    }
    return result.ok ? 0 : EXIT_NONCONFORMING;
}

/** The result for people: the problem (or that every line conforms), then what the trace covered. */
function report(result: TraceCheckResult, traceFile: string, model: string, lines: number, out: (line: string) => void): void {
    const problem = result.firstProblem;
    out(problem ? `${traceFile}:${problem.traceLine}: ${problem.message}` : `${traceFile}: ${lines} ${lines === 1 ? 'line conforms' : 'lines conform'} to ${model}`);
    coverage('states entered', 'not entered', result.coverage.states, out);
    coverage('transitions taken', 'not taken', result.coverage.transitions, out);
}

function coverage(title: string, missing: string, count: CoverageCount, out: (line: string) => void): void {
    const percent = count.total === 0 ? 100 : Math.floor((100 * count.covered) / count.total);
    out(`${title}: ${count.covered}/${count.total} (${percent}%)`);
    for (const item of count.uncovered) {
        out(`  ${missing}: ${item.machine} ${item.name} (${item.file}:${item.line})`);
    }
}
