// "Reactor FSM: Generate Code" writes the TypeScript project into the configured output folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openModel, waitFor, workspaceRoot, type GenerateResult } from './helpers.js';

describe('generate', () => {
    it('writes src/<machine>.machine.ts and the rest into the configured output folder', async () => {
        const { document } = await openModel('examples/echo-client.fsm');
        const setting = vscode.workspace.getConfiguration('reactor-fsm', document.uri).get<string>('generate.outputFolder');
        assert.equal(setting, '${workspaceFolder}/gen/${fileBasenameNoExtension}', 'the workspace setting is read');
        const output = path.join(workspaceRoot(), 'gen', 'echo-client');

        const result = await vscode.commands.executeCommand<GenerateResult>('reactor-fsm.generate');
        assert.equal(result.refused, undefined, `generation refused: ${result.refused?.join('; ')}`);
        for (const file of ['src/echo-client.machine.ts', 'src/echo-client.events.ts', 'src/echo-client.actions.ts', 'src/main.ts', 'package.json', 'tsconfig.json']) {
            assert.ok(fs.existsSync(path.join(output, file)), `${file} is written into ${output}`);
        }
        assert.match(fs.readFileSync(path.join(output, 'src/echo-client.machine.ts'), 'utf8'), /EchoClient/);
        assert.ok(result.written.length >= 6, `written: ${result.written.join(', ')}`);

        // Again: nothing changes, and the actions file (the user's) is kept.
        const again = await vscode.commands.executeCommand<GenerateResult>('reactor-fsm.generate', document.uri);
        assert.deepEqual(again.written, []);
        assert.ok(again.kept.some((file) => file.endsWith('echo-client.actions.ts')), `kept: ${again.kept.join(', ')}`);
    });

    it('refuses to generate from a model with errors, and writes nothing', async () => {
        const { document } = await openModel('broken.fsm');
        await waitFor('the broken model to be checked', () => vscode.languages.getDiagnostics(document.uri).length > 0);
        // The refusal waits on an error notification with a "Show Problems" button: close it to let the command end.
        const running = vscode.commands.executeCommand<GenerateResult>('reactor-fsm.generate');
        let settled = false;
        void Promise.resolve(running).finally(() => {
            settled = true;
        });
        await waitFor('the command to end once its notification is closed', async () => {
            if (!settled) {
                await vscode.commands.executeCommand('notifications.clearAll');
            }
            return settled;
        });
        const result = await running;
        assert.ok(result.refused && result.refused.length > 0, 'generation is refused');
        assert.match(result.refused.join('\n'), /Nowhere/);
        assert.ok(!fs.existsSync(path.join(workspaceRoot(), 'gen', 'broken')), 'no output folder is made');
    });
});
