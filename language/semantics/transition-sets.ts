// Which transitions an event enables and which states they leave and enter: SCXML's selection, conflict, exit-set
// and entry-set rules ("Algorithm for SCXML Interpretation"), over the interpreter's state tree.
import type { Instance } from './instance.js';
import type { TransitionSpec } from './program.js';
import { StateTree, type StateNode, type TreeTransition } from './state-tree.js';

/**
 * The transitions an event enables: for each active atomic state in document order, the first transition `accepts`
 * takes on it or, failing that, on its parent, outwards; then conflicts removed (two transitions conflict when they
 * leave a common state: the one whose source is deeper wins, otherwise the one found first). One transition per
 * region at most; in a flat machine, the first matching transition of the current state.
 */
export function enabledTransitions(instance: Instance, accepts: (transition: TransitionSpec, source: StateNode) => boolean): TreeTransition[] {
    if (!instance.spec.hierarchical) {
        // A flat machine: one active state, no parents, no regions (what the loop below does for one leaf at the top).
        const state = flatState(instance);
        for (const transition of state.spec.transitions) {
            if (accepts(transition, state)) {
                return [{ source: state, event: transition.event, target: transition.target, spec: transition }];
            }
        }
        return [];
    }
    const enabled: TreeTransition[] = [];
    for (const leaf of instance.leaves) {
        let found: TreeTransition | undefined;
        for (let state: StateNode | undefined = leaf; state && state !== instance.tree.root && !found; state = state.parent) {
            for (const transition of state.spec.transitions) {
                const already = enabled.find((candidate) => candidate.spec === transition);
                if (already) {
                    // Reached again from another region: decided already (its guard is not asked twice in one step).
                    found = already;
                    break;
                }
                if (accepts(transition, state)) {
                    found = { source: state, event: transition.event, target: transition.target, spec: transition };
                    enabled.push(found);
                    break;
                }
            }
        }
    }
    return enabled.length > 1 ? withoutConflicts(instance, enabled) : enabled;
}

function withoutConflicts(instance: Instance, enabled: readonly TreeTransition[]): TreeTransition[] {
    let kept: TreeTransition[] = [];
    for (const candidate of enabled) {
        const leaves = new Set(exitSetOf(instance, candidate));
        let preempted = false;
        const beaten: TreeTransition[] = [];
        for (const other of kept) {
            if (exitSetOf(instance, other).some((state) => leaves.has(state))) {
                if (StateTree.isDescendant(candidate.source, other.source)) {
                    beaten.push(other);
                } else {
                    preempted = true;
                    break;
                }
            }
        }
        if (!preempted) {
            kept = kept.filter((other) => !beaten.includes(other));
            kept.push(candidate);
        }
    }
    return kept;
}

/** The states a target stands for: the state itself, or what a history remembers (else its default, else its parent's initial child). */
export function effectiveTargets(instance: Instance, target: string): StateNode[] {
    const history = instance.tree.history(target);
    if (!history) {
        return [instance.tree.state(target)];
    }
    const remembered = instance.histories.get(history.name);
    if (remembered) {
        return [...remembered];
    }
    if (history.spec.default !== undefined) {
        return [instance.tree.state(history.spec.default)];
    }
    const parent = history.parent;
    return StateTree.isCompound(parent) ? [parent.initial!] : [...parent.children];
}

/** The least common compound ancestor of the transition's source and targets: what it leaves and enters lies below it. */
function domainOf(instance: Instance, transition: TreeTransition): StateNode | undefined {
    if (transition.target === undefined) {
        return undefined;
    }
    return instance.tree.lcca([transition.source, ...effectiveTargets(instance, transition.target)]);
}

function exitSetOf(instance: Instance, transition: TreeTransition): StateNode[] {
    const domain = domainOf(instance, transition);
    return domain ? [...instance.active].filter((state) => StateTree.isDescendant(state, domain)) : [];
}

/** The one state of a flat machine (before the start: its initial state). */
function flatState(instance: Instance): StateNode {
    for (const state of instance.active) {
        return state;
    }
    return instance.tree.root.initial!;
}

/** Every active state the transitions leave, innermost first (reverse document order). */
export function exitSet(instance: Instance, transitions: readonly TreeTransition[]): StateNode[] {
    if (!instance.spec.hierarchical) {
        // A flat machine: every transition with a target has the machine as its domain, so leaves the one active state.
        if (instance.active.size > 0) {
            for (const transition of transitions) {
                if (transition.target !== undefined) {
                    return [flatState(instance)];
                }
            }
        }
        return [];
    }
    const states = new Set<StateNode>();
    for (const transition of transitions) {
        for (const state of exitSetOf(instance, transition)) {
            states.add(state);
        }
    }
    return [...states].sort((a, b) => b.order - a.order);
}

/** Records what the histories of the states about to be left remember. */
export function rememberHistories(instance: Instance, leaving: readonly StateNode[]): void {
    for (const state of leaving) {
        for (const history of state.spec.histories) {
            const remembered = history.deep
                ? [...instance.active].filter((node) => node.children.length === 0 && StateTree.isDescendant(node, state))
                : state.children.filter((child) => instance.active.has(child));
            instance.remember(history.name, remembered.sort((a, b) => a.order - b.order));
        }
    }
}

/**
 * Every state the transitions enter, outermost first (document order): each target with its default descendants
 * (initial children; every region of a parallel state; what a history remembers), and the ancestors between it and
 * the transition's domain, with the other regions of any parallel ancestor. `roots` are entered by default (the start).
 */
export function entrySet(instance: Instance, transitions: readonly TreeTransition[], roots: readonly StateNode[] = []): StateNode[] {
    if (!instance.spec.hierarchical) {
        // A flat machine: states have no children, no parents below the machine and no histories, so a target (or a
        // root) is entered alone.
        const entering: StateNode[] = roots.slice();
        for (const transition of transitions) {
            if (transition.target !== undefined) {
                const target = instance.tree.state(transition.target);
                if (!entering.includes(target)) {
                    entering.push(target);
                }
            }
        }
        return entering.length > 1 ? entering.sort((a, b) => a.order - b.order) : entering;
    }
    const entering = new Set<StateNode>();
    const covered = (region: StateNode): boolean => [...entering].some((state) => StateTree.isDescendant(state, region));
    const addDescendants = (state: StateNode): void => {
        entering.add(state);
        if (StateTree.isCompound(state)) {
            if (state.initial) {
                addDescendants(state.initial);
            }
        } else if (state.spec.kind === 'parallel') {
            for (const region of state.children) {
                if (!covered(region)) {
                    addDescendants(region);
                }
            }
        }
    };
    const addAncestors = (state: StateNode, upTo: StateNode | undefined): void => {
        for (const ancestor of StateTree.properAncestors(state, upTo)) {
            if (ancestor === instance.tree.root) {
                break;
            }
            entering.add(ancestor);
            if (ancestor.spec.kind === 'parallel') {
                for (const region of ancestor.children) {
                    if (!covered(region)) {
                        addDescendants(region);
                    }
                }
            }
        }
    };
    for (const root of roots) {
        addDescendants(root);
    }
    for (const transition of transitions) {
        if (transition.target === undefined) {
            continue;
        }
        const targets = effectiveTargets(instance, transition.target);
        for (const target of targets) {
            addDescendants(target);
        }
        // With their ancestors up to the domain (for a history: through its composite).
        const domain = domainOf(instance, transition);
        for (const target of targets) {
            addAncestors(target, domain);
        }
    }
    return [...entering].sort((a, b) => a.order - b.order);
}

/** A compound state or region is in a final state when its active child is final; a parallel state when every region is. */
export function isInFinalState(instance: Instance, state: StateNode): boolean {
    if (StateTree.isCompound(state)) {
        return state.children.some((child) => child.spec.final && instance.active.has(child));
    }
    if (state.spec.kind === 'parallel') {
        return state.children.every((region) => isInFinalState(instance, region));
    }
    return false;
}
