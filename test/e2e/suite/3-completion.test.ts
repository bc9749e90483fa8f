// Completion after `->` offers the states the machine declares.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { labelOf, openModel, positionAfter, waitFor } from './helpers.js';

describe('completion', () => {
    it('offers the declared states after ->, and no events', async () => {
        const editor = await openModel('doorbell.fsm');
        const { document } = editor;
        // Type a new transition in state Idle, as a user would, and ask at its end.
        const lineEnd = document.lineAt(positionAfter(document, 'on Press -> Ringing').line).range.end;
        await editor.edit((edit) => edit.insert(lineEnd, '\n        on Release -> '));
        const position = positionAfter(document, 'on Release -> ');
        // VS Code adds word-based suggestions (every word of open documents, events included) and our snippets;
        // the server's items are the rest, and say what they are in their detail.
        const fromServer = (list: vscode.CompletionList): vscode.CompletionItem[] =>
            list.items.filter((item) => item.kind !== vscode.CompletionItemKind.Text && item.kind !== vscode.CompletionItemKind.Snippet);
        const items = await waitFor('state names among the completion items', async () => {
            const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
            const found = fromServer(list);
            return found.some((item) => labelOf(item) === 'Ringing') ? found : undefined;
        });
        const described = items.map((item) => `${labelOf(item)}: ${item.detail ?? ''}`).sort();
        assert.deepEqual(described.filter((item) => /state$/.test(item)), ['Idle: initial state', 'Off: final state', 'Ringing: state']);
        for (const event of ['Press', 'Release', 'Shutdown']) {
            assert.ok(!items.some((item) => labelOf(item) === event), `event ${event} is not offered as a target state (server items: ${described.join(', ')})`);
        }
        await vscode.commands.executeCommand('workbench.action.files.revert');
        assert.equal(document.isDirty, false);
    });
});
