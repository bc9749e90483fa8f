// The VS Code extension: starts the language server and registers the Reactor FSM commands.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerCommands } from './commands.js';
import { registerDebugging } from './debug.js';
import { trackLiveDebugSessions } from './live-sessions.js';
import { registerSystemCheck } from './system-check.js';
import { registerTraceCoverage } from './trace-coverage.js';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const output = vscode.window.createOutputChannel('Reactor FSM', { log: true });
    context.subscriptions.push(output);
    const serverModule = context.asAbsolutePath(path.join('out', 'server.cjs'));
    const serverOptions: ServerOptions = {
        run: { module: serverModule, transport: TransportKind.ipc },
        debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } }
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [
            { scheme: 'file', language: 'reactor-fsm' },
            { scheme: 'untitled', language: 'reactor-fsm' }
        ],
        outputChannel: output,
        synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.fsm') }
    };
    // The id makes `reactor-fsm.trace.server` the trace setting.
    client = new LanguageClient('reactor-fsm', 'Reactor FSM', serverOptions, clientOptions);
    registerCommands(context, client, output);
    registerDebugging(context);
    registerTraceCoverage(context, client, output);
    registerSystemCheck(context, client, output);
    context.subscriptions.push(trackLiveDebugSessions());
    await client.start();
}

export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}
