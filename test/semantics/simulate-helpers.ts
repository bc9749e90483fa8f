// Helpers for interpreter tests: a model's program from text, a scenario run, and traces as short readable strings.
import { expect } from 'vitest';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { programOf, type ProgramSpec } from '../../language/semantics/program.js';
import { runScenario, type ScenarioRun } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { validate } from '../helpers.js';

/** The program of a model that must be free of errors. */
export async function programFrom(text: string, others: string[] = []): Promise<ProgramSpec> {
    const { document, diagnostics } = await validate(text, others);
    expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${String(d.code)}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual([]);
    return programOf(document.parseResult.value);
}

/** A trace line in a few words: `M start S`, `M S -E-> T`, `M entry a@T`, `M io upstream close!`, … */
export function brief(line: TraceLine): string {
    switch (line.kind) {
        case 'start':
            return `${line.machine} start ${line.state}`;
        case 'transition':
            return `${line.machine} ${line.from} -${line.event}-> ${line.to}`;
        case 'internal':
            return `${line.machine} ${line.state} internal ${line.event}`;
        case 'exit':
        case 'enter':
            return `${line.machine} ${line.kind} ${line.state}`;
        case 'action':
            return `${line.machine} ${line.phase} ${line.name}@${line.state}`;
        case 'unhandled':
            return `${line.machine} ${line.state} unhandled ${line.event}`;
        case 'finish':
            return `${line.machine} finish ${line.state}`;
        case 'io': {
            const detail = line.code ?? (line.hadError ? '!' : '') + (line.session ?? '') + (line.bytes !== undefined ? `${line.bytes}B` : '') + (line.status !== undefined ? String(line.status) : '');
            return `${line.machine} io ${line.socket} ${line.what}${detail ? ` ${detail}` : ''}`;
        }
    }
}

/** Runs `scenario` on the model's program; returns the run and the trace in brief, each with its time when `timed`. */
export async function simulate(model: string, scenario: string, options: { machine?: string; timed?: boolean; others?: string[] } = {}): Promise<{ run: ScenarioRun; lines: string[] }> {
    const program = await programFrom(model, options.others);
    const run = runScenario(program, parseScenario(scenario), { machine: options.machine });
    return { run, lines: run.trace.map((line) => (options.timed ? `${line.t} ${brief(line)}` : brief(line))) };
}
