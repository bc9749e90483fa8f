// Simulate and debug: the `reactor-fsm` debug type (its adapter runs as a Node process), a default launch
// configuration for the active .fsm file, the Simulate code lens command and the Send Event quick pick.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LensCommands, type SystemCheckFinding } from '../language/lsp/protocol.js';

export const DEBUG_TYPE = 'reactor-fsm';

export const DebugCommands = {
    simulate: LensCommands.simulate,
    sendEvent: 'reactor-fsm.sendEvent'
} as const;

/**
 * The adapter: out/debug-adapter.cjs, run by the editor's own Node (Electron as Node), speaking DAP over stdio; one
 * process per session. The launch configuration (`program`, `files`, …) reaches it in the launch request.
 */
class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
    constructor(private readonly adapter: string) {}

    createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
        return new vscode.DebugAdapterExecutable(process.execPath, [this.adapter], { env: { ELECTRON_RUN_AS_NODE: '1' } });
    }
}

/** F5 without a launch.json: simulate the active .fsm file, stopping at the start. */
class ConfigurationProvider implements vscode.DebugConfigurationProvider {
    resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, configuration: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
        if (!configuration.type && !configuration.request && !configuration.name) {
            const document = vscode.window.activeTextEditor?.document;
            if (document?.languageId === 'reactor-fsm') {
                return { type: DEBUG_TYPE, request: 'launch', name: `Simulate ${path.basename(document.fileName)}`, program: document.fileName, stopOnEntry: true };
            }
        }
        if (configuration.request === 'launch' && !configuration.program) {
            void vscode.window.showErrorMessage('Reactor FSM: the launch configuration needs "program": the .fsm file to simulate.');
            return undefined;
        }
        return configuration;
    }
}

/** The model a command is for: its argument (a URI or URI text), else the active .fsm editor's document. */
export function documentUri(argument: unknown): vscode.Uri | undefined {
    if (argument instanceof vscode.Uri) {
        return argument;
    }
    if (typeof argument === 'string') {
        return vscode.Uri.parse(argument);
    }
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'reactor-fsm' ? document.uri : undefined;
}

/** Simulate: a debug session of the machine (from the code lens) or the active file's first top-level machine. */
async function simulate(argument?: unknown, machine?: unknown): Promise<boolean> {
    const uri = documentUri(argument);
    if (!uri) {
        void vscode.window.showErrorMessage('Reactor FSM: open a .fsm file to simulate it.');
        return false;
    }
    const name = typeof machine === 'string' ? machine : undefined;
    const configuration: vscode.DebugConfiguration = {
        type: DEBUG_TYPE,
        request: 'launch',
        name: `Simulate ${name ?? path.basename(uri.fsPath)}`,
        program: uri.fsPath,
        ...(name === undefined ? {} : { machine: name }),
        stopOnEntry: true
    };
    return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), configuration);
}

/**
 * Replay in debugger: writes a system check finding's scenario to a file and simulates the files it was found in with
 * it (the first file as `program`, the others as `files`), running to the end of the trace. Where no debug session
 * starts, the scenario opens in an editor and the output channel says how to replay it on the command line.
 */
export async function replayFinding(finding: SystemCheckFinding, files: readonly string[], storage: vscode.Uri, output: vscode.LogOutputChannel): Promise<boolean> {
    const folder = vscode.Uri.joinPath(storage, 'system-check');
    await vscode.workspace.fs.createDirectory(folder);
    const model = path.basename(vscode.Uri.parse(finding.place.uri).fsPath);
    const scenario = vscode.Uri.joinPath(folder, `${finding.code}-${model.replace(/\.fsm$/, '')}-${finding.place.line + 1}.scenario`);
    await vscode.workspace.fs.writeFile(scenario, new TextEncoder().encode(finding.scenario));
    const configuration: vscode.DebugConfiguration = {
        type: DEBUG_TYPE,
        request: 'launch',
        name: `Replay ${finding.code} (${model}:${finding.place.line + 1})`,
        program: files[0],
        ...(files.length > 1 ? { files: files.slice(1) } : {}),
        script: scenario.fsPath,
        stopOnEntry: false
    };
    let started = false;
    try {
        started = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(finding.place.uri)), configuration);
    } catch (error) {
        output.error(`Replay in debugger: ${String(error)}`);
    }
    if (!started) {
        output.appendLine(`The trace of ${finding.code} at ${model}:${finding.place.line + 1} (no debug session started): ${scenario.fsPath}`);
        output.appendLine(`  replay: reactor-fsm simulate ${files.join(' ')} --script ${scenario.fsPath}`);
        finding.scenario.split('\n').forEach((line) => output.appendLine(`  ${line}`));
        output.show(true);
        await vscode.window.showTextDocument(scenario, { preview: true });
    }
    return started;
}

interface EventList {
    instance: string | undefined;
    events: Array<{ name: string; type?: string }>;
}

/** The thread selected in the Call Stack view, when it belongs to `session`. */
function selectedThread(session: vscode.DebugSession): number | undefined {
    const item = vscode.debug.activeStackItem;
    return item && item.session.id === session.id ? item.threadId : undefined;
}

/** Send Event: pick one of the selected instance's events (and a JSON payload for a typed one) and send it. */
async function sendEvent(): Promise<void> {
    const session = vscode.debug.activeDebugSession;
    if (session?.type !== DEBUG_TYPE) {
        void vscode.window.showErrorMessage('Reactor FSM: Send Event needs a running Reactor FSM debug session (Simulate a machine first).');
        return;
    }
    const threadId = selectedThread(session) ?? 1;
    const list = (await session.customRequest('reactorFsm/events', { threadId })) as EventList;
    const picked = await vscode.window.showQuickPick(
        list.events.map((event) => ({ label: event.name, description: event.type === undefined ? undefined : `payload: ${event.type}`, type: event.type })),
        { title: `Send an event to ${list.instance ?? 'the machine'}`, placeHolder: 'Event' }
    );
    if (!picked) {
        return;
    }
    let payload: unknown;
    if (picked.type !== undefined) {
        const text = await vscode.window.showInputBox({
            title: `${picked.label}(${picked.type})`,
            prompt: `The payload as JSON (${picked.type === 'string' ? 'a string in double quotes' : picked.type})`,
            validateInput: (value) => {
                try {
                    JSON.parse(value);
                    return undefined;
                } catch {
                    return 'Not valid JSON';
                }
            }
        });
        if (text === undefined) {
            return;
        }
        payload = JSON.parse(text) as unknown;
    }
    try {
        await session.customRequest('reactorFsm/send', { threadId, event: picked.label, payload });
    } catch (error) {
        void vscode.window.showErrorMessage(`Reactor FSM: ${error instanceof Error ? error.message : String(error)}`);
    }
}

export function registerDebugging(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
        vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context.asAbsolutePath(path.join('out', 'debug-adapter.cjs')))),
        vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
        vscode.commands.registerCommand(DebugCommands.simulate, simulate),
        vscode.commands.registerCommand(DebugCommands.sendEvent, sendEvent)
    );
}
