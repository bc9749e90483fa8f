// The extension activates on a workspace with models, gives .fsm files its language and starts its language server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, openModel, waitFor, type CheckWorkspaceResult } from './helpers.js';

describe('activation', () => {
    it('activates when an example model is opened, and its language server answers', async () => {
        const editor = await openModel('examples/echo-client.fsm');
        assert.equal(editor.document.languageId, 'reactor-fsm');
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(extension, `${EXTENSION_ID} is loaded from the extension development path`);
        await waitFor('the extension to be active', () => extension.isActive);
        const commands = await vscode.commands.getCommands(true);
        assert.ok(commands.includes('reactor-fsm.generate'), 'reactor-fsm.generate is registered');
        assert.ok(commands.includes('reactor-fsm.checkWorkspace'), 'reactor-fsm.checkWorkspace is registered');
        const symbols = await waitFor('document symbols from the language server', async () => {
            const found = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', editor.document.uri);
            return found && found.length > 0 ? found : undefined;
        });
        assert.deepEqual(symbols.map((symbol) => symbol.name), ['EchoClient']);
    });

    it('checks the whole workspace: the examples are clean, the broken fixture is not', async () => {
        const models = await vscode.workspace.findFiles('**/*.fsm');
        const result = await vscode.commands.executeCommand<CheckWorkspaceResult>('reactor-fsm.checkWorkspace');
        // broken.fsm has one error and one warning; the examples and the other fixtures none.
        assert.deepEqual({ files: result.files, errors: result.errors, warnings: result.warnings }, { files: models.length, errors: 1, warnings: 1 });
        assert.ok(models.length >= 11, `the examples and the fixtures are in the workspace (${models.length} models)`);
    });
});
