// A hierarchical machine's states and regions as a numbered tree, and SCXML's entry and exit sets worked out at
// generation time: what a transition leaves (the subtree of its domain) and enters (outermost first).
import type { History, Machine, Region, State } from '../generated/ast.js';
import { isHistory } from '../generated/ast.js';

export type NodeKind = 'atomic' | 'compound' | 'parallel' | 'region';

export interface TreeNode {
    /** Document order, from 1; the machine is 0. */
    readonly index: number;
    readonly kind: NodeKind | 'machine';
    readonly name: string;
    readonly parent: TreeNode | undefined;
    readonly children: TreeNode[];
    readonly state: State | undefined;
    readonly histories: History[];
    initial: TreeNode | undefined;
    /** The last number inside this node's subtree. */
    end: number;
}

export class GeneratorTree {
    readonly root: TreeNode;
    /** Index 0 is the machine. */
    readonly nodes: TreeNode[] = [];
    private readonly byState = new Map<State | Region, TreeNode>();
    /** Every history, numbered in document order. */
    readonly histories: History[] = [];

    constructor(machine: Machine) {
        this.root = { index: 0, kind: 'machine', name: machine.name, parent: undefined, children: [], state: undefined, histories: [], initial: undefined, end: 0 };
        this.nodes.push(this.root);
        this.addStates(this.root, machine.states);
    }

    private add(parent: TreeNode, node: Omit<TreeNode, 'index' | 'parent' | 'children' | 'initial' | 'end'>, source: State | Region): TreeNode {
        const added: TreeNode = { ...node, index: this.nodes.length, parent, children: [], initial: undefined, end: 0 };
        this.nodes.push(added);
        this.byState.set(source, added);
        parent.children.push(added);
        this.histories.push(...node.histories);
        return added;
    }

    private addStates(parent: TreeNode, states: readonly State[]): void {
        for (const state of states) {
            const kind: NodeKind = state.parallel ? 'parallel' : state.states.length > 0 ? 'compound' : 'atomic';
            const node = this.add(parent, { kind, name: state.name, state, histories: [...state.histories] }, state);
            if (state.initial) {
                parent.initial ??= node;
            }
            if (kind === 'parallel') {
                for (const region of state.regions) {
                    const regionNode = this.add(node, { kind: 'region', name: region.name, state: undefined, histories: [...region.histories] }, region);
                    this.addStates(regionNode, region.states);
                    regionNode.end = this.nodes.length - 1;
                }
            } else {
                this.addStates(node, state.states);
            }
            node.end = this.nodes.length - 1;
        }
        parent.end = this.nodes.length - 1;
    }

    of(state: State | Region): TreeNode {
        const node = this.byState.get(state);
        if (!node) {
            throw new Error(`internal: '${state.name}' is not in the tree`);
        }
        return node;
    }

    historyIndex(history: History): number {
        return this.histories.indexOf(history);
    }

    /** The node holding a history. */
    holderOf(history: History): TreeNode {
        return this.of(history.$container);
    }

    /** True for the machine, compound states and regions: they hold one active child. */
    static holdsOne(node: TreeNode): boolean {
        return node.kind === 'machine' || node.kind === 'compound' || node.kind === 'region';
    }

    static isDescendant(node: TreeNode, ancestor: TreeNode): boolean {
        return node.index > ancestor.index && node.index <= ancestor.end;
    }

    /** The least common compound ancestor: the first proper ancestor of `first` holding one child with every other node below it. */
    lcca(first: TreeNode, rest: readonly TreeNode[]): TreeNode {
        for (let ancestor = first.parent; ancestor; ancestor = ancestor.parent) {
            if (GeneratorTree.holdsOne(ancestor) && rest.every((node) => GeneratorTree.isDescendant(node, ancestor))) {
                return ancestor;
            }
        }
        return this.root;
    }

    /** True when `node` or a state inside it is parallel: a transition it declares may be reached from several regions. */
    hasParallel(node: TreeNode): boolean {
        return this.nodes.some((other) => other.kind === 'parallel' && (other === node || GeneratorTree.isDescendant(other, node)));
    }

    /**
     * What a transition enters with `targets` as its effective targets and `domain` as its domain, in document order:
     * each target with its default descendants, the ancestors between it and the domain, and the other regions of any
     * parallel ancestor (SCXML's computeEntrySet, as the interpreter's entrySet).
     */
    entrySet(targets: readonly TreeNode[], domain: TreeNode | undefined): TreeNode[] {
        const entering = new Set<TreeNode>();
        const covered = (region: TreeNode): boolean => [...entering].some((state) => GeneratorTree.isDescendant(state, region));
        const addDescendants = (state: TreeNode): void => {
            entering.add(state);
            if (state.kind === 'compound' || state.kind === 'region') {
                if (state.initial) {
                    addDescendants(state.initial);
                }
            } else if (state.kind === 'parallel') {
                for (const region of state.children) {
                    if (!covered(region)) {
                        addDescendants(region);
                    }
                }
            }
        };
        for (const target of targets) {
            addDescendants(target);
        }
        for (const target of targets) {
            for (let ancestor = target.parent; ancestor && ancestor !== domain && ancestor !== this.root; ancestor = ancestor.parent) {
                entering.add(ancestor);
                if (ancestor.kind === 'parallel') {
                    for (const region of ancestor.children) {
                        if (!covered(region)) {
                            addDescendants(region);
                        }
                    }
                }
            }
        }
        return [...entering].sort((a, b) => a.index - b.index);
    }

    /** What a history stands for when it remembers `remembered` (NONE: its default, else its holder's initial child or regions). */
    effectiveTargets(history: History, remembered: number): TreeNode[] {
        const holder = this.holderOf(history);
        if (remembered >= 0) {
            return holder.kind === 'parallel' && !history.deep ? [...holder.children] : [this.nodes[remembered]!];
        }
        const fallback = history.default?.ref;
        if (fallback) {
            return [this.of(fallback)];
        }
        return GeneratorTree.holdsOne(holder) ? [holder.initial!] : [...holder.children];
    }

    /** The values a history can hold: NONE, then its holder's children (shallow), 1 (a parallel state's), or its atomic descendants (deep). */
    rememberable(history: History): number[] {
        const holder = this.holderOf(history);
        if (history.deep) {
            return [-1, ...this.nodes.filter((node) => node.kind === 'atomic' && GeneratorTree.isDescendant(node, holder)).map((node) => node.index)];
        }
        return holder.kind === 'parallel' ? [-1, 1] : [-1, ...holder.children.map((child) => child.index)];
    }

    /** True for a deep history whose holder is or holds a parallel state: it remembers one atomic state per region. */
    remembersRegions(history: History): boolean {
        const holder = this.holderOf(history);
        return history.deep && this.hasParallel(holder);
    }

    /** The node a target names (a history: its holder). */
    targetNode(target: State | History): TreeNode {
        return isHistory(target) ? this.holderOf(target) : this.of(target);
    }
}
