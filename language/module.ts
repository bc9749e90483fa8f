// The map of the language: every Langium service Reactor FSM replaces, every service it adds, and why.
import { inject, type DeepPartial, type LangiumDocument, type Module } from 'langium';
import {
    createDefaultModule,
    createDefaultSharedModule,
    type DefaultSharedModuleContext,
    type LangiumServices,
    type LangiumSharedServices,
    type PartialLangiumServices,
    type PartialLangiumSharedServices
} from 'langium/lsp';
import { ReactorFsmGeneratedModule, ReactorFsmGeneratedSharedModule } from './generated/module.js';
import { ValidatingWorkspaceManager } from './workspace-manager.js';
import { CoalescingDocumentUpdateHandler } from './lsp/document-update-handler.js';
import { ReactorFsmScopeComputation } from './references/scope-computation.js';
import { IndexedScopeProvider } from './references/scope-provider.js';
import { ReactorFsmLinker } from './references/linker.js';
import { LinkedReferenceDescriptionProvider } from './references/reference-descriptions.js';
import { nameWords } from './syntax-errors/name-words.js';
import { FriendlyParserErrorMessages, FriendlyLexerErrorMessages } from './syntax-errors/messages.js';
import { NestingLimitedLexer } from './syntax-errors/nesting-limit.js';
import { DefaultMachineAnalyzer, type MachineAnalyzer } from './analysis/machine-analyzer.js';
import { ReactorFsmDocumentValidator } from './validation/document-validator.js';
import { registerValidationChecks } from './validation/validator.js';
import { GraphChecks } from './validation/graph-checks.js';
import { SocketChecks } from './validation/socket-checks.js';
import { StructureChecks } from './validation/structure-checks.js';
import { ReactorFsmCodeActionProvider } from './lsp/code-actions.js';
import { ReactorFsmCodeLensProvider } from './lsp/code-lens.js';
import { ReactorFsmCompletionProvider } from './lsp/completion-provider.js';
import { ReactorFsmHoverProvider } from './lsp/hover-provider.js';
import { ReactorFsmDocumentSymbolProvider } from './lsp/document-symbols.js';
import { ReactorFsmFormatter } from './lsp/formatter.js';
import { ReactorFsmSemanticTokenProvider } from './lsp/semantic-tokens.js';
import type { Machine, Model } from './generated/ast.js';
import { generateProject, type GeneratedFile } from './generator/generator.js';
import { chooseMachine, machineSvg } from './diagram/diagram.js';
import { machineToMermaid } from './diagram/mermaid.js';

/** Turns a checked model into the files of a project (content only; `write-files.ts` puts them on disk). */
export interface ProjectGenerator {
    /** Every file generated from `model`; `displayPath` is how the model's file is named in headers. */
    generate(model: Model, displayPath: string): GeneratedFile[];
}

/** Draws a machine: which one a request means, its SVG picture and its Mermaid text. */
export interface DiagramRenderer {
    /** The machine named `name`, else the one containing `offset`, else the first. */
    chooseMachine(model: Model, name?: string, offset?: number): Machine | undefined;
    /** The diagram as SVG; `standalone` embeds the styles (a file of its own). */
    svg(machine: Machine, document: LangiumDocument | undefined, standalone: boolean): Promise<string>;
    mermaid(machine: Machine): string;
}

/** The services Reactor FSM adds to Langium's. */
export interface ReactorFsmAddedServices {
    /** What the checks, hover, completion, semantic tokens and `reactor-fsm check` know about each machine. */
    analysis: {
        MachineAnalyzer: MachineAnalyzer;
    };
    validation: {
        /** The checks, one service per kind, registered by `registerValidationChecks` with the service as `this`. */
        checks: {
            /** One initial state, unique names, catchable signals, timer delays, machine names across the workspace. */
            Structure: StructureChecks;
            /** What the machine analysis finds: unreachable, stuck, undecided, unused. */
            Graph: GraphChecks;
            /** Socket addresses, options and socket events, sessions and connections. */
            Sockets: SocketChecks;
        };
    };
    /** What the `generate` request and command write. */
    generator: {
        ProjectGenerator: ProjectGenerator;
    };
    /** What the diagram panel, the `diagram` request and command draw. */
    diagram: {
        DiagramRenderer: DiagramRenderer;
    };
}

export type ReactorFsmServices = LangiumServices & ReactorFsmAddedServices;

/** What a module passed to `createReactorFsmServices` may replace: any Langium service or any of ours. */
export type PartialReactorFsmServices = PartialLangiumServices & DeepPartial<ReactorFsmAddedServices>;

export const ReactorFsmModule: Module<ReactorFsmServices, PartialLangiumServices & ReactorFsmAddedServices> = {
    parser: {
        // Chevrotain's messages list token type names ("ID", "QUANTITY"); ours speak the user's words.
        ParserErrorMessageProvider: (services) => new FriendlyParserErrorMessages(nameWords(services.Grammar)),
        LexerErrorMessageProvider: () => new FriendlyLexerErrorMessages(),
        // Blocks nested beyond any model's need are cut before parsing (the parser would run out of stack).
        Lexer: (services) => new NestingLimitedLexer(services)
    },
    references: {
        // Events, states and sockets are declared in nested blocks but visible across the whole machine.
        ScopeComputation: (services) => new ReactorFsmScopeComputation(services),
        // The default provider scans every symbol per reference; ours looks names up in a per-machine index.
        ScopeProvider: (services) => new IndexedScopeProvider(services),
        // Two jobs: unresolved names say what was meant ("did you mean ..."), and one cheap walk links the references.
        Linker: (services) => new ReactorFsmLinker(services)
    },
    workspace: {
        // The reference index reads the references the linker collected instead of walking the tree again.
        ReferenceDescriptionProvider: (services) => new LinkedReferenceDescriptionProvider(services)
    },
    analysis: {
        // One analysis per machine and document build, shared by every feature that reads it (not one per feature).
        MachineAnalyzer: (services) => new DefaultMachineAnalyzer(services)
    },
    validation: {
        // Two jobs: syntax and linking diagnostics get stable codes like every other diagnostic, and the checks of every
        // node run in one walk without Langium's per-node streams.
        DocumentValidator: (services) => new ReactorFsmDocumentValidator(services),
        // Our checks, as services: a module passed to createReactorFsmServices can replace one kind of check.
        checks: {
            Structure: (services) => new StructureChecks(services),
            Graph: (services) => new GraphChecks(services),
            Sockets: () => new SocketChecks()
        }
    },
    generator: {
        // The generate request and `reactor-fsm generate` ask the container, so a module can replace the generator.
        ProjectGenerator: () => ({ generate: generateProject })
    },
    diagram: {
        // The diagram request and `reactor-fsm diagram` ask the container, so a module can replace the renderer.
        DiagramRenderer: (services) => ({
            chooseMachine,
            // The analysis validation made of this document version (the analysis service keeps it), not a new one.
            svg: (machine, document, standalone) => machineSvg(machine, document, standalone, services.analysis.MachineAnalyzer.analyze(machine)),
            mermaid: machineToMermaid
        })
    },
    lsp: {
        // Keywords come with what they do; names with what they are; signal names are offered where they go.
        CompletionProvider: (services) => new ReactorFsmCompletionProvider(services),
        // Keywords explain themselves; states, events, sockets and machines show what the analysis knows.
        HoverProvider: (services) => new ReactorFsmHoverProvider(services),
        // Quick fixes keyed by our diagnostic codes.
        CodeActionProvider: () => new ReactorFsmCodeActionProvider(),
        // "Generate" above every machine.
        CodeLensProvider: () => new ReactorFsmCodeLensProvider(),
        // Colours by role: `read` is an event, a state, a socket event or an action depending on where it stands.
        SemanticTokenProvider: (services) => new ReactorFsmSemanticTokenProvider(services),
        // Outline: machines with their events, states, sockets and signals.
        DocumentSymbolProvider: () => new ReactorFsmDocumentSymbolProvider(),
        // Formats documents to the house style of examples/.
        Formatter: () => new ReactorFsmFormatter()
    }
};

export const ReactorFsmSharedModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {
    workspace: {
        // The first build validates too: every file's problems show at start-up, opened or not.
        WorkspaceManager: (services) => new ValidatingWorkspaceManager(services)
    },
    lsp: {
        // Bursts of edits build once; closed untitled models leave the workspace (or the next update would stop the server).
        DocumentUpdateHandler: (services) => new CoalescingDocumentUpdateHandler(services)
    }
};

/**
 * Creates the shared services and the Reactor FSM language services.
 * `overrides` replace individual services, Langium's or ours (the benchmark uses this to measure Langium's default
 * scoping; `{ validation: { checks: { Sockets: () => new MySocketChecks() } } }` replaces the socket checks).
 */
export function createReactorFsmServices(
    context: DefaultSharedModuleContext,
    ...overrides: Array<Module<ReactorFsmServices, PartialReactorFsmServices>>
): { shared: LangiumSharedServices; ReactorFsm: ReactorFsmServices } {
    const shared = inject(createDefaultSharedModule(context), ReactorFsmGeneratedSharedModule, ReactorFsmSharedModule);
    const ReactorFsm = inject(createDefaultModule({ shared }), ReactorFsmGeneratedModule, ReactorFsmModule, ...overrides);
    shared.ServiceRegistry.register(ReactorFsm);
    // After the overrides: the check services registered are the ones the container holds.
    registerValidationChecks(ReactorFsm);
    if (!context.connection) {
        // No language server: nothing else would mark the configuration as loaded.
        void shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, ReactorFsm };
}
