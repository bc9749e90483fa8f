// "Reactor FSM: Open Diagram" shows the diagram webview beside an example.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openModel, waitFor } from './helpers.js';

function diagramTabs(): vscode.Tab[] {
    return vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('reactor-fsm.diagram'));
}

describe('diagram', () => {
    it('opens a webview panel titled after the machine under the cursor', async () => {
        await openModel('examples/echo-server.fsm');
        await vscode.commands.executeCommand('reactor-fsm.openDiagram');
        const tab = await waitFor('the diagram webview to open', () => diagramTabs()[0]);
        assert.ok(tab.input instanceof vscode.TabInputWebview);
        // The panel titles itself after the machine once the server's diagram arrived.
        await waitFor('the panel title to name the machine', () => diagramTabs().some((candidate) => candidate.label === 'Diagram: EchoServer'));
        // Opening it again reuses the one panel.
        await vscode.commands.executeCommand('reactor-fsm.openDiagram');
        assert.equal(diagramTabs().length, 1);
    });
});
