// The reference index's view of a document: one description per resolved cross-reference, for find-references,
// rename and deciding which documents to relink when another one changes. Langium's provider walks the whole tree
// again and recomputes each reference's path and range; ours reads the references the linker already collected,
// computes each container's path once and where a reference is written only when someone asks (~4x cheaper).
import {
    Cancellation,
    interruptAndCheck,
    isMultiReference,
    isReference,
    type AstNode,
    type AstNodeDescription,
    type AstNodeLocator,
    type CstNode,
    type DocumentSegment,
    type LangiumCoreServices,
    type LangiumDocument,
    type Reference,
    type MultiReference,
    type ReferenceDescription,
    type ReferenceDescriptionProvider
} from 'langium';
import type { Range } from 'vscode-languageserver';

/** Descriptions created between two chances for a newer edit to cancel the build. */
const REFERENCES_PER_CHECK = 1_000;

/** Where a reference is written, worked out from its syntax node on first use: most descriptions are never asked. */
class ReferenceSegment implements DocumentSegment {
    private cachedOffset: number | undefined;
    private cachedEnd: number | undefined;
    private cachedRange: Range | undefined;

    constructor(private readonly node: CstNode) {}

    get offset(): number {
        return (this.cachedOffset ??= this.node.offset);
    }

    get end(): number {
        return (this.cachedEnd ??= this.node.end);
    }

    get length(): number {
        return this.end - this.offset;
    }

    get range(): Range {
        return (this.cachedRange ??= this.node.range);
    }
}

function targetsOf(reference: Reference | MultiReference): AstNodeDescription[] {
    if (isReference(reference)) {
        return reference.$nodeDescription ? [reference.$nodeDescription] : [];
    }
    if (isMultiReference(reference)) {
        return reference.items.flatMap((item) => (item.$nodeDescription ? [item.$nodeDescription] : []));
    }
    return [];
}

export class LinkedReferenceDescriptionProvider implements ReferenceDescriptionProvider {
    private readonly nodeLocator: AstNodeLocator;

    constructor(services: LangiumCoreServices) {
        this.nodeLocator = services.workspace.AstNodeLocator;
    }

    async createDescriptions(document: LangiumDocument, cancelToken: Cancellation.CancellationToken = Cancellation.CancellationToken.None): Promise<ReferenceDescription[]> {
        const sourceUri = document.uri;
        const source = sourceUri.toString();
        // A node holding several references (a transition: event, target) gets its path computed once.
        const paths = new Map<AstNode, string>();
        const pathOf = (node: AstNode): string => {
            let path = paths.get(node);
            if (path === undefined) {
                path = this.nodeLocator.getAstNodePath(node);
                paths.set(node, path);
            }
            return path;
        };
        const descriptions: ReferenceDescription[] = [];
        let seen = 0;
        for (const reference of document.references) {
            if (++seen % REFERENCES_PER_CHECK === 0) {
                await interruptAndCheck(cancelToken);
            }
            const refNode = reference.$refNode;
            if (reference.error || !refNode) {
                continue;
            }
            const targets = targetsOf(reference);
            if (targets.length === 0) {
                continue;
            }
            const sourcePath = pathOf(refNode.astNode);
            const segment = new ReferenceSegment(refNode);
            for (const target of targets) {
                descriptions.push({
                    sourceUri,
                    sourcePath,
                    targetUri: target.documentUri,
                    targetPath: target.path,
                    segment,
                    local: target.documentUri.toString() === source
                });
            }
        }
        return descriptions;
    }
}
