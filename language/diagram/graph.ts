// A machine as a diagram graph: states, transitions and timers, and the sockets and signals that raise its events.
// Every element keeps the source range it came from; sizes come from the text it shows.
import { GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import type { Diagnostic, Range } from 'vscode-languageserver';
import { analyzeMachine } from '../analysis/machine-analysis.js';
import { sourceText } from '../ast/source-text.js';
import type { Machine, Socket, State, Timer, Transition } from '../generated/ast.js';
import { nodeSize, textWidth, type Badge, type DiagramEdge, type DiagramGraph, type DiagramNode, type EdgeKind } from './geometry/graph-types.js';
import { TEXT } from './geometry/spacing.js';
import { messageText, severityWord } from '../validation/diagnostic-words.js';

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
            : `${trigger.event?.$refText ?? '?'}${trigger.guard ? ` [${trigger.guard.negated ? '!' : ''}${trigger.guard.name}]` : ''}`;
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

/** Builds the graph of `machine`; `document` supplies the diagnostics shown as badges on states. */
export function buildDiagramGraph(machine: Machine, document?: LangiumDocument): DiagramGraph {
    const analysis = analyzeMachine(machine);
    const diagnostics = document?.diagnostics ?? [];
    /** The document's diagnostics inside `node`, as badges. */
    const badgesIn = (node: AstNode): Badge[] => (node.$cstNode ? diagnostics.filter((d) => contains(node.$cstNode!.range, d.range)).map(badgeOf) : []);
    const stateIds = new Map<State, string>(analysis.states.map((state, index) => [state, `state:${index}`]));
    const nodes: DiagramNode[] = [];
    const edges: DiagramEdge[] = [];
    const edge = (kind: EdgeKind, source: string, target: string, label: string, range?: Range): void => {
        edges.push({ id: `edge:${edges.length}`, kind, source, target, label, labelWidth: Math.ceil(textWidth([label])), labelHeight: label ? TEXT.lineHeight : 0, ...(range ? { range } : {}) });
    };

    if (analysis.initial) {
        // The start marker and its arrow stand for the `initial` keyword.
        const initialRange = (GrammarUtils.findNodeForKeyword(analysis.initial.$cstNode, 'initial') ?? analysis.initial.$cstNode)?.range;
        nodes.push(makeNode({ id: 'start', kind: 'start', label: '', width: 16, height: 16, range: initialRange }));
        edge('start', 'start', stateIds.get(analysis.initial)!, '', initialRange);
    }

    for (const state of analysis.states) {
        const id = stateIds.get(state)!;
        const details = [
            ...state.entries.map((block) => `entry ${block.actions.map(sourceText).join(', ')}`),
            ...state.exits.map((block) => `exit ${block.actions.map(sourceText).join(', ')}`)
        ];
        const internal = state.transitions.filter((transition) => !transition.target).map(triggerLabel);
        nodes.push(
            makeNode({
                id,
                kind: 'state',
                label: state.name ?? '?',
                details,
                internal,
                initial: state.initial,
                final: state.final,
                unreachable: analysis.initial !== undefined && !analysis.reachable.has(state),
                terminal: analysis.terminal.has(state),
                trap: analysis.traps.has(state),
                badges: badgesIn(state),
                range: nameRange(state)
            })
        );
        for (const { target, trigger } of analysis.outgoing.get(state)!) {
            edge(trigger.$type === 'Timer' ? 'timer' : 'transition', id, stateIds.get(target)!, triggerLabel(trigger), rangeOf(trigger));
        }
    }

    // Event sources: one node per socket and signal, an edge to every state that handles what it raises.
    const handlers = (eventName: string): State[] => analysis.states.filter((state) => state.transitions.some((transition) => transition.event?.ref?.name === eventName));
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
        const detail = socket.$type === 'Connection' ? 'connection' : `${socket.$type.toLowerCase()} ${socket.address ?? '?'}`;
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
