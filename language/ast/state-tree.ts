// A machine's states and regions as a numbered tree: kinds, initial children, subtree ranges, domains. The analysis
// reads it as it is; the generator extends it with SCXML's entry sets and histories (language/generator/state-tree.ts).
import type { History, Machine, Region, State, Target } from '../generated/ast.js';

export type TreeKind = 'root' | 'atomic' | 'compound' | 'parallel' | 'region';

export interface TreeNode {
    readonly kind: TreeKind;
    /** The state this node stands for (undefined for the machine and for regions). */
    readonly state: State | undefined;
    readonly region: Region | undefined;
    /** The state's or region's name; the machine's for the root. */
    readonly name: string;
    /** The histories this state or region holds. */
    readonly histories: readonly History[];
    readonly parent: TreeNode | undefined;
    readonly children: TreeNode[];
    /** The first child marked `initial` (root, compound states and regions). */
    initial: TreeNode | undefined;
    /** Position in `StateTree.nodes` (pre-order: a parent before its subtree, which is contiguous); the root is 0. */
    readonly index: number;
    /** The last index inside this node's subtree. */
    end: number;
}

/** Compound states, regions and the machine hold one active child: they can be a transition's domain. */
export function isCompoundLike(node: TreeNode): boolean {
    return node.kind === 'compound' || node.kind === 'region' || node.kind === 'root';
}

/** True when `inner` lies strictly inside `outer`'s subtree. */
export function strictlyInside(inner: TreeNode, outer: TreeNode): boolean {
    return inner.index > outer.index && inner.index <= outer.end;
}

export class StateTree {
    readonly root: TreeNode;
    /** The machine, then every state and region in pre-order (states of a state before its regions, as `allStates`). */
    readonly nodes: TreeNode[] = [];
    /** Every state, in the order of `allStates`. */
    readonly states: State[] = [];
    private readonly byElement = new Map<State | Region, TreeNode>();

    constructor(machine: Machine) {
        this.root = this.node('root', undefined, undefined, undefined, machine.name);
        // Iterative: a deep nesting must not hit the stack limit. Children are pushed in reverse to visit them in order.
        const stack: Array<{ parent: TreeNode; element: State | Region } | { close: TreeNode }> = [];
        const pushChildren = (parent: TreeNode, states: readonly State[], regions: readonly Region[]): void => {
            stack.push({ close: parent });
            for (let i = regions.length - 1; i >= 0; i--) {
                stack.push({ parent, element: regions[i]! });
            }
            for (let i = states.length - 1; i >= 0; i--) {
                stack.push({ parent, element: states[i]! });
            }
        };
        pushChildren(this.root, machine.states, []);
        while (stack.length > 0) {
            const item = stack.pop()!;
            if ('close' in item) {
                item.close.end = this.nodes.length - 1;
                continue;
            }
            const { parent, element } = item;
            if (element.$type === 'Region') {
                const region = this.node('region', undefined, element, parent, element.name);
                pushChildren(region, element.states, []);
                continue;
            }
            const state = element;
            const kind: TreeKind = state.parallel ? 'parallel' : state.states.length > 0 || state.regions.length > 0 ? 'compound' : 'atomic';
            const node = this.node(kind, state, undefined, parent, state.name);
            this.states.push(state);
            if (state.initial && parent.kind !== 'parallel') {
                parent.initial ??= node;
            }
            pushChildren(node, state.states, state.regions);
        }
    }

    private node(kind: TreeKind, state: State | undefined, region: Region | undefined, parent: TreeNode | undefined, name: string): TreeNode {
        const histories = state?.histories ?? region?.histories ?? [];
        const node: TreeNode = { kind, state, region, name, histories, parent, children: [], initial: undefined, index: this.nodes.length, end: this.nodes.length };
        this.nodes.push(node);
        parent?.children.push(node);
        if (state || region) {
            this.byElement.set((state ?? region)!, node);
        }
        return node;
    }

    /** The node of a state or region of this machine (undefined for one of another machine). */
    of(element: State | Region): TreeNode | undefined {
        return this.byElement.get(element);
    }

    /** The node holding a history: its composite state or region. */
    holderOf(history: History): TreeNode | undefined {
        return this.byElement.get(history.$container);
    }

    /** The node a transition's target names: a state, or for a history the composite or region that holds it. */
    targetNode(target: Target | undefined): TreeNode | undefined {
        if (target === undefined) {
            return undefined;
        }
        return target.$type === 'History' ? this.holderOf(target) : this.byElement.get(target);
    }

    /**
     * SCXML's domain of a transition from `source` to `target`: the nearest proper ancestor of the source that is
     * compound (a compound state, a region or the machine; parallel states are not) and holds the target strictly.
     * What the transition leaves and enters lies below it.
     */
    domain(source: TreeNode, target: TreeNode): TreeNode {
        for (let ancestor = source.parent; ancestor; ancestor = ancestor.parent) {
            if (isCompoundLike(ancestor) && strictlyInside(target, ancestor)) {
                return ancestor;
            }
        }
        return this.root;
    }

    /** The least common compound ancestor: the first proper ancestor of `first` holding one child with every other node below it. */
    lcca(first: TreeNode, rest: readonly TreeNode[]): TreeNode {
        for (let ancestor = first.parent; ancestor; ancestor = ancestor.parent) {
            if (isCompoundLike(ancestor) && rest.every((node) => strictlyInside(node, ancestor))) {
                return ancestor;
            }
        }
        return this.root;
    }

    /** The domain of a transition to a history held by `holder`: it enters a child of the holder (or its default). */
    historyDomain(source: TreeNode, holder: TreeNode): TreeNode {
        for (let ancestor = source.parent; ancestor; ancestor = ancestor.parent) {
            if (isCompoundLike(ancestor) && (ancestor === holder || strictlyInside(holder, ancestor))) {
                return ancestor;
            }
        }
        return this.root;
    }
}
