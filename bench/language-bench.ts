// One language-services instance per scope provider, and one timed parse + link + validate of a model text.
import { DefaultScopeProvider, DocumentState, EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { Model } from '../language/generated/ast.js';
import { createReactorFsmServices, type ReactorFsmServices } from '../language/module.js';

export type ProviderKind = 'ours' | 'default';

/** The build phases we time, in the order the DocumentBuilder runs them. */
export const PHASES = ['parse', 'index', 'scopes', 'link', 'refs', 'validate'] as const;
export type Phase = (typeof PHASES)[number];

/** The document state whose build-phase event ends each phase after parsing. */
const PHASE_ENDS: ReadonlyArray<readonly [Phase, DocumentState]> = [
    ['index', DocumentState.IndexedContent],
    ['scopes', DocumentState.ComputedScopes],
    ['link', DocumentState.Linked],
    ['refs', DocumentState.IndexedReferences],
    ['validate', DocumentState.Validated]
];

export interface BuildSample {
    /** Parse + link + validate, wall clock. */
    readonly ms: number;
    /** CPU time (user + system, all threads of the process) over the same span: less affected by other processes. */
    readonly cpuMs: number;
    readonly phases: Readonly<Record<Phase, number>>;
    readonly diagnostics: readonly Diagnostic[];
    readonly references: number;
    readonly unresolved: number;
}

export class LanguageBench {
    readonly services: ReactorFsmServices;
    private marks = new Map<DocumentState, number>();

    constructor(readonly kind: ProviderKind) {
        this.services =
            kind === 'default'
                ? createReactorFsmServices(EmptyFileSystem, { references: { ScopeProvider: (services) => new DefaultScopeProvider(services) } }).ReactorFsm
                : createReactorFsmServices(EmptyFileSystem).ReactorFsm;
        for (const [, state] of PHASE_ENDS) {
            this.services.shared.workspace.DocumentBuilder.onBuildPhase(state, () => {
                this.marks.set(state, performance.now());
            });
        }
    }

    /** The class actually answering scope requests (to show the override took effect). */
    get scopeProviderName(): string {
        return this.services.references.ScopeProvider.constructor.name;
    }

    /**
     * Parses, links and validates `text` as a fresh document, timed; then removes the document and the parser's
     * leftovers (off the clock) so the next run starts from an empty workspace again.
     */
    async build(text: string, uri: URI): Promise<BuildSample> {
        const { LangiumDocumentFactory, LangiumDocuments, DocumentBuilder } = this.services.shared.workspace;
        this.marks.clear();
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        const document: LangiumDocument<Model> = LangiumDocumentFactory.fromString<Model>(text, uri);
        LangiumDocuments.addDocument(document);
        const parsed = performance.now();
        await DocumentBuilder.build([document], { validation: true });
        const end = performance.now();
        const cpu = process.cpuUsage(cpuStart);

        const phases = { parse: parsed - start } as Record<Phase, number>;
        let previous = parsed;
        for (const [phase, state] of PHASE_ENDS) {
            const mark = this.marks.get(state) ?? previous;
            phases[phase] = mark - previous;
            previous = mark;
        }
        phases.validate += end - previous; // whatever ran after the last phase event

        const sample: BuildSample = {
            ms: end - start,
            cpuMs: (cpu.user + cpu.system) / 1000,
            phases,
            diagnostics: document.diagnostics ?? [],
            references: document.references.length,
            unresolved: document.references.filter((reference) => reference.error !== undefined).length
        };
        await DocumentBuilder.update([], [uri]);
        // Langium's parser keeps the last CST and AST until it parses again (about 110 MB at 10,000 states);
        // parsing an empty text frees them here, off the clock, so each run starts like a fresh `check`.
        this.services.parser.LangiumParser.parse('');
        return sample;
    }
}
