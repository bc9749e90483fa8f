// The container service `analysis.MachineAnalyzer`: each machine's analysis computed once per build of its document and
// shared by the checks, hover, completion, semantic tokens and the CLI summary.
import { AstUtils, DocumentCache, DocumentState, type LangiumDocuments, type LangiumSharedCoreServices } from 'langium';
import type { Machine } from '../generated/ast.js';
import { analyzeMachine, type MachineAnalysis } from './machine-analysis.js';

/** Answers what `machine-analysis.ts` finds about a machine of a workspace document. */
export interface MachineAnalyzer {
    analyze(machine: Machine): MachineAnalysis;
}

/**
 * Keeps each analysis until its document is linked again (a new text, or a relink after another file changed) or
 * leaves the workspace. A machine outside the workspace, or not linked yet, is analysed afresh on every call: its
 * references may still change, and nothing would evict its entry.
 */
export class DefaultMachineAnalyzer implements MachineAnalyzer {
    private readonly analyses: DocumentCache<Machine, MachineAnalysis>;
    private readonly documents: LangiumDocuments;

    constructor(services: { shared: LangiumSharedCoreServices }) {
        this.analyses = new DocumentCache(services.shared, DocumentState.Linked);
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    analyze(machine: Machine): MachineAnalysis {
        const document = AstUtils.findRootNode(machine).$document;
        if (!document || document.state < DocumentState.Linked || !this.documents.hasDocument(document.uri)) {
            return this.compute(machine);
        }
        return this.analyses.get(document.uri, machine, () => this.compute(machine));
    }

    /** The analysis itself, asked once per machine and document build. */
    protected compute(machine: Machine): MachineAnalysis {
        return analyzeMachine(machine);
    }
}
