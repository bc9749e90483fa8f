// The diagram panel: one webview beside the editor that follows the active .fsm document, updates while typing,
// reveals what is clicked, highlights what is under the cursor and, while a reactor-fsm debug session runs, what the
// instance selected in the Call Stack is doing (live-diagram.ts chooses it).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DiagramRequest, type DiagramParams, type DiagramResult } from '../language/lsp/protocol.js';
import { diagramPage } from './diagram-html.js';
import { chooseLiveInstance, liveMessage, LiveProtocol, type LiveInstance } from './live-diagram.js';
import { currentLiveSessions, liveTracker } from './live-sessions.js';
import { sendRequest } from './requests.js';
import type { CoverageView, FromWebview, ToWebview } from './webview/messages.js';

const UPDATE_DELAY_MS = 250;

export class DiagramPanel implements vscode.Disposable {
    private static current: DiagramPanel | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private timer: ReturnType<typeof setTimeout> | undefined;
    private machine: string | undefined;
    /** The instance the live view shows, for sending it events; undefined when nothing is live. */
    private live: { session: vscode.DebugSession; instance: LiveInstance } | undefined;
    private liveShown = false;
    /** A recorded trace's coverage of this document, shown until the document changes or another one is shown. */
    private coverage: { uri: string; view: CoverageView } | undefined;

    private constructor(
        private readonly panel: vscode.WebviewPanel,
        private readonly client: LanguageClient,
        private document: vscode.TextDocument,
        extensionUri: vscode.Uri
    ) {
        const webview = panel.webview;
        const sessions = liveTracker();
        webview.html = diagramPage({
            cspSource: webview.cspSource,
            nonce: randomBytes(16).toString('base64'),
            scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'diagram.js')).toString()
        });
        this.disposables.push(
            panel.onDidDispose(() => this.dispose()),
            sessions.onDidChange(() => void this.showLive(true)),
            webview.onDidReceiveMessage((message: FromWebview) => this.receive(message)),
            vscode.workspace.onDidChangeTextDocument((event) => {
                if (event.document === this.document) {
                    // The covered lines were those of the text the trace was checked against.
                    this.clearCoverage();
                    this.scheduleUpdate();
                }
            }),
            vscode.window.onDidChangeActiveTextEditor((editor) => {
                if (editor?.document.languageId === 'reactor-fsm' && editor.document !== this.document) {
                    this.clearCoverage();
                    this.document = editor.document;
                    this.machine = undefined;
                    this.scheduleUpdate();
                }
            }),
            vscode.window.onDidChangeTextEditorSelection((event) => {
                if (event.textEditor.document === this.document) {
                    const position = event.selections[0]!.active;
                    void this.post({ type: 'highlight', line: position.line, character: position.character });
                }
            })
        );
    }

    /**
     * Opens (or reveals) the panel for `document`, showing `machine` or the one under the cursor.
     * `extensionUri` is where the extension is installed: the webview's script is its out/diagram.js.
     */
    static show(client: LanguageClient, extensionUri: vscode.Uri, document: vscode.TextDocument, machine?: string): DiagramPanel {
        const existing = DiagramPanel.current;
        if (existing) {
            existing.document = document;
            existing.machine = machine;
            existing.panel.reveal(vscode.ViewColumn.Beside, true);
            existing.scheduleUpdate(0);
            return existing;
        }
        const panel = vscode.window.createWebviewPanel('reactor-fsm.diagram', 'Reactor FSM Diagram', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
            enableScripts: true,
            retainContextWhenHidden: true,
            localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out')]
        });
        DiagramPanel.current = new DiagramPanel(panel, client, document, extensionUri);
        DiagramPanel.current.machine = machine;
        return DiagramPanel.current;
    }

    /** Opens the panel for `document` and shows a recorded trace's coverage on its diagram. */
    static showCoverage(client: LanguageClient, extensionUri: vscode.Uri, document: vscode.TextDocument, view: CoverageView): void {
        const panel = DiagramPanel.show(client, extensionUri, document);
        panel.coverage = { uri: document.uri.toString(), view };
        void panel.post({ type: 'coverage', ...view });
    }

    /** Removes the coverage overlay, if any. */
    static clearCoverage(): void {
        DiagramPanel.current?.clearCoverage();
    }

    private clearCoverage(): void {
        if (this.coverage) {
            this.coverage = undefined;
            void this.post({ type: 'coverageEnd' });
        }
    }

    /** Asks the server for the diagram: the chosen machine, else the one around the cursor. */
    private async request(): Promise<DiagramResult> {
        const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === this.document);
        const params: DiagramParams = {
            uri: this.document.uri.toString(),
            ...(this.machine ? { machine: this.machine } : {}),
            ...(editor ? { offset: this.document.offsetAt(editor.selection.active) } : {})
        };
        return sendRequest(this.client, DiagramRequest, params);
    }

    private scheduleUpdate(delay = UPDATE_DELAY_MS): void {
        if (this.timer !== undefined) {
            clearTimeout(this.timer);
        }
        this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.update();
        }, delay);
    }

    private async update(): Promise<void> {
        const result = await this.request();
        this.machine ??= result.machine;
        this.panel.title = result.machine ? `Diagram: ${result.machine}` : 'Reactor FSM Diagram';
        await this.post({ type: 'update', svg: result.svg, machine: result.machine, machines: result.machines, ...(result.problem ? { problem: result.problem } : {}) });
        await this.showLive(false);
    }

    /**
     * Shows the live instance or clears the live view. With `follow`, an instance of another machine of this file (the
     * Call Stack's selection) makes the panel switch to that machine; without, it only clears the view (the user chose
     * another machine or document).
     */
    private async showLive(follow: boolean): Promise<void> {
        const current = currentLiveSessions()?.current();
        const file = this.document.uri.scheme === 'file' ? this.document.uri.fsPath : undefined;
        const instance = current && chooseLiveInstance(current.body.instances, { file, machine: this.machine }, current.selectedThreadId);
        if (!current || !instance || (!follow && instance.machine !== this.machine)) {
            this.live = undefined;
            if (this.liveShown) {
                this.liveShown = false;
                await this.post({ type: 'liveEnd' });
            }
            return;
        }
        this.live = { session: current.session, instance };
        this.liveShown = true;
        // The webview keeps the view and applies it to the diagram of that machine, so it is sent before the switch.
        await this.post(liveMessage(instance, current.body.t));
        if (instance.machine !== this.machine) {
            this.machine = instance.machine;
            this.scheduleUpdate(0);
        }
    }

    /** Sends `event` to the live instance, as the Debug Console's `send E`. */
    private async fire(event: string): Promise<void> {
        const live = this.live;
        if (!live) {
            return;
        }
        try {
            await live.session.customRequest(LiveProtocol.send, { threadId: live.instance.threadId, event });
        } catch (error) {
            void vscode.window.showWarningMessage(`Reactor FSM: could not send ${event} to ${live.instance.instance}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }

    private async receive(message: FromWebview): Promise<void> {
        switch (message.type) {
            case 'ready':
                // A page (re)loaded: messages posted before its script ran are lost, so the overlays are sent again.
                if (this.coverage?.uri === this.document.uri.toString()) {
                    await this.post({ type: 'coverage', ...this.coverage.view });
                }
                await this.update();
                await this.showLive(true);
                break;
            case 'chooseMachine':
                this.machine = message.machine;
                await this.update();
                break;
            case 'reveal': {
                const range = new vscode.Range(message.range.start.line, message.range.start.character, message.range.end.line, message.range.end.character);
                const editor = await vscode.window.showTextDocument(this.document, { viewColumn: vscode.ViewColumn.One, selection: range });
                editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
                break;
            }
            case 'fire':
                await this.fire(message.event);
                break;
        }
    }

    private post(message: ToWebview): Thenable<boolean> {
        return this.panel.webview.postMessage(message);
    }

    dispose(): void {
        if (DiagramPanel.current === this) {
            DiagramPanel.current = undefined;
        }
        if (this.timer !== undefined) {
            clearTimeout(this.timer);
        }
        this.disposables.forEach((disposable) => {
            disposable.dispose();
        });
        this.panel.dispose();
    }
}
