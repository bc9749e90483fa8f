// UI checks in the real workbench, as a person would do them: the packaged .vsix installed into code-server, a broken
// model's warning in the Problems view, "Reactor FSM: Generate Code" run from the command palette, debugging a model
// (Simulate code lens, a breakpoint set with F9, F5, the Debug Console, the live diagram). Screenshots go to
// artifacts/; the debugging ones are also copied to docs/images/debug-*.png for docs/editor.md with E2E_UPDATE_DOC_IMAGES=1.
// Prints "e2e ui: N passed, N failed" at the end.
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

/** Runs a command from the command palette (F1) by its label. */
async function runCommand(page, label) {
    const input = page.locator('.quick-input-widget input');
    for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        try {
            await input.waitFor({ state: 'visible' });
            // Into the input itself, not wherever the focus is: a view that takes the focus meanwhile (a debug
            // session's console opening) closes the palette, and typed keys would land in the editor.
            await input.fill(`>${label}`, { timeout: 10_000 });
            await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
        } catch (error) {
            // Such a view closed the palette while it opened (its input went inert, then hidden): open it again.
            if (attempt === 3) {
                throw error;
            }
            say('ui', `  the command palette closed before '${label}' could be typed; opening it again`);
            continue;
        }
        await page.keyboard.press('Enter');
        await input.waitFor({ state: 'hidden' });
        return;
    }
}

/** Go to Line (Ctrl+G) in the active editor; `line` is 1-based. */
async function goToLine(page, line) {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
}

/** The 1-based line of `file` (in the fixture workspace) that starts with `text` (after its indentation). */
function fixtureLine(file, text) {
    const lines = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'workspace', file), 'utf8').split('\n');
    const index = lines.findIndex((line) => line.trimStart().startsWith(text));
    if (index < 0) {
        throw new Error(`'${text}' is not in fixtures/workspace/${file}`);
    }
    return index + 1;
}

/**
 * The text of the editor line that carries the debugger's "current line" highlight (the top stack frame), or undefined:
 * the overlay and the text of a line are separate elements at the same height.
 */
function stoppedLineText(page) {
    return page.evaluate(() => {
        for (const editor of document.querySelectorAll('.editor-instance .monaco-editor')) {
            const mark = editor.querySelector('.view-overlays .debug-top-stack-frame-line');
            const top = mark?.parentElement?.style.top;
            if (top) {
                const line = [...editor.querySelectorAll('.view-lines .view-line')].find((candidate) => candidate.style.top === top);
                if (line) {
                    return line.textContent.replace(/\u00a0/g, ' ');
                }
            }
        }
        return undefined;
    });
}

/** Polls `probe` (async) until it gives something; fails after `timeoutMs` with what it last gave. */
async function until(what, probe, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (true) {
        last = await probe().catch((error) => `(error: ${error instanceof Error ? error.message : String(error)})`);
        if (last !== undefined && last !== false && !(typeof last === 'string' && last.startsWith('(error: '))) {
            return last;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

/**
 * A screenshot of the debugging walk-through: into artifacts/ and, with E2E_UPDATE_DOC_IMAGES=1, docs/images/ for
 * docs/editor.md (a test run leaves the committed files alone unless asked).
 */
async function debugScreenshot(page, name) {
    const file = path.join(ARTIFACTS, name);
    await page.screenshot({ path: file });
    if (process.env.E2E_UPDATE_DOC_IMAGES !== '1') {
        return;
    }
    const docs = path.join(ROOT, 'docs', 'images');
    fs.mkdirSync(docs, { recursive: true });
    fs.copyFileSync(file, path.join(docs, name));
}

/** The text of the diagram webview's state that is marked active (class fsm-live-active), looked for in every frame. */
async function activeDiagramState(page) {
    for (const frame of page.frames()) {
        const text = await frame
            .evaluate(() => {
                const active = document.querySelector('.fsm-node.fsm-live-active');
                return active ? { state: active.textContent ?? '', status: document.getElementById('live-status')?.textContent ?? '' } : undefined;
            })
            .catch(() => undefined);
        if (text) {
            return text;
        }
    }
    return undefined;
}

/**
 * Debugging a model as a person does: F9 on a state's line, the Simulate code lens, F5, a step typed into the Debug
 * Console stops on the breakpoint; the editor, the Call Stack and Variables views, the Debug Console and the diagram
 * show it. 1280x800 screenshots: debug-console.png, debug-breakpoint.png, debug-diagram.png.
 */
async function debugScenario(page, sandbox) {
    const paidLine = fixtureLine('vending.fsm', 'state Paid');
    await page.setViewportSize({ width: 1280, height: 800 });

    await check(page, 'the installed package holds the debug adapter (out/debug-adapter.cjs)', async () => {
        // Without it Simulate starts nothing and the workbench says nothing either: name the cause here.
        const installed = fs.readdirSync(sandbox.extensionsDir).filter((name) => name.startsWith('reactor-fsm.reactor-fsm-'));
        const adapter = installed.map((name) => path.join(sandbox.extensionsDir, name, 'out', 'debug-adapter.cjs')).find((file) => fs.existsSync(file));
        if (!adapter) {
            throw new Error(`${path.basename(VSIX)} installed as ${installed.join(', ') || 'nothing'} has no out/debug-adapter.cjs: the package leaves it out (.vscodeignore)`);
        }
    });

    await check(page, 'F9 sets a breakpoint on a state line; the Simulate code lens starts a session stopped on entry', async () => {
        await openFile(page, 'vending.fsm');
        await goToLine(page, paidLine);
        await page.keyboard.press('F9');
        await page.locator('.editor-instance .monaco-editor .codicon-debug-breakpoint').first().waitFor({ state: 'visible' });
        const lens = page.locator('.editor-instance .monaco-editor .codelens-decoration a', { hasText: 'Simulate' });
        await lens.first().waitFor({ state: 'visible', timeout: 60_000 });
        await lens.first().click();
        await page.locator('.debug-toolbar').waitFor({ state: 'visible' }).catch(async (error) => {
            // Say what the workbench said instead (a debug adapter that cannot start shows a notification).
            const notes = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
            throw new Error(`no debug session started (${error.message.split('\n')[0]}); notifications: ${JSON.stringify(notes)}`);
        });
        // The session's start moves the focus (the Debug Console opens with its first line): after that, the palette.
        await page.locator('.repl .monaco-list-row', { hasText: 'Simulating Vending' }).first().waitFor({ state: 'visible' });
        await runCommand(page, 'View: Show Run and Debug');
        await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'Vending starts' }).first().waitFor({ state: 'visible' });
    });

    await check(page, 'F5 continues: the machine waits for input', async () => {
        await page.keyboard.press('F5');
        await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'state Idle' }).first().waitFor({ state: 'visible' });
    });

    await check(page, 'a step typed into the Debug Console stops on the breakpoint', async () => {
        // The Debug Console opened with the session; if not, Ctrl+Shift+Y shows it.
        const input = page.locator('.repl .repl-input-wrapper .monaco-editor');
        if (!(await input.isVisible())) {
            await page.keyboard.press('Control+Shift+Y');
        }
        await input.waitFor({ state: 'visible' });
        await input.click();
        await page.keyboard.type('send Coin {"cents": 50}');
        // The adapter completes events: a suggestion open now would take the Enter.
        await page.waitForTimeout(300);
        if (await page.locator('.repl .suggest-widget.visible').count()) {
            await page.keyboard.press('Escape');
        }
        await page.keyboard.press('Enter');
        await page.locator('.repl .monaco-list-row', { hasText: 'send Coin {"cents": 50}: stopped at a breakpoint' }).first().waitFor({ state: 'visible' });
        await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'enters Paid' }).first().waitFor({ state: 'visible' });
        const stopped = await until('the current-line highlight on the breakpoint line', async () => {
            const text = await stoppedLineText(page);
            return text?.includes('state Paid') ? text : undefined;
        });
        say('ui', `  the editor highlights: ${stopped.trim()}`);
        await debugScreenshot(page, 'debug-console.png');
    });

    await check(page, 'stopped on the breakpoint: the editor line, the Call Stack and the Variables view', async () => {
        // The panel closed, the editor gets the room; the Run and Debug view shows the stop.
        await page.keyboard.press('Control+J');
        await page.locator('.repl').waitFor({ state: 'hidden' });
        const variables = page.locator('.debug-variables');
        await variables.waitFor({ state: 'visible' });
        await until('the Variables view to show the Machine scope with Paid', async () => {
            const text = await variables.innerText();
            return /Machine/.test(text) && /Paid/.test(text) ? text : undefined;
        });
        const stopped = await stoppedLineText(page);
        if (!stopped?.includes('state Paid')) {
            throw new Error(`the highlighted line is ${JSON.stringify(stopped)}`);
        }
        await page.locator('.editor-instance .monaco-editor .codicon-debug-stackframe').first().waitFor({ state: 'visible' });
        await debugScreenshot(page, 'debug-breakpoint.png');
    });

    await check(page, 'the diagram, opened from its code lens, marks the active state', async () => {
        await page.locator('.editor-instance .monaco-editor .codelens-decoration a', { hasText: 'Show diagram' }).first().click();
        await page.locator('.tabs-container .tab', { hasText: 'Diagram: Vending' }).waitFor({ state: 'visible' });
        const active = await until('a state marked fsm-live-active in the diagram webview', () => activeDiagramState(page));
        if (!/Paid/.test(active.state) || !/Live: Vending/.test(active.status)) {
            throw new Error(`the active state shows ${JSON.stringify(active)}`);
        }
        say('ui', `  the diagram says: ${active.status}`);
        await debugScreenshot(page, 'debug-diagram.png');
    });

    await check(page, 'Shift+F5 stops the session', async () => {
        await page.keyboard.press('Shift+F5');
        await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    });
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

        await debugScenario(page, sandbox);
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
