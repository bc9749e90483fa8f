// The property of the differential suite: one random machine with its random event sequences, compiled, run by
// the three executions and compared; and the tally of what was tried.
import fc from 'fast-check';
import { compareInterleaved, compareOnce, steps } from './compare.js';
import type { Compiler } from './generated.js';
import { EndlessStep, InterpreterExecution, newExercised, type Exercised } from './interpreter.js';
import { machineArbitrary, printMachine, stepArbitrary, type MachineSpec, type Step } from './model.js';
import { toXState } from './xstate.js';

export interface Case {
    machine: MachineSpec;
    sequences: Step[][];
}

/** Event indices in steps are taken modulo the machine's event count, so machine and sequences shrink independently. */
export function caseArbitrary(sequences: number, maxSteps: number): fc.Arbitrary<Case> {
    return fc.record({
        machine: machineArbitrary(),
        sequences: fc.array(fc.array(stepArbitrary(5), { maxLength: maxSteps }), { minLength: sequences, maxLength: sequences })
    });
}

export interface Tally {
    machines: Set<string>;
    /** Machines whose start never ends (a cycle of `raise`): no execution can run them. */
    endlessMachines: Set<string>;
    withWarnings: number;
    /** How many compared machines had each warning (by code). */
    warnings: Map<string, number>;
    sequences: number;
    /** Sequences compared only up to a step that never ends (a cycle of `raise`). */
    cut: number;
    eventsSent: number;
    eventsDelivered: number;
    timerFirings: number;
    disagreements: number;
    /** Pairs of sequences run on two instances side by side. */
    interleaved: number;
    exercised: Exercised;
    /** Unexpected things the generated code did that are not a disagreement of the traces. */
    anomalies: string[];
}

export function newTally(): Tally {
    return {
        machines: new Set(),
        endlessMachines: new Set(),
        withWarnings: 0,
        warnings: new Map(),
        sequences: 0,
        cut: 0,
        eventsSent: 0,
        eventsDelivered: 0,
        timerFirings: 0,
        disagreements: 0,
        interleaved: 0,
        exercised: newExercised(),
        anomalies: []
    };
}

/**
 * The property: compiles the machine (skipped, through fc.pre, when the validator reports an error), then runs
 * every sequence through the three executions; throws the first disagreement with the three traces.
 */
export async function checkCase(compiler: Compiler, { machine, sequences }: Case, tally: Tally): Promise<void> {
    const prepared = await compiler.prepare(machine);
    fc.pre(prepared.ok);
    if (!prepared.ok) {
        return;
    }
    const key = printMachine(machine);
    try {
        new InterpreterExecution(prepared.compiled.program, machine).start();
    } catch (error) {
        if (error instanceof EndlessStep) {
            tally.endlessMachines.add(key);
            return;
        }
        throw error;
    }
    if (!tally.machines.has(key)) {
        tally.machines.add(key);
        if (prepared.warnings.length > 0) {
            tally.withWarnings++;
        }
        for (const code of new Set(prepared.warnings.map((warning) => warning.split(':')[0]!))) {
            tally.warnings.set(code, (tally.warnings.get(code) ?? 0) + 1);
        }
    }
    const xmachine = toXState(machine);
    const normalized = sequences.map((raw) => steps(machine, raw));
    for (const sequence of normalized) {
        const outcome = compareOnce(machine, prepared.compiled, xmachine, sequence, tally.anomalies);
        if (outcome.endless) {
            continue; // not reached: machines whose start never ends are left out above
        }
        tally.sequences++;
        if (outcome.cut) {
            tally.cut++;
        }
        tally.eventsSent += outcome.eventsSent;
        tally.eventsDelivered += outcome.eventsDelivered;
        tally.timerFirings += outcome.timerFirings;
        for (const [name, count] of Object.entries(outcome.exercised ?? {})) {
            tally.exercised[name as keyof Exercised] += count;
        }
        if (outcome.disagreement) {
            tally.disagreements++;
            throw new Error(outcome.disagreement);
        }
    }
    if (normalized.length >= 2) {
        const disagreement = compareInterleaved(machine, prepared.compiled, normalized[0]!, normalized[1]!);
        tally.interleaved++;
        if (disagreement) {
            tally.disagreements++;
            throw new Error(disagreement);
        }
    }
}
