// A machine's states as a tree the interpreter walks: parents, document order, initial children and histories by name.
import type { HistorySpec, MachineSpec, StateSpec, TimerSpec, TransitionSpec } from './program.js';

/** A state (or region) in the tree. The machine itself is the root: `parent` undefined, `order` -1. */
export interface StateNode {
    readonly spec: StateSpec;
    readonly name: string;
    readonly parent: StateNode | undefined;
    /** Position in document order (a parent before its children). */
    readonly order: number;
    readonly children: StateNode[];
    /** The child entered by default (compound states, regions and the root); undefined otherwise. */
    initial: StateNode | undefined;
}

/** A history pseudo-state and the composite it belongs to. */
export interface HistoryNode {
    readonly spec: HistorySpec;
    readonly name: string;
    readonly parent: StateNode;
}

/** A transition of the tree: an `on` transition or a state's timer, with the state that declares it. */
export interface TreeTransition {
    readonly source: StateNode;
    /** The event name the trace shows (`after 1s` for a timer, `done` for completion). */
    readonly event: string;
    readonly target: string | undefined;
    readonly spec: TransitionSpec | TimerSpec;
}

const ROOT_SPEC: StateSpec = {
    name: '',
    kind: 'compound',
    initial: false,
    final: false,
    entry: [],
    exit: [],
    transitions: [],
    timers: [],
    children: [],
    histories: [],
    spot: { file: '', path: '', line: 0 }
};

export class StateTree {
    readonly root: StateNode;
    /** Every state and region in document order. */
    readonly nodes: StateNode[] = [];
    private readonly byName = new Map<string, StateNode>();
    private readonly bySpec = new Map<StateSpec, StateNode>();
    private readonly histories = new Map<string, HistoryNode>();

    constructor(readonly machine: MachineSpec) {
        this.root = { spec: { ...ROOT_SPEC, name: machine.name, children: machine.states }, name: machine.name, parent: undefined, order: -1, children: [], initial: undefined };
        this.add(this.root, machine.states);
    }

    private add(parent: StateNode, specs: readonly StateSpec[]): void {
        for (const spec of specs) {
            const node: StateNode = { spec, name: spec.name, parent, order: this.nodes.length, children: [], initial: undefined };
            this.nodes.push(node);
            this.byName.set(spec.name, node);
            this.bySpec.set(spec, node);
            parent.children.push(node);
            if (spec.initial) {
                parent.initial ??= node;
            }
            for (const history of spec.histories) {
                this.histories.set(history.name, { spec: history, name: history.name, parent: node });
            }
            this.add(node, spec.children);
        }
    }

    state(name: string): StateNode {
        const node = this.byName.get(name);
        if (!node) {
            throw new Error(`internal: machine '${this.machine.name}' has no state '${name}'`);
        }
        return node;
    }

    nodeOf(spec: StateSpec): StateNode {
        return this.bySpec.get(spec)!;
    }

    /** The history named `name`, if a target names one. */
    history(name: string): HistoryNode | undefined {
        return this.histories.get(name);
    }

    /** Compound states, regions and the root hold one active child; parallel states all of theirs. */
    static isCompound(node: StateNode): boolean {
        return node.spec.kind === 'compound' || node.spec.kind === 'region';
    }

    static isAtomic(node: StateNode): boolean {
        return node.children.length === 0;
    }

    /** True when `node` is a proper descendant of `ancestor`. */
    static isDescendant(node: StateNode, ancestor: StateNode): boolean {
        for (let parent = node.parent; parent; parent = parent.parent) {
            if (parent === ancestor) {
                return true;
            }
        }
        return false;
    }

    /** The ancestors of `node`, innermost first, up to (not including) `upTo`; the root is included when `upTo` is undefined. */
    static properAncestors(node: StateNode, upTo?: StateNode): StateNode[] {
        const ancestors: StateNode[] = [];
        for (let parent = node.parent; parent && parent !== upTo; parent = parent.parent) {
            ancestors.push(parent);
        }
        return ancestors;
    }

    /** The least common compound ancestor of `nodes` (regions count as compound, parallel states do not; the root is compound). */
    lcca(nodes: readonly StateNode[]): StateNode {
        const [first, ...rest] = nodes;
        for (const ancestor of StateTree.properAncestors(first!)) {
            if ((ancestor === this.root || StateTree.isCompound(ancestor)) && rest.every((node) => StateTree.isDescendant(node, ancestor))) {
                return ancestor;
            }
        }
        return this.root;
    }
}

const trees = new WeakMap<MachineSpec, StateTree>();

/** The tree of a machine, built once per spec. */
export function stateTree(machine: MachineSpec): StateTree {
    let tree = trees.get(machine);
    if (!tree) {
        tree = new StateTree(machine);
        trees.set(machine, tree);
    }
    return tree;
}
