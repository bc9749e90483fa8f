// Stands in for the VS Code executable that @vscode/test-electron's runTests spawns: code-server + headless Chromium.
// Understands what runTests passes: --extensionDevelopmentPath=…, --extensionTestsPath=… and a folder to open;
// the workbench runs the tests in code-server's extension host and reports through window.codeAutomationLog /
// window.codeAutomationExit, and this process exits with the extension host's exit code.
// Every run gets fresh temp user-data, extensions, HOME and XDG folders (--user-data-dir/--extensions-dir are ignored).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { ARTIFACTS, launchBrowser, makeSandbox, remoteUri, removeSandbox, say, startCodeServer, workbenchUrl } from '../lib/code-server.mjs';

const TIMEOUT_S = Number(process.env.E2E_SHIM_TIMEOUT_S ?? 240);
const LABEL = process.env.E2E_LABEL ?? 'api';
const workbenchLog = path.join(ARTIFACTS, `${LABEL}-workbench.log`);

function parseArgs(argv) {
    const options = { developmentPaths: [], testsPath: undefined, folder: undefined };
    for (const arg of argv) {
        const [flag, ...rest] = arg.split('=');
        const value = rest.join('=');
        if (flag === '--extensionDevelopmentPath') {
            options.developmentPaths.push(path.resolve(value));
        } else if (flag === '--extensionTestsPath') {
            options.testsPath = path.resolve(value);
        } else if (!arg.startsWith('-')) {
            options.folder = path.resolve(arg);
        }
    }
    return options;
}

/** Workbench chatter that says nothing about our extension: kept in the log file, not printed. */
const NOISE = [
    /^Ignoring fetching additional builtin extensions/, /^Updating additional builtin extensions cache/, /^Creating a socket/,
    /^Resolv(ing|ed) connection token/, /^\[reconnection-grace-time\]/, /^\[Service Worker\]/, /^\[AgentHost/, /^\[AccountPolicyGate\]/
];

/**
 * What the workbench logs: the extension host's console (mocha's report) and the workbench's own messages.
 * All of it goes to artifacts/<label>-workbench.log; what is not chatter is printed too.
 */
function printLog(type, args) {
    // The extension host's console calls arrive as their arguments: a format string (mocha's '%s%s') and its values.
    const parts = Array.isArray(args) ? args : [args];
    const text = format(...parts)
        .replace(/%c/g, '')
        .replace(/\s*color: [^;]*;?/g, '');
    fs.appendFileSync(workbenchLog, `[${type}] ${text}\n`);
    if (!NOISE.some((noise) => noise.test(text))) {
        for (const line of text.split('\n')) {
            say(`vscode ${type}`, line);
        }
    }
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    if (!options.testsPath || options.developmentPaths.length === 0) {
        throw new Error('usage: code-shim --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER]');
    }
    const sandbox = makeSandbox(LABEL);
    // The suites read our output channel's log from here (code-server hands its environment to the extension host).
    sandbox.env.E2E_VSCODE_LOGS = path.join(sandbox.userDataDir, 'logs');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(workbenchLog, '');
    let server;
    let browser;
    let page;
    const cleanup = async () => {
        await browser?.close();
        await server?.stop();
        removeSandbox(sandbox, LABEL);
    };
    const stopOnSignal = (signal) => {
        say('shim', `${signal}: stopping code-server and Chromium`);
        cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);

    let timer;
    try {
        const started = Date.now();
        server = await startCodeServer(sandbox, { label: LABEL, smokeTestDriver: true });
        say('shim', `code-server ${server.origin} ready in ${Date.now() - started} ms (log: ${path.relative(process.cwd(), server.logFile)})`);
        browser = await launchBrowser(sandbox);
        page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 } });
        page.on('pageerror', (error) => say('page error', String(error)));

        let reportExit;
        const exitCode = new Promise((resolve) => {
            reportExit = resolve;
        });
        await page.exposeFunction('codeAutomationLog', (type, args) => printLog(type, args));
        await page.exposeFunction('codeAutomationExit', (code, logs) => {
            // The workbench's own log files: kept with the artifacts for a look after a failure.
            const logDir = path.join(ARTIFACTS, `${LABEL}-vscode-logs`);
            fs.rmSync(logDir, { recursive: true, force: true });
            for (const { relativePath, contents } of Array.isArray(logs) ? logs : []) {
                const file = path.join(logDir, relativePath);
                if (file.startsWith(logDir + path.sep)) {
                    fs.mkdirSync(path.dirname(file), { recursive: true });
                    fs.writeFileSync(file, contents);
                }
            }
            reportExit(code);
        });
        const payload = [
            ...options.developmentPaths.map((dev) => ['extensionDevelopmentPath', remoteUri(server, dev)]),
            ['extensionTestsPath', remoteUri(server, options.testsPath)],
            ['skipWelcome', 'true'],
            ['skipReleaseNotes', 'true']
        ];
        const url = workbenchUrl(server, options.folder ?? sandbox.root, payload);
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

        const timedOut = new Promise((resolve) => {
            timer = setTimeout(() => resolve('timeout'), TIMEOUT_S * 1000);
        });
        const code = await Promise.race([exitCode, timedOut]);
        if (code === 'timeout') {
            fs.mkdirSync(ARTIFACTS, { recursive: true });
            await page.screenshot({ path: path.join(ARTIFACTS, `${LABEL}-timeout.png`) }).catch(() => undefined);
            say('shim', `the extension host did not report an exit code within ${TIMEOUT_S} s: giving up`);
            return 124;
        }
        say('shim', `extension host exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return typeof code === 'number' ? code : 1;
    } finally {
        clearTimeout(timer);
        await cleanup();
    }
}

main().then(
    (code) => process.exit(code),
    (error) => {
        say('shim', `failed: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
    }
);
