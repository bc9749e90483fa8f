// Where a debugger can stop in a model: state lines (when the state is entered), `on`/`after` lines (before the
// transition runs), signal lines and socket lines (when that source fires).
import type { MachineSpec, ProgramSpec, SourceSpot, StateSpec } from '../semantics/program.js';

export type BreakKind = 'state' | 'transition' | 'signal' | 'socket';

export interface BreakTarget {
    readonly kind: BreakKind;
    readonly spot: SourceSpot;
    /** The machine it belongs to, and the state's (or signal's, socket's, transition's event) name. */
    readonly machine: string;
    readonly name: string;
    /** For people: `state Online of EchoClient`, `on Ping in Online`, … */
    readonly description: string;
}

function statesOf(states: readonly StateSpec[], machine: string, targets: BreakTarget[]): void {
    for (const state of states) {
        targets.push({ kind: 'state', spot: state.spot, machine, name: state.name, description: `${state.kind === 'region' ? 'region' : 'state'} ${state.name} of ${machine}` });
        for (const transition of state.transitions) {
            targets.push({ kind: 'transition', spot: transition.spot, machine, name: transition.event, description: `on ${transition.event} in ${state.name}` });
        }
        for (const timer of state.timers) {
            targets.push({ kind: 'transition', spot: timer.spot, machine, name: timer.label, description: `${timer.label} in ${state.name}` });
        }
        statesOf(state.children, machine, targets);
    }
}

function machineTargets(machine: MachineSpec): BreakTarget[] {
    const targets: BreakTarget[] = [];
    statesOf(machine.states, machine.name, targets);
    for (const signal of machine.signals) {
        targets.push({ kind: 'signal', spot: signal.spot, machine: machine.name, name: signal.signal, description: `signal ${signal.signal} of ${machine.name}` });
    }
    for (const socket of machine.sockets) {
        targets.push({ kind: 'socket', spot: socket.spot, machine: machine.name, name: socket.name, description: `anything on ${socket.name} of ${machine.name}` });
        for (const [occurrence, spot] of Object.entries(socket.eventSpots)) {
            targets.push({ kind: 'socket', spot: spot!, machine: machine.name, name: socket.name, description: `${occurrence} on ${socket.name} of ${machine.name}` });
        }
    }
    return targets;
}

/** Every place of the program a breakpoint can be put, by file path and line. */
export class BreakableLines {
    private readonly byFile = new Map<string, Map<number, BreakTarget[]>>();

    constructor(program: ProgramSpec) {
        for (const machine of program.machines.values()) {
            for (const target of machineTargets(machine)) {
                const lines = this.byFile.get(target.spot.path) ?? new Map<number, BreakTarget[]>();
                this.byFile.set(target.spot.path, lines);
                lines.set(target.spot.line, [...(lines.get(target.spot.line) ?? []), target]);
            }
        }
    }

    /** What a breakpoint on `line` (1-based) of `file` stops at; empty when the line holds none of them. */
    at(file: string, line: number): readonly BreakTarget[] {
        return this.byFile.get(file)?.get(line) ?? [];
    }

    /** The lines of `file` between `from` and `to` (inclusive) that can hold a breakpoint. */
    linesIn(file: string, from: number, to: number): number[] {
        return [...(this.byFile.get(file)?.keys() ?? [])].filter((line) => line >= from && line <= to).sort((a, b) => a - b);
    }
}

export const NOT_BREAKABLE = 'Reactor FSM stops on a state line (when it is entered), an on/after line (before that transition runs), a signal line or a socket line (when it fires); this line holds none of them';
