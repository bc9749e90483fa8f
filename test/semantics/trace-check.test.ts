// The trace checker: the interpreter's own traces conform (it defines the language), and doctored ones fail at the
// first line the model does not allow, with the trace's line and the model's.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgramSpec } from '../../language/semantics/program.js';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { checkTrace, parseTrace, TIMER_TOLERANCE_MS, type NumberedTraceLine, type TraceCheckResult } from '../../language/semantics/trace-check.js';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { programFrom } from './simulate-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const OVEN = readFileSync(path.join(ROOT, 'test', 'fixtures', 'check-trace', 'oven.fsm'), 'utf8');
const ECHO_CLIENT = readFileSync(path.join(EXAMPLES, 'echo-client.fsm'), 'utf8');

/** The interpreter's trace of `scenario`, numbered from line 1. */
function interpreted(program: ProgramSpec, scenario: string, machine?: string): TraceLine[] {
    return [...runScenario(program, parseScenario(scenario), { machine }).simulation.trace];
}

function numbered(lines: readonly TraceLine[]): NumberedTraceLine[] {
    return lines.map((line, index) => ({ traceLine: index + 1, line }));
}

/** The trace with line `traceLine` (1-based) replaced by `change(line)`: a list of lines (none removes it). */
function doctored(lines: readonly TraceLine[], traceLine: number, change: (line: TraceLine) => TraceLine[]): TraceLine[] {
    return [...lines.slice(0, traceLine - 1), ...change(lines[traceLine - 1]!), ...lines.slice(traceLine)];
}

function at(lines: readonly TraceLine[], traceLine: number): TraceLine {
    return lines[traceLine - 1]!;
}

/** The check of `lines`, the model's file named `model.fsm` (models here are parsed from text, as `test-N.fsm`). */
function check(program: ProgramSpec, lines: readonly TraceLine[]): TraceCheckResult {
    return JSON.parse(JSON.stringify(checkTrace(program, numbered(lines))).replace(/test-\d+\.fsm/g, 'model.fsm')) as TraceCheckResult;
}

function problemOf(result: TraceCheckResult): TraceCheckResult['firstProblem'] {
    expect(result.ok).toBe(false);
    return result.firstProblem;
}

const ECHO_SCENARIO = readFileSync(path.join(EXAMPLES, 'scenarios', 'echo-client.scenario'), 'utf8');
const OVEN_SCENARIO = 'advance 1s\nsend Open\nsend Close\nsend Ready\nguard crisp true\nsend Ready\nadvance 2s\n';

describe('checkTrace: what the interpreter traces conforms', () => {
    const scenarios = readdirSync(path.join(EXAMPLES, 'scenarios')).filter((file) => file.endsWith('.scenario'));

    it.each(scenarios)('the trace of examples/scenarios/%s', async (file) => {
        const text = readFileSync(path.join(EXAMPLES, 'scenarios', file), 'utf8');
        const program = await programFrom(readFileSync(path.join(EXAMPLES, `${file.split('.')[0]!}.fsm`), 'utf8'));
        const trace = interpreted(program, text, /^#\s*machine:\s*(\S+)\s*$/m.exec(text)?.[1]);
        const result = check(program, trace);
        expect(result.firstProblem).toBeUndefined();
        expect(result.ok).toBe(true);
        expect(result.coverage.states.covered).toBeGreaterThan(0);
    });

    it('counts states entered and transitions taken (timers and `on done` included), listing the others with their lines', async () => {
        const program = await programFrom(OVEN);
        const result = check(program, interpreted(program, OVEN_SCENARIO));
        expect(result.ok).toBe(true);
        expect(result.coverage).toEqual({
            states: { covered: 11, total: 12, uncovered: [{ name: 'Idle', machine: 'Oven', line: 26, file: 'model.fsm' }] },
            transitions: {
                covered: 8,
                total: 11,
                uncovered: [
                    { name: 'Cooking --Stop--> Idle', machine: 'Oven', line: 9, file: 'model.fsm' },
                    { name: 'Baking --after 2s--> Baked', machine: 'Oven', line: 19, file: 'model.fsm' },
                    { name: 'Idle --Start--> Cooking', machine: 'Oven', line: 27, file: 'model.fsm' }
                ]
            }
        });
    });

    it('takes guards as free choices: a guarded transition may be taken or ignored, and the lines decide', async () => {
        const program = await programFrom(OVEN);
        const ignored = interpreted(program, 'advance 1s\nsend Ready\n');
        const taken = interpreted(program, 'advance 1s\nguard crisp true\nsend Ready\n');
        expect(ignored.some((line) => line.kind === 'unhandled')).toBe(true);
        expect(taken.some((line) => line.kind === 'transition' && line.event === 'Ready')).toBe(true);
        expect(check(program, ignored).ok).toBe(true);
        expect(check(program, taken).ok).toBe(true);
    });
});

describe('checkTrace: the first line the model does not allow', () => {
    it('a transition to the wrong target', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 3)).toMatchObject({ kind: 'transition', from: 'Connecting', event: 'Failed', to: 'Backoff' });
        const result = check(program, doctored(trace, 3, (line) => [{ ...line, to: 'Online' } as TraceLine]));
        expect(problemOf(result)).toEqual({
            traceLine: 3,
            modelLine: 7,
            modelFile: 'model.fsm',
            message: "EchoClient: on 'Failed' Connecting goes to Backoff, not Online (model model.fsm:7 transition Connecting --Failed--> Backoff)"
        });
    });

    it('an event the state does not handle', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 9)).toMatchObject({ kind: 'transition', from: 'Connecting', event: 'Connected', to: 'Online' });
        const shutdown = doctored(trace, 10, (line) => [line, { t: line.t, kind: 'transition', machine: 'EchoClient', from: 'Online', event: 'Shutdown', to: 'Done' }]);
        // Shutdown is handled in Online; Failed is not: an internal step on it is refused with Online's line.
        const failed = doctored(trace, 10, (line) => [line, { t: line.t, kind: 'internal', machine: 'EchoClient', state: 'Online', event: 'Failed' }]);
        expect(problemOf(check(program, failed))).toEqual({
            traceLine: 11,
            modelLine: 15,
            modelFile: 'model.fsm',
            message: "EchoClient: no transition from Online on 'Failed' (model model.fsm:15 state Online)"
        });
        // Shutdown from Online closes the socket first: the transition line without its action is refused at that line.
        expect(problemOf(check(program, shutdown))).toMatchObject({
            traceLine: 11,
            modelLine: 20,
            message: "EchoClient: the model expects '/ close upstream' here, not 'Online --Shutdown--> Done' (model model.fsm:20 transition Online --Shutdown--> Done)"
        });
    });

    it('an event the machine does not declare', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        const result = check(program, doctored(trace, 5, (line) => [{ ...line, event: 'Ping' } as TraceLine]));
        expect(problemOf(result)).toMatchObject({ traceLine: 5, modelLine: 2, message: "EchoClient: the machine has no event 'Ping' (model model.fsm:2 machine EchoClient)" });
    });

    it('a timer that fires before its delay since its state was entered (a few ms early is a real clock, allowed)', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 7)).toMatchObject({ t: 4000, kind: 'transition', event: 'after 1s' });
        const early = (ms: number): TraceLine[] => trace.map((line, index) => (index === 5 || index === 6 ? { ...line, t: 3000 + ms } : line));
        expect(problemOf(check(program, early(600)))).toEqual({
            traceLine: 7,
            modelLine: 11,
            modelFile: 'model.fsm',
            message: "EchoClient: 'after 1s' fired 600 ms after Backoff was entered (t=3000), before its delay of 1000 ms (model model.fsm:11 timer after 1s of Backoff)"
        });
        expect(check(program, early(1000 - TIMER_TOLERANCE_MS)).ok).toBe(true);
        expect(check(program, early(1000 - TIMER_TOLERANCE_MS - 1)).firstProblem?.traceLine).toBe(7);
    });

    it('a timer of a state that is not active', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        const result = check(program, doctored(trace, 3, (line) => [{ ...line, event: 'after 1s' } as TraceLine]));
        expect(problemOf(result)).toMatchObject({ traceLine: 3, modelLine: 5, message: "EchoClient: no timer 'after 1s' in Connecting (model model.fsm:5 state Connecting)" });
    });

    it("an action line without its optional 'state' is compared by name and phase", async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO).map((line) => (line.kind === 'action' ? ({ ...line, state: undefined } as unknown as TraceLine) : line));
        expect(check(program, trace).ok).toBe(true);
    });

    it('a wrong action, and a missing one', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 10)).toMatchObject({ kind: 'action', name: 'greet', phase: 'entry' });
        expect(problemOf(check(program, doctored(trace, 10, (line) => [{ ...line, name: 'wave' } as TraceLine])))).toMatchObject({
            traceLine: 10,
            modelLine: 15,
            message: "EchoClient: the model expects 'entry greet' here, not 'entry wave' (model model.fsm:15 state Online)"
        });
        expect(problemOf(check(program, doctored(trace, 10, () => [])))).toMatchObject({
            traceLine: 11,
            modelLine: 15,
            message: "EchoClient: the model expects 'entry greet' here, not 'Online: Data (internal)' (model model.fsm:15 state Online)"
        });
    });

    it('an event ignored where the model handles it', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 12)).toMatchObject({ kind: 'internal', state: 'Online', event: 'Data' });
        const result = check(program, doctored(trace, 12, (line) => [{ t: line.t, kind: 'unhandled', machine: 'EchoClient', state: 'Online', event: 'Data' }]));
        expect(problemOf(result)).toMatchObject({ traceLine: 12, modelLine: 17, message: "EchoClient: 'Data' is not ignored in Online: the model expects 'Online: Data (internal)' (model model.fsm:17 transition Online: Data (internal))" });
    });

    it('finish in a state that is not final, with nothing that stops the program', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        const result = check(program, doctored(trace, 10, (line) => [line, { t: line.t, kind: 'finish', machine: 'EchoClient', state: 'Online' }]));
        expect(problemOf(result)).toMatchObject({
            traceLine: 11,
            modelLine: 15,
            message: "EchoClient: finishes in Online, which is not a final state, and nothing stopped the program (no 'stop' ran) (model model.fsm:15 state Online)"
        });
    });

    it('a machine the model does not have, and a socket its machine does not have', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(problemOf(check(program, doctored(trace, 4, (line) => [{ ...line, machine: 'EchoServer' }])))).toEqual({
            traceLine: 4,
            message: "unknown machine 'EchoServer' (the model's machines: EchoClient)"
        });
        expect(problemOf(check(program, doctored(trace, 1, (line) => [{ ...line, machine: 'EchoClient#1' }])))).toEqual({
            traceLine: 1,
            message: "'EchoClient#1': EchoClient is not a session machine (no server of the model runs it), so it has no instances 'EchoClient#N'"
        });
        expect(problemOf(check(program, doctored(trace, 4, (line) => [{ ...line, socket: 'downstream' } as TraceLine])))).toMatchObject({
            traceLine: 4,
            modelLine: 2,
            message: "EchoClient: the machine has no socket 'downstream' (model model.fsm:2 machine EchoClient)"
        });
    });

    it('a socket occurrence that socket does not have', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 8)).toMatchObject({ kind: 'io', socket: 'upstream', what: 'connect' });
        expect(problemOf(check(program, doctored(trace, 8, (line) => [{ ...line, what: 'accept', session: 'EchoSession#1' } as TraceLine])))).toMatchObject({
            traceLine: 8,
            modelLine: 24,
            message: "EchoClient: 'accept' does not happen to client upstream (model model.fsm:24 client upstream)"
        });
        expect(problemOf(check(program, doctored(trace, 8, (line) => [{ ...line, what: 'idle' } as TraceLine])))).toMatchObject({
            traceLine: 8,
            message: "EchoClient: upstream has no idle option, so no 'idle' (model model.fsm:24 client upstream)"
        });
    });

    it('a socket occurrence not followed by the event its socket maps', async () => {
        const program = await programFrom(ECHO_CLIENT);
        const trace = interpreted(program, ECHO_SCENARIO);
        expect(at(trace, 8)).toMatchObject({ kind: 'io', what: 'connect' });
        // The connect maps Connected; a Failed step instead (allowed from Connecting) is refused.
        const result = check(program, doctored(trace, 9, (line) => [{ ...line, event: 'Failed', to: 'Backoff' } as TraceLine]));
        expect(problemOf(result)).toMatchObject({
            traceLine: 9,
            modelLine: 24,
            message: "EchoClient: after the upstream occurrence at trace line 8, the next step should be 'Connected', but the trace has 'Connecting --Failed--> Backoff' (model model.fsm:24 socket upstream)"
        });
    });

    it('composite states: exits innermost first, entries outermost first, a history re-entering what it remembers', async () => {
        const program = await programFrom(OVEN);
        const trace = interpreted(program, OVEN_SCENARIO);
        expect(at(trace, 12)).toMatchObject({ kind: 'exit', state: 'Cooking' });
        const swapped = [...trace];
        [swapped[9], swapped[11]] = [swapped[11]!, swapped[9]!];
        expect(problemOf(check(program, swapped))).toMatchObject({ traceLine: 10, modelLine: 15, message: "Oven: the model expects 'leaves Baking' here, not 'leaves Cooking' (model model.fsm:15 state Baking)" });
        expect(at(trace, 20)).toMatchObject({ kind: 'enter', state: 'Baking' });
        const forgetful = doctored(trace, 20, (line) => [{ ...line, state: 'Heating' } as TraceLine]);
        expect(problemOf(check(program, forgetful))).toMatchObject({ traceLine: 20, modelLine: 15, message: "Oven: the model expects 'enters Baking' here, not 'enters Heating' (model model.fsm:15 state Baking)" });
    });

    it('`on done` only when the composite state has completed', async () => {
        const program = await programFrom(OVEN);
        const trace = interpreted(program, 'advance 1s\n');
        const early: TraceLine[] = [...trace, { t: 1000, kind: 'transition', machine: 'Oven', from: 'Cooking', event: 'done', to: 'Resting' }];
        expect(problemOf(check(program, early))).toMatchObject({ traceLine: trace.length + 1, modelLine: 15, message: "Oven: no transition from Baking on 'done' (model model.fsm:15 state Baking)" });
    });

    it('lines after the machine finished', async () => {
        const program = await programFrom(OVEN);
        const trace = interpreted(program, OVEN_SCENARIO);
        const after: TraceLine[] = [...trace, { t: 3000, kind: 'unhandled', machine: 'Oven', state: 'Off', event: 'Start' }];
        expect(problemOf(check(program, after))).toMatchObject({ traceLine: trace.length + 1, message: expect.stringContaining("Oven: 'Off: Start ignored' after the machine finished") as unknown });
    });

    it('a start in another state than the initial one', async () => {
        const program = await programFrom(OVEN);
        const trace = interpreted(program, '');
        expect(problemOf(check(program, doctored(trace, 1, (line) => [{ ...line, state: 'Idle' } as TraceLine])))).toMatchObject({
            traceLine: 1,
            modelLine: 5,
            message: "Oven: the model expects 'starts in Cooking' here, not 'starts in Idle' (model model.fsm:5 state Cooking)"
        });
    });
});

describe('parseTrace', () => {
    it('reads one JSON trace line per line, skipping blank lines, numbering lines as the file does', () => {
        const parsed = parseTrace('{"t":0,"kind":"start","machine":"M","state":"A"}\n\n{"t":1,"kind":"io","machine":"M","socket":"s","what":"connect"}\n');
        expect(parsed).toEqual({
            ok: true,
            lines: [
                { traceLine: 1, line: { t: 0, kind: 'start', machine: 'M', state: 'A' } },
                { traceLine: 3, line: { t: 1, kind: 'io', machine: 'M', socket: 's', what: 'connect' } }
            ],
            skipped: 0
        });
    });

    it("skips the program's own stderr messages recorded with the trace, and counts them", () => {
        const start = '{"t":0,"kind":"start","machine":"M","state":"A"}';
        const text = `reactor-fsm: inspector listening on 127.0.0.1:9339\n${start}\n(node:4242) ReactorActionError: M: an action failed\n(Use \`node --trace-warnings ...\` to show where the warning was created)\n`;
        expect(parseTrace(text)).toEqual({ ok: true, lines: [{ traceLine: 2, line: JSON.parse(start) as unknown }], skipped: 3 });
    });

    it('refuses a line that is not JSON, or not a trace line, with its number', () => {
        const start = '{"t":0,"kind":"start","machine":"M","state":"A"}\n';
        expect(parseTrace(`${start}     0 ms  M  starts in A\n`)).toEqual({ ok: false, traceLine: 2, message: 'not JSON (a trace has one JSON object per line, as --trace=json writes it)' });
        expect(parseTrace(`${start}{"t":0,"kind":"jump","machine":"M"}\n`)).toMatchObject({ ok: false, traceLine: 2, message: expect.stringMatching(/^not a trace line: 'kind' is not one of start, / ) as unknown });
        expect(parseTrace(`${start}{"t":0,"kind":"transition","machine":"M","from":"A","event":"E"}\n`)).toEqual({ ok: false, traceLine: 2, message: "not a trace line: a 'transition' line needs a text 'to'" });
        expect(parseTrace(`${start}[1,2]\n`)).toEqual({ ok: false, traceLine: 2, message: 'not a trace line: not a JSON object' });
    });
});
