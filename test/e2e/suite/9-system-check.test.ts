// Check System in the editor: the command explores a client with the server it connects to (another file), the
// deadlock between them appears in the Problems view with its trace, Replay in debugger simulates both files
// with the trace's scenario, and with onType on a pause in typing checks again by itself.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, DebugWatch, diagnosticsWith, openModel, waitFor, workspaceUri } from './helpers.js';

/** What the command answers (client/system-check.ts has it all). */
interface SystemCheckOutcome {
    files: string[];
    codes: string[];
    summary?: string;
    refused?: string[];
    cancelled?: boolean;
}

interface Thread {
    id: number;
    name: string;
}

describe('Check System', () => {
    const client = (): vscode.Uri => workspaceUri('system/client.fsm');

    it('puts the deadlock between the client and the server of another file in the Problems view, with its trace', async () => {
        const editor = await openModel('system/client.fsm');
        const outcome = await vscode.commands.executeCommand<SystemCheckOutcome>('reactor-fsm.checkSystem');
        assert.ok(outcome, 'the command answers');
        assert.deepEqual(outcome.files.map((file) => file.split(/[\\/]/).slice(-2).join('/')), ['system/client.fsm', 'system/server.fsm']);
        assert.deepEqual(outcome.codes, ['system-deadlock']);
        assert.match(outcome.summary ?? '', /^explored 5 global states .*every reachable state/);

        const [deadlock] = await waitFor('a system-deadlock problem in client.fsm', () => {
            const found = diagnosticsWith(client(), 'system-deadlock');
            return found.length > 0 ? found : undefined;
        });
        assert.ok(deadlock);
        assert.equal(deadlock.severity, vscode.DiagnosticSeverity.Error);
        assert.equal(deadlock.source, 'reactor-fsm system check');
        assert.equal(editor.document.lineAt(deadlock.range.start.line).text.trim(), 'state AwaitBanner {');
        assert.match(deadlock.message, /^System deadlock: Greeter waits in AwaitBanner/);
        const related = deadlock.relatedInformation ?? [];
        assert.deepEqual(related.map((information) => information.message), [
            'trace step 1: BannerServer.listener accept; Greeter.upstream connected',
            'at the end: Greeter: AwaitBanner, BannerServer: Serving, BannerSession#1: Open'
        ]);
        assert.equal(related[0]?.location.uri.toString(), client().toString());
        // The step's place is the transition it took.
        assert.equal(editor.document.lineAt(related[0]!.location.range.start.line).text.trim(), 'on Up -> AwaitBanner');
        // The file's own diagnostics are not replaced: the collection is separate (and the model is clean).
        assert.deepEqual(vscode.languages.getDiagnostics(client()).map(codeOf), ['system-deadlock']);
    });

    it('offers Replay in debugger on the finding, which simulates both files up to the deadlock', async () => {
        const [deadlock] = diagnosticsWith(client(), 'system-deadlock');
        assert.ok(deadlock, 'the previous test left the finding');
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', client(), deadlock.range);
        const replay = actions.find((action) => action.title === 'Replay in debugger');
        assert.ok(replay?.command, `Replay in debugger among ${actions.map((action) => action.title).join(', ')}`);
        assert.equal(replay.kind?.value, vscode.CodeActionKind.QuickFix.value);

        const watch = new DebugWatch('reactor-fsm');
        try {
            const started = await vscode.commands.executeCommand<boolean>(replay.command.command, ...(replay.command.arguments ?? []));
            assert.equal(started, true, `the debug session starts; ${watch.describe()}`);
            const session = await watch.session();
            assert.match(session.name, /^Replay system-deadlock \(client\.fsm:8\)$/);
            const stop = await watch.stopped(session, 0);
            assert.equal(stop.reason, 'pause', `the run waits at the end of the trace: ${JSON.stringify(stop)}`);
            const { threads } = (await session.customRequest('threads')) as { threads: Thread[] };
            assert.deepEqual(threads.map((thread) => thread.name.split(' ')[0]).sort(), ['BannerServer', 'BannerSession#1', 'Greeter']);
            await vscode.debug.stopDebugging(session);
            await watch.end(session);
        } finally {
            watch.dispose();
        }
    });

    it('checks by itself after a pause in typing when reactor-fsm.systemCheck.onType is on', async () => {
        const settings = vscode.workspace.getConfiguration('reactor-fsm.systemCheck');
        await settings.update('onType', true, vscode.ConfigurationTarget.Workspace);
        await settings.update('delayMs', 200, vscode.ConfigurationTarget.Workspace);
        const editor = await openModel('system/client.fsm');
        try {
            const before = diagnosticsWith(client(), 'system-deadlock')[0]?.range.start.line;
            assert.ok(before !== undefined, 'the first test left the finding');
            // A line above the machine: the deadlock is one line lower once the check has run again, with no command.
            assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// typed\n')));
            const [moved] = await waitFor('the system-deadlock one line lower, found without the command', () => {
                const found = diagnosticsWith(client(), 'system-deadlock');
                return found.length > 0 && found[0]!.range.start.line === before + 1 ? found : undefined;
            });
            assert.equal(editor.document.lineAt(moved!.range.start.line).text.trim(), 'state AwaitBanner {');
        } finally {
            await vscode.window.showTextDocument(editor.document);
            await vscode.commands.executeCommand('workbench.action.files.revert');
            await settings.update('onType', undefined, vscode.ConfigurationTarget.Workspace);
            await settings.update('delayMs', undefined, vscode.ConfigurationTarget.Workspace);
        }
    });
});
