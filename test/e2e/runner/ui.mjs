// UI checks in the real workbench, as a person would do them: the packaged .vsix installed into code-server, a broken
// model's warning in the Problems view, "Reactor FSM: Generate Code" run from the command palette. Screenshots go to
// artifacts/. Prints "e2e ui: N passed, N failed" at the end.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARTIFACTS, CODE_SERVER, NODE24, ROOT, checkLanguageServerStayedUp, launchBrowser, makeSandbox, makeWorkspace, recordCounts, removeSandbox, say, startCodeServer, workbenchUrl } from '../lib/code-server.mjs';

const VSIX = process.env.E2E_VSIX ?? path.join(ROOT, 'reactor-fsm.vsix');
const TIMEOUT_S = Number(process.env.E2E_UI_TIMEOUT_S ?? 180);
const results = { passed: 0, failed: 0 };

async function check(page, name, body) {
    const started = Date.now();
    try {
        await body();
        results.passed += 1;
        say('ui', `✔ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
        results.failed += 1;
        say('ui', `✘ ${name}: ${error instanceof Error ? error.message : String(error)}`);
        const file = path.join(ARTIFACTS, `ui-failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
        await page.screenshot({ path: file }).catch(() => undefined);
        say('ui', `  screenshot: ${path.relative(process.cwd(), file)}`);
        throw error;
    }
}

/** Quick Open (Ctrl+P): type a file name, take the first match. */
async function openFile(page, name) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
}

async function main() {
    if (!fs.existsSync(VSIX)) {
        throw new Error(`${VSIX} is missing: run 'npm run package' in ${ROOT} first`);
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.rmSync(path.join(ARTIFACTS, 'ui-server-logs'), { recursive: true, force: true });
    const sandbox = makeSandbox('ui');
    let server;
    let browser;
    const giveUp = (why, code) => {
        say('ui', why);
        Promise.allSettled([browser?.close(), server?.stop()]).finally(() => {
            removeSandbox(sandbox, 'ui');
            process.exit(code);
        });
    };
    const timer = setTimeout(() => giveUp(`not done within ${TIMEOUT_S} s: giving up`, 124), TIMEOUT_S * 1000);
    process.once('SIGTERM', () => giveUp('SIGTERM: stopping code-server and Chromium', 143));
    process.once('SIGINT', () => giveUp('SIGINT: stopping code-server and Chromium', 130));
    try {
        const workspace = makeWorkspace(sandbox);
        // The packaged extension, as a user installs it.
        execFileSync(NODE24, [CODE_SERVER, '--install-extension', VSIX, '--extensions-dir', sandbox.extensionsDir, '--user-data-dir', sandbox.userDataDir], {
            env: sandbox.env, cwd: sandbox.root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000
        });
        server = await startCodeServer(sandbox, { label: 'ui' });
        browser = await launchBrowser(sandbox);
        const page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 } });
        page.setDefaultTimeout(30_000);
        await page.goto(workbenchUrl(server, workspace), { waitUntil: 'domcontentloaded', timeout: 60_000 });

        await check(page, 'the workbench opens the workspace', async () => {
            await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
            await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'broken.fsm' }).waitFor({ state: 'visible', timeout: 60_000 });
        });

        await check(page, 'the Problems view shows terminal-state for a broken model', async () => {
            await openFile(page, 'broken.fsm');
            await page.keyboard.press('Control+Shift+M');
            const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'terminal-state' });
            await row.first().waitFor({ state: 'visible', timeout: 60_000 });
            const text = await row.first().innerText();
            if (!/Stuck/.test(text) || !/nothing leaves it/.test(text)) {
                throw new Error(`the Problems row says: ${text}`);
            }
            await page.locator('.markers-panel .monaco-list-row', { hasText: 'unresolved-reference' }).first().waitFor({ state: 'visible' });
            await page.screenshot({ path: path.join(ARTIFACTS, 'problems.png') });
        });

        await check(page, 'Generate Code from the command palette writes the files and says so', async () => {
            await openFile(page, 'doorbell.fsm');
            await page.keyboard.press('F1');
            const input = page.locator('.quick-input-widget input');
            await input.waitFor({ state: 'visible' });
            await page.keyboard.type('Reactor FSM: Generate Code');
            await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Reactor FSM: Generate Code' }).first().waitFor({ state: 'visible' });
            await page.keyboard.press('Enter');
            const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'files written' });
            await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
            const message = await toast.first().innerText();
            if (!/Reactor FSM: \d+ files written, 0 unchanged, 0 kept in gen\/doorbell/.test(message)) {
                throw new Error(`the notification says: ${message}`);
            }
            const machineFile = path.join(workspace, 'gen', 'doorbell', 'src', 'e2e-doorbell.machine.ts');
            if (!fs.existsSync(machineFile)) {
                throw new Error(`${machineFile} was not written`);
            }
            // The explorer shows the new folder.
            await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^gen$/ }).first().waitFor({ state: 'visible' });
            await page.screenshot({ path: path.join(ARTIFACTS, 'generate.png') });
        });
    } finally {
        clearTimeout(timer);
        await browser?.close();
        await server?.stop();
        removeSandbox(sandbox, 'ui');
    }
}

const started = Date.now();
let code = 0;
try {
    await main();
} catch (error) {
    code = 1;
    if (results.failed === 0) {
        results.failed += 1;
        say('ui', `failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
}
checkLanguageServerStayedUp('ui', results);
say('ui', `took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`e2e ui: ${results.passed} passed, ${results.failed} failed`);
recordCounts('ui', results.passed, results.failed);
process.exit(code || (results.failed > 0 ? 1 : 0));
