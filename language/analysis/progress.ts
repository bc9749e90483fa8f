// Where a machine gets stuck (terminal states) and where it can no longer finish (traps), with inherited ways out:
// a state's transitions and timers are ways out of every state inside it.
//
// Finishing means entering a top-level final state or running `stop`. A final state inside a composite finishes only
// its parent, whose `on done` is then a way out of that final child (for a parallel state: once every region has a
// reachable final child). As in reachability, a region is read as its own graph: a state of one region counts as able
// to finish when another region of the same parallel state can take the machine out (see reachability.ts).
import type { Action, State } from '../generated/ast.js';
import { strictlyInside, type StateTree, type TreeNode } from '../ast/state-tree.js';

export function actionsOf(state: State): Action[] {
    return [
        ...state.entries.flatMap((block) => block.actions),
        ...state.exits.flatMap((block) => block.actions),
        ...state.transitions.flatMap((transition) => transition.actions),
        ...state.timers.flatMap((timer) => timer.actions)
    ];
}

/** The targets of a node's own transitions (not `on done`) and timers, as tree nodes (a history: its holder). */
function ownTargets(tree: StateTree, state: State): TreeNode[] {
    const targets: TreeNode[] = [];
    for (const transition of state.transitions) {
        const target = transition.done ? undefined : tree.targetNode(transition.target?.ref);
        if (target) {
            targets.push(target);
        }
    }
    for (const timer of state.timers) {
        const target = tree.targetNode(timer.target?.ref);
        if (target) {
            targets.push(target);
        }
    }
    return targets;
}

/** What the ancestors of a node offer as ways out: no target, one target, or several (`many`). */
type Inherited = TreeNode | 'many' | undefined;

function merge(inherited: Inherited, targets: readonly TreeNode[]): Inherited {
    let result = inherited;
    for (const target of targets) {
        if (result === undefined) {
            result = target;
        } else if (result !== target) {
            return 'many';
        }
    }
    return result;
}

/**
 * Atomic, non-final states with no way out: no transition or timer of their own or of a state around them leads to
 * another state (or to a history), and no `stop` runs in them or around them.
 */
export function terminalStates(tree: StateTree, stopping: ReadonlySet<State>): Set<State> {
    const terminal = new Set<State>();
    // By node index: what the states around offer, and whether a `stop` runs in them.
    const inherited: Inherited[] = new Array<Inherited>(tree.nodes.length);
    const stopsAround = new Uint8Array(tree.nodes.length);
    for (let i = 1; i < tree.nodes.length; i++) {
        const node = tree.nodes[i]!;
        const parent = node.parent!;
        const state = node.state;
        const fromParent = inherited[parent.index];
        const targets = state ? ownTargets(tree, state) : [];
        inherited[i] = targets.length === 0 ? fromParent : merge(fromParent, targets);
        const stops = stopsAround[parent.index] === 1 || (state !== undefined && stopping.has(state));
        if (stops) {
            stopsAround[i] = 1;
        }
        if (!state || node.kind !== 'atomic' || state.final || stops) {
            continue;
        }
        const leaves = targets.some((target) => target !== node) || fromParent === 'many' || (fromParent !== undefined && fromParent !== node);
        if (!leaves) {
            terminal.add(state);
        }
    }
    if (terminal.size > 0 && tree.nodes.some((node) => node.kind === 'region')) {
        // In a region, another region leaving the parallel state (or stopping the machine) is a way out too.
        const leaving = leavingRegions(tree, stopping);
        for (const state of terminal) {
            for (let region = tree.of(state)!.parent; region; region = region.parent) {
                const other = region.kind === 'region' ? leaving.get(region.parent!) : undefined;
                if (other === 'many' || (other !== undefined && other !== region)) {
                    terminal.delete(state);
                    break;
                }
            }
        }
    }
    return terminal;
}

/**
 * Parallel state → its regions with a transition or timer (`on done` included) that leaves the region, and with it
 * the parallel state, or with a `stop`: one region, or `many`.
 */
function leavingRegions(tree: StateTree, stopping: ReadonlySet<State>): Map<TreeNode, TreeNode | 'many'> {
    const leaving = new Map<TreeNode, TreeNode | 'many'>();
    const record = (region: TreeNode): void => {
        const parallel = region.parent!;
        const known = leaving.get(parallel);
        leaving.set(parallel, known === undefined || known === region ? region : 'many');
    };
    for (const node of tree.nodes) {
        const state = node.state;
        if (!state) {
            continue;
        }
        const targets = [...state.transitions, ...state.timers].map((trigger) => tree.targetNode(trigger.target?.ref));
        if (stopping.has(state)) {
            targets.push(tree.root);
        }
        for (const target of targets) {
            for (let region = node.parent; target && region; region = region.parent) {
                if (region.kind !== 'region') {
                    continue;
                }
                if (strictlyInside(target, region)) {
                    break; // inside this region, so inside every region around it
                }
                record(region);
            }
        }
    }
    return leaving;
}

/** The states of `reachable` from which the machine can still finish, as a flag per node of `tree.nodes`. */
export function finishingStates(tree: StateTree, reachable: ReadonlySet<State>, stopping: ReadonlySet<State>): Uint8Array {
    const count = tree.nodes.length;
    /** Target's index → the states whose transitions or timers lead there (a history's target: its holder). */
    const incoming: Array<TreeNode[] | undefined> = new Array<TreeNode[] | undefined>(count);
    /** Target's index → the composites whose `on done` leads there. */
    const completions: Array<TreeNode[] | undefined> = new Array<TreeNode[] | undefined>(count);
    const add = (lists: Array<TreeNode[] | undefined>, target: TreeNode, source: TreeNode): void => {
        const list = lists[target.index];
        if (list) {
            list.push(source);
        } else {
            lists[target.index] = [source];
        }
    };
    for (const node of tree.nodes) {
        if (!node.state) {
            continue;
        }
        for (const transition of node.state.transitions) {
            const target = tree.targetNode(transition.target?.ref);
            if (target) {
                add(transition.done ? completions : incoming, target, node);
            }
        }
        for (const timer of node.state.timers) {
            const target = tree.targetNode(timer.target?.ref);
            if (target) {
                add(incoming, target, node);
            }
        }
    }
    const active = (node: TreeNode): boolean => (node.state ? reachable.has(node.state) : node.parent?.state !== undefined && reachable.has(node.parent.state));
    const regionsOf = (parallel: TreeNode): TreeNode[] => parallel.children.filter((child) => child.kind === 'region');
    const finalChildren = (holder: TreeNode): TreeNode[] => holder.children.filter((child) => child.state?.final === true);

    const finishing = new Uint8Array(count);
    const queue: TreeNode[] = [];
    const mark = (node: TreeNode): void => {
        if (finishing[node.index] === 0) {
            finishing[node.index] = 1;
            queue.push(node);
        }
    };
    /** Marks a state and everything inside it: its ways out are theirs too. */
    const subtreeDone = new Uint8Array(count);
    const markSubtree = (node: TreeNode): void => {
        for (let i = node.index; i <= node.end; i++) {
            const inner = tree.nodes[i]!;
            if (subtreeDone[i] === 1) {
                i = inner.end;
                continue;
            }
            mark(inner);
        }
        subtreeDone[node.index] = 1;
    };
    /** Parallel states → the first of their regions found able to finish. */
    const finishingRegion = new Map<TreeNode, TreeNode>();

    for (const node of tree.root.children) {
        if (node.state?.final) {
            mark(node);
        }
    }
    for (const node of tree.nodes) {
        if (node.state && stopping.has(node.state)) {
            markSubtree(node);
        }
    }
    for (let i = 0; i < queue.length; i++) {
        const node = queue[i]!;
        for (const source of incoming[node.index] ?? []) {
            markSubtree(source);
        }
        for (const composite of completions[node.index] ?? []) {
            if (composite.kind === 'compound') {
                finalChildren(composite).forEach(mark);
            } else if (composite.kind === 'parallel') {
                const regions = regionsOf(composite);
                const finals = regions.map((region) => finalChildren(region).filter(active));
                if (regions.length > 0 && finals.every((list) => list.length > 0)) {
                    finals.flat().forEach(mark);
                }
            }
        }
        const parent = node.parent;
        if (!parent || parent === tree.root || !active(node)) {
            continue;
        }
        // A composite can finish when one of its reachable children can.
        mark(parent);
        if (node.kind === 'region') {
            // Another region of the parallel state can take the machine out while this one is anywhere.
            const first = finishingRegion.get(parent);
            if (first === undefined) {
                finishingRegion.set(parent, node);
                regionsOf(parent).filter((region) => region !== node).forEach(markSubtree);
            } else if (first !== node) {
                markSubtree(first);
            }
        }
    }
    return finishing;
}
