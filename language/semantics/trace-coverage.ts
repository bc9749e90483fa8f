// Coverage of a recorded trace: which states of the model it entered and which transitions (and timers) it took.
import type { ProgramSpec, TimerSpec, TransitionSpec } from './program.js';
import { stateTree, type StateNode, type TreeTransition } from './state-tree.js';

/** A state or transition of the model, for coverage: its name (`Online`, `Online --Closed--> Backoff`), machine, line and file. */
export interface CoverageItem {
    readonly name: string;
    readonly machine: string;
    readonly line: number;
    readonly file: string;
}

export interface CoverageCount {
    readonly covered: number;
    readonly total: number;
    readonly uncovered: readonly CoverageItem[];
}

/** Which states were entered and which transitions (and timers) taken. */
export class Coverage {
    private readonly states = new Map<StateNode, boolean>();
    private readonly transitions = new Map<TransitionSpec | TimerSpec, { item: CoverageItem; covered: boolean }>();
    private readonly machineOf = new Map<StateNode, string>();

    constructor(program: ProgramSpec) {
        for (const spec of program.machines.values()) {
            const tree = stateTree(spec);
            for (const node of tree.nodes) {
                if (node.spec.kind !== 'region') {
                    this.states.set(node, false);
                    this.machineOf.set(node, spec.name);
                }
                for (const transition of node.spec.transitions) {
                    this.transitions.set(transition, { item: { name: transitionName(node.name, transition.event, transition.target), machine: spec.name, line: transition.spot.line, file: transition.spot.file }, covered: false });
                }
                for (const timer of node.spec.timers) {
                    this.transitions.set(timer, { item: { name: transitionName(node.name, timer.label, timer.target), machine: spec.name, line: timer.spot.line, file: timer.spot.file }, covered: false });
                }
            }
        }
    }

    /** A step of the trace took `transitions` and entered `entered`. */
    taken(transitions: readonly TreeTransition[], entered: Iterable<StateNode>): void {
        for (const transition of transitions) {
            const entry = this.transitions.get(transition.spec);
            if (entry) {
                entry.covered = true;
            }
        }
        for (const state of entered) {
            if (this.states.has(state)) {
                this.states.set(state, true);
            }
        }
    }

    result(): { readonly states: CoverageCount; readonly transitions: CoverageCount } {
        const states = [...this.states].map(([node, covered]) => ({ item: { name: node.name, machine: this.machineOf.get(node)!, line: node.spec.spot.line, file: node.spec.spot.file }, covered }));
        // Transitions and timers of each machine in the order they are written.
        const machines = [...new Set(states.map((entry) => entry.item.machine))];
        const transitions = [...this.transitions.values()].sort((a, b) => machines.indexOf(a.item.machine) - machines.indexOf(b.item.machine) || a.item.line - b.item.line);
        return { states: count(states), transitions: count(transitions) };
    }
}

function count(entries: readonly { item: CoverageItem; covered: boolean }[]): CoverageCount {
    return { covered: entries.filter((entry) => entry.covered).length, total: entries.length, uncovered: entries.filter((entry) => !entry.covered).map((entry) => entry.item) };
}

/** `Online --Closed--> Backoff`, or `Online: Data (internal)`, as traces show them. */
export function transitionName(source: string, event: string, target: string | undefined): string {
    return target === undefined ? `${source}: ${event} (internal)` : `${source} --${event}--> ${target}`;
}
