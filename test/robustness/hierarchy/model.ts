// Random hierarchical machines for the differential suite: composite states up to four levels, parallel states with
// up to three regions, shallow and deep history (in composite states and regions, defaults at any depth), completion
// (`on done`), timers at any level, guards and `raise`, printed as .fsm text. Built so that every run ends: the
// two "Endless rule" comments below say how.
import type { Random } from '../../seeded-random.js';

export const EVENTS = ['E0', 'E1', 'E2', 'E3'] as const;
/** g0 always holds, g1 never, g2 on odd steps of the sequence (the same value for every evaluation within a step). */
export const GUARDS = ['g0', 'g1', 'g2'] as const;
export const DELAYS = [100, 200, 300] as const;

export interface TreeAction {
    readonly kind: 'call' | 'raise';
    /** The action's name, unique in the machine, or the raised event. */
    readonly name: string;
}

export interface TreeTransition {
    /** An event, or 'done'. */
    readonly on: string;
    readonly guard: { readonly name: string; readonly negated: boolean } | undefined;
    readonly target: string | undefined;
    readonly actions: readonly TreeAction[];
}

export interface TreeTimer {
    readonly ms: number;
    readonly target: string;
    readonly actions: readonly TreeAction[];
}

export interface TreeHistory {
    readonly name: string;
    readonly deep: boolean;
    readonly default: string | undefined;
}

export interface TreeState {
    readonly name: string;
    kind: 'atomic' | 'compound' | 'parallel' | 'region';
    initial: boolean;
    final: boolean;
    readonly children: TreeState[];
    readonly histories: TreeHistory[];
    entry: TreeAction[];
    exit: TreeAction[];
    transitions: TreeTransition[];
    timers: TreeTimer[];
}

export interface TreeMachine {
    readonly name: string;
    readonly states: TreeState[];
}

interface Budget {
    states: number;
    actions: number;
    histories: number;
    regions: number;
}

function newState(name: string, kind: TreeState['kind']): TreeState {
    return { name, kind, initial: false, final: false, children: [], histories: [], entry: [], exit: [], transitions: [], timers: [] };
}

/**
 * Where XState 5 departs from SCXML (and from our interpreter), found by running both on random machines; on such
 * machines only the generated code and the interpreter are compared (test/semantics/hierarchy.test.ts holds the
 * interpreter to SCXML there):
 * - 'between regions': XState leaves and enters the least common ancestor of a transition's source and target, SCXML
 *   the least common compound ancestor; they differ when that ancestor is a parallel state (a transition from one
 *   region into another: SCXML also leaves and re-enters the parallel state).
 * - 'deep history from inside': a transition from inside a composite to the composite's deep history leaves what lies
 *   below the least common compound ancestor of its source and the remembered states; SCXML's algorithm, and XState 5
 *   to the letter, then also enters every state between the remembered states and the composite, running the entry
 *   actions of a state it never left (P { deep history H; A { entry a1; A1 { on E -> H } } }: after P was left in
 *   A1 and entered again, E runs a1 again in XState, not in the interpreter).
 * - 'ancestor clash': XState chooses a parallel state's transitions top-down (when any region takes the event, no
 *   transition of the parallel state or around it is looked at); SCXML goes bottom-up from every active atomic state,
 *   so a region that does not take the event still finds its ancestors' transitions. They differ only when a state
 *   inside a parallel state and the parallel state (or a state around it) have transitions on one event.
 */
export type Departure = 'between regions' | 'deep history from inside' | 'ancestor clash';

export const DEPARTURES: readonly Departure[] = ['between regions', 'deep history from inside', 'ancestor clash'];

/** The machine's tree: parents, histories' owners, names. */
class Tree {
    readonly all: TreeState[];
    private readonly parents = new Map<TreeState, TreeState | undefined>();
    private readonly byName: Map<string, TreeState>;
    private readonly owners = new Map<string, TreeState>();

    constructor(machine: TreeMachine) {
        this.all = allOf(machine);
        this.byName = new Map(this.all.map((state) => [state.name, state]));
        const visit = (list: readonly TreeState[], parent: TreeState | undefined): void => {
            for (const state of list) {
                this.parents.set(state, parent);
                state.histories.forEach((history) => this.owners.set(history.name, state));
                visit(state.children, state);
            }
        };
        visit(machine.states, undefined);
    }

    /** The state or region holding the history named `name`; undefined for a state's name. */
    historyOwner(name: string): TreeState | undefined {
        return this.owners.get(name);
    }

    ancestorsOf(state: TreeState): TreeState[] {
        const ancestors: TreeState[] = [];
        for (let parent = this.parents.get(state); parent; parent = this.parents.get(parent)) {
            ancestors.push(parent);
        }
        return ancestors;
    }

    /** Which departure a transition from `source` to `target` falls in. */
    departureOf(source: TreeState, target: string): Departure | undefined {
        const owner = this.historyOwner(target);
        if (owner && owner.histories.find((candidate) => candidate.name === target)!.deep && this.ancestorsOf(source).includes(owner)) {
            return 'deep history from inside';
        }
        const node = owner ?? this.byName.get(target)!;
        const targetLine = [node, ...this.ancestorsOf(node)];
        const common = [source, ...this.ancestorsOf(source)].find((candidate) => targetLine.includes(candidate));
        return common?.kind === 'parallel' && common !== source && common !== node ? 'between regions' : undefined;
    }

    /** For each parallel state, the events of transitions inside it (but `done`). */
    eventsInside(parallel: TreeState): Set<string> {
        const inside = this.all.filter((state) => this.ancestorsOf(state).includes(parallel));
        return new Set(inside.flatMap((state) => state.transitions.filter((transition) => transition.on !== 'done').map((transition) => transition.on)));
    }
}

/**
 * A random machine: a tree of 4–24 states, then transitions, timers and actions on it. With `departures`, it may hold
 * what XState 5 does differently (see Departure); without, it holds none of it.
 */
export function randomMachine(random: Random, index: number, departures = false): TreeMachine {
    const budget: Budget = { states: 0, actions: 0, histories: 0, regions: 0 };
    const top = children(random, budget, 1, 'S');
    const machine: TreeMachine = { name: `H${index}`, states: top };
    const tree = new Tree(machine);
    const all = tree.all;
    const targets = all.filter((state) => state.kind !== 'region').map((state) => state.name);
    const histories = all.flatMap((state) => state.histories.map((history) => history.name));
    const nonFinalTargets = all.filter((state) => state.kind !== 'region' && !state.final).map((state) => state.name);
    const leftOut = (source: TreeState, target: string): boolean => !departures && tree.departureOf(source, target) !== undefined;
    // With departures, states inside a composite with a deep history often go back to it (see backInsideOverRegions).
    const deepAround = (state: TreeState): string[] => tree.ancestorsOf(state).flatMap((owner) => owner.histories.filter((history) => history.deep).map((history) => history.name));
    const action = (events: readonly string[]): TreeAction =>
        events.length > 0 && random.chance(0.15) ? { kind: 'raise', name: random.pick(events) } : { kind: 'call', name: `a${budget.actions++}` };
    const actions = (events: readonly string[], max: number): TreeAction[] => Array.from({ length: random.int(max + 1) }, () => action(events));
    for (const state of all) {
        if (state.kind === 'region' || state.final) {
            continue; // a region has no behaviour of its own; a final state is never left
        }
        state.entry = actions([], 2);
        state.exit = actions([], 2);
        const count = random.int(4);
        for (let i = 0; i < count; i++) {
            const on = random.pick(EVENTS);
            const laterEvents = EVENTS.slice(EVENTS.indexOf(on) + 1);
            const internal = random.chance(0.15);
            const toHistory = histories.length > 0 && random.chance(0.2);
            const back = departures ? deepAround(state) : [];
            const target = internal ? undefined : back.length > 0 && random.chance(0.3) ? random.pick(back) : toHistory ? random.pick(histories) : random.pick(targets);
            if (target !== undefined && leftOut(state, target)) {
                continue;
            }
            state.transitions.push({
                on,
                guard: random.chance(0.3) ? { name: random.pick(GUARDS), negated: random.chance(0.3) } : undefined,
                target,
                // Endless rule 1: a transition on Ei raises only later events, so raised chains end.
                actions: actions(laterEvents, 2)
            });
        }
        if (state.kind !== 'atomic' && random.chance(0.5)) {
            // Endless rule 2: completion never enters a final state or a history (which may remember one), so a
            // `done` never leads straight to another `done` of the same state.
            const target = random.pick(nonFinalTargets);
            if (!leftOut(state, target)) {
                state.transitions.push({ on: 'done', guard: random.chance(0.2) ? { name: random.pick(GUARDS), negated: false } : undefined, target, actions: actions([], 1) });
            }
        }
        if (random.chance(0.25)) {
            const back = departures ? deepAround(state) : [];
            const target = back.length > 0 && random.chance(0.3) ? random.pick(back) : histories.length > 0 && random.chance(0.2) ? random.pick(histories) : random.pick(targets);
            if (!leftOut(state, target)) {
                state.timers.push({ ms: random.pick(DELAYS), target, actions: actions(EVENTS, 1) });
            }
        }
    }
    if (!departures) {
        for (const parallel of all.filter((state) => state.kind === 'parallel')) {
            const events = tree.eventsInside(parallel);
            for (const outer of [parallel, ...tree.ancestorsOf(parallel)]) {
                outer.transitions = outer.transitions.filter((transition) => !events.has(transition.on));
            }
        }
    }
    return machine;
}

/** A deliberate mistake in a machine: what a wrong generator could make of it. */
export type TreeMistake = 'deep history kept shallow' | 'completion ignored';

/** A copy of `machine` with `mistake` made everywhere it applies. */
export function withMistake(machine: TreeMachine, mistake: TreeMistake): TreeMachine {
    const copy = (state: TreeState): TreeState => ({
        ...state,
        children: state.children.map(copy),
        histories: state.histories.map((history) => ({ ...history, deep: history.deep && mistake !== 'deep history kept shallow' })),
        transitions: state.transitions.filter((transition) => transition.on !== 'done' || mistake !== 'completion ignored')
    });
    return { name: machine.name, states: machine.states.map(copy) };
}

/** The departures (see Departure) a machine holds, in DEPARTURES' order; none: XState 5 and SCXML agree on it. */
export function departuresOf(machine: TreeMachine): Departure[] {
    const tree = new Tree(machine);
    const found = new Set<Departure | undefined>();
    for (const state of tree.all) {
        for (const trigger of [...state.transitions, ...state.timers]) {
            if (trigger.target !== undefined) {
                found.add(tree.departureOf(state, trigger.target));
            }
        }
    }
    for (const parallel of tree.all.filter((state) => state.kind === 'parallel')) {
        const events = tree.eventsInside(parallel);
        if ([parallel, ...tree.ancestorsOf(parallel)].some((outer) => outer.transitions.some((transition) => events.has(transition.on)))) {
            found.add('ancestor clash');
        }
    }
    return DEPARTURES.filter((departure) => found.has(departure));
}

/**
 * The transitions and timers of the machine declared inside a composite (or region) to that composite's own deep
 * history while a parallel state lies below it — which states they leave and enter depends on the states the history
 * remembered, one per region — as their source, the history and the composite holding it.
 */
export function backInsideOverRegions(machine: TreeMachine): Array<{ source: string; history: string; owner: string }> {
    const tree = new Tree(machine);
    return tree.all.flatMap((state) =>
        [...state.transitions, ...state.timers].flatMap((trigger) => {
            const owner = trigger.target === undefined ? undefined : tree.historyOwner(trigger.target);
            const found =
                owner !== undefined &&
                owner.kind !== 'parallel' &&
                owner.histories.find((history) => history.name === trigger.target)!.deep &&
                tree.ancestorsOf(state).includes(owner) &&
                tree.all.some((inside) => inside.kind === 'parallel' && tree.ancestorsOf(inside).includes(owner));
            return found ? [{ source: state.name, history: trigger.target!, owner: owner.name }] : [];
        })
    );
}

/**
 * A shallow or deep history in a compound state or a region (at most five in a machine), with a default or not: a
 * shallow history's is a child, a deep history's any state below (never a final one: see endless rule 2).
 */
function addHistory(random: Random, budget: Budget, holder: TreeState): void {
    if (budget.histories >= 5) {
        return;
    }
    budget.histories++;
    const deep = random.chance(0.5);
    const below = (state: TreeState): TreeState[] => state.children.flatMap((child) => [child, ...(deep ? below(child) : [])]);
    const candidates = below(holder).filter((candidate) => candidate.kind !== 'region' && !candidate.final);
    const fallback = candidates.length > 0 && random.chance(0.5) ? random.pick(candidates).name : undefined;
    holder.histories.push({ name: `${holder.name}h`, deep, default: fallback });
}

/** 1–4 child states at `depth`; the first non-final child is initial. */
function children(random: Random, budget: Budget, depth: number, prefix: string): TreeState[] {
    const count = depth === 1 ? 2 + random.int(3) : 1 + random.int(3);
    const states: TreeState[] = [];
    for (let i = 0; i < count && (budget.states < 24 || i === 0); i++) {
        const name = `${prefix}${i}`;
        budget.states++;
        const roll = random.next();
        let state: TreeState;
        if (depth < 4 && roll < 0.25 && budget.regions < 6) {
            state = newState(name, 'parallel');
            const regionCount = 2 + random.int(2);
            for (let r = 0; r < regionCount; r++) {
                budget.regions++;
                const region = newState(`${name}r${r}`, 'region');
                region.children.push(...children(random, budget, depth + 1, `${name}r${r}s`));
                if (random.chance(0.2)) {
                    addHistory(random, budget, region);
                }
                state.children.push(region);
            }
        } else if (depth < 4 && roll < 0.55) {
            state = newState(name, 'compound');
            state.children.push(...children(random, budget, depth + 1, `${name}s`));
        } else {
            state = newState(name, 'atomic');
            // Final states only below the top level mostly (completion), rarely at the top (the machine finishes).
            state.final = i > 0 && random.chance(depth === 1 ? 0.1 : 0.35);
        }
        if (state.kind === 'compound' && random.chance(0.4)) {
            addHistory(random, budget, state);
        }
        states.push(state);
    }
    const first = states.find((state) => !state.final) ?? states[0]!;
    first.final = false;
    first.initial = true;
    return states;
}

/** Every state and region, in document order. */
export function allOf(machine: TreeMachine): TreeState[] {
    const states: TreeState[] = [];
    const visit = (list: readonly TreeState[]): void => {
        for (const state of list) {
            states.push(state);
            visit(state.children);
        }
    };
    visit(machine.states);
    return states;
}

function actionText(action: TreeAction): string {
    return action.kind === 'raise' ? `raise ${action.name}` : action.name;
}

function actionsText(actions: readonly TreeAction[]): string {
    return actions.length > 0 ? ` / ${actions.map(actionText).join(', ')}` : '';
}

function historyText(history: TreeHistory, indent: string): string {
    return `${indent}${history.deep ? 'deep ' : ''}history ${history.name}${history.default ? ` -> ${history.default}` : ''}`;
}

function stateText(state: TreeState, indent: string): string[] {
    const inner = `${indent}    `;
    if (state.kind === 'region') {
        return [`${indent}region ${state.name} {`, ...state.histories.map((history) => historyText(history, inner)), ...state.children.flatMap((child) => stateText(child, inner)), `${indent}}`];
    }
    const head = `${indent}${state.initial ? 'initial ' : ''}${state.final ? 'final ' : ''}${state.kind === 'parallel' ? 'parallel ' : ''}state ${state.name}`;
    const body = [
        ...(state.entry.length > 0 ? [`${inner}entry ${state.entry.map(actionText).join(', ')}`] : []),
        ...(state.exit.length > 0 ? [`${inner}exit ${state.exit.map(actionText).join(', ')}`] : []),
        ...state.histories.map((history) => historyText(history, inner)),
        ...state.transitions.map(
            (transition) =>
                `${inner}on ${transition.on}${transition.guard ? ` [${transition.guard.negated ? '!' : ''}${transition.guard.name}]` : ''}${transition.target ? ` -> ${transition.target}` : ''}${actionsText(transition.actions)}`
        ),
        ...state.timers.map((timer) => `${inner}after ${timer.ms}ms -> ${timer.target}${actionsText(timer.actions)}`),
        ...state.children.flatMap((child) => stateText(child, inner))
    ];
    return body.length > 0 ? [`${head} {`, ...body, `${indent}}`] : [head];
}

/** The machine as .fsm text. */
export function printMachine(machine: TreeMachine): string {
    return [`machine ${machine.name} {`, `    events ${EVENTS.join(', ')}`, ...machine.states.flatMap((state) => stateText(state, '    ')), '}', ''].join('\n');
}

export type TreeStep = { readonly kind: 'send'; readonly event: string } | { readonly kind: 'advance'; readonly ms: number };

export function randomSteps(random: Random, count: number): TreeStep[] {
    return Array.from({ length: count }, (): TreeStep => (random.chance(0.75) ? { kind: 'send', event: random.pick(EVENTS) } : { kind: 'advance', ms: random.pick([50, 100, 150, 250]) }));
}
