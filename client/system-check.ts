// Check System: asks the language server to explore the active file with the files wired to it, shows the findings in
// the Problems view (a collection of their own, beside the single-machine diagnostics), the summary in the status bar
// and the output channel, and offers Replay in debugger on each finding. Optionally runs after a pause in typing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SystemCheckRequest, type SystemCheckFinding, type SystemCheckParams, type SystemCheckPlace, type SystemCheckResult } from '../language/lsp/protocol.js';
import { documentUri, replayFinding } from './debug.js';

export const SystemCheckCommands = {
    check: 'reactor-fsm.checkSystem',
    /** The quick action's command (not in the palette): arguments are the diagnostic's document URI, line and code. */
    replay: 'reactor-fsm.replaySystemTrace'
} as const;

/** The diagnostics' source: the Problems view shows it after each message. */
export const SYSTEM_CHECK_SOURCE = 'reactor-fsm system check';

const REPLAY_TITLE = 'Replay in debugger';

/** Tries of an explicit check an edit of one of its files cancelled before it is given up. */
const RETRIES_AFTER_EDITS = 3;

interface Settings {
    onType: boolean;
    delayMs: number;
    maxSeconds: number;
    sessions: number;
    exactTime: boolean;
    networkFaults: boolean;
}

function settingsOf(uri: vscode.Uri): Settings {
    const configuration = vscode.workspace.getConfiguration('reactor-fsm.systemCheck', uri);
    return {
        onType: configuration.get<boolean>('onType') ?? false,
        delayMs: Math.max(0, configuration.get<number>('delayMs') ?? 1500),
        maxSeconds: Math.max(1, configuration.get<number>('maxSeconds') ?? 10),
        sessions: Math.max(1, configuration.get<number>('sessions') ?? 2),
        exactTime: configuration.get<boolean>('exactTime') ?? false,
        networkFaults: configuration.get<boolean>('networkFaults') ?? false
    };
}

function rangeOf(place: SystemCheckPlace): vscode.Range {
    return new vscode.Range(place.line, place.character, place.endLine, place.endCharacter);
}

function diagnosticOf(finding: SystemCheckFinding): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(rangeOf(finding.place), finding.message, finding.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    diagnostic.code = finding.code;
    diagnostic.source = SYSTEM_CHECK_SOURCE;
    diagnostic.relatedInformation = [
        ...finding.steps.map((step, index) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.parse(step.place.uri), rangeOf(step.place)), `trace step ${index + 1}: ${step.text}`)),
        new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.parse(finding.place.uri), rangeOf(finding.place)), `at the end: ${finding.machines.join(', ')}`)
    ];
    return diagnostic;
}

/** How a finding's diagnostic is found again from a code action's context. */
function findingKey(uri: string, line: number, code: string): string {
    return `${uri}#${line}#${code}`;
}

function plural(value: number, word: string): string {
    return `${value} ${word}${value === 1 ? '' : 's'}`;
}

/** What the command answers (for tests and other extensions): the files checked, the findings' codes, the summary. */
export interface SystemCheckOutcome {
    files: string[];
    codes: string[];
    summary?: string;
    refused?: string[];
    cancelled?: boolean;
}

class SystemCheck implements vscode.Disposable {
    private readonly diagnostics = vscode.languages.createDiagnosticCollection('reactor-fsm-system');
    private readonly status = vscode.window.createStatusBarItem('reactor-fsm.systemCheck', vscode.StatusBarAlignment.Left, 10);
    /** The findings shown, by diagnostic, with the files they were found in (for the replay). */
    private readonly findings = new Map<string, { finding: SystemCheckFinding; files: string[] }>();
    /** The documents each document was last checked with: their diagnostics go when it is checked again. */
    private readonly groups = new Map<string, string[]>();
    private running: vscode.CancellationTokenSource | undefined;
    private generation = 0;
    private typingTimer: ReturnType<typeof setTimeout> | undefined;

    constructor(
        private readonly client: LanguageClient,
        private readonly output: vscode.LogOutputChannel,
        private readonly storage: vscode.Uri
    ) {
        this.status.name = 'Reactor FSM System Check';
        this.status.command = SystemCheckCommands.check;
    }

    /** Checks the system of `uri`; `explicit` (the command) retries after edits and says what happened in a message. */
    async check(uri: vscode.Uri, explicit: boolean): Promise<SystemCheckOutcome> {
        const settings = settingsOf(uri);
        const params: SystemCheckParams = { uri: uri.toString(), sessions: settings.sessions, maxSeconds: settings.maxSeconds, exactTime: settings.exactTime, networkFaults: settings.networkFaults };
        for (let attempt = 0; ; attempt++) {
            this.running?.cancel();
            const source = new vscode.CancellationTokenSource();
            this.running = source;
            const generation = ++this.generation;
            this.showStatus('$(sync~spin) System check…', `Exploring ${path.basename(uri.fsPath)} with the files wired to it`);
            let result: SystemCheckResult;
            try {
                result = await this.client.sendRequest<SystemCheckResult>(SystemCheckRequest.method, params, source.token);
            } catch (error) {
                if (generation !== this.generation) {
                    return { files: [], codes: [], cancelled: true };
                }
                this.showStatus('$(warning) System check failed', String(error));
                throw error;
            } finally {
                source.dispose();
                if (this.running === source) {
                    this.running = undefined;
                }
            }
            if (generation !== this.generation) {
                return { files: result.files, codes: [], cancelled: true };
            }
            if (result.cancelled && explicit && attempt < RETRIES_AFTER_EDITS) {
                continue;
            }
            return this.show(uri, result, explicit);
        }
    }

    private show(uri: vscode.Uri, result: SystemCheckResult, explicit: boolean): SystemCheckOutcome {
        const names = result.files.map((file) => path.basename(file)).join(', ');
        if (result.cancelled) {
            this.showStatus('$(circle-slash) System check cancelled', `A file of ${names} changed during the check`);
            return { files: result.files, codes: [], cancelled: true };
        }
        this.clearGroupsOf([uri.toString(), ...result.uris]);
        if (result.refused) {
            this.output.appendLine(`System check of ${names || path.basename(uri.fsPath)} not run:`);
            result.refused.forEach((line) => this.output.appendLine(`  ${line}`));
            this.showStatus('$(circle-slash) System check: not run', result.refused.join('\n'));
            if (explicit) {
                void vscode.window.showWarningMessage(`Reactor FSM: system check not run: ${result.refused[0]}`);
            }
            return { files: result.files, codes: [], refused: result.refused };
        }
        const byUri = new Map<string, vscode.Diagnostic[]>();
        for (const finding of result.findings) {
            byUri.set(finding.place.uri, [...(byUri.get(finding.place.uri) ?? []), diagnosticOf(finding)]);
            this.findings.set(findingKey(finding.place.uri, finding.place.line, finding.code), { finding, files: result.files });
        }
        for (const [each, list] of byUri) {
            this.diagnostics.set(vscode.Uri.parse(each), list);
        }
        result.uris.forEach((each) => this.groups.set(each, result.uris));
        const errors = result.findings.filter((finding) => finding.severity === 'error').length;
        const counts = `${plural(result.findings.length, 'finding')} (${plural(errors, 'error')}, ${plural(result.findings.length - errors, 'warning')})`;
        this.output.appendLine(`System check of ${names}: ${result.summary ?? ''}; ${counts}`);
        const bound = result.complete === false ? ' (bound reached: not every state explored)' : '';
        this.showStatus(
            `${result.findings.length > 0 ? '$(error)' : '$(pass)'} System: ${plural(result.findings.length, 'finding')}${result.complete === false ? ' $(warning)' : ''}`,
            `${names}: ${result.summary ?? ''}${bound}`
        );
        if (explicit) {
            void vscode.window.showInformationMessage(`Reactor FSM: system check of ${names}: ${counts}; ${result.summary ?? ''}`);
        }
        return { files: result.files, codes: result.findings.map((finding) => finding.code), summary: result.summary };
    }

    /** Removes the diagnostics (and findings) of the groups the documents were last checked in. */
    private clearGroupsOf(uris: readonly string[]): void {
        const stale = new Set(uris.flatMap((uri) => this.groups.get(uri) ?? [uri]));
        for (const uri of stale) {
            this.diagnostics.delete(vscode.Uri.parse(uri));
            this.groups.delete(uri);
        }
        for (const key of [...this.findings.keys()]) {
            if (stale.has(key.slice(0, key.indexOf('#')))) {
                this.findings.delete(key);
            }
        }
    }

    private showStatus(text: string, tooltip: string): void {
        this.status.text = text;
        this.status.tooltip = tooltip;
        this.status.show();
    }

    /** After a pause in typing in a .fsm file: checks the active one (when `onType` is on). */
    typed(document: vscode.TextDocument): void {
        const settings = settingsOf(document.uri);
        if (!settings.onType) {
            return;
        }
        clearTimeout(this.typingTimer);
        this.running?.cancel(); // stale: an edit ends the running search on the server too
        this.typingTimer = setTimeout(() => {
            const active = vscode.window.activeTextEditor?.document;
            const target = active?.languageId === 'reactor-fsm' ? active.uri : document.uri;
            this.check(target, false).catch((error: unknown) => this.output.error(`System check failed: ${String(error)}`));
        }, settings.delayMs);
    }

    /** The Replay in debugger actions of the system check's diagnostics in `context`. */
    codeActions(document: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
        return context.diagnostics.flatMap((diagnostic) => {
            const code = String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code);
            if (diagnostic.source !== SYSTEM_CHECK_SOURCE || !this.findings.has(findingKey(document.uri.toString(), diagnostic.range.start.line, code))) {
                return [];
            }
            const action = new vscode.CodeAction(REPLAY_TITLE, vscode.CodeActionKind.QuickFix);
            action.diagnostics = [diagnostic];
            action.command = { command: SystemCheckCommands.replay, title: REPLAY_TITLE, arguments: [document.uri.toString(), diagnostic.range.start.line, code] };
            return [action];
        });
    }

    /** Replays a finding's trace in a debug session (its scenario written to a file first). */
    async replay(uri: unknown, line: unknown, code: unknown): Promise<boolean> {
        const shown = this.findings.get(findingKey(String(uri), Number(line), String(code)));
        if (!shown) {
            void vscode.window.showWarningMessage('Reactor FSM: this finding is gone; run Check System again.');
            return false;
        }
        return replayFinding(shown.finding, shown.files, this.storage, this.output);
    }

    dispose(): void {
        clearTimeout(this.typingTimer);
        this.running?.cancel();
        this.diagnostics.dispose();
        this.status.dispose();
    }
}

export function registerSystemCheck(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): void {
    const systemCheck = new SystemCheck(client, output, context.globalStorageUri);
    context.subscriptions.push(
        systemCheck,
        vscode.commands.registerCommand(SystemCheckCommands.check, async (argument?: unknown) => {
            const uri = documentUri(argument);
            if (!uri) {
                void vscode.window.showWarningMessage('Reactor FSM: open a .fsm file to check its system.');
                return undefined;
            }
            return systemCheck.check(uri, true);
        }),
        vscode.commands.registerCommand(SystemCheckCommands.replay, (uri: unknown, line: unknown, code: unknown) => systemCheck.replay(uri, line, code)),
        vscode.languages.registerCodeActionsProvider({ language: 'reactor-fsm' }, { provideCodeActions: (document, _range, actionContext) => systemCheck.codeActions(document, actionContext) }, {
            providedCodeActionKinds: [vscode.CodeActionKind.QuickFix]
        }),
        vscode.workspace.onDidChangeTextDocument((event) => {
            if (event.document.languageId === 'reactor-fsm' && event.contentChanges.length > 0) {
                systemCheck.typed(event.document);
            }
        })
    );
}
