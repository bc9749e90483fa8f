// Where the model writes what a step of a trace did, for the editor's related information: the transition it took
// (or the state that ignored its event), else the socket, signal binding or machine its move is about.
import { machineOfInstance as machineOf } from '../semantics/instance.js';
import type { MachineSpec, ProgramSpec, SourceSpot, StateSpec } from '../semantics/program.js';
import type { ReplayedStep } from './replay.js';

function stateNamed(states: readonly StateSpec[], name: string): StateSpec | undefined {
    for (const state of states) {
        const found = state.name === name ? state : stateNamed(state.children, name);
        if (found) {
            return found;
        }
    }
    return undefined;
}

/** The transition (or timer) of `state` taken on `event` (to `target`, when told), else the state itself. */
function transitionSpot(machine: MachineSpec, from: string, event: string, target?: string): SourceSpot | undefined {
    const state = stateNamed(machine.states, from);
    if (!state) {
        return undefined;
    }
    // Guarded transitions on one event differ by their target: the one whose target the trace names first.
    const candidates = [...state.transitions.filter((transition) => transition.event === event), ...state.timers.filter((timer) => timer.label === event)];
    return (candidates.find((candidate) => candidate.target === target) ?? candidates[0])?.spot ?? state.spot;
}

function socketSpot(program: ProgramSpec, instance: string, socket: string): SourceSpot | undefined {
    return program.machines.get(machineOf(instance))?.sockets.find((each) => each.name === socket)?.spot;
}

/** Where the move itself is written: the socket, signal binding or machine it is about (undefined for the clock). */
function moveSpot(program: ProgramSpec, step: ReplayedStep): SourceSpot | undefined {
    const move = step.move;
    switch (move.kind) {
        case 'deliver':
            return step.delivered && socketSpot(program, step.delivered.to, step.delivered.socket);
        case 'accept':
            return socketSpot(program, move.client, move.socket);
        case 'connect-fault':
        case 'env':
            return socketSpot(program, move.instance, move.socket);
        case 'send':
            return program.machines.get(machineOf(move.instance))?.spot;
        case 'signal':
            return [...program.machines.values()].flatMap((machine) => machine.signals).find((signal) => signal.signal === move.signal)?.spot;
        case 'advance':
            return undefined;
    }
}

/** Where one trace line of a machine's step is written: the transition it took, or the state that ignored its event. */
function lineSpot(program: ProgramSpec, line: ReplayedStep['trace'][number]): SourceSpot | undefined {
    if (line.kind !== 'transition' && line.kind !== 'internal' && line.kind !== 'unhandled') {
        return undefined;
    }
    const machine = program.machines.get(machineOf(line.machine));
    if (!machine) {
        return undefined;
    }
    return line.kind === 'transition' ? transitionSpot(machine, line.from, line.event, line.to) : line.kind === 'internal' ? transitionSpot(machine, line.state, line.event) : stateNamed(machine.states, line.state)?.spot;
}

/** The place of one replayed step: its first transition, else the first event ignored, else its move's place. */
export function stepSpot(program: ProgramSpec, step: ReplayedStep): SourceSpot | undefined {
    for (const line of step.trace) {
        const spot = lineSpot(program, line);
        if (spot) {
            return spot;
        }
    }
    return moveSpot(program, step);
}

/** What `instance` did in the step: the first transition it took, else the first event it ignored (undefined: nothing). */
export function instanceStepSpot(program: ProgramSpec, step: ReplayedStep, instance: string): SourceSpot | undefined {
    for (const line of step.trace) {
        const spot = line.machine === instance ? lineSpot(program, line) : undefined;
        if (spot) {
            return spot;
        }
    }
    return undefined;
}
