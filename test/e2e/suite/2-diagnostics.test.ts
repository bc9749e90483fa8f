// Problems with our stable codes reach VS Code: for a model on disk, and live while a model is typed.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, diagnosticsWith, languageServerExits, openModel, waitFor } from './helpers.js';

/** The range of the first occurrence of `word` in the document. */
function rangeOf(document: vscode.TextDocument, word: string): vscode.Range {
    const offset = document.getText().indexOf(word);
    assert.ok(offset >= 0, `'${word}' is in ${document.uri.fsPath}`);
    return new vscode.Range(document.positionAt(offset), document.positionAt(offset + word.length));
}

describe('diagnostics', () => {
    it('reports terminal-state and unresolved-reference, with range, severity and message, for a broken model', async () => {
        const { document } = await openModel('broken.fsm');
        await waitFor('terminal-state and unresolved-reference on broken.fsm', () => {
            const codes = vscode.languages.getDiagnostics(document.uri).map(codeOf);
            return codes.includes('terminal-state') && codes.includes('unresolved-reference');
        });
        const [terminal, ...moreTerminal] = diagnosticsWith(document.uri, 'terminal-state');
        assert.ok(terminal);
        assert.equal(moreTerminal.length, 0);
        assert.equal(document.getText(terminal.range), 'Stuck');
        assert.equal(terminal.severity, vscode.DiagnosticSeverity.Warning);
        assert.match(terminal.message, /State 'Stuck' is not final, yet nothing leaves it/);

        const [unresolved, ...moreUnresolved] = diagnosticsWith(document.uri, 'unresolved-reference');
        assert.ok(unresolved);
        assert.equal(moreUnresolved.length, 0);
        assert.equal(document.getText(unresolved.range), 'Nowhere');
        assert.equal(unresolved.severity, vscode.DiagnosticSeverity.Error);
        assert.match(unresolved.message, /Unknown state 'Nowhere'/);
    });

    it('updates the problems while an untitled model is edited; closing it leaves the language server running', async () => {
        const exitsBefore = languageServerExits()?.length ?? 0;
        const document = await vscode.workspace.openTextDocument({
            language: 'reactor-fsm',
            content: 'machine Typed {\n    events Go\n    initial state A {\n        on Go -> Bee\n    }\n    final state B\n    signal SIGUSR1 -> Go\n}\n'
        });
        const editor = await vscode.window.showTextDocument(document);
        await waitFor('unresolved-reference for Bee', () => diagnosticsWith(document.uri, 'unresolved-reference').length === 1);
        const bee = document.getText().indexOf('Bee');
        await editor.edit((edit) => edit.replace(new vscode.Range(document.positionAt(bee), document.positionAt(bee + 3)), 'B'));
        await waitFor('no problem left after fixing the name', () => vscode.languages.getDiagnostics(document.uri).length === 0);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

        // The next change of any model makes the server build again: it must not trip over the closed untitled one.
        const doorbellEditor = await openModel('doorbell.fsm');
        const doorbell = doorbellEditor.document;
        // The first `Ringing` is the target of `on Press -> Ringing`.
        await doorbellEditor.edit((edit) => edit.replace(rangeOf(doorbell, 'Ringing'), 'Ringin'));
        await waitFor('unresolved-reference for Ringin', () => diagnosticsWith(doorbell.uri, 'unresolved-reference').length === 1);
        await vscode.commands.executeCommand('workbench.action.files.revert');
        await waitFor('doorbell.fsm clean again', () => vscode.languages.getDiagnostics(doorbell.uri).length === 0);
        const exits = languageServerExits();
        if (exits !== undefined) {
            // The output channel's log file is written a moment later than the client reacts.
            await new Promise((resolve) => setTimeout(resolve, 1500));
            const newExits = (languageServerExits() ?? []).slice(exitsBefore);
            assert.deepEqual(newExits, [], 'the language server did not exit (the client restarted it)');
        }
    });
});
