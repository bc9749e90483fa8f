// One event sequence through the interpreter, the generated code and XState 5 (either of the last two may be left
// out), compared after every step: the active states, the actions called in order, whether the machine finished, and
// between the generated code and the interpreter the whole trace (every enter, exit, action, transition, unhandled).
import type { AnyStateMachine } from 'xstate';
import type { ProgramSpec } from '../../../language/semantics/program.js';
import type { TraceLine } from '../../../templates/runtime/trace-format.js';
import { GeneratedRun, line, type CompiledMachine } from '../../generator/hierarchy-harness.js';
import { InterpreterRun } from './interpreter-run.js';
import type { TreeStep } from './model.js';
import { guardValue, XStateRun } from './xstate.js';

export interface Mismatch {
    readonly step: number;
    readonly what: string;
}

export interface Compared {
    readonly mismatch: Mismatch | undefined;
    readonly interpreter: InterpreterRun;
}

export interface Others {
    /** The generated machine, to compare with the interpreter. */
    readonly generated?: CompiledMachine;
    /** The machine for XState 5 (xstate.ts's toXState), to compare with (only where XState follows SCXML: model.ts's departuresOf is empty). */
    readonly xstate?: AnyStateMachine;
}

interface Run {
    configuration(): string[];
    readonly log: readonly string[];
    finished(): boolean;
}

function differs(name: string, ours: Run, theirs: Run): string | undefined {
    const configuration = [ours.configuration().join(', '), theirs.configuration().join(', ')];
    if (configuration[0] !== configuration[1]) {
        return `configuration: interpreter [${configuration[0]}], ${name} [${configuration[1]}]`;
    }
    const log = [ours.log.join(' '), theirs.log.join(' ')];
    if (log[0] !== log[1]) {
        return `actions\n  interpreter: ${log[0]}\n  ${name}: ${log[1]}`;
    }
    if (ours.finished() !== theirs.finished()) {
        return `finished: interpreter ${ours.finished()}, ${name} ${theirs.finished()}`;
    }
    return undefined;
}

/** The first line from `from` on where two traces differ, or undefined. */
function traceDiffers(interpreter: readonly TraceLine[], generated: readonly TraceLine[], from: number): string | undefined {
    for (let i = from; i < Math.max(interpreter.length, generated.length); i++) {
        const lines = [interpreter[i], generated[i]].map((each) => (each ? line(each) : '(none)'));
        if (lines[0] !== lines[1]) {
            return `trace line ${i}\n  interpreter: ${lines[0]}\n  generated:   ${lines[1]}`;
        }
    }
    return undefined;
}

/**
 * Runs `steps` through the interpreter and the `others`; the first difference, or undefined. The interpreter runs each
 * step first: a step it finds endless (SimulationError, thrown) is given to no other (they would loop for ever).
 */
export function compareSequence(program: ProgramSpec, steps: readonly TreeStep[], others: Others): Compared {
    const interpreter = new InterpreterRun(program);
    const generated = others.generated ? new GeneratedRun(others.generated, guardValue) : undefined;
    const xstate = others.xstate ? new XStateRun(others.xstate) : undefined;
    interpreter.start();
    generated?.start();
    xstate?.start();
    const ourLog = (): Run => ({ configuration: () => interpreter.configuration(), log: interpreter.log, finished: () => interpreter.finished() });
    const xstateLog = (run: XStateRun): Run => ({ configuration: () => run.configuration(), log: run.context.log, finished: () => run.finished() });
    let traced = 0;
    const check = (step: number): Mismatch | undefined => {
        const ours = ourLog();
        let what = generated ? differs('generated', ours, generated) : undefined;
        if (!what && generated) {
            what = traceDiffers(interpreter.trace, generated.lines, traced);
            traced = interpreter.trace.length;
        }
        what ??= xstate ? differs('XState', ours, xstateLog(xstate)) : undefined;
        return what ? { step, what } : undefined;
    };
    let mismatch = check(0);
    for (let index = 0; index < steps.length && !mismatch; index++) {
        const step = steps[index]!;
        interpreter.run(step, index + 1);
        generated?.run(step.kind === 'send' ? { send: step.event } : { advance: step.ms }, index + 1);
        xstate?.step(step, index + 1);
        mismatch = check(index + 1);
    }
    return { mismatch, interpreter };
}

export function stepsText(steps: readonly TreeStep[]): string {
    return steps.map((step, index) => `${index + 1}: ${step.kind === 'send' ? step.event : `advance ${step.ms}ms`}`).join(', ');
}
