// Hierarchy in the editor: the outline nests states as the model does, and the diagram opens for a hierarchical machine.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openModel, waitFor } from './helpers.js';

function named(symbols: readonly vscode.DocumentSymbol[], name: string): vscode.DocumentSymbol {
    const found = symbols.find((symbol) => symbol.name === name);
    assert.ok(found, `'${name}' is among ${symbols.map((symbol) => symbol.name).join(', ')}`);
    return found;
}

describe('hierarchy', () => {
    it('the outline nests composite states, parallel regions and their states', async () => {
        const editor = await openModel('player.fsm');
        const symbols = await waitFor('document symbols from the language server', async () => {
            const found = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', editor.document.uri);
            return found && found.length > 0 ? found : undefined;
        });
        const machine = named(symbols, 'E2ePlayer');
        const active = named(machine.children, 'Active');
        assert.ok(active.children.some((child) => child.name === 'Playing') && active.children.some((child) => child.name === 'Paused'), 'Playing and Paused are inside Active');
        assert.ok(!machine.children.some((child) => child.name === 'Playing'), 'Playing is not at the top level');
        const tuning = named(machine.children, 'Tuning');
        const sound = named(tuning.children, 'Sound');
        assert.deepEqual(sound.children.map((child) => child.name), ['Loud', 'Quiet']);
        assert.deepEqual(named(tuning.children, 'Screen').children.map((child) => child.name), ['Bright', 'Dim']);
    });

    it('the diagram opens for a hierarchical machine', async () => {
        await openModel('player.fsm');
        await vscode.commands.executeCommand('reactor-fsm.openDiagram');
        await waitFor('the panel title to name the machine', () =>
            vscode.window.tabGroups.all.flatMap((group) => group.tabs).some((tab) => tab.input instanceof vscode.TabInputWebview && tab.label === 'Diagram: E2ePlayer')
        );
    });
});
