// Show Trace Coverage: a recorded trace (a generated program's --trace=json) replayed against the active model by the
// language server; the diagram marks what it covered, and the first line the model does not allow is reported.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { TraceCoverageRequest, type TraceCoverageResult } from '../language/lsp/protocol.js';
import { DiagramPanel } from './diagram-panel.js';
import { sendRequest } from './requests.js';

/** The largest trace the editor reads (it travels to the language server in one message); the CLI reads any. */
const MAX_TRACE_BYTES = 64 * 1024 * 1024;

export const CoverageCommands = {
    show: 'reactor-fsm.showTraceCoverage',
    clear: 'reactor-fsm.clearTraceCoverage'
} as const;

function label(traceName: string, result: TraceCoverageResult): string {
    return `${traceName}: states ${result.states.covered}/${result.states.total}, transitions ${result.transitions.covered}/${result.transitions.total}${result.problem ? `, stops at line ${result.problem.traceLine}` : ''}`;
}

async function showTraceCoverage(client: LanguageClient, extensionUri: vscode.Uri, output: vscode.LogOutputChannel, argument?: unknown): Promise<TraceCoverageResult | undefined> {
    const editor = vscode.window.activeTextEditor;
    const document = editor?.document.languageId === 'reactor-fsm' ? editor.document : undefined;
    if (!document) {
        void vscode.window.showErrorMessage('Reactor FSM: open the .fsm file the trace was recorded from, then Show Trace Coverage.');
        return undefined;
    }
    const traceUri =
        argument instanceof vscode.Uri
            ? argument
            : (await vscode.window.showOpenDialog({ title: 'A trace recorded with --trace=json', canSelectMany: false, filters: { 'Trace (NDJSON)': ['ndjson', 'jsonl', 'json', 'log', 'txt'] } }))?.[0];
    if (!traceUri) {
        return undefined;
    }
    const traceName = path.basename(traceUri.fsPath);
    let trace: string;
    try {
        const { size } = await vscode.workspace.fs.stat(traceUri);
        if (size > MAX_TRACE_BYTES) {
            void vscode.window.showErrorMessage(`Reactor FSM: ${traceName} is ${Math.round(size / 1024 / 1024)} MB; Show Trace Coverage reads up to ${MAX_TRACE_BYTES / 1024 / 1024} MB (reactor-fsm check-trace has no limit).`);
            return undefined;
        }
        trace = new TextDecoder().decode(await vscode.workspace.fs.readFile(traceUri));
    } catch (error) {
        void vscode.window.showErrorMessage(`Reactor FSM: cannot read ${traceName}: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
    }
    const result = await sendRequest(client, TraceCoverageRequest, { uri: document.uri.toString(), trace, traceName });
    if (result.refused) {
        output.appendLine(`Trace coverage of ${traceName} refused:`);
        result.refused.forEach((line) => output.appendLine(`  ${line}`));
        void vscode.window.showErrorMessage(`Reactor FSM: ${result.refused[0]}`);
        return result;
    }
    DiagramPanel.showCoverage(client, extensionUri, document, { covered: result.covered, uncovered: result.uncovered, label: label(traceName, result) });
    const summary = `${traceName}: ${result.lines} lines; states entered ${result.states.covered}/${result.states.total}, transitions taken ${result.transitions.covered}/${result.transitions.total}.`;
    output.appendLine(`Trace coverage: ${summary}${result.problem ? ` ${traceName}:${result.problem.traceLine}: ${result.problem.message}` : ''}`);
    if (result.problem) {
        const problem = result.problem;
        void vscode.window.showErrorMessage(`Reactor FSM: ${traceName}:${problem.traceLine}: ${problem.message}`, 'Open Trace Line').then(async (choice) => {
            if (choice) {
                const line = new vscode.Position(problem.traceLine - 1, 0);
                await vscode.window.showTextDocument(traceUri, { selection: new vscode.Range(line, line) });
            }
        });
    } else {
        void vscode.window.showInformationMessage(`Reactor FSM: every line of ${summary}`);
    }
    return result;
}

export function registerTraceCoverage(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): void {
    context.subscriptions.push(
        vscode.commands.registerCommand(CoverageCommands.show, (argument?: unknown) => showTraceCoverage(client, context.extensionUri, output, argument)),
        vscode.commands.registerCommand(CoverageCommands.clear, () => DiagramPanel.clearCoverage())
    );
}
