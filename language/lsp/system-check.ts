// The system check in the editor: which documents are checked together, and the search run in a worker thread that a
// newer check or an edit of one of those documents ends (server/system-worker.ts does the search).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AstUtils, DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Model } from '../generated/ast.js';
import { sessionOf } from '../generator/sessions.js';
import { assertComposable, ProgramCompositionError, programOfModels, type ProgramSpec, type SourceSpot } from '../semantics/program.js';
import { addressReaches } from '../system/wiring.js';
import { parseAddress, type SocketAddress } from '../values/addresses.js';
import { isError, messageText } from '../validation/diagnostic-words.js';
import type { SystemCheckFinding, SystemCheckParams, SystemCheckPlace, SystemCheckResult } from './protocol.js';

/** The search's time limit when the request gives none, in seconds. */
export const DEFAULT_MAX_SECONDS = 10;

/** What the server posts to the worker: plain data only (Maps and arrays survive the structured clone). */
export interface SystemJob {
    readonly program: ProgramSpec;
    /** The files' paths, for the scenario files' replay line. */
    readonly files: readonly string[];
    readonly sessions?: number;
    readonly maxMs?: number;
    readonly maxStates?: number;
    readonly exactTime?: boolean;
    readonly networkFaults?: boolean;
}

export interface SystemJobFinding {
    readonly code: string;
    readonly severity: 'error' | 'warning';
    readonly spot: SourceSpot;
    readonly message: string;
    readonly subject: string;
    readonly steps: ReadonlyArray<{ readonly text: string; readonly spot: SourceSpot }>;
    readonly machines: readonly string[];
    readonly scenario: string;
    readonly chart: string;
}

export interface SystemJobReply {
    readonly findings: readonly SystemJobFinding[];
    readonly states: number;
    readonly complete: boolean;
    readonly summary: string;
}

type WorkerMessage = { ok: true; reply: SystemJobReply } | { ok: false; error: string };

/** The sockets of a document that tie it to others: its clients' and servers' addresses, and its servers' session machines' files. */
interface DocumentTies {
    readonly clients: SocketAddress[];
    readonly servers: SocketAddress[];
    readonly sessionFiles: string[];
}

function tiesOf(document: LangiumDocument<Model>): DocumentTies {
    const ties: DocumentTies = { clients: [], servers: [], sessionFiles: [] };
    for (const machine of document.parseResult.value.machines) {
        for (const socket of machine.sockets) {
            if (socket.$type === 'Client' || socket.$type === 'Server') {
                const parsed = socket.address === undefined ? undefined : parseAddress(socket.address);
                if (parsed?.ok) {
                    (socket.$type === 'Client' ? ties.clients : ties.servers).push(parsed.value);
                }
            }
            const session = sessionOf(socket);
            if (session) {
                ties.sessionFiles.push(AstUtils.getDocument(session).uri.toString());
            }
        }
    }
    return ties;
}

function tied(a: DocumentTies, b: DocumentTies): boolean {
    const reaches = (from: DocumentTies, to: DocumentTies): boolean => from.clients.some((client) => to.servers.some((server) => addressReaches(client, server)));
    return reaches(a, b) || reaches(b, a);
}

/**
 * The documents checked with `start`: itself, then every document tied to one already in (a client of one reaches a
 * server of the other, either way; or one holds a session machine a server of the other runs, either way), transitively;
 * the start first.
 */
export function systemDocuments(all: readonly LangiumDocument<Model>[], start: LangiumDocument<Model>): LangiumDocument<Model>[] {
    const others = all.filter((document) => document.uri.toString() !== start.uri.toString());
    // The start first (its first top-level machine is what the debugger runs by default), then in the order of their URIs.
    const candidates = [start, ...others.sort((a, b) => a.uri.toString().localeCompare(b.uri.toString()))];
    const ties = new Map(candidates.map((document) => [document.uri.toString(), tiesOf(document)]));
    const group: LangiumDocument<Model>[] = [start];
    for (let index = 0; index < group.length; index++) {
        const member = group[index]!;
        const memberTies = ties.get(member.uri.toString())!;
        for (const candidate of candidates) {
            if (group.includes(candidate)) {
                continue;
            }
            const candidateTies = ties.get(candidate.uri.toString())!;
            const sessions = memberTies.sessionFiles.includes(candidate.uri.toString()) || candidateTies.sessionFiles.includes(member.uri.toString());
            if (sessions || tied(memberTies, candidateTies)) {
                group.push(candidate);
            }
        }
    }
    return group;
}

/** One search at a time: a new run, a cancel, or an edit of a document the running search covers ends its worker thread. */
export class SystemCheckRunner {
    private current: { worker: Worker; uris: ReadonlySet<string>; cancel: () => void } | undefined;

    constructor(private readonly workerFile: string | URL) {}

    /** The worker's reply, or undefined when a newer run, a cancel or an edit ended it first. */
    run(job: SystemJob, uris: readonly string[]): Promise<SystemJobReply | undefined> {
        this.cancel();
        if (!existsSync(this.workerFile)) {
            const file = this.workerFile instanceof URL ? fileURLToPath(this.workerFile) : this.workerFile;
            return Promise.reject(new Error(`system check: the worker thread's script ${file} is missing (run \`npm run bundle\`; a packaged extension must ship it)`));
        }
        return new Promise((resolve, reject) => {
            const worker = new Worker(this.workerFile, { workerData: { reactorFsmSystemCheck: true } });
            let settled = false;
            const settle = (finish: () => void): void => {
                if (!settled) {
                    settled = true;
                    if (this.current?.worker === worker) {
                        this.current = undefined;
                    }
                    finish();
                }
            };
            this.current = {
                worker,
                uris: new Set(uris),
                cancel: () => {
                    settle(() => resolve(undefined));
                    void worker.terminate();
                }
            };
            worker.once('message', (message: WorkerMessage) => {
                settle(() => (message.ok ? resolve(message.reply) : reject(new Error(`system check: ${message.error}`))));
                void worker.terminate();
            });
            worker.once('error', (error) => settle(() => reject(error)));
            worker.once('exit', (code) => settle(() => reject(new Error(`system check: the worker thread exited (${code}) without an answer`))));
            worker.postMessage(job);
        });
    }

    /** Whether a search is running. */
    get running(): boolean {
        return this.current !== undefined;
    }

    cancel(): void {
        this.current?.cancel();
    }

    /** Ends the running search when one of `uris` (changed or deleted documents) is among those it checks. */
    cancelIfCovers(uris: readonly string[]): void {
        if (this.current && uris.some((uri) => this.current!.uris.has(uri))) {
            this.cancel();
        }
    }
}

function shownName(document: LangiumDocument): string {
    return document.uri.path.split('/').pop() ?? document.uri.toString();
}

function filePath(document: LangiumDocument): string {
    return document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.path;
}

/** Errors that keep the documents from being checked, as `file:line: message`. */
function errorsOf(documents: readonly LangiumDocument[]): string[] {
    return documents.flatMap((document) => (document.diagnostics ?? []).filter(isError).map((diagnostic) => `${shownName(document)}:${diagnostic.range.start.line + 1}: ${messageText(diagnostic)}`));
}

/** A spot's place in its document: from its column to the end of its line (the whole line where the column is unknown). */
function placeOf(spot: SourceSpot, byPath: ReadonlyMap<string, LangiumDocument>): SystemCheckPlace {
    const document = byPath.get(spot.path);
    const line = Math.max(0, spot.line - 1);
    const text = document?.textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '') ?? '';
    const indent = text.length - text.trimStart().length;
    const character = spot.column === undefined ? indent : Math.min(spot.column - 1, text.length);
    return { uri: document?.uri.toString() ?? URI.file(spot.path).toString(), line, character, endLine: line, endCharacter: Math.max(character, text.trimEnd().length) };
}

function resultFinding(finding: SystemJobFinding, byPath: ReadonlyMap<string, LangiumDocument>): SystemCheckFinding {
    return {
        code: finding.code,
        severity: finding.severity,
        place: placeOf(finding.spot, byPath),
        message: finding.message,
        subject: finding.subject,
        steps: finding.steps.map((step) => ({ text: step.text, place: placeOf(step.spot, byPath) })),
        machines: [...finding.machines],
        scenario: finding.scenario,
        chart: finding.chart
    };
}

/** The program the documents make together, or why there is none. */
function programOfDocuments(group: readonly LangiumDocument<Model>[]): { program: ProgramSpec } | { refused: string[] } {
    const errors = errorsOf(group);
    if (errors.length > 0) {
        return { refused: [...errors, `not checking the system: fix the ${errors.length === 1 ? 'error' : `${errors.length} errors`} above first`] };
    }
    const models = group.map((document) => document.parseResult.value);
    try {
        assertComposable(models);
    } catch (error) {
        if (error instanceof ProgramCompositionError) {
            return { refused: [error.message] };
        }
        throw error;
    }
    const program = programOfModels(models);
    if (program.topLevel.length === 0) {
        return { refused: ['the files have no top-level machine to run (every machine is a session of a server)'] };
    }
    return { program };
}

/**
 * Answers a Check System request: groups the documents, refuses them while they have errors, runs the search.
 * `cancelled` is asked before the search starts (a request cancelled while the documents were being built).
 */
export async function checkSystemOfDocument(shared: LangiumSharedServices, runner: SystemCheckRunner, params: SystemCheckParams, cancelled: () => boolean = () => false): Promise<SystemCheckResult> {
    await shared.workspace.WorkspaceManager.ready;
    await shared.workspace.WorkspaceLock.read(() => undefined);
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated);
    const start = shared.workspace.LangiumDocuments.getDocument(URI.parse(params.uri)) as LangiumDocument<Model> | undefined;
    if (!start) {
        return { uris: [], files: [], findings: [], refused: [`${params.uri} is not a Reactor FSM document of this workspace`] };
    }
    const group = systemDocuments(shared.workspace.LangiumDocuments.all.toArray() as Array<LangiumDocument<Model>>, start);
    const uris = group.map((document) => document.uri.toString());
    const files = group.map(filePath);
    const composed = programOfDocuments(group);
    if ('refused' in composed) {
        return { uris, files, findings: [], refused: composed.refused };
    }
    const maxSeconds = params.maxSeconds ?? DEFAULT_MAX_SECONDS;
    const reply = cancelled() ? undefined : await runner.run({ program: composed.program, files, sessions: params.sessions, maxMs: maxSeconds * 1000, maxStates: params.maxStates, exactTime: params.exactTime, networkFaults: params.networkFaults }, uris);
    if (!reply) {
        return { uris, files, findings: [], cancelled: true };
    }
    const byPath = new Map<string, LangiumDocument>(group.flatMap((document) => [[document.uri.path, document] as const, [filePath(document), document] as const]));
    return { uris, files, findings: reply.findings.map((finding) => resultFinding(finding, byPath)), summary: reply.summary, states: reply.states, complete: reply.complete };
}
