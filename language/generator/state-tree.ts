// SCXML's entry sets and histories worked out at generation time over the shared tree of states: what a transition
// enters (outermost first), what a history stands for and can remember.
import type { History, Machine, Region, State } from '../generated/ast.js';
import { isHistory } from '../generated/ast.js';
import { isCompoundLike, StateTree, strictlyInside, type TreeNode } from '../ast/state-tree.js';

export type { TreeNode };

/** The shared tree of states (language/ast/state-tree.ts) with what the generator works out from it. */
export class GeneratorTree extends StateTree {
    /** Every history, numbered in document order. */
    readonly histories: History[];

    constructor(machine: Machine) {
        super(machine);
        this.histories = this.nodes.flatMap((node) => [...node.histories]);
    }

    override of(state: State | Region): TreeNode {
        const node = super.of(state);
        if (!node) {
            throw new Error(`internal: '${state.name}' is not in the tree`);
        }
        return node;
    }

    historyIndex(history: History): number {
        return this.histories.indexOf(history);
    }

    /** The node holding a history. */
    override holderOf(history: History): TreeNode {
        return this.of(history.$container);
    }

    /** True for the machine, compound states and regions: they hold one active child. */
    static holdsOne(node: TreeNode): boolean {
        return isCompoundLike(node);
    }

    static isDescendant(node: TreeNode, ancestor: TreeNode): boolean {
        return strictlyInside(node, ancestor);
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

    /**
     * What `remembered` holds for a deep history over regions: the node where the states it remembers stop being one
     * chain from its holder down (the holder's active child, its active child, …) — the one atomic state remembered,
     * or the first parallel state of several regions. A transition from inside the holder leaves and enters below the
     * least common compound ancestor of its source and that node, and enters the chain down to it.
     */
    pivots(history: History): TreeNode[] {
        const below = (node: TreeNode): TreeNode[] =>
            node.kind === 'atomic' || (node.kind === 'parallel' && node.children.length > 1) ? [node] : node.children.flatMap(below);
        return below(this.holderOf(history));
    }

    /** The node a target names (a history: its holder). */
    override targetNode(target: State | History): TreeNode {
        return isHistory(target) ? this.holderOf(target) : this.of(target);
    }
}
