// Tracing a program: what machines do as trace lines (the format `reactor-fsm simulate` prints), as JSON or as text.
import type { Clock } from './clock.js';
import type { IoDetail, MachineObserver } from './machine.js';
import { traceJson, traceText, type TraceLine } from './trace-format.js';

/** Turns what machines do into trace lines, `t` read from `clock` (the reactor's), and hands each to `write`. */
export function traceObserver(clock: Clock, write: (line: TraceLine) => void): MachineObserver {
    return {
        transition: (machine, from, event, to) =>
            write(from === '' ? { t: clock.now(), kind: 'start', machine: machine.name, state: to } : { t: clock.now(), kind: 'transition', machine: machine.name, from, event, to }),
        internal: (machine, state, event) => write({ t: clock.now(), kind: 'internal', machine: machine.name, state, event }),
        enter: (machine, state) => write({ t: clock.now(), kind: 'enter', machine: machine.name, state }),
        exit: (machine, state) => write({ t: clock.now(), kind: 'exit', machine: machine.name, state }),
        action: (machine, name, state, phase) => write({ t: clock.now(), kind: 'action', machine: machine.name, name, state, phase }),
        unhandled: (machine, state, event) => write({ t: clock.now(), kind: 'unhandled', machine: machine.name, state, event }),
        finished: (machine) => write({ t: clock.now(), kind: 'finish', machine: machine.name, state: machine.stateName }),
        io: (machine, socket, what, detail) => write({ t: clock.now(), kind: 'io', machine: machine.name, socket, what, ...definedDetail(detail) })
    };
}

/** The detail fields that are set, in the trace format's order. */
function definedDetail(detail: IoDetail): IoDetail {
    const out: IoDetail = {};
    if (detail.bytes !== undefined) {
        out.bytes = detail.bytes;
    }
    if (detail.code !== undefined) {
        out.code = detail.code;
    }
    if (detail.hadError !== undefined) {
        out.hadError = detail.hadError;
    }
    if (detail.session !== undefined) {
        out.session = detail.session;
    }
    if (detail.status !== undefined) {
        out.status = detail.status;
    }
    return out;
}

export type TraceFormat = 'json' | 'text';

/**
 * The trace a generated program was asked for: `--trace=json` (or REACTOR_TRACE=json) gives NDJSON, `--trace`,
 * `--trace=text` (or REACTOR_TRACE=1) text; undefined when none.
 */
export function traceFormat(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): TraceFormat | undefined {
    if (argv.includes('--trace=json') || env.REACTOR_TRACE === 'json') {
        return 'json';
    }
    if (argv.includes('--trace') || argv.includes('--trace=text') || env.REACTOR_TRACE === '1' || env.REACTOR_TRACE === 'text') {
        return 'text';
    }
    return undefined;
}

/** The observers of a program's trace: JSON lines (`traceJson`) to stderr, or text lines (`traceText`) to stdout; none without a format. */
export function traceObservers(format: TraceFormat | undefined, clock: Clock): MachineObserver[] {
    if (format === 'json') {
        return [traceObserver(clock, (line) => process.stderr.write(`${traceJson(line)}\n`))];
    }
    if (format === 'text') {
        return [traceObserver(clock, (line) => process.stdout.write(`${traceText(line)}\n`))];
    }
    return [];
}
