// Handlers of the custom requests: generate a project from an open model, summarise the workspace's diagnostics.
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import type { Model } from '../generated/ast.js';
import { blockingErrors } from '../generator/blocking-errors.js';
import { writeGeneratedFiles, WriteRefusedError } from '../generator/write-files.js';
import {
    CheckWorkspaceRequest,
    DiagramRequest,
    GenerateRequest,
    SystemCheckRequest,
    TraceCoverageRequest,
    type CheckWorkspaceResult,
    type DiagramParams,
    type DiagramResult,
    type GenerateParams,
    type GenerateResult,
    type RequestSignature,
    type SystemCheckParams
} from './protocol.js';
import { messageText, severityWord } from '../validation/diagnostic-words.js';
import type { ReactorFsmServices } from '../module.js';
import { traceCoverageOfDocument } from './trace-coverage.js';
import { checkSystemOfDocument, SystemCheckRunner } from './system-check.js';

/** The Reactor FSM services of the language `uri` belongs to. */
function servicesOf(shared: LangiumSharedServices, uri: URI): ReactorFsmServices {
    return shared.ServiceRegistry.getServices(uri) as ReactorFsmServices;
}

export async function generateFromDocument(shared: LangiumSharedServices, params: GenerateParams): Promise<GenerateResult> {
    const uri = URI.parse(params.uri);
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, uri);
    const document = shared.workspace.LangiumDocuments.getDocument(uri) as LangiumDocument<Model> | undefined;
    const empty = { written: [], unchanged: [], kept: [] };
    if (!document) {
        return { ...empty, refused: [`${params.uri} is not a Reactor FSM document of this workspace`] };
    }
    const errors = blockingErrors(document);
    if (errors.length > 0) {
        return {
            ...empty,
            refused: errors.map(({ document: involved, diagnostic }) => `${involved.uri.path.split('/').pop()}:${diagnostic.range.start.line + 1}: ${messageText(diagnostic)}`)
        };
    }
    if (document.parseResult.value.machines.length === 0) {
        return { ...empty, refused: ['the file declares no machine'] };
    }
    try {
        const generator = servicesOf(shared, uri).generator.ProjectGenerator;
        return await writeGeneratedFiles(params.outputFolder, generator.generate(document.parseResult.value, uri.path.split('/').pop() ?? 'model.fsm'));
    } catch (error) {
        if (error instanceof WriteRefusedError || (error as NodeJS.ErrnoException).code) {
            return { ...empty, refused: [error instanceof Error ? error.message : String(error)] };
        }
        throw error;
    }
}

export function checkWorkspace(shared: LangiumSharedServices): CheckWorkspaceResult {
    const result: CheckWorkspaceResult = { files: 0, errors: 0, warnings: 0, infos: 0 };
    for (const document of shared.workspace.LangiumDocuments.all) {
        result.files++;
        for (const diagnostic of document.diagnostics ?? []) {
            const word = severityWord(diagnostic);
            if (word === 'error') {
                result.errors++;
            } else if (word === 'warning') {
                result.warnings++;
            } else {
                result.infos++;
            }
        }
    }
    return result;
}

/** The diagram of one machine of a document, as the panel or an export wants it. */
export async function diagramOfDocument(shared: LangiumSharedServices, params: DiagramParams): Promise<DiagramResult> {
    const uri = URI.parse(params.uri);
    const document = shared.workspace.LangiumDocuments.getDocument(uri) as LangiumDocument<Model> | undefined;
    if (!document) {
        return { machines: [], problem: `${params.uri} is not a Reactor FSM document of this workspace` };
    }
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, uri);
    const model = document.parseResult.value;
    const machines = model.machines.map((machine) => machine.name).filter((name): name is string => name !== undefined);
    const renderer = servicesOf(shared, uri).diagram.DiagramRenderer;
    const machine = renderer.chooseMachine(model, params.machine, params.offset);
    if (!machine?.name) {
        return { machines, problem: params.machine ? `no machine '${params.machine}' in this file` : 'this file declares no machine yet' };
    }
    return { machines, machine: machine.name, svg: await renderer.svg(machine, document, params.standalone === true) };
}

/** Answers `signature`'s request with `handler`, typed by the signature both ends share. */
export function handle<Params, Result>(connection: Connection, signature: RequestSignature<Params, Result>, handler: (params: NoInfer<Params>) => NoInfer<Result> | Promise<NoInfer<Result>>): void {
    connection.onRequest(signature.method, async (params: Params) => await handler(params));
}

/** Registers the custom requests on the server's connection. */
export function registerCustomRequests(connection: Connection, shared: LangiumSharedServices): void {
    handle(connection, GenerateRequest, (params) => generateFromDocument(shared, params));
    handle(connection, DiagramRequest, (params) => diagramOfDocument(shared, params));
    handle(connection, TraceCoverageRequest, (params) => traceCoverageOfDocument(shared, params));
    handle(connection, CheckWorkspaceRequest, async () => {
        await shared.workspace.WorkspaceManager.ready;
        // Behind any update in progress (a file just created or changed), then until every document is checked.
        await shared.workspace.WorkspaceLock.read(() => undefined);
        await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated);
        return checkWorkspace(shared);
    });
}

/**
 * Registers Check System: the search runs in a worker thread (`workerFile`, out/system-worker.cjs); a newer request, the
 * request's cancellation or an edit of one of the documents it checks ends the running one.
 */
export function registerSystemCheckRequest(connection: Connection, shared: LangiumSharedServices, workerFile: string | URL): SystemCheckRunner {
    const runner = new SystemCheckRunner(workerFile);
    shared.workspace.DocumentBuilder.onUpdate((changed, deleted) => {
        runner.cancelIfCovers([...changed, ...deleted].map((uri) => uri.toString()));
    });
    connection.onRequest(SystemCheckRequest.method, async (params: SystemCheckParams, token: CancellationToken) => {
        const cancelled = token.onCancellationRequested(() => runner.cancel());
        try {
            return await checkSystemOfDocument(shared, runner, params, () => token.isCancellationRequested);
        } finally {
            cancelled.dispose();
        }
    });
    return runner;
}
