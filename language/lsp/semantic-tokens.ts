// Semantic highlighting by role: the same word is coloured as what it is where it stands
// (`read` is an event name in `events read`, a state in `state read`, a socket event in `read -> Data`; `-> H` a history).
import { AstUtils, CstUtils, GrammarAST, GrammarUtils, isLeafCstNode, type AstNode, type CstNode, type LeafCstNode, type Properties } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor, type SemanticTokenRangeOptions } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import { isHistory, type Model, type ReactorFsmAstType, type State } from '../generated/ast.js';
import type { MachineAnalyzer } from '../analysis/machine-analyzer.js';
import { machineOf } from '../ast/hierarchy.js';
import type { ReactorFsmServices } from '../module.js';

type ReactorFsmNode = ReactorFsmAstType[keyof ReactorFsmAstType];

const { abstract, declaration, defaultLibrary, deprecated, readonly } = SemanticTokenModifiers;

/**
 * The token type and modifiers of each role (keep the table in the docs in step with this one).
 * Every word of a model gets a token, keywords and comments included, so the colours never depend on a
 * TextMate grammar guessing from the word alone.
 */
export const ReactorFsmTokenRoles = {
    machine: { type: SemanticTokenTypes.class },
    state: { type: SemanticTokenTypes.enumMember },
    // A region groups states as a namespace groups names; a history is a target like a state, but a pseudo-state.
    region: { type: SemanticTokenTypes.namespace },
    history: { type: SemanticTokenTypes.enumMember, modifier: [abstract] },
    event: { type: SemanticTokenTypes.event },
    // `done` in `on done`: the event the language raises when a composite state completes.
    completionEvent: { type: SemanticTokenTypes.event, modifier: [defaultLibrary] },
    socket: { type: SemanticTokenTypes.variable, modifier: [readonly] },
    userAction: { type: SemanticTokenTypes.function },
    guard: { type: SemanticTokenTypes.function, modifier: [readonly] },
    builtinAction: { type: SemanticTokenTypes.function, modifier: [defaultLibrary] },
    socketEvent: { type: SemanticTokenTypes.event, modifier: [defaultLibrary] },
    option: { type: SemanticTokenTypes.property },
    signal: { type: SemanticTokenTypes.macro },
    quantity: { type: SemanticTokenTypes.number },
    address: { type: SemanticTokenTypes.string },
    // The text of `send NAME "…"` and a framing's delimiter.
    text: { type: SemanticTokenTypes.string },
    negation: { type: SemanticTokenTypes.operator },
    keyword: { type: SemanticTokenTypes.keyword },
    comment: { type: SemanticTokenTypes.comment }
} as const satisfies Record<string, { type: string; modifier?: readonly string[] }>;

type Role = keyof typeof ReactorFsmTokenRoles;

/** The hidden terminals of the grammar that are comments (the other one, WS, never reaches the CST). */
const COMMENT_TERMINALS = new Set(['SL_COMMENT', 'ML_COMMENT']);

/** A property of a node and the role its words play; a declaring name also gets the `declaration` modifier. */
type PropertyRole<P extends string = string> = readonly [property: P, role: Role, modifier?: readonly string[]];

const OPTION = ['option', 'option'] as const satisfies PropertyRole;
const DECLARED_SOCKET = ['name', 'socket', [declaration]] as const satisfies PropertyRole;

/**
 * The roles of each node type's properties, in source order (State, Model and the targets of transitions and timers,
 * which need more, are coded in `highlightElement`).
 */
const PROPERTY_ROLES: { readonly [T in ReactorFsmNode['$type']]?: ReadonlyArray<PropertyRole<Properties<ReactorFsmAstType[T]>>> } = {
    Machine: [['name', 'machine', [declaration]]],
    Event: [['name', 'event', [declaration]], ['type', 'keyword']],
    Transition: [['done', 'completionEvent'], ['event', 'event']],
    Guard: [['negated', 'negation'], ['name', 'guard']],
    Timer: [['delay', 'quantity']],
    Region: [['name', 'region', [declaration]]],
    History: [['deep', 'keyword'], ['name', 'history', [declaration]], ['default', 'state']],
    CloseAction: [['socket', 'socket']],
    ConnectAction: [['socket', 'socket']],
    RaiseAction: [['event', 'event'], ['payload', 'keyword']],
    CallAction: [['name', 'userAction']],
    SendAction: [['socket', 'socket'], ['text', 'text'], ['payload', 'keyword']],
    PauseAction: [['socket', 'socket']],
    ResumeAction: [['socket', 'socket']],
    SpawnAction: [['socket', 'socket']],
    Server: [DECLARED_SOCKET, ['address', 'address']],
    Client: [DECLARED_SOCKET, ['address', 'address']],
    Connection: [DECLARED_SOCKET],
    Process: [DECLARED_SOCKET, ['command', 'text'], ['arguments', 'text']],
    EventMapping: [['socketEvent', 'socketEvent'], ['event', 'event']],
    FlagOption: [OPTION],
    KeepaliveOption: [OPTION, ['delay', 'quantity']],
    TimeoutOption: [OPTION, ['delay', 'quantity']],
    BacklogOption: [OPTION, ['size', 'quantity']],
    ReconnectOption: [OPTION, ['min', 'quantity'], ['max', 'quantity']],
    HeartbeatOption: [OPTION, ['interval', 'quantity'], ['timeout', 'quantity'], ['event', 'event']],
    IdleOption: [OPTION, ['delay', 'quantity'], ['event', 'event']],
    SessionOption: [OPTION, ['machine', 'machine']],
    FramingOption: [OPTION, ['kind', 'option'], ['prefix', 'quantity'], ['delimiter', 'text'], ['max', 'quantity']],
    TlsOption: [OPTION],
    TlsSetting: [['name', 'option'], ['value', 'text']],
    WorkersOption: [OPTION, ['count', 'quantity'], ['auto', 'option']],
    Signal: [['signal', 'signal'], ['event', 'event']]
};

/** Node types whose keyword is a built-in action (`close`, `send`, …), coloured as one. */
const BUILTIN_ACTIONS = new Set<string>(['CloseAction', 'ConnectAction', 'RaiseAction', 'StopAction', 'SendAction', 'PauseAction', 'ResumeAction', 'SpawnAction']);

export class ReactorFsmSemanticTokenProvider extends AbstractSemanticTokenProvider {
    private readonly analyzer: MachineAnalyzer;

    constructor(services: ReactorFsmServices) {
        super(services);
        this.analyzer = services.analysis.MachineAnalyzer;
    }

    protected override highlightElement(astNode: AstNode, acceptor: SemanticTokenAcceptor): void {
        const node = astNode as ReactorFsmNode;
        // Structural keywords (`machine`, `on`, `listen`…): keywords, except where they name a built-in action.
        this.highlightStructuralKeywords(node, acceptor);
        switch (node.$type) {
            case 'Model':
                this.highlightComments(node, acceptor);
                if (node.unclosedComment) {
                    this.property(acceptor, node, 'unclosedComment', 'comment');
                }
                return;
            case 'State':
                this.property(acceptor, node, 'initial', 'keyword');
                this.property(acceptor, node, 'final', 'keyword');
                this.property(acceptor, node, 'parallel', 'keyword');
                this.property(acceptor, node, 'name', 'state', this.isUnreachable(node) ? [declaration, deprecated] : [declaration]);
                return;
            case 'Transition':
            case 'Timer':
                // A target is a state or a history (`-> Resume`): coloured as what it names.
                this.property(acceptor, node, 'target', isHistory(node.target?.ref) ? 'history' : 'state');
                break;
        }
        for (const [property, role, modifier] of PROPERTY_ROLES[node.$type] ?? []) {
            this.property(acceptor, node, property, role, modifier);
        }
    }

    /**
     * Splits a token spanning several lines (a block comment) into one token per line for clients without
     * multiline token support. Langium 4.4's own split computes the first line's length from an absolute offset
     * minus a column, so a block comment below line 0 would swallow the text after it.
     */
    protected override highlightToken(options: SemanticTokenRangeOptions): void {
        const { range } = options;
        const document = this.currentDocument?.textDocument;
        if (range.start.line === range.end.line || this.clientCapabilities?.multilineTokenSupport || !document) {
            super.highlightToken(options);
            return;
        }
        for (let line = range.start.line; line <= range.end.line; line++) {
            const start = line === range.start.line ? range.start.character : 0;
            const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
            const end = line === range.end.line ? range.end.character : lineText.replace(/\r?\n$/, '').length;
            if (end > start) {
                super.highlightToken({ ...options, range: { start: { line, character: start }, end: { line, character: end } } });
            }
        }
    }

    /** Colours the CST nodes of one property (a name, a reference, an assigned keyword) with a role. */
    protected property<N extends AstNode>(
        acceptor: SemanticTokenAcceptor,
        node: N,
        property: Properties<N>,
        role: Role,
        modifier?: readonly string[]
    ): void {
        const token = ReactorFsmTokenRoles[role];
        const modifiers = [...('modifier' in token ? token.modifier : []), ...(modifier ?? [])];
        acceptor<N>({ node, property, type: token.type, modifier: modifiers });
    }

    /**
     * The keyword leaves that belong to `node` itself: not those of a name or reference (`state read`),
     * nor assigned ones (`initial`, `reuseaddr`), which are coloured through their property.
     */
    protected structuralKeywords(node: AstNode): LeafCstNode[] {
        const root = node.$cstNode;
        if (!root) {
            return [];
        }
        const leaves: LeafCstNode[] = [];
        const cst = CstUtils.streamCst(root).iterator();
        for (let next = cst.next(); !next.done; next = cst.next()) {
            const cstNode = next.value;
            if (cstNode !== root && (cstNode.astNode !== node || isValue(cstNode))) {
                cst.prune();
                continue;
            }
            if (isLeafCstNode(cstNode) && !cstNode.hidden && GrammarAST.isKeyword(cstNode.grammarSource)) {
                leaves.push(cstNode);
            }
        }
        return leaves;
    }

    protected highlightStructuralKeywords(node: ReactorFsmNode, acceptor: SemanticTokenAcceptor): void {
        let role: Role = 'keyword';
        if (BUILTIN_ACTIONS.has(node.$type)) {
            role = 'builtinAction';
        } else if (node.$type === 'HeartbeatOption' || node.$type === 'FramingOption') {
            role = 'option'; // the `timeout` of `heartbeat 5s timeout 15s -> E`, the `max` of a framing
        }
        const token = ReactorFsmTokenRoles[role];
        for (const leaf of this.structuralKeywords(node)) {
            if (!/^[a-z]/i.test(leaf.text)) {
                continue; // punctuation: `{`, `->`, `/`, `,`, `..`
            }
            acceptor({ cst: leaf, type: token.type, modifier: 'modifier' in token ? [...token.modifier] : undefined });
        }
    }

    /** Comments live in the CST only (hidden leaves), so the model's root colours them. */
    protected highlightComments(model: Model, acceptor: SemanticTokenAcceptor): void {
        const root = model.$cstNode;
        if (!root) {
            return;
        }
        for (const cstNode of CstUtils.streamCst(root)) {
            if (isLeafCstNode(cstNode) && cstNode.hidden && COMMENT_TERMINALS.has(cstNode.tokenType.name)) {
                acceptor({ cst: cstNode, type: ReactorFsmTokenRoles.comment.type });
            }
        }
    }

    /** A state no path from the initial state reaches, once that is decided (see `MachineAnalysis.unreachable`). */
    protected isUnreachable(state: State): boolean {
        return this.analyzer.analyze(machineOf(state)).unreachable.has(state);
    }
}

/** Whether each grammar element produces a value (asked per CST node, so answered once per element). */
const valueElements = new WeakMap<AstNode, boolean>();

/**
 * A CST node that is (part of) a value: an assignment (`name=Name`, `event=[Event:Name]`, `option='nodelay'`)
 * or a data type rule's text. Keywords inside it are words of a name or assigned keywords, not structure.
 */
function isValue(cstNode: CstNode): boolean {
    const source = cstNode.grammarSource;
    if (!source) {
        return false;
    }
    let value = valueElements.get(source);
    if (value === undefined) {
        const rule = AstUtils.getContainerOfType(source, GrammarAST.isParserRule);
        value = AstUtils.getContainerOfType(source, GrammarAST.isAssignment) !== undefined
            || (rule !== undefined && GrammarUtils.isDataTypeRule(rule));
        valueElements.set(source, value);
    }
    return value;
}
