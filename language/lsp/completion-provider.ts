// Completion: keywords with what they do (where they fit), declared names with what they are, and the signals a program can catch.
import { AstUtils, GrammarAST, type AstNodeDescription, type MaybePromise, type ReferenceInfo, type Stream } from 'langium';
import { DefaultCompletionProvider, type CompletionAcceptor, type CompletionContext, type CompletionValueItem, type NextFeature } from 'langium/lsp';
import { CompletionItemKind } from 'vscode-languageserver';
import type { MachineAnalyzer } from '../analysis/machine-analyzer.js';
import { isEvent, isHistory, isMachine, isRegion, isSocket, isState, type Region, type State } from '../generated/ast.js';
import { CATCHABLE_SIGNALS } from '../values/signals.js';
import { keywordDoc, keywordMarkdown } from './keyword-docs.js';
import { isComposite, machineOf, parentState } from '../ast/hierarchy.js';
import { blockAt, fitsBlock, type Block } from './keyword-places.js';
import type { ReactorFsmServices } from '../module.js';
import { socketDetail } from '../ast/socket-detail.js';

/** True when `state` sits somewhere inside `holder` (a composite state or a region). */
function isInside(state: State, holder: State | Region): boolean {
    for (let container = state.$container; isState(container) || isRegion(container); container = container.$container) {
        if (container === holder) {
            return true;
        }
    }
    return false;
}

/** Grammar rules whose keywords are names there, not keywords: offering `read` where a new state name goes is noise. */
const NAME_RULES = new Set(['Name', 'ActionName']);

export class ReactorFsmCompletionProvider extends DefaultCompletionProvider {
    /** The block at each context's token, found once per context rather than once per keyword. */
    private readonly blocks = new WeakMap<CompletionContext, Block | undefined>();
    private readonly analyzer: MachineAnalyzer;

    constructor(services: ReactorFsmServices) {
        super(services);
        this.analyzer = services.analysis.MachineAnalyzer;
    }

    protected override completionFor(context: CompletionContext, next: NextFeature, acceptor: CompletionAcceptor): MaybePromise<void> {
        // After `signal` the grammar expects a name; the useful names are the catchable signals.
        if (next.property === 'signal' && GrammarAST.isRuleCall(next.feature)) {
            for (const signal of CATCHABLE_SIGNALS) {
                acceptor(context, { label: signal, kind: CompletionItemKind.EnumMember, detail: 'signal', sortText: `0${signal}` });
            }
            return;
        }
        return super.completionFor(context, next, acceptor);
    }

    /** No name-words; `region`, `history` and `done` only in the blocks where they mean something. */
    protected override filterKeyword(context: CompletionContext, keyword: GrammarAST.Keyword): boolean {
        const rule = AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule)?.name;
        return !NAME_RULES.has(rule ?? '')
            && fitsBlock(rule, keyword.value, this.blockOf(context))
            && super.filterKeyword(context, keyword);
    }

    private blockOf(context: CompletionContext): Block | undefined {
        if (!this.blocks.has(context)) {
            this.blocks.set(context, blockAt(context.document, context.tokenOffset));
        }
        return this.blocks.get(context);
    }

    protected override completionForKeyword(context: CompletionContext, keyword: GrammarAST.Keyword, acceptor: CompletionAcceptor): MaybePromise<void> {
        if (!this.filterKeyword(context, keyword)) {
            return;
        }
        const doc = keywordDoc(keyword);
        acceptor(context, {
            label: keyword.value,
            kind: CompletionItemKind.Keyword,
            detail: doc?.summary ?? 'keyword',
            ...(doc ? { documentation: { kind: 'markdown' as const, value: keywordMarkdown(keyword.value, doc) } } : {}),
            sortText: `1${keyword.value}`
        });
    }

    /** A history's default is a state inside its composite (or region): only those are offered after `history H ->`. */
    protected override getReferenceCandidates(refInfo: ReferenceInfo, context: CompletionContext): Stream<AstNodeDescription> {
        const candidates = super.getReferenceCandidates(refInfo, context);
        const owner = isHistory(refInfo.container) && refInfo.property === 'default' ? refInfo.container.$container : undefined;
        return owner ? candidates.filter((description) => description.node !== undefined && isState(description.node) && isInside(description.node, owner)) : candidates;
    }

    protected override createReferenceCompletionItem(description: AstNodeDescription, refInfo: ReferenceInfo, context: CompletionContext): CompletionValueItem {
        const item = super.createReferenceCompletionItem(description, refInfo, context);
        const node = description.node;
        let detail: string | undefined;
        if (isState(node)) {
            const analysis = this.analyzer.analyze(machineOf(node));
            const parent = parentState(node);
            detail = [
                node.initial ? 'initial' : '',
                node.final ? 'final' : '',
                node.parallel ? 'parallel' : isComposite(node) ? 'composite' : '',
                'state',
                parent ? `in ${parent.name}` : '',
                analysis.unreachable.has(node) ? '(unreachable)' : ''
            ].filter((word) => word !== '').join(' ');
        } else if (isHistory(node)) {
            detail = `${node.deep ? 'deep ' : ''}history of ${node.$container.name}`;
        } else if (isEvent(node)) {
            const producers = this.analyzer.analyze(node.$container.$container).producers.get(node)?.length ?? 0;
            detail = `event${producers > 0 ? ` (${producers} producer${producers === 1 ? '' : 's'})` : ''}`;
        } else if (isSocket(node)) {
            detail = socketDetail(node);
        } else if (isMachine(node)) {
            detail = `machine (${description.documentUri.path.split('/').pop() ?? ''})`;
        }
        return { ...item, ...(detail ? { detail } : {}), sortText: `0${description.name}` };
    }
}
