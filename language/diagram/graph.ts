// A machine as a diagram graph: states (composite ones holding theirs), regions, histories, transitions and timers,
// and the sockets and signals that raise its events.
// Every element keeps the source range it came from; sizes come from the text it shows.
import { GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import type { Diagnostic, Range } from 'vscode-languageserver';
import { analyzeMachine, type MachineAnalysis } from '../analysis/machine-analysis.js';
import { sourceText } from '../ast/source-text.js';
import { allHistories, allRegions, allStates } from '../ast/hierarchy.js';
import { isHistory, type History, type Machine, type Region, type Socket, type State, type Target, type Timer, type Transition } from '../generated/ast.js';
import { nodeSize, textWidth, type Badge, type DiagramEdge, type DiagramGraph, type DiagramNode, type EdgeKind } from './geometry/graph-types.js';
import { TEXT } from './geometry/spacing.js';
import { messageText, severityWord } from '../validation/diagnostic-words.js';
import { socketDetail } from '../ast/socket-detail.js';

function rangeOf(node: AstNode | undefined): Range | undefined {
    return node?.$cstNode?.range;
}

/** The range of the node's name, for revealing it in the editor. */
function nameRange(node: AstNode): Range | undefined {
    return (GrammarUtils.findNodeForProperty(node.$cstNode, 'name') ?? node.$cstNode)?.range;
}

/** What fires a transition or timer and what it does, as written: `Data [ready] / printReply`, `after 1s / connect upstream`. */
export function triggerLabel(trigger: Transition | Timer): string {
    const head =
        trigger.$type === 'Timer'
            ? `after ${trigger.delay}`
            : `${trigger.done ? 'done' : (trigger.event?.$refText ?? '?')}${trigger.guard ? ` [${trigger.guard.negated ? '!' : ''}${trigger.guard.name}]` : ''}`;
    const actions = trigger.actions.map(sourceText).filter((text) => text !== '');
    return actions.length > 0 ? `${head} / ${actions.join(', ')}` : head;
}

/** A node with no flags, badges or internal lines unless given, sized to its text; a range only where the source has one. */
function makeNode(
    { range, ...fields }: Pick<DiagramNode, 'id' | 'kind' | 'label'> & Omit<Partial<DiagramNode>, 'range'> & { range: Range | undefined },
    minWidth = 64
): DiagramNode {
    const details = fields.details ?? [];
    const internal = fields.internal ?? [];
    return {
        details,
        internal,
        raised: [],
        initial: false,
        final: false,
        unreachable: false,
        terminal: false,
        trap: false,
        badges: [],
        ...nodeSize(fields.label, [...details, ...internal], minWidth),
        ...fields,
        ...(range ? { range } : {})
    };
}

function badgeSeverity(diagnostic: Diagnostic): Badge['severity'] {
    const word = severityWord(diagnostic);
    return word === 'hint' ? 'info' : word;
}

function badgeOf(diagnostic: Diagnostic): Badge {
    return {
        severity: badgeSeverity(diagnostic),
        code: String(diagnostic.code ?? ''),
        message: messageText(diagnostic)
    };
}

function contains(outer: Range, inner: Range): boolean {
    const before = (a: Range['start'], b: Range['start']): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
    return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/**
 * Builds the graph of `machine`; `document` supplies the diagnostics shown as badges on states, `analysis` the flags
 * (pass the container's `analysis.MachineAnalyzer` result to reuse the one the checks computed).
 */
export function buildDiagramGraph(machine: Machine, document?: LangiumDocument, analysis: MachineAnalysis = analyzeMachine(machine)): DiagramGraph {
    // The analysis speaks of the states it covers: flags come from it only for those.
    const analysed = new Set(analysis.states);
    const diagnostics = document?.diagnostics ?? [];
    /** The document's diagnostics inside `node` but not inside any of `inner` (the states a composite holds), as badges. */
    const badgesIn = (node: AstNode, inner: readonly AstNode[] = []): Badge[] => {
        const within = (range: Range) => (other: AstNode): boolean => other.$cstNode !== undefined && contains(other.$cstNode.range, range);
        return node.$cstNode ? diagnostics.filter((d) => contains(node.$cstNode!.range, d.range) && !inner.some(within(d.range))).map(badgeOf) : [];
    };
    const states = allStates(machine);
    const stateIds = new Map<State, string>(states.map((state, index) => [state, `state:${index}`]));
    const historyIds = new Map<History, string>(allHistories(machine).map((history, index) => [history, `history:${index}`]));
    const regionIds = new Map<Region, string>(allRegions(machine).map((region, index) => [region, `region:${index}`]));
    const targetId = (target: Target | undefined): string | undefined => (target === undefined ? undefined : isHistory(target) ? historyIds.get(target) : stateIds.get(target));
    const nodes: DiagramNode[] = [];
    const edges: DiagramEdge[] = [];
    const edge = (kind: EdgeKind, source: string, target: string, label: string, range?: Range): void => {
        edges.push({ id: `edge:${edges.length}`, kind, source, target, label, labelWidth: Math.ceil(textWidth([label])), labelHeight: label ? TEXT.lineHeight : 0, ...(range ? { range } : {}) });
    };
    /** The `initial` keyword of a state: what the start marker and its arrow stand for. */
    const initialRange = (state: State): Range | undefined => (GrammarUtils.findNodeForKeyword(state.$cstNode, 'initial') ?? state.$cstNode)?.range;
    // Inside composites: their start markers and the defaults of their histories, drawn after the machine's start.
    const nested: Array<() => void> = [];

    // The machine starts in its first top-level state marked `initial`.
    const initial = machine.states.find((state) => state.initial);
    if (initial) {
        nodes.push(makeNode({ id: 'start', kind: 'start', label: '', width: 16, height: 16, range: initialRange(initial) }));
        edge('start', 'start', stateIds.get(initial)!, '', initialRange(initial));
    }

    const stateNode = (state: State, parent: string | undefined): DiagramNode => {
        const details = [
            ...state.entries.map((block) => `entry ${block.actions.map(sourceText).join(', ')}`),
            ...state.exits.map((block) => `exit ${block.actions.map(sourceText).join(', ')}`)
        ];
        const internal = state.transitions.filter((transition) => !transition.target).map(triggerLabel);
        const known = analysed.has(state);
        return makeNode({
            id: stateIds.get(state)!,
            kind: 'state',
            label: state.name ?? '?',
            details,
            internal,
            initial: state.initial,
            final: state.final,
            unreachable: analysis.unreachable.has(state),
            terminal: known && analysis.terminal.has(state),
            trap: known && analysis.traps.has(state),
            badges: badgesIn(state, [...state.states, ...state.regions, ...state.histories]),
            range: nameRange(state),
            ...(parent ? { parent } : {})
        });
    };
    /** The states, histories and start marker `container` holds (a composite state or a region), then theirs. */
    const visit = (container: State | Region, parent: string): void => {
        const initial = container.states.find((state) => state.initial);
        if (initial) {
            const id = `start:${parent}`;
            nodes.push(makeNode({ id, kind: 'start', label: '', width: 16, height: 16, range: initialRange(initial), parent }));
            nested.push(() => edge('start', id, stateIds.get(initial)!, '', initialRange(initial)));
        }
        for (const history of container.histories) {
            const id = historyIds.get(history)!;
            nodes.push(makeNode({ id, kind: 'history', label: history.deep ? 'H*' : 'H', details: [history.name ?? '?'], badges: badgesIn(history), range: nameRange(history), parent, width: 28, height: 28 }));
            const target = history.default?.ref;
            if (target && stateIds.has(target)) {
                const range = GrammarUtils.findNodeForProperty(history.$cstNode, 'default')?.range;
                nested.push(() => edge('default', id, stateIds.get(target)!, '', range));
            }
        }
        visitStates(container.states, parent);
    };
    const visitStates = (list: readonly State[], parent: string | undefined): void => {
        for (const state of list) {
            const id = stateIds.get(state)!;
            nodes.push(stateNode(state, parent));
            if (state.states.length > 0 || state.histories.length > 0) {
                visit(state, id);
            }
            for (const region of state.regions) {
                const regionId = regionIds.get(region)!;
                const label = region.name ?? '?';
                nodes.push(makeNode({ id: regionId, kind: 'region', label, badges: badgesIn(region, [...region.states, ...region.histories]), range: nameRange(region), parent: id, width: Math.ceil(textWidth([label]) + 2 * TEXT.padding), height: TEXT.lineHeight + 8 }));
                visit(region, regionId);
            }
        }
    };
    visitStates(machine.states, undefined);
    nested.forEach((draw) => draw());

    for (const state of states) {
        const id = stateIds.get(state)!;
        // Transitions, then timers, in source order; a transition to a history ends on its circle.
        for (const trigger of [...state.transitions, ...state.timers]) {
            const target = targetId(trigger.target?.ref);
            if (target) {
                edge(trigger.$type === 'Timer' ? 'timer' : 'transition', id, target, triggerLabel(trigger), rangeOf(trigger));
            }
        }
    }

    // Event sources: one node per socket and signal, an edge to every state that handles what it raises.
    const handlers = (eventName: string): State[] => states.filter((state) => state.transitions.some((transition) => transition.event?.ref?.name === eventName));
    const sourceEdges = (sourceId: string, raised: Array<{ via: string; event: string; range: Range | undefined }>): void => {
        const byState = new Map<State, { labels: string[]; range: Range | undefined }>();
        for (const { via, event, range } of raised) {
            for (const state of handlers(event)) {
                const entry = byState.get(state) ?? { labels: [], range };
                entry.labels.push(sourceId === 'signals' ? event : `${via}→${event}`);
                byState.set(state, entry);
            }
        }
        // The arrow reveals the first mapping that raises what the state handles.
        for (const [state, { labels, range }] of byState) {
            edge('raises', sourceId, stateIds.get(state)!, [...new Set(labels)].join(', '), range);
        }
    };
    machine.sockets.forEach((socket: Socket, index) => {
        const id = `socket:${index}`;
        const detail = socketDetail(socket);
        nodes.push(
            makeNode({
                id,
                kind: 'socket',
                label: socket.name ?? '?',
                details: [detail],
                badges: badgesIn(socket),
                range: nameRange(socket)
            })
        );
        sourceEdges(
            id,
            socket.members.flatMap((member) => {
                switch (member.$type) {
                    case 'EventMapping':
                        return [{ via: member.socketEvent, event: member.event?.$refText ?? '', range: rangeOf(member) }];
                    case 'HeartbeatOption':
                        return [{ via: 'heartbeat', event: member.event?.$refText ?? '', range: rangeOf(member) }];
                    case 'IdleOption':
                        return [{ via: 'idle', event: member.event?.$refText ?? '', range: rangeOf(member) }];
                    default:
                        return [];
                }
            })
        );
        const session = socket.members.find((member) => member.$type === 'SessionOption');
        const sessionMachine = session?.$type === 'SessionOption' ? session.machine?.$refText : undefined;
        if (sessionMachine) {
            const sessionId = `session:${index}`;
            nodes.push(makeNode({ id: sessionId, kind: 'session', label: sessionMachine, details: ['session machine'], range: rangeOf(session) }));
            edge('session', id, sessionId, 'each connection', rangeOf(session));
        }
    });
    // Signals: one node for all of them, so a shutdown bound to SIGINT and SIGTERM is one arrow per state, not two.
    const signals = machine.signals.filter((signal) => signal.signal !== undefined);
    if (signals.length > 0) {
        const label = signals.map((signal) => signal.signal).join(', ');
        nodes.push(makeNode({ id: 'signals', kind: 'signal', label, details: ['signals'], range: rangeOf(signals[0]) }, 48));
        sourceEdges('signals', signals.map((signal) => ({ via: signal.signal, event: signal.event?.$refText ?? '', range: rangeOf(signal) })));
    }

    return { machine: machine.name ?? '?', nodes, edges };
}
