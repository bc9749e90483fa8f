// Gives syntax and linking diagnostics stable codes, like every diagnostic our checks report; runs the checks of every
// node without Langium's per-node streams.
import {
    Cancellation,
    DefaultDocumentValidator,
    DocumentValidator,
    type LinkingErrorData,
    type LangiumCoreServices,
    type ScopeProvider,
    interruptAndCheck,
    type AstNode,
    type LangiumDocument,
    type ValidationAcceptor,
    type ValidationCheck,
    type ValidationOptions
} from 'langium';
import { forEachNode } from '../ast/walk.js';
import type { Diagnostic, Position, Range } from 'vscode-languageserver';
import type { SuggestingLinkingError } from '../references/linker.js';
import { closestNames, quotedAlternatives } from '../references/suggestions.js';
import { UNCLOSED_COMMENT_MESSAGE } from '../syntax-errors/messages.js';
import { IssueCodes, IssueSeverities } from './issue-codes.js';

/** The two characters `/*` starting at `start`. */
export function openingOfComment(start: Position): Range {
    return { start, end: { line: start.line, character: start.character + 2 } };
}

/** Nodes checked between two chances for a newer edit to cancel the build. */
const NODES_PER_CHECK = 500;

/**
 * The `data` of an unresolved reference's diagnostic: Langium's linking-error data (its `code` is 'linking-error', which
 * is how Langium's `stopAfterLinkingErrors` recognises a linking diagnostic; the diagnostic's own `code` stays our
 * 'unresolved-reference'), and what a quick fix needs to replace a misspelt name or declare a missing event.
 */
export interface UnresolvedReferenceData extends LinkingErrorData {
    code: typeof DocumentValidator.LinkingError;
    /** What kind of name is unknown: event, state, socket or machine. */
    referenceType: string;
    /** The closest declared name (the first of `suggestions`). */
    suggestion?: string;
    /** Every name offered, when several are equally close, in source order. */
    suggestions?: string[];
}

/** True for the data of our unresolved-reference diagnostics (as a client sends it back with a code action request). */
export function isUnresolvedReferenceData(data: unknown): data is UnresolvedReferenceData {
    const fields = typeof data === 'object' && data !== null ? (data as Partial<Record<keyof UnresolvedReferenceData, unknown>>) : {};
    return fields.code === DocumentValidator.LinkingError && typeof fields.refText === 'string' && typeof fields.referenceType === 'string';
}

/**
 * Reactor FSM's document validator, with two jobs:
 * - codes: syntax diagnostics get the code 'syntax-error' (an unclosed comment marked where it opens), linking
 *   diagnostics 'unresolved-reference' with "did you mean" data for quick fixes, like every diagnostic our checks report;
 * - speed: it runs the registered checks of every node in one walk, without Langium's per-node streams.
 */
export class ReactorFsmDocumentValidator extends DefaultDocumentValidator {
    private readonly scopeProvider: ScopeProvider;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.scopeProvider = services.references.ScopeProvider;
    }

    /** As Langium's: every node in tree order, its type's checks in registration order; the checks of a type looked up once. */
    protected override async validateAstNodes(
        rootNode: AstNode,
        options: ValidationOptions,
        acceptor: ValidationAcceptor,
        cancelToken: Cancellation.CancellationToken = Cancellation.CancellationToken.None
    ): Promise<void> {
        if (this.profiler?.isActive('validating')) {
            return super.validateAstNodes(rootNode, options, acceptor, cancelToken);
        }
        const nodes: AstNode[] = [];
        forEachNode(rootNode, (node) => {
            const nodeOptions = this.validateSingleNodeOptions(node, options);
            if (nodeOptions.validateNode) {
                nodes.push(node);
            }
            return nodeOptions.validateChildren;
        });
        const checksByType = new Map<string, ValidationCheck[]>();
        for (let i = 0; i < nodes.length; i++) {
            if (i % NODES_PER_CHECK === 0) {
                await interruptAndCheck(cancelToken);
            }
            const node = nodes[i]!;
            let checks = checksByType.get(node.$type);
            if (checks === undefined) {
                checks = this.validationRegistry.getChecks(node.$type, options.categories).toArray();
                checksByType.set(node.$type, checks);
            }
            for (const check of checks) {
                const pending = check(node, acceptor, cancelToken);
                if (pending) {
                    await pending;
                }
            }
        }
    }

    protected override processLexingErrors(...args: Parameters<DefaultDocumentValidator['processLexingErrors']>): void {
        this.withCode(args[1], IssueCodes.SyntaxError, () => super.processLexingErrors(...args));
    }

    protected override processParsingErrors(...args: Parameters<DefaultDocumentValidator['processParsingErrors']>): void {
        const diagnostics = args[1];
        const before = diagnostics.length;
        this.withCode(diagnostics, IssueCodes.SyntaxError, () => super.processParsingErrors(...args));
        for (const diagnostic of diagnostics.slice(before)) {
            if (diagnostic.message === UNCLOSED_COMMENT_MESSAGE) {
                // The token runs to the end of the file; the diagnostic marks where the comment opens.
                diagnostic.range = openingOfComment(diagnostic.range.start);
            }
        }
    }

    protected override processLinkingErrors(document: LangiumDocument, diagnostics: Diagnostic[], _options: ValidationOptions): void {
        for (const reference of document.references) {
            const error: SuggestingLinkingError | undefined = reference.error;
            if (!error) {
                continue;
            }
            const refText = error.info.reference.$refText;
            let message = error.message;
            let suggestions: string[] = [];
            if (error.suggestion !== undefined) {
                // The linker names the closest declared name; when several are equally close, name them all.
                suggestions = closestNames(refText, this.scopeProvider.getScope(error.info).getAllElements().map((description) => description.name));
                if (suggestions.length > 1) {
                    message = `Unknown ${error.kind ?? 'name'} '${refText}'. Did you mean ${quotedAlternatives(suggestions)}?`;
                } else {
                    suggestions = [error.suggestion];
                }
            }
            const data: UnresolvedReferenceData = {
                code: DocumentValidator.LinkingError,
                containerType: error.info.container.$type,
                property: error.info.property,
                refText,
                referenceType: error.kind ?? 'name',
                ...(suggestions.length === 0 ? {} : { suggestion: suggestions[0]!, suggestions })
            };
            diagnostics.push(
                this.toDiagnostic(IssueSeverities[IssueCodes.UnresolvedReference], message, {
                    node: error.info.container,
                    range: reference.$refNode?.range,
                    property: error.info.property,
                    index: error.info.index,
                    code: IssueCodes.UnresolvedReference,
                    data
                })
            );
        }
    }

    /** Runs `report` and stamps `code` on every diagnostic it added. */
    private withCode(diagnostics: Diagnostic[], code: string, report: () => void): void {
        const before = diagnostics.length;
        report();
        for (let i = before; i < diagnostics.length; i++) {
            diagnostics[i]!.code = code;
        }
    }
}
