// What the suites share: the temp workspace, polling with a bounded wait, diagnostic codes, positions in a document.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'reactor-fsm.reactor-fsm';

export function workspaceRoot(): string {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test run opens a workspace folder');
    return folder.uri.fsPath;
}

export function workspaceUri(relative: string): vscode.Uri {
    return vscode.Uri.file(path.join(workspaceRoot(), relative));
}

export async function openModel(relative: string): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(workspaceUri(relative));
    return vscode.window.showTextDocument(document);
}

/** Polls until `probe` gives a value (not undefined/false), or fails saying what it waited for and what it last saw. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (true) {
        try {
            const value = await probe();
            if (value !== undefined && value !== false) {
                return value;
            }
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            // A thrown value of any kind: String() prints an Error as `Error: message`, anything else as best it can.
            // eslint-disable-next-line @typescript-eslint/no-base-to-string
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
    const { code } = diagnostic;
    return code === undefined ? undefined : String(typeof code === 'object' ? code.value : code);
}

export function diagnosticsWith(uri: vscode.Uri, code: string): vscode.Diagnostic[] {
    return vscode.languages.getDiagnostics(uri).filter((diagnostic) => codeOf(diagnostic) === code);
}

/** The position just after the first occurrence of `before` in the document. */
export function positionAfter(document: vscode.TextDocument, before: string): vscode.Position {
    const offset = document.getText().indexOf(before);
    assert.ok(offset >= 0, `'${before}' is in ${document.uri.fsPath}`);
    return document.positionAt(offset + before.length);
}

/** The position inside the first occurrence of `word` in the document. */
export function positionIn(document: vscode.TextDocument, word: string): vscode.Position {
    const offset = document.getText().indexOf(word);
    assert.ok(offset >= 0, `'${word}' is in ${document.uri.fsPath}`);
    return document.positionAt(offset + 1);
}

export function labelOf(item: vscode.CompletionItem): string {
    return typeof item.label === 'string' ? item.label : item.label.label;
}

/**
 * The fields of the Generate Code and Check Workspace commands' results these suites read (language/lsp/protocol.ts
 * declares them all; it lies outside this compilation).
 */
export type GenerateResult = { written: string[]; kept: string[]; refused?: string[] };
export type CheckWorkspaceResult = { files: number; errors: number; warnings: number };

/**
 * Where our language server died so far, from the "Reactor FSM" output channel's log file (the client restarts a
 * crashed server, so requests alone may not show it). Undefined where the log is not known: the code-server shim
 * tells it in E2E_VSCODE_LOGS; a desktop VS Code run has no such variable.
 */
export function languageServerExits(): string[] | undefined {
    const logs = process.env.E2E_VSCODE_LOGS;
    if (!logs || !fs.existsSync(logs)) {
        return undefined;
    }
    const files = fs.readdirSync(logs, { recursive: true }).map(String).filter((file) => file.endsWith('Reactor FSM.log'));
    return files.flatMap((file) => {
        const lines = fs.readFileSync(path.join(logs, file), 'utf8').split('\n');
        return lines.flatMap((line, index) => {
            if (!/Server process exited with (code [1-9]|signal)|server crashed/i.test(line)) {
                return [];
            }
            const error = lines.slice(Math.max(0, index - 30), index).find((before) => /\[error\] (\w*Error|Uncaught)\b/.test(before));
            return [`${line.replace(/^.*\[error\] /, '')}${error ? ` after ${error.replace(/^.*\[error\] /, '')}` : ''}`];
        });
    });
}
