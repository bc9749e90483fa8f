// Hover: what a keyword does (with an example), and for states, events, sockets and machines what the analysis knows.
import { AstUtils, GrammarAST, type AstNode, type MaybePromise } from 'langium';
import { MultilineCommentHoverProvider } from 'langium/lsp';
import type { Hover } from 'vscode-languageserver';
import { analyzeMachine, type EventProducer } from '../analysis/machine-analysis.js';
import { isEvent, isMachine, isSocket, isState, type Event, type Machine, type Socket, type State, type Timer, type Transition } from '../generated/ast.js';
import { keywordDoc, keywordMarkdown } from './keyword-docs.js';
import { machineOf } from '../ast/hierarchy.js';

function triggerText(trigger: Transition | Timer): string {
    return trigger.$type === 'Timer' ? `after ${trigger.delay}` : trigger.event?.$refText ?? '?';
}

function actionsText(trigger: Transition | Timer): string {
    const texts = trigger.actions.map((action) => action.$cstNode?.text ?? '').filter((text) => text !== '');
    return texts.length > 0 ? ` / ${texts.join(', ')}` : '';
}

function stateHover(state: State): string {
    const machine = machineOf(state);
    const analysis = analyzeMachine(machine);
    const kind = [state.initial ? 'initial' : '', state.final ? 'final' : ''].filter((word) => word !== '').join(' ');
    const status = analysis.reachable.has(state)
        ? 'reachable'
        : analysis.initial
          ? `**unreachable** from \`${analysis.initial.name}\``
          : 'no initial state';
    const notes = [analysis.terminal.has(state) ? '**stuck**: nothing leaves it' : '', analysis.traps.has(state) ? 'no final state can be reached from here' : ''].filter((note) => note !== '');
    const incoming = [...analysis.outgoing.values()].flat().filter((edge) => edge.target === state).map((edge) => `\`${edge.source.name}\` —${triggerText(edge.trigger)}→`);
    const outgoing = [
        ...(analysis.outgoing.get(state) ?? []).map((edge) => `—${triggerText(edge.trigger)}→ \`${edge.target.name}\`${actionsText(edge.trigger)}`),
        ...state.transitions.filter((transition) => !transition.target).map((transition) => `${triggerText(transition)}${actionsText(transition)} (internal)`)
    ];
    return [
        `**${kind ? `${kind} ` : ''}state** \`${state.name}\` of \`${machine.name}\` · ${status}`,
        ...notes,
        `in: ${incoming.length > 0 ? incoming.join(' · ') : '—'}`,
        `out: ${outgoing.length > 0 ? outgoing.join(' · ') : '—'}`
    ].join('\n\n');
}

function producerText(producer: EventProducer): string {
    switch (producer.$type) {
        case 'EventMapping':
            return `\`${producer.socketEvent}\` on ${producer.$container.$type.toLowerCase()} \`${producer.$container.name}\``;
        case 'HeartbeatOption':
            return `heartbeat on \`${producer.$container.name}\``;
        case 'IdleOption':
            return `idle on \`${producer.$container.name}\``;
        case 'Signal':
            return producer.signal;
        case 'RaiseAction':
            return `\`raise\` in \`${AstUtils.getContainerOfType(producer, isState)?.name ?? '?'}\``;
    }
}

function eventHover(event: Event): string {
    const machine = event.$container.$container;
    const analysis = analyzeMachine(machine);
    const producers = (analysis.producers.get(event) ?? []).map(producerText);
    const handlers = analysis.states.filter((state) => state.transitions.some((transition) => transition.event?.ref === event)).map((state) => `\`${state.name}\``);
    return [
        `**event** \`${event.name}\` of \`${machine.name}\``,
        `produced by: ${producers.length > 0 ? producers.join(' · ') : 'nothing in the model (user code may dispatch it)'}`,
        `handled in: ${handlers.length > 0 ? handlers.join(' · ') : 'no state'}`
    ].join('\n\n');
}

function socketHover(socket: Socket): string {
    const where = socket.$type === 'Connection' ? 'the accepted socket of a session' : `${socket.$type === 'Server' ? 'listens on' : 'connects to'} \`${socket.address}\``;
    const members = socket.members.map((member) => `\`${member.$cstNode?.text.replace(/\s+/g, ' ') ?? ''}\``);
    return [`**${socket.$type.toLowerCase()}** \`${socket.name}\` · ${where}`, members.length > 0 ? members.join(' · ') : 'no options'].join('\n\n');
}

function machineHover(machine: Machine): string {
    const analysis = analyzeMachine(machine);
    return [
        `**machine** \`${machine.name}\` · ${analysis.states.length} states, ${analysis.events.length} events, ${machine.sockets.length} sockets, ${machine.signals.length} signals`,
        analysis.initial ? `starts in \`${analysis.initial.name}\`` : 'no initial state'
    ].join('\n\n');
}

export class ReactorFsmHoverProvider extends MultilineCommentHoverProvider {
    protected override async getAstNodeHoverContent(node: AstNode): Promise<string | undefined> {
        const comment = await super.getAstNodeHoverContent(node);
        const facts = isState(node) ? stateHover(node) : isEvent(node) ? eventHover(node) : isSocket(node) ? socketHover(node) : isMachine(node) ? machineHover(node) : undefined;
        const parts = [facts, comment].filter((part): part is string => part !== undefined && part !== '');
        return parts.length > 0 ? parts.join('\n\n---\n\n') : undefined;
    }

    protected override getKeywordHoverContent(node: AstNode): MaybePromise<Hover | undefined> {
        if (!GrammarAST.isKeyword(node)) {
            return undefined;
        }
        const doc = keywordDoc(node);
        return doc ? { contents: { kind: 'markdown', value: keywordMarkdown(node.value, doc) } } : undefined;
    }
}
