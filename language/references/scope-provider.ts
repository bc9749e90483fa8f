// Name lookups in O(1): one index of each machine's own names per reference type, built once per document version,
// in front of the workspace's scope as it is now (machines of other files come and go without this file changing).
import {
    AstUtils,
    DefaultScopeProvider,
    DocumentCache,
    EMPTY_SCOPE,
    MultiMap,
    stream,
    type AstNodeDescription,
    type LangiumCoreServices,
    type ReferenceInfo,
    type Scope,
    type Stream
} from 'langium';
import { isMachine, type Machine } from '../generated/ast.js';

/** A machine's own names first (the first declaration of a name wins), then the outer scope. O(1) to create. */
class MachineScope implements Scope {
    constructor(
        private readonly local: MultiMap<string, AstNodeDescription>,
        private readonly outer: Scope
    ) {}

    getElement(name: string): AstNodeDescription | undefined {
        return this.local.get(name)[0] ?? this.outer.getElement(name);
    }

    getElements(name: string): Stream<AstNodeDescription> {
        return stream(this.local.get(name)).concat(this.outer.getElements(name));
    }

    getAllElements(): Stream<AstNodeDescription> {
        return stream(this.local.values()).concat(this.outer.getAllElements());
    }
}

export class IndexedScopeProvider extends DefaultScopeProvider {
    /** Per document: machine → reference type → its own names. Cleared by Langium whenever the document changes. */
    private readonly machineIndexes: DocumentCache<Machine, Map<string, MultiMap<string, AstNodeDescription>>>;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.machineIndexes = new DocumentCache(services.shared);
    }

    override getScope(context: ReferenceInfo): Scope {
        let referenceType: string;
        try {
            referenceType = this.reflection.getReferenceType(context);
        } catch {
            // Completion inside a tree recovered from a syntax error can ask about a property that is no reference.
            return EMPTY_SCOPE;
        }
        // The global scope is Langium's, cached per workspace version: taken fresh here, never kept.
        const globalScope = this.getGlobalScope(referenceType, context);
        const machine = AstUtils.getContainerOfType(context.container, isMachine);
        if (!machine) {
            return globalScope;
        }
        const byType = this.machineIndexes.get(AstUtils.getDocument(machine).uri, machine, () => new Map());
        let index = byType.get(referenceType);
        if (!index) {
            index = new MultiMap(this.localDescriptions(machine, referenceType).map((description) => [description.name, description] as [string, AstNodeDescription]));
            byType.set(referenceType, index);
        }
        return new MachineScope(index, globalScope);
    }

    private localDescriptions(machine: Machine, referenceType: string): AstNodeDescription[] {
        const symbols = AstUtils.getDocument(machine).localSymbols;
        if (!symbols?.has(machine)) {
            return [];
        }
        return symbols.getStream(machine).filter((description) => this.reflection.isSubtype(description.type, referenceType)).toArray();
    }
}
