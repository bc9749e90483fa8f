// Runs one machine through the three executions, step by step, and compares after every step: the current state,
// the actions called during the step (entry and exit ones with their state, each with the payload it saw), and
// whether the machine finished; plus, between the generated code and the interpreter, what observers were told
// (start, transitions, internal transitions, actions with their phase and state, unhandled events, finishing — each
// with its time on the two manual clocks).
import type { AnyStateMachine } from 'xstate';
import { GeneratedExecution, type CompiledMachine } from './generated.js';
import { EndlessStep, InterpreterExecution, type Exercised } from './interpreter.js';
import { stepText, type MachineSpec, type Step } from './model.js';
import type { Execution } from './semantics.js';
import { XStateExecution } from './xstate.js';

export interface Snapshot {
    step: string;
    actions: string[];
    state: string;
    finished: boolean;
    notes: string[] | undefined;
}

export interface Trace {
    snapshots: Snapshot[];
    /** What went wrong, when the execution threw. */
    failure?: string;
    timerFirings: number;
}

export function steps(spec: MachineSpec, sequence: readonly Step[]): Step[] {
    return sequence.map((step) => (step.kind === 'send' ? { ...step, event: step.event % spec.events.length } : step));
}

function runOne(execution: Execution, spec: MachineSpec, sequence: readonly Step[]): Trace {
    const snapshots: Snapshot[] = [];
    let actionsSeen = 0;
    let notesSeen = 0;
    const snap = (step: string): void => {
        const actions = execution.recorder.actions.slice(actionsSeen);
        actionsSeen = execution.recorder.actions.length;
        const notes = execution.notes?.slice(notesSeen);
        notesSeen = execution.notes?.length ?? 0;
        snapshots.push({ step, actions, state: execution.state(), finished: execution.finished(), notes });
    };
    let index = -1;
    try {
        execution.start();
        snap('start');
        for (const step of sequence) {
            index++;
            if (step.kind === 'send') {
                execution.send(spec.events[step.event]!, { n: step.n, flag: step.flag });
            } else {
                execution.advance(step.ms);
            }
            snap(stepText(spec, step));
        }
        return { snapshots, timerFirings: execution.timerFirings };
    } catch (error) {
        if (error instanceof EndlessStep) {
            error.step = index;
            throw error;
        }
        return { snapshots, failure: error instanceof Error ? (error.stack ?? error.message) : String(error), timerFirings: execution.timerFirings };
    }
}

export interface Outcome {
    /** The interpreter found that the start never ends (a cycle of `raise`): nobody can run this machine. */
    endless: boolean;
    /** A step never ended (a cycle of `raise`): the sequence was compared up to the step before it. */
    cut: boolean;
    /** A description of the first disagreement, with the three traces; undefined when all three agree. */
    disagreement?: string;
    eventsDelivered: number;
    eventsSent: number;
    timerFirings: number;
    /** What the interpreter went through (absent for an endless start). */
    exercised?: Exercised;
}

function legend(spec: MachineSpec): string {
    const names = spec.names!;
    return [
        ...spec.states.map((state, i) => `${state.name}=${names.states[i]!}`),
        ...spec.events.map((event, i) => `${event}=${names.events[i]!}`),
        ...Object.entries(names.user).map(([canonical, printed]) => `${canonical}=${printed}`)
    ].join(' ');
}

function formatTrace(trace: Trace): string {
    const lines = trace.snapshots.map((s) => `    ${s.step.padEnd(22)} → ${s.state}${s.finished ? ' (finished)' : ''}  [${s.actions.join(', ')}]${s.notes ? `  {${s.notes.join('; ')}}` : ''}`);
    if (trace.failure) {
        lines.push(`    threw: ${trace.failure.split('\n').slice(0, 4).join('\n      ')}`);
    }
    return lines.join('\n');
}

function sameSnapshot(a: Snapshot, b: Snapshot, compareNotes: boolean): string | undefined {
    if (a.state !== b.state) {
        return `state ${a.state} vs ${b.state}`;
    }
    if (a.finished !== b.finished) {
        return `finished ${a.finished} vs ${b.finished}`;
    }
    if (a.actions.join() !== b.actions.join()) {
        return `actions [${a.actions.join(', ')}] vs [${b.actions.join(', ')}]`;
    }
    if (compareNotes && (a.notes ?? []).join() !== (b.notes ?? []).join()) {
        return `observer notes {${(a.notes ?? []).join('; ')}} vs {${(b.notes ?? []).join('; ')}}`;
    }
    return undefined;
}

/** Runs `sequence` through the three executions of one machine and compares them. */
export function compareOnce(spec: MachineSpec, compiled: CompiledMachine, xmachine: AnyStateMachine, sequence: readonly Step[], anomalies: string[] = []): Outcome {
    const interpreter = new InterpreterExecution(compiled.program, spec);
    let interpreterTrace: Trace;
    try {
        interpreterTrace = runOne(interpreter, spec, sequence);
    } catch (error) {
        if (error instanceof EndlessStep) {
            if (error.step < 0) {
                return { endless: true, cut: false, eventsDelivered: 0, eventsSent: 0, timerFirings: 0 };
            }
            return { ...compareOnce(spec, compiled, xmachine, sequence.slice(0, error.step), anomalies), cut: true };
        }
        throw error;
    }
    const generated = new GeneratedExecution(compiled, spec);
    const generatedTrace = runOne(generated, spec, sequence);
    const xstateTrace = runOne(new XStateExecution(xmachine), spec, sequence);
    const outcome: Outcome = {
        endless: false,
        cut: false,
        eventsDelivered: interpreter.delivered,
        eventsSent: sequence.filter((step) => step.kind === 'send').length,
        timerFirings: interpreter.timerFirings,
        exercised: interpreter.exercised
    };
    const problems: string[] = [];
    if (interpreterTrace.failure) {
        problems.push(`the interpreter threw`);
    }
    if (generatedTrace.failure) {
        problems.push(`the generated code threw`);
    }
    if (xstateTrace.failure) {
        problems.push(`XState threw`);
    }
    for (const anomaly of [...generated.anomalies, ...interpreter.anomalies]) {
        anomalies.push(anomaly);
    }
    const count = Math.max(interpreterTrace.snapshots.length, generatedTrace.snapshots.length, xstateTrace.snapshots.length);
    for (let i = 0; i < count && problems.length === 0; i++) {
        const ref = interpreterTrace.snapshots[i];
        const gen = generatedTrace.snapshots[i];
        const xs = xstateTrace.snapshots[i];
        if (!ref || !gen || !xs) {
            problems.push(`step ${i}: a trace is shorter`);
            break;
        }
        const genVsRef = sameSnapshot(gen, ref, true);
        const xsVsRef = sameSnapshot(xs, ref, false);
        if (genVsRef) {
            problems.push(`step ${i} (${ref.step}): generated vs interpreter: ${genVsRef}`);
        }
        if (xsVsRef) {
            problems.push(`step ${i} (${ref.step}): XState vs interpreter: ${xsVsRef}`);
        }
    }
    if (problems.length === 0 && (generatedTrace.timerFirings !== interpreterTrace.timerFirings || xstateTrace.timerFirings !== interpreterTrace.timerFirings)) {
        problems.push(`timer firings: interpreter ${interpreterTrace.timerFirings}, generated ${generatedTrace.timerFirings}, XState ${xstateTrace.timerFirings}`);
    }
    if (problems.length > 0) {
        outcome.disagreement = [
            problems.join('\n'),
            'machine:',
            compiled.text.replace(/^machine \w+/, 'machine M').trimEnd(),
            ...(spec.names ? [`names in the traces: ${legend(spec)}`] : []),
            `sequence: ${sequence.map((step) => stepText(spec, step)).join(', ') || '(none)'}`,
            'interpreter:',
            formatTrace(interpreterTrace),
            'generated:',
            formatTrace(generatedTrace),
            'XState:',
            formatTrace(xstateTrace)
        ].join('\n');
    }
    return outcome;
}

/**
 * Two instances of the generated class at once (their state objects are shared): the steps of `first` and `second`
 * alternate on one manual clock, so every clock move reaches both. Each instance must end exactly as the interpreter
 * run on its own events plus every clock move (actions with payloads, state, finishing, observer notes).
 */
export function compareInterleaved(spec: MachineSpec, compiled: CompiledMachine, first: readonly Step[], second: readonly Step[]): string | undefined {
    const merged: Array<{ instance: 0 | 1; step: Step }> = [];
    for (let i = 0; i < Math.max(first.length, second.length); i++) {
        if (i < first.length) {
            merged.push({ instance: 0, step: first[i]! });
        }
        if (i < second.length) {
            merged.push({ instance: 1, step: second[i]! });
        }
    }
    const own = (instance: 0 | 1): Step[] => merged.filter((entry) => entry.step.kind === 'advance' || entry.instance === instance).map((entry) => entry.step);
    const interpreters = [new InterpreterExecution(compiled.program, spec), new InterpreterExecution(compiled.program, spec)];
    try {
        interpreters.forEach((interpreter, instance) => runOne(interpreter, spec, own(instance as 0 | 1)));
    } catch (error) {
        if (error instanceof EndlessStep) {
            return undefined; // a raise cycle: nobody can run it
        }
        throw error;
    }
    const one = new GeneratedExecution(compiled, spec);
    const generated = [one, new GeneratedExecution(compiled, spec, one.clock)] as const;
    generated[0].start();
    generated[1].start();
    for (const { instance, step } of merged) {
        if (step.kind === 'send') {
            generated[instance].send(spec.events[step.event]!, { n: step.n, flag: step.flag });
        } else {
            generated[0].advance(step.ms); // one clock: both instances' timers
        }
    }
    for (const instance of [0, 1] as const) {
        const ref = interpreters[instance]!;
        const gen = generated[instance];
        const expected = `${ref.state()}${ref.finished() ? ' (finished)' : ''} [${ref.recorder.actions.join(', ')}] {${ref.notes.join('; ')}}`;
        const actual = `${gen.state()}${gen.finished() ? ' (finished)' : ''} [${gen.recorder.actions.join(', ')}] {${gen.notes.join('; ')}}`;
        if (expected !== actual) {
            return [
                `instance ${instance + 1} of two run side by side ends differently from the interpreter`,
                'machine:',
                compiled.text.replace(/^machine \w+/, 'machine M').trimEnd(),
                ...(spec.names ? [`names in the traces: ${legend(spec)}`] : []),
                `steps (instance: step): ${merged.map(({ instance: i, step }) => `${i + 1}: ${stepText(spec, step)}`).join(', ')}`,
                `interpreter: ${expected}`,
                `generated: ${actual}`
            ].join('\n');
        }
    }
    return undefined;
}
