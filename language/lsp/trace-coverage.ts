// The reactor-fsm/traceCoverage request: a recorded trace replayed against a document's model (as `check-trace`), with
// the lines of the states and transitions it covered, for the diagram's coverage overlay.
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Model } from '../generated/ast.js';
import { blockingErrors } from '../generator/blocking-errors.js';
import { programOf, type StateSpec } from '../semantics/program.js';
import { checkTrace, parseTrace } from '../semantics/trace-check.js';
import type { TraceCoverageParams, TraceCoverageResult } from './protocol.js';
import { messageText } from '../validation/diagnostic-words.js';

const EMPTY = { lines: 0, states: { covered: 0, total: 0 }, transitions: { covered: 0, total: 0 }, covered: [], uncovered: [] };

/** `machine:line` of every state (regions are not counted) and of every transition and timer of `states`. */
function places(machine: string, states: readonly StateSpec[], into: { states: string[]; transitions: string[] }): void {
    for (const state of states) {
        if (state.kind !== 'region') {
            into.states.push(`${machine}:${state.spot.line}`);
        }
        into.transitions.push(...state.transitions.map((transition) => `${machine}:${transition.spot.line}`), ...state.timers.map((timer) => `${machine}:${timer.spot.line}`));
        places(machine, state.children, into);
    }
}

export async function traceCoverageOfDocument(shared: LangiumSharedServices, params: TraceCoverageParams): Promise<TraceCoverageResult> {
    const uri = URI.parse(params.uri);
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, uri);
    const document = shared.workspace.LangiumDocuments.getDocument(uri) as LangiumDocument<Model> | undefined;
    if (!document) {
        return { ...EMPTY, refused: [`${params.uri} is not a Reactor FSM document of this workspace`] };
    }
    const errors = blockingErrors(document);
    if (errors.length > 0) {
        return { ...EMPTY, refused: errors.map(({ document: involved, diagnostic }) => `${involved.uri.path.split('/').pop()}:${diagnostic.range.start.line + 1}: ${messageText(diagnostic)}`) };
    }
    const parsed = parseTrace(params.trace);
    if (!parsed.ok) {
        return { ...EMPTY, refused: [`${params.traceName}:${parsed.traceLine}: ${parsed.message}`] };
    }
    if (parsed.lines.length === 0) {
        return { ...EMPTY, refused: [`${params.traceName}: no trace lines (record one with the program's --trace=json, which writes them to standard error)`] };
    }
    const program = programOf(document.parseResult.value);
    const result = checkTrace(program, parsed.lines);
    // This document's places: machines declared in it (a session machine may come from another file).
    const path = uri.scheme === 'file' ? uri.fsPath : uri.path;
    const here = { states: [] as string[], transitions: [] as string[] };
    for (const machine of program.machines.values()) {
        if (machine.spot.path === path) {
            places(machine.name, machine.states, here);
        }
    }
    const missed = new Set([...result.coverage.states.uncovered, ...result.coverage.transitions.uncovered].map((item) => `${item.machine}:${item.line}`));
    const line = (place: string): number => Number(place.slice(place.lastIndexOf(':') + 1)) - 1;
    const all = [...here.states, ...here.transitions];
    return {
        ...(result.firstProblem ? { problem: { traceLine: result.firstProblem.traceLine, ...(result.firstProblem.modelLine === undefined ? {} : { modelLine: result.firstProblem.modelLine }), message: result.firstProblem.message } } : {}),
        lines: parsed.lines.length,
        states: { covered: result.coverage.states.covered, total: result.coverage.states.total },
        transitions: { covered: result.coverage.transitions.covered, total: result.coverage.transitions.total },
        covered: [...new Set(all.filter((place) => !missed.has(place)).map(line))].sort((a, b) => a - b),
        uncovered: [...new Set(all.filter((place) => missed.has(place)).map(line))].sort((a, b) => a - b)
    };
}
