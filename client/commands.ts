// The palette commands: Generate Code (also on save and from the code lens) and Check Workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CheckWorkspaceRequest, DiagramRequest, GenerateRequest, LensCommands, type DiagramParams, type GenerateParams, type GenerateResult } from '../language/lsp/protocol.js';
import { DiagramPanel } from './diagram-panel.js';
import { resolveOutputFolder } from './output-folder.js';
import { sendRequest } from './requests.js';

export const Commands = {
    ...LensCommands,
    checkWorkspace: 'reactor-fsm.checkWorkspace',
    exportDiagram: 'reactor-fsm.exportDiagram'
} as const;

/** The .fsm document a command is about: its argument (from a lens or the explorer) or the active editor. */
function targetUri(argument: unknown): vscode.Uri | undefined {
    if (argument instanceof vscode.Uri) {
        return argument;
    }
    if (typeof argument === 'string') {
        return vscode.Uri.parse(argument);
    }
    const editor = vscode.window.activeTextEditor;
    return editor?.document.languageId === 'reactor-fsm' ? editor.document.uri : undefined;
}

async function generate(client: LanguageClient, output: vscode.LogOutputChannel, uri: vscode.Uri, quiet: boolean): Promise<GenerateResult | undefined> {
    const configuration = vscode.workspace.getConfiguration('reactor-fsm', uri);
    const folder = resolveOutputFolder(configuration.get<string>('generate.outputFolder') ?? '', uri.fsPath, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
    const params: GenerateParams = { uri: uri.toString(), outputFolder: folder };
    const result = await sendRequest(client, GenerateRequest, params);
    const name = path.basename(uri.fsPath);
    if (result.refused) {
        output.appendLine(`Not generating from ${name}:`);
        result.refused.forEach((line) => output.appendLine(`  ${line}`));
        if (!quiet) {
            const choice = await vscode.window.showErrorMessage(`Reactor FSM: not generating from ${name}: ${result.refused[0]}`, 'Show Problems');
            if (choice === 'Show Problems') {
                await vscode.commands.executeCommand('workbench.actions.view.problems');
            }
        }
        return result;
    }
    output.appendLine(`Generated from ${name} into ${folder}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.kept.length} kept`);
    result.written.forEach((file) => output.appendLine(`  wrote ${file}`));
    result.kept.forEach((file) => output.appendLine(`  kept  ${file} (yours: never overwritten)`));
    if (!quiet) {
        void vscode.window.showInformationMessage(
            `Reactor FSM: ${result.written.length} files written, ${result.unchanged.length} unchanged, ${result.kept.length} kept in ${vscode.workspace.asRelativePath(folder)}`
        );
    }
    return result;
}

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): void {
    context.subscriptions.push(
        vscode.commands.registerCommand(Commands.generate, async (argument?: unknown) => {
            const uri = targetUri(argument);
            if (!uri) {
                void vscode.window.showWarningMessage('Reactor FSM: open a .fsm file to generate code from it.');
                return undefined;
            }
            return generate(client, output, uri, false);
        }),
        vscode.commands.registerCommand(Commands.checkWorkspace, async () => {
            const result = await sendRequest(client, CheckWorkspaceRequest);
            const summary = `${result.files} files checked: ${result.errors} errors, ${result.warnings} warnings, ${result.infos} infos`;
            output.appendLine(summary);
            await vscode.commands.executeCommand('workbench.actions.view.problems');
            void vscode.window.showInformationMessage(`Reactor FSM: ${summary}`);
            return result;
        }),
        vscode.commands.registerCommand(Commands.openDiagram, async (argument?: unknown, machine?: unknown) => {
            const uri = targetUri(argument);
            if (!uri) {
                void vscode.window.showWarningMessage('Reactor FSM: open a .fsm file to see its diagram.');
                return;
            }
            DiagramPanel.show(client, context.extensionUri, await vscode.workspace.openTextDocument(uri), typeof machine === 'string' ? machine : undefined);
        }),
        vscode.commands.registerCommand(Commands.exportDiagram, async (argument?: unknown) => {
            const uri = targetUri(argument);
            if (!uri) {
                void vscode.window.showWarningMessage('Reactor FSM: open a .fsm file to export its diagram.');
                return undefined;
            }
            const editor = vscode.window.activeTextEditor;
            const params: DiagramParams = {
                uri: uri.toString(),
                standalone: true,
                ...(editor?.document.uri.toString() === uri.toString() ? { offset: editor.document.offsetAt(editor.selection.active) } : {})
            };
            const result = await sendRequest(client, DiagramRequest, params);
            if (!result.svg || !result.machine) {
                void vscode.window.showErrorMessage(`Reactor FSM: no diagram to export: ${result.problem ?? 'no machine'}`);
                return undefined;
            }
            const target = await vscode.window.showSaveDialog({
                defaultUri: vscode.Uri.joinPath(uri, '..', `${result.machine}.svg`),
                filters: { 'SVG image': ['svg'] }
            });
            if (!target) {
                return undefined;
            }
            await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${result.svg}\n`));
            void vscode.window.showInformationMessage(`Reactor FSM: diagram of ${result.machine} saved to ${vscode.workspace.asRelativePath(target)}`);
            return target;
        }),
        vscode.workspace.onDidSaveTextDocument(async (document) => {
            if (document.languageId === 'reactor-fsm' && vscode.workspace.getConfiguration('reactor-fsm', document.uri).get<boolean>('generate.onSave')) {
                await generate(client, output, document.uri, true);
            }
        })
    );
}
