// A small LSP test client: spawns the bundled language server over stdio and speaks the real protocol to it.
// Every wait is bounded; a timeout fails with what was awaited and the tail of the server's stderr.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
    ConfigurationRequest,
    createProtocolConnection,
    ExitNotification,
    InitializedNotification,
    InitializeRequest,
    PublishDiagnosticsNotification,
    RegistrationRequest,
    ShutdownRequest,
    StreamMessageReader,
    StreamMessageWriter,
    UnregistrationRequest,
    WorkDoneProgressCreateRequest,
    type ClientCapabilities,
    type Diagnostic,
    type InitializeResult,
    type ProtocolConnection,
    type ProtocolNotificationType,
    type ProtocolRequestType,
    type PublishDiagnosticsParams,
    type RequestParam
} from 'vscode-languageserver-protocol/node';

/** The default bound of every wait, in milliseconds. */
export const WAIT_MS = 10_000;

/** Rejects with `Timed out after … waiting for <what>` unless `promise` settles within `ms`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS, detail: () => string = () => ''): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            const extra = detail();
            reject(new Error(`Timed out after ${ms} ms waiting for ${what}${extra ? `\n${extra}` : ''}`));
        }, ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The bundled language server, out/server.cjs; fails the suite's setup if `npm run -s bundle` has not made it. */
export function bundledServer(): string {
    const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/server.cjs');
    if (!existsSync(server)) {
        throw new Error(`${server} is missing: run \`npm run -s bundle\` first`);
    }
    return server;
}

/** A fresh temporary folder holding `files` (relative path → text). */
export function tempWorkspace(files: Record<string, string>, prefix = 'reactor-fsm-lsp-'): string {
    const folder = mkdtempSync(path.join(tmpdir(), prefix));
    for (const [name, text] of Object.entries(files)) {
        writeFileSync(path.join(folder, name), text, 'utf8');
    }
    return folder;
}

/** Removes a folder `tempWorkspace` made (anything outside the temp folder is left alone). */
export function removeTempWorkspace(folder: string | undefined): void {
    if (folder && folder.startsWith(tmpdir())) {
        rmSync(folder, { recursive: true, force: true });
    }
}

export function fileUri(file: string): string {
    return pathToFileURL(file).toString();
}

/** What the client tells the server it can do: the features the tests exercise. */
export const CLIENT_CAPABILITIES: ClientCapabilities = {
    workspace: {
        applyEdit: true,
        workspaceEdit: { documentChanges: false },
        workspaceFolders: true,
        configuration: true
    },
    textDocument: {
        synchronization: { didSave: true, dynamicRegistration: false },
        publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
        completion: { completionItem: { snippetSupport: false, documentationFormat: ['markdown', 'plaintext'] }, contextSupport: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        definition: { linkSupport: true },
        references: {},
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
            isPreferredSupport: true,
            dataSupport: true
        },
        codeLens: {},
        formatting: {},
        rename: { prepareSupport: true },
        semanticTokens: {
            requests: { full: { delta: true }, range: true },
            tokenTypes: ['namespace', 'type', 'class', 'enum', 'enumMember', 'event', 'function', 'method', 'variable', 'property', 'keyword', 'comment', 'string', 'number', 'operator'],
            tokenModifiers: ['declaration', 'definition', 'readonly', 'defaultLibrary'],
            formats: ['relative']
        }
    }
};

interface DiagnosticsWaiter {
    uri: string;
    accept: (diagnostics: Diagnostic[]) => boolean;
    resolve: (diagnostics: Diagnostic[]) => void;
}

export class LspClient {
    readonly connection: ProtocolConnection;
    /** The latest diagnostics the server published, by document URI. */
    readonly diagnostics = new Map<string, Diagnostic[]>();
    /** Resolves with the exit code (or the signal) once the server process has ended. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    private readonly child: ChildProcessWithoutNullStreams;
    private stderr = '';
    private waiters: DiagnosticsWaiter[] = [];
    private ended = false;

    private constructor(serverScript: string, cwd: string) {
        this.child = spawn(process.execPath, [serverScript, '--stdio'], { cwd, stdio: 'pipe' });
        this.child.stderr.setEncoding('utf8');
        this.child.stderr.on('data', (chunk: string) => {
            this.stderr = (this.stderr + chunk).slice(-4000);
        });
        this.exited = new Promise((resolve) => {
            this.child.on('exit', (code, signal) => {
                this.ended = true;
                resolve({ code, signal });
            });
        });
        this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
        this.connection.onNotification(PublishDiagnosticsNotification.type, (params: PublishDiagnosticsParams) => {
            this.diagnostics.set(params.uri, params.diagnostics);
            this.waiters = this.waiters.filter((waiter) => {
                if (waiter.uri === params.uri && waiter.accept(params.diagnostics)) {
                    waiter.resolve(params.diagnostics);
                    return false;
                }
                return true;
            });
        });
        // Requests the server may send to a client with these capabilities: answer them so it never waits on us.
        this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => null));
        this.connection.onRequest(RegistrationRequest.type, () => undefined);
        this.connection.onRequest(UnregistrationRequest.type, () => undefined);
        this.connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
        // The pipe closes when the server exits; that is not an error of the test.
        this.child.stdin.on('error', () => undefined);
        this.connection.onError(() => undefined);
        this.connection.listen();
    }

    /** Spawns `node <serverScript> --stdio`. */
    static start(serverScript: string, cwd: string): LspClient {
        return new LspClient(serverScript, cwd);
    }

    /** The last lines the server wrote to stderr, for failure messages. */
    stderrTail(): string {
        return this.stderr.trim() === '' ? '' : `server stderr:\n${this.stderr.trim()}`;
    }

    get running(): boolean {
        return !this.ended;
    }

    /** Sends `initialize` with one workspace folder, then `initialized`. */
    async initialize(workspaceFolder: string, capabilities: ClientCapabilities = CLIENT_CAPABILITIES): Promise<InitializeResult> {
        const uri = fileUri(workspaceFolder);
        const result = await this.request(InitializeRequest.type, {
            processId: process.pid,
            clientInfo: { name: 'reactor-fsm-lsp-test', version: '0.0.0' },
            rootUri: uri,
            workspaceFolders: [{ uri, name: path.basename(workspaceFolder) }],
            capabilities
        }, 'the initialize response');
        await this.connection.sendNotification(InitializedNotification.type, {});
        return result;
    }

    /** A request with a bounded wait. */
    request<P, R, PR, E, RO>(type: ProtocolRequestType<P, R, PR, E, RO>, params: RequestParam<P>, what: string = type.method, ms = WAIT_MS): Promise<R> {
        this.assertRunning(what);
        return withTimeout(this.connection.sendRequest(type, params), `${what} (${type.method})`, ms, () => this.stderrTail());
    }

    /** A custom request by method name, with a bounded wait. */
    requestMethod<R>(method: string, params: unknown, ms = WAIT_MS): Promise<R> {
        this.assertRunning(method);
        return withTimeout(this.connection.sendRequest<R>(method, params), `the response to ${method}`, ms, () => this.stderrTail());
    }

    notify<P, RO>(type: ProtocolNotificationType<P, RO>, params: RequestParam<P>): Promise<void> {
        this.assertRunning(type.method);
        return this.connection.sendNotification(type, params);
    }

    /**
     * The next diagnostics published for `uri` that satisfy `accept` — or the current ones, if the last published
     * already do (`acceptCurrent`, the default).
     */
    waitForDiagnostics(uri: string, what: string, accept: (diagnostics: Diagnostic[]) => boolean = () => true, options: { acceptCurrent?: boolean; ms?: number } = {}): Promise<Diagnostic[]> {
        const current = this.diagnostics.get(uri);
        if ((options.acceptCurrent ?? true) && current && accept(current)) {
            return Promise.resolve(current);
        }
        const waited = new Promise<Diagnostic[]>((resolve) => {
            this.waiters.push({ uri, accept, resolve });
        });
        return withTimeout(waited, `diagnostics of ${uri}: ${what}`, options.ms ?? WAIT_MS, () => {
            const last = this.diagnostics.get(uri);
            const published = last ? `last published: ${JSON.stringify(last.map((d) => `${String(d.code)} ${typeof d.message === 'string' ? d.message : d.message.value}`))}` : 'nothing was published for it';
            return [published, this.stderrTail()].filter((part) => part !== '').join('\n');
        });
    }

    /** `shutdown`, then `exit`; resolves with how the process ended. */
    async shutdownAndExit(ms = WAIT_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
        this.assertRunning('shutdown');
        await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 'the shutdown response', ms, () => this.stderrTail());
        await this.connection.sendNotification(ExitNotification.type);
        return withTimeout(this.exited, 'the server process to end after exit', ms, () => this.stderrTail());
    }

    /** Ends the connection and, if it still runs, the server process (for afterAll). */
    async dispose(): Promise<void> {
        this.connection.dispose();
        if (!this.ended) {
            this.child.kill('SIGKILL');
            await withTimeout(this.exited, 'the killed server process to end', 5_000).catch(() => undefined);
        }
    }

    private assertRunning(what: string): void {
        if (this.ended) {
            throw new Error(`Cannot send ${what}: the server process has already ended.\n${this.stderrTail()}`);
        }
    }
}
