// Linking errors that name what is unknown and suggest the closest declared name; one cheap walk to find the references.
import { Cancellation, DefaultLinker, interruptAndCheck, type AstNodeDescription, type LangiumDocument, type LinkingError, type ReferenceInfo } from 'langium';
import { forEachNode, referencesOf } from '../ast/walk.js';
import { closestName } from './suggestions.js';

/** References linked between two chances for a newer edit to cancel the build. */
const LINKS_PER_CHECK = 1_000;

/** A linking error that carries the suggested replacement, for the message and for quick fixes. */
export interface SuggestingLinkingError extends LinkingError {
    /** What kind of name is unknown: event, state, socket or machine. */
    kind?: string;
    suggestion?: string;
}

const KIND_WORDS: Record<string, string> = {
    Event: 'event',
    State: 'state',
    // A transition's or timer's target: a state or a history.
    Target: 'state',
    Socket: 'socket',
    Machine: 'machine'
};

const HOW_TO_DECLARE: Record<string, string> = {
    Event: "declare it in the machine's 'events' list",
    State: "declare it with 'state NAME'",
    Target: "declare it with 'state NAME' (or 'history NAME' inside a composite state)",
    Socket: "declare it with 'client', 'server' or 'connection'",
    Machine: "declare it with 'machine NAME { … }' in a .fsm file of the workspace"
};

/**
 * Reactor FSM's linker, with two jobs:
 * - suggestions: an unresolved name's error says what kind of name is unknown and suggests the closest declared one
 *   (or says how to declare it);
 * - speed: it links a document's references in one cheap walk, without Langium's per-node streams.
 */
export class ReactorFsmLinker extends DefaultLinker {
    /** Links in the order of Langium's linker (tree order), without its per-node streams. */
    override async link(document: LangiumDocument, cancelToken: Cancellation.CancellationToken = Cancellation.CancellationToken.None): Promise<void> {
        if (this.profiler?.isActive('linking')) {
            return super.link(document, cancelToken);
        }
        const references: ReferenceInfo[] = [];
        forEachNode(document.parseResult.value, (node) => referencesOf(node, references));
        for (let i = 0; i < references.length; i++) {
            if (i % LINKS_PER_CHECK === 0) {
                await interruptAndCheck(cancelToken);
            }
            this.doLink(references[i]!, document);
        }
    }

    protected override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): SuggestingLinkingError {
        if (targetDescription) {
            return super.createLinkingError(refInfo, targetDescription);
        }
        const referenceType = this.reflection.getReferenceType(refInfo);
        const kind = KIND_WORDS[referenceType] ?? referenceType;
        const written = refInfo.reference.$refText;
        const candidates = this.scopeProvider.getScope(refInfo).getAllElements().map((description) => description.name);
        const suggestion = closestName(written, candidates);
        const message = suggestion
            ? `Unknown ${kind} '${written}'. Did you mean '${suggestion}'?`
            : `Unknown ${kind} '${written}': ${HOW_TO_DECLARE[referenceType] ?? 'declare it first'}.`;
        return suggestion === undefined ? { info: refInfo, message, kind } : { info: refInfo, message, kind, suggestion };
    }
}
