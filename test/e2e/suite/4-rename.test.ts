// Renaming a machine renames its uses as a server's session in other files too.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openModel, positionIn, waitFor, workspaceUri } from './helpers.js';

describe('rename', () => {
    it('renames a machine used as session in another file, in both files', async () => {
        const { document: session } = await openModel('lobby/session.fsm');
        const serverUri = workspaceUri('lobby/server.fsm');
        const position = positionIn(session, 'E2eLobbyGuest');
        const edit = await waitFor('a rename edit that touches session.fsm and server.fsm', async () => {
            const found = await vscode.commands.executeCommand<vscode.WorkspaceEdit | undefined>(
                'vscode.executeDocumentRenameProvider', session.uri, position, 'E2eLobbyVisitor'
            );
            return found && found.has(session.uri) && found.has(serverUri) ? found : undefined;
        });
        assert.equal(edit.get(serverUri).length, 1);
        assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');

        const server = await vscode.workspace.openTextDocument(serverUri);
        assert.match(session.getText(), /machine E2eLobbyVisitor \{/);
        assert.match(server.getText(), /session E2eLobbyVisitor\n/);
        assert.ok(!session.getText().includes('E2eLobbyGuest') && !server.getText().includes('E2eLobbyGuest'), 'no old name is left');
        assert.ok(await vscode.workspace.saveAll(false), 'both files save');

        // The server still links the session to the renamed machine.
        const definitions = await waitFor('the session to resolve to the renamed machine', async () => {
            const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
                'vscode.executeDefinitionProvider', server.uri, positionIn(server, 'E2eLobbyVisitor')
            );
            return found.length > 0 ? found : undefined;
        });
        const target = definitions[0]!;
        assert.equal(('targetUri' in target ? target.targetUri : target.uri).toString(), session.uri.toString());
    });
});
