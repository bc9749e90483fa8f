// Transitions on one event that stand in each other's way: in one state (nondeterministic, shadowed), between a state
// and the states inside it (hidden), and between two regions of a parallel state (conflicting).
import type { Event, Region, State, Transition } from '../generated/ast.js';
import { strictlyInside, type StateTree, type TreeNode } from '../ast/state-tree.js';

export type TransitionPair = readonly [Transition, Transition];

/** What a transition is triggered by: its event, or the state's completion. */
type Trigger = Event | 'done';

function triggerOf(transition: Transition): Trigger | undefined {
    return transition.done ? 'done' : transition.event?.ref; // absent while a line is half typed
}

/** Transitions of two regions of one parallel state on one event whose exit sets intersect: only the earlier fires. */
export interface RegionConflict {
    readonly parallel: State;
    readonly earlier: Transition;
    readonly earlierRegion: Region;
    readonly later: Transition;
    readonly laterRegion: Region;
}

export interface Clashes {
    readonly nondeterministic: TransitionPair[];
    readonly shadowed: TransitionPair[];
    /** [child's unguarded transition, the nearest enclosing state's transition on the same event]. */
    readonly hidden: TransitionPair[];
    readonly regionConflicts: RegionConflict[];
    readonly handled: Set<Event>;
}

export function findClashes(tree: StateTree): Clashes {
    const nondeterministic: [Transition, Transition][] = [];
    const shadowed: [Transition, Transition][] = [];
    const handled = new Set<Event>();
    /** Each state's first transition per event, for the states inside it. */
    const firstByEvent = new Map<State, Map<Event, Transition>>();
    for (const state of tree.states) {
        // Only states with states inside hide anything: flat machines need no table.
        const first = tree.of(state)!.children.length > 0 ? new Map<Event, Transition>() : undefined;
        if (first) {
            firstByEvent.set(state, first);
        }
        const unguardedByTrigger = new Map<Trigger, Transition>();
        const guardedByTrigger = new Map<Trigger, Map<string, Transition>>();
        for (const transition of state.transitions) {
            const trigger = triggerOf(transition);
            if (!trigger) {
                continue;
            }
            if (trigger !== 'done') {
                handled.add(trigger);
                if (first && !first.has(trigger)) {
                    first.set(trigger, transition);
                }
            }
            const earlier = unguardedByTrigger.get(trigger);
            if (earlier) {
                (transition.guard ? shadowed : nondeterministic).push([earlier, transition]);
            } else if (!transition.guard) {
                unguardedByTrigger.set(trigger, transition);
            } else {
                const guards = guardedByTrigger.get(trigger) ?? new Map<string, Transition>();
                guardedByTrigger.set(trigger, guards);
                const key = `${transition.guard.negated ? '!' : ''}${transition.guard.name}`;
                const sameGuard = guards.get(key);
                if (sameGuard) {
                    shadowed.push([sameGuard, transition]);
                } else {
                    guards.set(key, transition);
                }
            }
        }
    }
    return { nondeterministic, shadowed, hidden: hiddenTransitions(tree, firstByEvent), regionConflicts: regionConflicts(tree), handled };
}

/** A state's unguarded transition is tried before its ancestors' on the same event, and always matches. */
function hiddenTransitions(tree: StateTree, firstByEvent: ReadonlyMap<State, ReadonlyMap<Event, Transition>>): TransitionPair[] {
    const hidden: TransitionPair[] = [];
    for (const node of tree.nodes) {
        if (!node.state || node.parent === tree.root) {
            continue;
        }
        const seen = new Set<Event>();
        for (const transition of node.state.transitions) {
            // The first unguarded transition on an event: with it the state handles that event whatever the guards say.
            const event = transition.done || transition.guard ? undefined : transition.event?.ref;
            if (!event || seen.has(event)) {
                continue;
            }
            seen.add(event);
            for (let ancestor = node.parent; ancestor && ancestor !== tree.root; ancestor = ancestor.parent) {
                const outer = ancestor.state ? firstByEvent.get(ancestor.state)?.get(event) : undefined;
                if (outer) {
                    hidden.push([transition, outer]);
                    break;
                }
            }
        }
    }
    return hidden;
}

interface RegionTransition {
    readonly transition: Transition;
    readonly region: TreeNode;
    /** True when the transition leaves its region: it exits the whole parallel state. */
    readonly leaves: boolean;
}

/**
 * Two transitions of different regions of one parallel state, on one event, conflict (SCXML) when their exit sets
 * intersect: when one of them leaves its region, it exits the other region's states too. Only one of them fires (the
 * earlier in document order). Transitions without a target exit nothing and never conflict. Guards are not read.
 */
function regionConflicts(tree: StateTree): RegionConflict[] {
    /** Parallel state → event → its regions' transitions on that event, in document order. */
    const groups = new Map<TreeNode, Map<Event, RegionTransition[]>>();
    /** By node index: the node lies inside a region (pre-order: a parent's flag is known before its children's). */
    const inRegion = new Uint8Array(tree.nodes.length);
    for (const node of tree.nodes) {
        const parent = node.parent;
        if (parent && (parent.kind === 'region' || inRegion[parent.index] === 1)) {
            inRegion[node.index] = 1;
        }
        if (!node.state || inRegion[node.index] === 0) {
            continue;
        }
        for (const transition of node.state.transitions) {
            const event = transition.done ? undefined : transition.event?.ref;
            const target = transition.target?.ref;
            const targetNode = tree.targetNode(target);
            if (!event || !target || !targetNode) {
                continue;
            }
            const domain = target.$type === 'History' ? tree.historyDomain(node, targetNode) : tree.domain(node, targetNode);
            for (let region = node.parent; region?.parent; region = region.parent.parent) {
                if (region.kind !== 'region') {
                    continue;
                }
                const parallel = region.parent;
                const byEvent = groups.get(parallel) ?? new Map<Event, RegionTransition[]>();
                groups.set(parallel, byEvent);
                const list = byEvent.get(event) ?? [];
                byEvent.set(event, list);
                list.push({ transition, region, leaves: domain !== region && !strictlyInside(domain, region) });
            }
        }
    }
    const conflicts: RegionConflict[] = [];
    for (const [parallel, byEvent] of groups) {
        for (const list of byEvent.values()) {
            // The earliest transitions so far, and the earliest of another region than that one: the candidates a later
            // transition clashes with (all of them when it leaves its region; the leaving ones otherwise).
            const any = new FirstTwoRegions();
            const leaving = new FirstTwoRegions();
            for (const later of list) {
                const earlier = (later.leaves ? any : leaving).otherThan(later.region);
                if (earlier) {
                    conflicts.push({ parallel: parallel.state!, earlier: earlier.transition, earlierRegion: earlier.region.region!, later: later.transition, laterRegion: later.region.region! });
                }
                any.add(later);
                if (later.leaves) {
                    leaving.add(later);
                }
            }
        }
    }
    return conflicts;
}

/** The first transition added, and the first one of a region other than its region. */
class FirstTwoRegions {
    private first: RegionTransition | undefined;
    private second: RegionTransition | undefined;

    add(candidate: RegionTransition): void {
        if (!this.first) {
            this.first = candidate;
        } else if (!this.second && candidate.region !== this.first.region) {
            this.second = candidate;
        }
    }

    /** The earliest transition added whose region is not `region`. */
    otherThan(region: TreeNode): RegionTransition | undefined {
        return this.first && this.first.region !== region ? this.first : this.second;
    }
}
