// Which states some reachable configuration has active: SCXML's entries (initial children, every region, ancestors up
// to the domain, history), followed from the initial state once per state and per transition.
//
// The approximation that keeps it near-linear: configurations are never enumerated. A state counts as reachable when
// some transition that can fire enters it, and a transition can fire once its source is reachable, whatever the other
// regions of a parallel state are doing at that moment (each region is read as its own graph, the others being in any
// of their reachable states). Guards are not read: a guarded transition may fire. The result can call a state reachable
// that no real run enters (when two regions' states exclude each other through guards or timing), never the reverse.
import type { State, Timer, Transition } from '../generated/ast.js';
import type { StateTree, TreeNode } from '../ast/state-tree.js';

export function reachableStates(tree: StateTree): Set<State> {
    const reachable = new Set<State>();
    const start = tree.root.initial;
    if (!start) {
        return reachable;
    }
    const queue: TreeNode[] = [];
    const defaultEntered = new Uint8Array(tree.nodes.length);
    /** Holders of a shallow history that some reachable transition targets → the outermost domain of those transitions. */
    const shallowDomains = new Map<TreeNode, TreeNode>();
    /** Parallel states → their regions with a reachable final child. */
    const finishedRegions = new Map<TreeNode, Set<TreeNode>>();
    const completed = new Set<TreeNode>();

    const activate = (node: TreeNode): void => {
        if (node.state && !reachable.has(node.state)) {
            reachable.add(node.state);
            queue.push(node);
        }
    };
    /** Enters `node` as SCXML's default entry does: its initial child, or every region, recursively. */
    const enterByDefault = (node: TreeNode): void => {
        if (defaultEntered[node.index] === 1) {
            return;
        }
        const stack = [node];
        while (stack.length > 0) {
            const next = stack.pop()!;
            if (defaultEntered[next.index] === 1) {
                continue;
            }
            defaultEntered[next.index] = 1;
            activate(next);
            if (next.kind === 'parallel') {
                stack.push(...next.children.filter((child) => child.kind === 'region'));
            } else if (next.initial) {
                stack.push(next.initial);
            }
        }
    };
    /** Enters the ancestors of `node` strictly below `domain`, with the other regions of each parallel one. */
    const enterAncestors = (node: TreeNode, domain: TreeNode): void => {
        for (let child = node, ancestor = node.parent; ancestor && ancestor !== domain; child = ancestor, ancestor = ancestor.parent) {
            activate(ancestor);
            if (ancestor.kind === 'parallel') {
                for (const region of ancestor.children) {
                    if (region !== child && region.kind === 'region') {
                        enterByDefault(region);
                    }
                }
            }
        }
    };
    const enter = (target: TreeNode, domain: TreeNode): void => {
        enterByDefault(target);
        enterAncestors(target, domain);
    };
    /** The children a shallow history of `holder` may re-enter: those active before (a parallel state's regions once it is). */
    const activeChildren = (holder: TreeNode): TreeNode[] =>
        holder.children.filter((child) => (child.state ? reachable.has(child.state) : holder.state !== undefined && reachable.has(holder.state)));

    /** Follows a transition or timer of `source`. */
    const follow = (source: TreeNode, trigger: Transition | Timer): void => {
        const target = trigger.target?.ref;
        const node = tree.targetNode(target);
        if (!target || !node) {
            return;
        }
        if (target.$type === 'State') {
            enter(node, tree.domain(source, node));
            return;
        }
        // A history: its holder and the holder's ancestors are entered; then, the first time, its default (or the
        // holder's default entry); later, what it remembers. A deep history restores states that were active
        // together, all reachable already; a shallow one re-enters a remembered child by default.
        const domain = tree.historyDomain(source, node);
        if (domain !== node) {
            activate(node);
            enterAncestors(node, domain);
        }
        const fallback = target.default?.ref ? tree.of(target.default.ref) : undefined;
        if (fallback) {
            enter(fallback, tree.domain(source, fallback));
        } else if (node.kind === 'parallel') {
            node.children.filter((child) => child.kind === 'region').forEach((region) => enter(region, domain));
        } else if (node.initial) {
            enter(node.initial, domain);
        }
        if (!target.deep) {
            const known = shallowDomains.get(node);
            if (known === undefined || (domain !== known && domain.index < known.index)) {
                shallowDomains.set(node, domain);
                activeChildren(node).forEach((child) => enter(child, domain));
            }
        }
    };

    const complete = (composite: TreeNode): void => {
        if (completed.has(composite) || !composite.state) {
            return;
        }
        completed.add(composite);
        for (const transition of composite.state.transitions) {
            if (transition.done) {
                follow(composite, transition);
            }
        }
    };
    const entered = (node: TreeNode): void => {
        const parent = node.parent!;
        const state = node.state!;
        const shallow = shallowDomains.get(parent);
        if (shallow) {
            enter(node, shallow);
        }
        if (node.kind === 'parallel' && shallowDomains.has(node)) {
            activeChildren(node).forEach((region) => enter(region, shallowDomains.get(node)!));
        }
        if (state.final) {
            if (parent.kind === 'compound') {
                complete(parent);
            } else if (parent.kind === 'region') {
                const parallel = parent.parent!;
                const finished = finishedRegions.get(parallel) ?? new Set<TreeNode>();
                finishedRegions.set(parallel, finished.add(parent));
                if (finished.size === parallel.children.filter((child) => child.kind === 'region').length) {
                    complete(parallel);
                }
            }
        }
        for (const transition of state.transitions) {
            if (!transition.done) {
                follow(node, transition);
            }
        }
        for (const timer of state.timers) {
            follow(node, timer);
        }
    };

    enterByDefault(start);
    for (let i = 0; i < queue.length; i++) {
        entered(queue[i]!);
    }
    return reachable;
}
