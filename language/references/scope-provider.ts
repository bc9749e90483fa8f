// Name lookups in O(1): one index per machine and reference type, built once per document version.
import {
    AstUtils,
    DocumentCache,
    MultiMapScope,
    type AstNodeDescription,
    type LangiumCoreServices,
    type ReferenceInfo,
    type Scope
} from 'langium';
import { DefaultScopeProvider } from 'langium';
import { isMachine, type Machine } from '../generated/ast.js';

export class IndexedScopeProvider extends DefaultScopeProvider {
    /** Per document: machine → reference type → scope. Cleared by Langium whenever the document changes. */
    private readonly machineScopes: DocumentCache<Machine, Map<string, Scope>>;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.machineScopes = new DocumentCache(services.shared);
    }

    override getScope(context: ReferenceInfo): Scope {
        const referenceType = this.reflection.getReferenceType(context);
        const globalScope = this.getGlobalScope(referenceType, context);
        const machine = AstUtils.getContainerOfType(context.container, isMachine);
        if (!machine) {
            return globalScope;
        }
        const document = AstUtils.getDocument(machine);
        const byType = this.machineScopes.get(document.uri, machine, () => new Map());
        let scope = byType.get(referenceType);
        if (!scope) {
            scope = new MultiMapScope(this.localDescriptions(machine, referenceType), globalScope);
            byType.set(referenceType, scope);
        }
        return scope;
    }

    private localDescriptions(machine: Machine, referenceType: string): AstNodeDescription[] {
        const symbols = AstUtils.getDocument(machine).localSymbols;
        if (!symbols?.has(machine)) {
            return [];
        }
        return symbols.getStream(machine).filter((description) => this.reflection.isSubtype(description.type, referenceType)).toArray();
    }
}
