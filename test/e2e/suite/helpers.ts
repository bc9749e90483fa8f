// What the suites share: the temp workspace, polling with a bounded wait, diagnostic codes, positions in a document.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'reactor-fsm.reactor-fsm';

export function workspaceRoot(): string {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test run opens a workspace folder');
    return folder.uri.fsPath;
}

export function workspaceUri(relative: string): vscode.Uri {
    return vscode.Uri.file(path.join(workspaceRoot(), relative));
}

export async function openModel(relative: string): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(workspaceUri(relative));
    return vscode.window.showTextDocument(document);
}

/** Polls until `probe` gives a value (not undefined/false), or fails saying what it waited for and what it last saw. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (true) {
        try {
            const value = await probe();
            if (value !== undefined && value !== false) {
                return value;
            }
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            // A thrown value of any kind: String() prints an Error as `Error: message`, anything else as best it can.
            // eslint-disable-next-line @typescript-eslint/no-base-to-string
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
    const { code } = diagnostic;
    return code === undefined ? undefined : String(typeof code === 'object' ? code.value : code);
}

export function diagnosticsWith(uri: vscode.Uri, code: string): vscode.Diagnostic[] {
    return vscode.languages.getDiagnostics(uri).filter((diagnostic) => codeOf(diagnostic) === code);
}

/** The position just after the first occurrence of `before` in the document. */
export function positionAfter(document: vscode.TextDocument, before: string): vscode.Position {
    const offset = document.getText().indexOf(before);
    assert.ok(offset >= 0, `'${before}' is in ${document.uri.fsPath}`);
    return document.positionAt(offset + before.length);
}

/** The position inside the first occurrence of `word` in the document. */
export function positionIn(document: vscode.TextDocument, word: string): vscode.Position {
    const offset = document.getText().indexOf(word);
    assert.ok(offset >= 0, `'${word}' is in ${document.uri.fsPath}`);
    return document.positionAt(offset + 1);
}

export function labelOf(item: vscode.CompletionItem): string {
    return typeof item.label === 'string' ? item.label : item.label.label;
}

/**
 * The fields of the Generate Code and Check Workspace commands' results these suites read (language/lsp/protocol.ts
 * declares them all; it lies outside this compilation).
 */
export type GenerateResult = { written: string[]; kept: string[]; refused?: string[] };
export type CheckWorkspaceResult = { files: number; errors: number; warnings: number };

/**
 * Where our language server died so far, from the "Reactor FSM" output channel's log file (the client restarts a
 * crashed server, so requests alone may not show it). Undefined where the log is not known: the code-server shim
 * tells it in E2E_VSCODE_LOGS; a desktop VS Code run has no such variable.
 */
export function languageServerExits(): string[] | undefined {
    const logs = process.env.E2E_VSCODE_LOGS;
    if (!logs || !fs.existsSync(logs)) {
        return undefined;
    }
    const files = fs.readdirSync(logs, { recursive: true }).map(String).filter((file) => file.endsWith('Reactor FSM.log'));
    return files.flatMap((file) => {
        const lines = fs.readFileSync(path.join(logs, file), 'utf8').split('\n');
        return lines.flatMap((line, index) => {
            if (!/Server process exited with (code [1-9]|signal)|server crashed/i.test(line)) {
                return [];
            }
            const error = lines.slice(Math.max(0, index - 30), index).find((before) => /\[error\] (\w*Error|Uncaught)\b/.test(before));
            return [`${line.replace(/^.*\[error\] /, '')}${error ? ` after ${error.replace(/^.*\[error\] /, '')}` : ''}`];
        });
    });
}

/** Resolves with `promise`, or rejects after `timeoutMs` saying what it waited for and, from `seen`, what happened meanwhile. */
export async function within<T>(what: string, promise: Thenable<T>, timeoutMs: number, seen: () => string = () => ''): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
            const happened = seen();
            reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${happened ? `; seen: ${happened}` : ''}`));
        }, timeoutMs);
    });
    try {
        return await Promise.race([Promise.resolve(promise), timeout]);
    } finally {
        clearTimeout(timer);
    }
}

/** One message between VS Code and a debug adapter (seen by a tracker), or one custom event the API delivered. */
export interface DebugMessage {
    readonly sessionId: string;
    /**
     * `adapter`: a DAP event the adapter sent; `request`/`response`: a request VS Code sent (body: its arguments) and
     * the adapter's answer (event: the command; body: the answer's body or message); `custom`: a custom event as
     * onDidReceiveDebugSessionCustomEvent delivers it.
     */
    readonly via: 'adapter' | 'request' | 'response' | 'custom';
    /** The event's name, or the request's command. */
    readonly event: string;
    readonly body: unknown;
}

/** The fields of a DAP message a tracker reads. */
interface ProtocolMessage {
    type?: string;
    event?: string;
    command?: string;
    arguments?: unknown;
    success?: boolean;
    message?: string;
    body?: unknown;
}

/**
 * What the debug sessions of one debug type say: the adapter's DAP events (stopped, terminated, …, through a debug
 * adapter tracker, as VS Code's own views get them), the custom events as extensions get them, and the sessions that
 * started and ended. Waits are bounded and name what was seen.
 */
export class DebugWatch implements vscode.Disposable {
    readonly messages: DebugMessage[] = [];
    readonly started: vscode.DebugSession[] = [];
    readonly ended: vscode.DebugSession[] = [];
    private readonly disposables: vscode.Disposable[];

    constructor(debugType: string) {
        this.disposables = [
            vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
                createDebugAdapterTracker: (session) => ({
                    onWillReceiveMessage: (message: ProtocolMessage) => {
                        if (message.type === 'request' && typeof message.command === 'string') {
                            this.messages.push({ sessionId: session.id, via: 'request', event: message.command, body: message.arguments });
                        }
                    },
                    onDidSendMessage: (message: ProtocolMessage) => {
                        if (message.type === 'event' && typeof message.event === 'string') {
                            this.messages.push({ sessionId: session.id, via: 'adapter', event: message.event, body: message.body });
                        } else if (message.type === 'response' && typeof message.command === 'string') {
                            this.messages.push({ sessionId: session.id, via: 'response', event: message.command, body: message.success ? message.body : `failed: ${message.message}` });
                        }
                    }
                })
            }),
            vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
                if (event.session.type === debugType) {
                    this.messages.push({ sessionId: event.session.id, via: 'custom', event: event.event, body: event.body });
                }
            }),
            vscode.debug.onDidStartDebugSession((session) => {
                if (session.type === debugType) {
                    this.started.push(session);
                }
            }),
            vscode.debug.onDidTerminateDebugSession((session) => {
                if (session.type === debugType) {
                    this.ended.push(session);
                }
            })
        ];
    }

    /** The messages so far, one short line each (bodies cut), for a failure to show. */
    describe(): string {
        const lines = this.messages.map((message) => `${message.via} ${message.event}${message.body === undefined ? '' : ` ${JSON.stringify(message.body).slice(0, 160)}`}`);
        return `${this.started.length} session(s) started, ${this.ended.length} ended; ${lines.length} message(s):\n  ${lines.join('\n  ')}`;
    }

    /** How many messages have come so far: pass it as `from` to wait for one that comes after this point. */
    get mark(): number {
        return this.messages.length;
    }

    /** The first message at index `from` or later that `test` accepts; rejects after `timeoutMs` listing what came. */
    next(what: string, test: (message: DebugMessage) => boolean, from: number, timeoutMs = 20_000): Promise<DebugMessage> {
        return this.until(what, () => this.messages.slice(from).find(test), timeoutMs);
    }

    /** The next DAP `stopped` event of `session` after `from`. */
    async stopped(session: vscode.DebugSession, from: number, timeoutMs = 20_000): Promise<{ reason: string; description?: string; threadId?: number }> {
        const message = await this.next(`a stop of ${session.name}`, (candidate) => candidate.sessionId === session.id && candidate.via === 'adapter' && candidate.event === 'stopped', from, timeoutMs);
        return message.body as { reason: string; description?: string; threadId?: number };
    }

    /** The first session of this type that started, once one has. */
    session(timeoutMs = 20_000): Promise<vscode.DebugSession> {
        return this.until('a debug session to start', () => this.started[0], timeoutMs);
    }

    /** Resolves once `session` has ended. */
    async end(session: vscode.DebugSession, timeoutMs = 20_000): Promise<void> {
        await this.until(`${session.name} to end`, () => this.ended.some((candidate) => candidate.id === session.id), timeoutMs);
    }

    /** Polls `probe` until it gives a value; rejects after `timeoutMs` with what it waited for and everything seen. */
    async until<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        while (true) {
            const value = probe();
            if (value !== undefined && value !== false) {
                return value;
            }
            if (Date.now() > deadline) {
                throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.describe()}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    dispose(): void {
        this.disposables.forEach((disposable) => {
            disposable.dispose();
        });
    }
}

