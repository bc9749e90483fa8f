// The view of a machine with composite states: its tree numbered, each transition with its exit and entry sequences
// worked out here (QP's QMsm approach: generated code knows what it leaves and enters), handlers per atomic state.
import type { Machine, State, Timer, Transition } from '../generated/ast.js';
import { analyzeMachine } from '../analysis/machine-analysis.js';
import { allStates } from '../ast/hierarchy.js';
import { sourceText } from '../ast/source-text.js';
import { PAYLOAD_TYPES, unionType, type ActionCall, type EntryStep, type EventView, type GuardCall, type HierarchyView, type MachineView, type StateView, type TimerView, type TreeHandlerView, type TreeNodeView, type TreeStep, type TreeTransitionView } from '../../templates/index.js';
import type { Behaviour, StatePlan, TransitionPlan } from './behaviour.js';
import { eventTable, type EventTable } from './events.js';
import type { MachineContext } from './machine-view.js';
import { memberTable, type MemberTable } from './members.js';
import { durationMs } from './model-values.js';
import { moduleNames, socketKeys } from './names.js';
import { socketView } from './sockets.js';
import { actionCall, type Scope } from './states.js';
import { GeneratorTree, type TreeNode } from './state-tree.js';

/** What `on done` transitions are planned under: they carry no payload. */
const DONE_EVENT: EventView = { name: 'done', key: 'done', id: -1, method: '', payloadType: PAYLOAD_TYPES.nothing };

/** A transition or timer of the tree with the state declaring it. */
interface Trigger {
    source: TreeNode;
    node: Transition | Timer;
    eventExpression: string;
}

/** The transitions of `state` that can fire on each event: none after an unguarded one on the same event (or `done`). */
function firing(state: State): Transition[] {
    const exhausted = new Set<string>();
    return state.transitions.filter((transition) => {
        const key = transition.done ? 'done' : (transition.event?.ref?.name ?? '');
        if (exhausted.has(key)) {
            return false;
        }
        if (!transition.guard) {
            exhausted.add(key);
        }
        return true;
    });
}

/** Plans for the members table: every action list and guard of every state, entry and exit seeing any payload. */
function behaviourOf(states: readonly State[], events: EventTable): Behaviour {
    const anyPayload = unionType([...events.views.map((event) => event.payloadType), PAYLOAD_TYPES.nothing]);
    let timerCount = 0;
    const plans = states.map((state): StatePlan => {
        const transitions = firing(state).map((transition): TransitionPlan => {
            const event = transition.done ? DONE_EVENT : events.of(transition.event?.ref);
            const source = sourceText(transition);
            return { transition, event, actions: transition.actions, payloadType: event.payloadType, source, use: `${state.name}: ${source}` };
        });
        const timers = state.timers.map((timer, slot) => {
            const source = sourceText(timer);
            return { timer, id: timerCount++, label: `after ${timer.delay}`, slot, ms: durationMs(timer.delay), actions: timer.actions, payloadType: PAYLOAD_TYPES.nothing, source, use: `${state.name}: ${source}` };
        });
        return {
            state,
            transitions,
            timers,
            entry: { actions: state.entries.flatMap((block) => block.actions), payloadType: anyPayload, use: `${state.name}: entry` },
            exit: { actions: state.exits.flatMap((block) => block.actions), payloadType: anyPayload, use: `${state.name}: exit` }
        };
    });
    return { states: plans, timerCount };
}

function guardCall(transition: Transition, members: MemberTable): GuardCall | undefined {
    const guard = transition.guard;
    if (!guard) {
        return undefined;
    }
    const member = members.of('guard', guard.name);
    return { member: member.member, negated: guard.negated, payloadType: member.payloadType };
}

/** A step that depends on what a history remembers: static when every case gives the same value. */
function step<T>(history: number, cases: Array<{ remembered: number; value: T }>): TreeStep<T> {
    const first = JSON.stringify(cases[0]!.value);
    return cases.every((each) => JSON.stringify(each.value) === first) ? { kind: 'static', value: cases[0]!.value } : { kind: 'history', history, cases };
}

/**
 * A transition from `source` to a deep history over regions of `holder` that remembered the chain down to `pivot`.
 * From outside the holder (or from the holder itself, which it leaves: the history then remembers again), the domain
 * is around the holder and the holder is entered again whole from the snapshot. From inside, the holder is not left:
 * the domain is the least common compound ancestor of the source and the remembered states — `pivot`'s with the
 * source — and what it enters is the chain below the domain down to `pivot`, then `pivot` as remembered.
 */
function restoring(tree: GeneratorTree, source: TreeNode, holder: TreeNode, pivot: TreeNode, history: number): { domain: number; enters: EntryStep[] } {
    if (GeneratorTree.holdsOne(holder) && GeneratorTree.isDescendant(source, holder)) {
        const domain = tree.lcca(source, [pivot]);
        const chain: EntryStep[] = [];
        for (let node = pivot.parent; node && node !== domain; node = node.parent) {
            chain.unshift(node.index);
        }
        return { domain: domain.index, enters: [...chain, pivot.kind === 'atomic' ? pivot.index : { restore: pivot.index, history }] };
    }
    const domain = tree.lcca(source, [holder]);
    const around = tree.entrySet([holder], domain).filter((node) => node !== holder && !GeneratorTree.isDescendant(node, holder));
    return {
        domain: domain.index,
        enters: [
            ...around.filter((node) => node.index < holder.index).map((node) => node.index),
            { restore: holder.index, history },
            ...around.filter((node) => node.index > holder.end).map((node) => node.index)
        ]
    };
}

/** The exit and entry sequences of a transition from `source` to `target` (undefined: internal). */
function sequences(tree: GeneratorTree, source: TreeNode, target: Transition['target']): Pick<TreeTransitionView, 'exitBelow' | 'enters'> {
    const written = target?.ref;
    if (!written) {
        return {};
    }
    if (written.$type === 'History' && tree.remembersRegions(written)) {
        // `remembered` holds the node where the remembered states stop being one chain (see GeneratorTree.pivots);
        // the states below it are entered again from a snapshot (`restoreN`).
        const history = tree.historyIndex(written);
        const holder = tree.holderOf(written);
        const fallback = tree.effectiveTargets(written, -1);
        const fallbackDomain = tree.lcca(source, fallback);
        const remembered = tree.pivots(written).map((pivot) => ({ remembered: pivot.index, ...restoring(tree, source, holder, pivot, history) }));
        return {
            exitBelow: step(history, [{ remembered: -1, value: fallbackDomain.index }, ...remembered.map(({ remembered: at, domain }) => ({ remembered: at, value: domain }))]),
            enters: step(history, [
                { remembered: -1, value: tree.entrySet(fallback, fallbackDomain).map((node): EntryStep => node.index) },
                ...remembered.map(({ remembered: at, enters }) => ({ remembered: at, value: enters }))
            ])
        };
    }
    if (written.$type === 'History') {
        const history = tree.historyIndex(written);
        const cases = tree.rememberable(written).map((remembered) => {
            const targets = tree.effectiveTargets(written, remembered);
            const domain = tree.lcca(source, targets);
            return { remembered, domain: domain.index, enters: tree.entrySet(targets, domain).map((node): EntryStep => node.index) };
        });
        return {
            exitBelow: step(history, cases.map(({ remembered, domain }) => ({ remembered, value: domain }))),
            enters: step(history, cases.map(({ remembered, enters }) => ({ remembered, value: enters })))
        };
    }
    const targetNode = tree.of(written);
    const domain = tree.lcca(source, [targetNode]);
    return { exitBelow: { kind: 'static', value: domain.index }, enters: { kind: 'static', value: tree.entrySet([targetNode], domain).map((node): EntryStep => node.index) } };
}

/** Builds the view of a machine with composite states, regions or histories. */
export function buildHierarchicalMachineView(machine: Machine, context: MachineContext): MachineView {
    const analysis = analyzeMachine(machine);
    const events = eventTable(analysis, context.namesOf);
    const states = allStates(machine);
    const behaviour = behaviourOf(states, events);
    const names = moduleNames(machine, states, context.names, context.projectTaken);
    const keys = socketKeys(machine);
    const members = memberTable(machine, behaviour);
    const scope: Scope = { events, members, names, socketKeys: keys };
    const calls = (actions: Parameters<typeof actionCall>[0][]): ActionCall[] => actions.map((action) => actionCall(action, scope));
    const tree = new GeneratorTree(machine);
    const parallel = tree.nodes.some((node) => node.kind === 'parallel');

    // Timers after the model's events, then completion events, in document order of the states declaring them.
    const timers: Array<{ id: number; slot: number; node: Timer; source: TreeNode; label: string; ms: number }> = [];
    for (const node of tree.nodes) {
        for (const timer of node.state?.timers ?? []) {
            timers.push({ id: events.views.length + timers.length, slot: timers.length, node: timer, source: node, label: `after ${timer.delay}`, ms: durationMs(timer.delay) });
        }
    }
    const doneIds = new Map<TreeNode, number>();
    for (const node of tree.nodes) {
        if (node.state?.transitions.some((transition) => transition.done)) {
            doneIds.set(node, events.views.length + timers.length + doneIds.size);
        }
    }

    // Every transition of the tree, numbered: each state's `on` transitions that can fire, then its timers.
    const triggers: Trigger[] = [];
    const indexOf = new Map<Transition | Timer, number>();
    for (const node of tree.nodes) {
        if (!node.state) {
            continue;
        }
        for (const transition of firing(node.state)) {
            indexOf.set(transition, triggers.length);
            const eventExpression = transition.done ? String(doneIds.get(node)) : `${context.names.eventsConst}.${events.of(transition.event?.ref).key}`;
            triggers.push({ source: node, node: transition, eventExpression });
        }
        for (const timer of timers.filter((each) => each.source === node)) {
            indexOf.set(timer.node, triggers.length);
            triggers.push({ source: node, node: timer.node, eventExpression: String(timer.id) });
        }
    }
    const transitions = triggers.map(({ source, node, eventExpression }, index): TreeTransitionView => {
        const written = node.target?.ref;
        return {
            index,
            source: source.name,
            sourceIndex: source.index,
            eventExpression,
            ...(written ? { target: written.name } : {}),
            actions: calls(node.actions),
            ...sequences(tree, source, node.target),
            comment: `${source.name}: ${sourceText(node)}`
        };
    });

    // Atomic states choose among their own transitions, then their ancestors', outwards.
    const regionOf = new Map<TreeNode, number>([[tree.root, 0]]);
    tree.nodes.filter((node) => node.kind === 'region').forEach((region, i) => regionOf.set(region, i + 1));
    const handlers = new Map<number, TreeHandlerView[]>();
    for (const leaf of tree.nodes.filter((node) => node.kind === 'atomic')) {
        const list: TreeHandlerView[] = [];
        for (const event of events.views) {
            const branches: TreeHandlerView['branches'] = [];
            let exhaustive = false;
            for (let state: TreeNode | undefined = leaf; state?.state && !exhaustive; state = state.parent) {
                for (const transition of firing(state.state)) {
                    if (transition.done || transition.event?.ref?.name !== event.name) {
                        continue;
                    }
                    const guard = guardCall(transition, members);
                    branches.push({ transition: indexOf.get(transition)!, ...(guard ? { guard } : {}), shared: tree.hasParallel(state), comment: `${state.name}: ${sourceText(transition)}` });
                    if (!guard) {
                        exhaustive = true;
                        break;
                    }
                }
                while (state.parent?.kind === 'region') {
                    state = state.parent;
                }
            }
            if (branches.length > 0) {
                list.push({ event, branches, exhaustive });
            }
        }
        handlers.set(leaf.index, list);
    }

    const nodeViews = tree.nodes.map((node): TreeNodeView => {
        const parent = node.parent;
        const view: TreeNodeView = {
            index: node.index,
            name: node.name,
            kind: node.kind === 'root' ? 'compound' : node.kind,
            parent: parent?.index ?? -1,
            children: node.children.map((child) => child.index),
            final: node.state?.final ?? false,
            entry: calls(node.state?.entries.flatMap((block) => block.actions) ?? []),
            exit: calls(node.state?.exits.flatMap((block) => block.actions) ?? []),
            timers: timers.filter((timer) => timer.source === node).map(({ slot, ms, id }) => ({ slot, ms, id })),
            remembers: node.histories.map((history) => ({
                history: tree.historyIndex(history),
                what: tree.remembersRegions(history) ? 'snapshot' : history.deep ? 'leaf' : node.kind === 'parallel' ? 'regions' : 'child'
            }))
        };
        if (node.kind === 'atomic' && node.state) {
            let region = node.parent;
            while (region && region.kind !== 'region' && region !== tree.root) {
                region = region.parent;
            }
            view.leaf = { ...names.states.get(node.state)!, region: regionOf.get(region ?? tree.root)! };
        }
        if (view.final && parent && parent !== tree.root) {
            const grandparent = parent.parent;
            const parentDone = doneIds.get(parent);
            const parallelDone = grandparent?.kind === 'parallel' ? doneIds.get(grandparent) : undefined;
            view.completes = {
                ...(parentDone !== undefined ? { parentDone } : {}),
                ...(parallelDone !== undefined ? { parallelDone: { id: parallelDone, regions: grandparent!.children.map((region) => region.index) } } : {})
            };
        }
        return view;
    });

    const hierarchy: HierarchyView = {
        parallel,
        nodes: nodeViews,
        regionCount: regionOf.size,
        historyCount: tree.histories.length,
        restorable: tree.nodes
            .filter((node) => node.kind !== 'atomic' && tree.histories.some((history) => tree.remembersRegions(history) && (tree.holderOf(history) === node || GeneratorTree.isDescendant(node, tree.holderOf(history)))))
            .map((node) => node.index),
        initialName: tree.root.initial?.name ?? '',
        startEnters: tree.root.initial ? tree.entrySet([tree.root.initial], undefined).map((node) => node.index) : [],
        transitions,
        handlers,
        timers: timers.map(({ id, slot, node }) => ({ id, slot, transition: indexOf.get(node)! })),
        completions: [...doneIds].map(([node, id]) => ({
            id,
            state: node.index,
            parent: node.parent!.index,
            branches: firing(node.state!)
                .filter((transition) => transition.done)
                .map((transition) => {
                    const guard = guardCall(transition, members);
                    return { transition: indexOf.get(transition)!, ...(guard ? { guard } : {}) };
                })
        }))
    };

    const stateViews = states.map((state): StateView => {
        const node = tree.of(state);
        return {
            name: state.name,
            className: names.states.get(state)!.className,
            constName: names.states.get(state)!.constName,
            initial: state.initial,
            final: state.final,
            entry: [],
            exit: [],
            handlers: [],
            timers: timers
                .filter((timer) => timer.source === node)
                .map(({ id, label, slot, ms, node: timer }): TimerView => ({ id, label, slot, ms, branch: { actions: calls(timer.actions), source: sourceText(timer) } }))
        };
    });
    const sockets = machine.sockets.map((socket) => socketView(socket, { names: context.names, moduleNames: names, socketKeys: keys, events, members, namesOf: context.namesOf }));
    return {
        ...context.names,
        sourceFile: context.sourceFile,
        generatorVersion: context.generatorVersion,
        events: [...events.views],
        timerCount: timers.length,
        states: stateViews,
        initial: stateViews[Math.max(0, states.indexOf(tree.root.initial?.state ?? states[0]!))]!,
        sockets,
        signals: machine.signals.map((signal) => ({ signal: signal.signal, eventKey: events.of(signal.event.ref).key })),
        signalsConst: names.signalsConst,
        members: [...members.views],
        serverSessions: [...new Set(sockets.flatMap((socket) => (socket.kind === 'server' ? [socket.session] : [])))],
        sessionMachines: context.sessionMachines,
        isSession: context.isSession,
        hierarchy
    };
}
