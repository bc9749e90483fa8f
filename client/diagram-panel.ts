// The diagram panel: one webview beside the editor that follows the active .fsm document, updates while typing,
// reveals what is clicked and highlights what is under the cursor.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DiagramRequest, type DiagramParams, type DiagramResult } from '../language/lsp/protocol.js';
import { diagramPage } from './diagram-html.js';
import { sendRequest } from './requests.js';
import type { FromWebview, ToWebview } from './webview/messages.js';

const UPDATE_DELAY_MS = 250;

export class DiagramPanel implements vscode.Disposable {
    private static current: DiagramPanel | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private timer: ReturnType<typeof setTimeout> | undefined;
    private machine: string | undefined;

    private constructor(
        private readonly panel: vscode.WebviewPanel,
        private readonly client: LanguageClient,
        private document: vscode.TextDocument,
        extensionUri: vscode.Uri
    ) {
        const webview = panel.webview;
        webview.html = diagramPage({
            cspSource: webview.cspSource,
            nonce: randomBytes(16).toString('base64'),
            scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'diagram.js')).toString()
        });
        this.disposables.push(
            panel.onDidDispose(() => this.dispose()),
            webview.onDidReceiveMessage((message: FromWebview) => this.receive(message)),
            vscode.workspace.onDidChangeTextDocument((event) => {
                if (event.document === this.document) {
                    this.scheduleUpdate();
                }
            }),
            vscode.window.onDidChangeActiveTextEditor((editor) => {
                if (editor?.document.languageId === 'reactor-fsm' && editor.document !== this.document) {
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
    }

    private async receive(message: FromWebview): Promise<void> {
        switch (message.type) {
            case 'ready':
                await this.update();
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
