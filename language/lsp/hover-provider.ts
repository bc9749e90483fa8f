// Hover: what a keyword does (with an example); for states, events, sockets and machines what the analysis knows; where a
// state, region or history sits in the hierarchy.
import { AstUtils, GrammarAST, type AstNode, type MaybePromise } from 'langium';
import { MultilineCommentHoverProvider } from 'langium/lsp';
import type { Hover } from 'vscode-languageserver';
import type { EventProducer, MachineAnalysis } from '../analysis/machine-analysis.js';
import type { MachineAnalyzer } from '../analysis/machine-analyzer.js';
import { isEvent, isHistory, isMachine, isRegion, isSocket, isState, type Event, type History, type Machine, type Region, type Socket, type State, type Timer, type Transition } from '../generated/ast.js';
import { keywordDoc, keywordMarkdown } from './keyword-docs.js';
import { allStates, isComposite, isHierarchical, machineOf } from '../ast/hierarchy.js';
import type { ReactorFsmServices } from '../module.js';
import { commandText } from '../ast/socket-detail.js';

function triggerText(trigger: Transition | Timer): string {
    return trigger.$type === 'Timer' ? `after ${trigger.delay}` : trigger.done ? 'done' : trigger.event?.$refText ?? '?';
}

/** `in Settings › Sound`: the states and regions around a node, outermost first; empty at the top level. */
function placeText(node: State | Region | History): string {
    const names: string[] = [];
    for (let container = node.$container; isState(container) || isRegion(container); container = container.$container) {
        names.unshift(container.name);
    }
    return names.length > 0 ? `in ${names.join(' › ')}` : '';
}

/** `atomic`, `composite` or `parallel`: said only in a machine with a hierarchy, where the difference matters. */
function structureText(state: State): string {
    if (state.parallel) {
        return 'parallel';
    }
    if (isComposite(state)) {
        return 'composite';
    }
    return isHierarchical(machineOf(state)) ? 'atomic' : '';
}

function childText(state: State): string {
    return `\`${state.name}\`${state.initial ? ' (initial)' : ''}${state.final ? ' (final)' : ''}`;
}

/** What a composite state or region holds: its states, regions and histories. */
function contentsText(holder: State | Region): string[] {
    const regions = isState(holder) ? holder.regions.map((region) => `\`${region.name}\``) : [];
    return [
        regions.length > 0 ? `regions: ${regions.join(' · ')}` : '',
        holder.states.length > 0 ? `states: ${holder.states.map(childText).join(' · ')}` : '',
        holder.histories.length > 0 ? `histories: ${holder.histories.map((history) => `\`${history.name}\`${history.deep ? ' (deep)' : ''}`).join(' · ')}` : ''
    ].filter((line) => line !== '');
}

function actionsText(trigger: Transition | Timer): string {
    const texts = trigger.actions.map((action) => action.$cstNode?.text ?? '').filter((text) => text !== '');
    return texts.length > 0 ? ` / ${texts.join(', ')}` : '';
}

/** Whether the machine can get to `state`, when the analysis can tell. */
function statusText(state: State, analysis: MachineAnalysis): string {
    if (analysis.reachable.has(state)) {
        return 'reachable';
    }
    if (!analysis.initial) {
        return 'no initial state';
    }
    return analysis.unreachable.has(state)
        ? `**unreachable** from \`${analysis.initial.name}\``
        : 'reachability undecided: a composite state or region lacks its one initial child';
}

function stateHover(state: State, analysis: MachineAnalysis): string {
    const machine = analysis.machine;
    const kind = [state.initial ? 'initial' : '', state.final ? 'final' : '', structureText(state)].filter((word) => word !== '').join(' ');
    const place = placeText(state);
    const status = statusText(state, analysis);
    const notes = [analysis.terminal.has(state) ? '**stuck**: nothing leaves it' : '', analysis.traps.has(state) ? 'no final state can be reached from here' : ''].filter((note) => note !== '');
    const incoming = [...analysis.outgoing.values()].flat().filter((edge) => edge.target === state).map((edge) => `\`${edge.source.name}\` —${triggerText(edge.trigger)}→`);
    const outgoing = [
        // The target as written: `-> Resume` names the history, not the state it re-enters.
        ...(analysis.outgoing.get(state) ?? []).map((edge) => `—${triggerText(edge.trigger)}→ \`${edge.trigger.target?.$refText ?? edge.target.name}\`${actionsText(edge.trigger)}`),
        ...state.transitions.filter((transition) => !transition.target).map((transition) => `${triggerText(transition)}${actionsText(transition)} (internal)`)
    ];
    return [
        `**${kind ? `${kind} ` : ''}state** \`${state.name}\` of \`${machine.name}\` · ${place ? `${place} · ` : ''}${status}`,
        ...notes,
        ...contentsText(state),
        `in: ${incoming.length > 0 ? incoming.join(' · ') : '—'}`,
        `out: ${outgoing.length > 0 ? outgoing.join(' · ') : '—'}`
    ].join('\n\n');
}

function historyHover(history: History): string {
    // A history belongs to the state or region that holds it (a region is compound, as in SCXML).
    const owner = history.$container;
    const ownerName = `${owner.$type === 'Region' ? 'region ' : ''}\`${owner.name}\``;
    const initial = owner.states.find((state) => state.initial);
    const fallback = history.default?.ref
        ? `default: \`${history.default.ref.name}\``
        : initial
          ? `default: the initial child \`${initial.name}\``
          : `no default: ${ownerName} has no initial child`;
    const targeting = allStates(machineOf(history)).flatMap((state) =>
        [...state.transitions, ...state.timers].filter((trigger) => trigger.target?.ref === history).map((trigger) => `\`${state.name}\` —${triggerText(trigger)}→`)
    );
    return [
        `**${history.deep ? 'deep' : 'shallow'} history** \`${history.name}\` of ${ownerName} · ${placeText(history)}`,
        history.deep ? `re-enters every state inside ${ownerName} that was active when it was last left` : `re-enters the child of ${ownerName} that was active when it was last left`,
        `${fallback} (the first time)`,
        `targeted by: ${targeting.length > 0 ? targeting.join(' · ') : '—'}`
    ].join('\n\n');
}

function regionHover(region: Region): string {
    const owner = region.$container;
    const place = placeText(region);
    return [`**region** \`${region.name}\` of ${owner.parallel ? 'parallel ' : ''}state \`${owner.name}\` · ${place}`, ...contentsText(region)].join('\n\n');
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

function eventHover(event: Event, analysis: MachineAnalysis): string {
    const machine = analysis.machine;
    const producers = (analysis.producers.get(event) ?? []).map(producerText);
    const handlers = analysis.states.filter((state) => state.transitions.some((transition) => transition.event?.ref === event)).map((state) => `\`${state.name}\``);
    return [
        `**event** \`${event.name}\` of \`${machine.name}\``,
        `produced by: ${producers.length > 0 ? producers.join(' · ') : 'nothing in the model (user code may dispatch it)'}`,
        `handled in: ${handlers.length > 0 ? handlers.join(' · ') : 'no state'}`
    ].join('\n\n');
}

function socketHover(socket: Socket): string {
    const where =
        socket.$type === 'Connection'
            ? 'the accepted socket of a session'
            : socket.$type === 'Process'
              ? `runs \`${commandText(socket)}\` (stdout read, stdin written)`
              : `${socket.$type === 'Server' ? 'listens on' : 'connects to'} \`${socket.address}\``;
    const members = socket.members.map((member) => `\`${member.$cstNode?.text.replace(/\s+/g, ' ') ?? ''}\``);
    return [`**${socket.$type.toLowerCase()}** \`${socket.name}\` · ${where}`, members.length > 0 ? members.join(' · ') : 'no options'].join('\n\n');
}

function machineHover(machine: Machine, analysis: MachineAnalysis): string {
    return [
        `**machine** \`${machine.name}\` · ${analysis.states.length} states, ${analysis.events.length} events, ${machine.sockets.length} sockets, ${machine.signals.length} signals`,
        analysis.initial ? `starts in \`${analysis.initial.name}\`` : 'no initial state'
    ].join('\n\n');
}

/** What the model says about a declaration, for the kinds that have something to say. */
function factsOf(node: AstNode, analyzer: MachineAnalyzer): string | undefined {
    if (isState(node)) {
        return stateHover(node, analyzer.analyze(machineOf(node)));
    }
    if (isHistory(node)) {
        return historyHover(node);
    }
    if (isRegion(node)) {
        return regionHover(node);
    }
    if (isEvent(node)) {
        return eventHover(node, analyzer.analyze(node.$container.$container));
    }
    if (isSocket(node)) {
        return socketHover(node);
    }
    return isMachine(node) ? machineHover(node, analyzer.analyze(node)) : undefined;
}

export class ReactorFsmHoverProvider extends MultilineCommentHoverProvider {
    private readonly analyzer: MachineAnalyzer;

    constructor(services: ReactorFsmServices) {
        super(services);
        this.analyzer = services.analysis.MachineAnalyzer;
    }

    protected override async getAstNodeHoverContent(node: AstNode): Promise<string | undefined> {
        const comment = await super.getAstNodeHoverContent(node);
        const facts = factsOf(node, this.analyzer);
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
