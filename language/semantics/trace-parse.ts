// Reads a recorded trace (NDJSON, what a program writes with `--trace=json`) into numbered trace lines.
import type { IoWhat, TraceKind, TraceLine } from '../../templates/runtime/trace-format.js';

/** A trace line with its line number in the trace file (1-based). */
export interface NumberedTraceLine {
    readonly traceLine: number;
    readonly line: TraceLine;
}

/** A trace file read into lines, or the first line that is not a trace line. */
export type ParsedTrace =
    /** `skipped`: lines that are the program's own stderr messages, not trace lines (see parseTrace). */
    | { readonly ok: true; readonly lines: readonly NumberedTraceLine[]; readonly skipped: number }
    | { readonly ok: false; readonly traceLine: number; readonly message: string };

const KINDS: ReadonlySet<string> = new Set<TraceKind>(['start', 'transition', 'exit', 'enter', 'internal', 'action', 'unhandled', 'finish', 'io']);
export const TEXT_FIELDS: Readonly<Record<TraceKind, readonly string[]>> = {
    start: ['state'],
    transition: ['from', 'event', 'to'],
    exit: ['state'],
    enter: ['state'],
    internal: ['state', 'event'],
    // An action's `state` is optional in the format (SEMANTICS.md); when present it is compared.
    action: ['name', 'phase'],
    unhandled: ['state', 'event'],
    finish: ['state'],
    io: ['socket', 'what']
};
const PHASES: ReadonlySet<string> = new Set(['entry', 'exit', 'transition', 'heartbeat']);
const IO_WHATS: ReadonlySet<string> = new Set<IoWhat>(['connect', 'data', 'drain', 'error', 'close', 'timeout', 'idle', 'heartbeat-lost', 'accept', 'exit']);

/**
 * What a program writes to stderr beside its `--trace=json` lines, so a trace recorded with `2> run.ndjson` holds it
 * too: its own messages (`reactor-fsm: inspector listening on …`) and Node's warnings (`(node:123) ReactorActionError: …`
 * and the `(Use \`node --trace-warnings …\`)` line after the first one).
 */
const PROGRAM_MESSAGE = /^(reactor-fsm: |\(node:[0-9]+\) |\(Use `node --trace-warnings)/;

/**
 * Reads NDJSON trace text: one trace line per line (blank lines and the program's own stderr messages skipped); the
 * first other line that is not JSON or not a trace line is an error.
 */
export function parseTrace(text: string): ParsedTrace {
    const lines: NumberedTraceLine[] = [];
    let skipped = 0;
    const texts = text.split('\n');
    for (let index = 0; index < texts.length; index++) {
        const source = texts[index]!.trim();
        if (source === '') {
            continue;
        }
        if (PROGRAM_MESSAGE.test(source)) {
            skipped++;
            continue;
        }
        let value: unknown;
        try {
            value = JSON.parse(source);
        } catch {
            return { ok: false, traceLine: index + 1, message: 'not JSON (a trace has one JSON object per line, as --trace=json writes it)' };
        }
        const problem = traceLineProblem(value);
        if (problem !== undefined) {
            return { ok: false, traceLine: index + 1, message: `not a trace line: ${problem}` };
        }
        lines.push({ traceLine: index + 1, line: value as TraceLine });
    }
    return { ok: true, lines, skipped };
}

function traceLineProblem(value: unknown): string | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return 'not a JSON object';
    }
    const record = value as Record<string, unknown>;
    if (typeof record.t !== 'number') {
        return "no number 't'";
    }
    if (typeof record.kind !== 'string' || !KINDS.has(record.kind)) {
        return `'kind' is not one of ${[...KINDS].join(', ')}`;
    }
    if (typeof record.machine !== 'string' || record.machine === '') {
        return "no 'machine'";
    }
    const missing = TEXT_FIELDS[record.kind as TraceKind].find((field) => typeof record[field] !== 'string');
    if (missing !== undefined) {
        return `a '${record.kind}' line needs a text '${missing}'`;
    }
    if (record.kind === 'action' && record.state !== undefined && typeof record.state !== 'string') {
        return "an 'action' line's 'state' is text";
    }
    if (record.kind === 'action' && !PHASES.has(record.phase as string)) {
        return `'phase' is not one of ${[...PHASES].join(', ')}`;
    }
    if (record.kind === 'io' && !IO_WHATS.has(record.what as string)) {
        return `'what' is not one of ${[...IO_WHATS].join(', ')}`;
    }
    return undefined;
}
