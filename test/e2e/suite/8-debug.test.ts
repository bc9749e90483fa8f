// Debugging a model in the editor: the Simulate code lens starts a reactor-fsm debug session that stops on a state
// breakpoint, the Debug Console's commands drive it, the diagram hears where it is; attach follows a generated
// program running as a real process.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DebugWatch, EXTENSION_ID, openModel, waitFor, within, workspaceRoot, workspaceUri, type DebugMessage, type GenerateResult } from './helpers.js';

const DEBUG_TYPE = 'reactor-fsm';

interface StackFrame {
    name: string;
    line: number;
    source?: { path?: string };
}
interface Thread {
    id: number;
    name: string;
}
/** The fields of a `reactorFsm.live` instance these tests read (language/debug/live-view.ts has them all). */
interface LiveInstance {
    instance: string;
    file: string;
    states: number[];
    trail: { line: number; event: string }[];
}

/** The 0-based line of the first line of `document` that starts with `text` (after its indentation). */
function lineOf(document: vscode.TextDocument, text: string): number {
    const line = document.getText().split('\n').findIndex((candidate) => candidate.trimStart().startsWith(text));
    assert.ok(line >= 0, `'${text}' is in ${document.uri.fsPath}`);
    return line;
}

async function topFrame(session: vscode.DebugSession, threadId = 1): Promise<StackFrame> {
    const { stackFrames } = (await session.customRequest('stackTrace', { threadId })) as { stackFrames: StackFrame[] };
    assert.ok(stackFrames[0], 'the thread has a stack');
    return stackFrames[0];
}

/** The variables of one scope (Machine, Queue, Timers, …) of the top frame, by name. */
async function scopeVariables(session: vscode.DebugSession, scope: string): Promise<Record<string, string>> {
    const { stackFrames } = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: Array<{ id: number }> };
    const { scopes } = (await session.customRequest('scopes', { frameId: stackFrames[0]!.id })) as { scopes: Array<{ name: string; variablesReference: number }> };
    const found = scopes.find((candidate) => candidate.name === scope);
    assert.ok(found, `scope ${scope} among ${scopes.map((candidate) => candidate.name).join(', ')}`);
    const { variables } = (await session.customRequest('variables', { variablesReference: found.variablesReference })) as { variables: Array<{ name: string; value: string }> };
    return Object.fromEntries(variables.map((variable) => [variable.name, variable.value]));
}

/** The instance named `instance` in a `reactorFsm.live` custom event of `session`, if `message` is one. */
function liveInstance(message: DebugMessage, session: vscode.DebugSession, instance: string): LiveInstance | undefined {
    if (message.sessionId !== session.id || message.via !== 'custom' || message.event !== 'reactorFsm.live') {
        return undefined;
    }
    const body = message.body as { instances?: LiveInstance[] };
    return body.instances?.find((candidate) => candidate.instance === instance);
}

async function threadNames(session: vscode.DebugSession): Promise<string[]> {
    const { threads } = (await session.customRequest('threads')) as { threads: Thread[] };
    return threads.map((thread) => thread.name);
}

function diagramTab(label: string): vscode.Tab | undefined {
    return vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputWebview && tab.label === label);
}

describe('debug', () => {
    let watch: DebugWatch | undefined;
    const programs: ChildProcess[] = [];

    afterEach(async () => {
        for (const session of watch?.started ?? []) {
            if (!watch?.ended.includes(session)) {
                await vscode.debug.stopDebugging(session);
            }
        }
        watch?.dispose();
        watch = undefined;
        vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
        for (const program of programs.splice(0)) {
            if (program.exitCode === null && program.signalCode === null) {
                program.kill('SIGKILL');
            }
        }
    });

    it('Simulate from the code lens stops on a state breakpoint; the Debug Console and Send Event drive it; the diagram hears it', async function () {
        this.timeout(120_000);
        const { document } = await openModel('vending.fsm');
        const uri = document.uri;
        const paid = lineOf(document, 'state Paid');
        const idle = lineOf(document, 'initial state Idle');
        const onCoin = lineOf(document, 'on Coin -> Paid');

        // The lens above the machine.
        const lens = await waitFor('a Simulate code lens from the language server', async () => {
            const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
            return lenses.find((candidate) => candidate.command?.title === 'Simulate');
        });
        assert.equal(lens.range.start.line, lineOf(document, 'machine Vending'), 'the lens is on the machine line');
        assert.ok(lens.command);
        assert.equal(lens.command.command, 'reactor-fsm.simulate');

        // A breakpoint on the state's line, set before the session starts (VS Code hands it over while configuring).
        vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(paid, 0)))]);

        watch = new DebugWatch(DEBUG_TYPE);
        const from = watch.mark;
        const launched = await within('the Simulate command', vscode.commands.executeCommand<boolean>(lens.command.command, ...(lens.command.arguments ?? [])), 30_000, () => watch?.describe() ?? '');
        assert.equal(launched, true, 'startDebugging succeeded');
        const session = await watch.session();
        assert.equal(session.configuration.request, 'launch');
        assert.equal(session.configuration.program, uri.fsPath);
        assert.equal(session.configuration.machine, 'Vending');

        // Stopped on entry (the lens launches with stopOnEntry).
        const entry = await watch.stopped(session, from);
        assert.equal(entry.reason, 'entry');
        assert.deepEqual(await threadNames(session), ['Vending']);
        assert.equal((await topFrame(session)).name, 'Vending starts');

        // Continue: the machine starts and waits for input (no scenario script).
        let mark = watch.mark;
        await session.customRequest('continue', { threadId: 1 });
        const waiting = await watch.stopped(session, mark);
        assert.equal(waiting.reason, 'pause');
        assert.match(waiting.description ?? '', /Waiting for input/);
        assert.equal((await scopeVariables(session, 'Machine')).state, 'Idle');

        // What the Debug Console does with a typed line: the Coin enters Paid, where the breakpoint stops.
        mark = watch.mark;
        const answer = (await session.customRequest('evaluate', { expression: 'send Coin {"cents": 50}', context: 'repl' })) as { result: string };
        assert.equal(answer.result, 'send Coin {"cents": 50}: stopped at a breakpoint', `the breakpoint did not stop it; ${watch.describe()}`);
        const hit = await watch.stopped(session, mark);
        assert.equal(hit.reason, 'breakpoint');
        const frame = await topFrame(session);
        assert.equal(frame.name, 'enters Paid');
        assert.equal(frame.line, paid + 1);
        // Through a remote workbench (code-server) the path comes back as a vscode-remote: URI of the same file.
        assert.equal(vscode.Uri.parse(frame.source?.path ?? '').path, uri.path);
        assert.equal((await scopeVariables(session, 'Machine')).payload, '{"cents":50}');
        // The diagram's event: Paid is active, the Coin transition is the trail.
        const live = liveInstance(await watch.next('a reactorFsm.live event with Paid active', (message) => liveInstance(message, session, 'Vending')?.states.includes(paid + 1) === true, mark), session, 'Vending');
        assert.ok(live);
        assert.deepEqual(live.states, [paid + 1]);
        assert.equal(live.file, uri.fsPath);
        assert.deepEqual(live.trail[0], { line: onCoin + 1, event: 'Coin' });

        // The diagram opens during the session, titled after the machine (what it draws: the UI checks look inside).
        await vscode.commands.executeCommand('reactor-fsm.openDiagram', uri, 'Vending');
        await waitFor('the diagram of Vending', () => diagramTab('Diagram: Vending'));

        // On to the end of the step: waiting in Paid.
        mark = watch.mark;
        await session.customRequest('continue', { threadId: 1 });
        assert.equal((await watch.stopped(session, mark)).reason, 'pause');
        assert.equal((await scopeVariables(session, 'Machine')).state, 'Paid');

        // Send Event's requests: the events of the instance, then one sent.
        const list = (await session.customRequest('reactorFsm/events', { threadId: 1 })) as { instance: string; events: Array<{ name: string; type?: string }> };
        assert.equal(list.instance, 'Vending');
        assert.deepEqual(list.events.map((event) => event.name), ['Coin', 'Choose', 'Refund', 'Vend', 'Quit']);
        mark = watch.mark;
        await session.customRequest('reactorFsm/send', { threadId: 1, event: 'Refund' });
        await watch.next('a reactorFsm.live event with Idle active after Refund', (message) => liveInstance(message, session, 'Vending')?.states.includes(idle + 1) === true, mark);
        assert.equal((await scopeVariables(session, 'Machine')).state, 'Idle');

        // Stop: the session ends, and the diagram is told the live view is over.
        mark = watch.mark;
        await vscode.debug.stopDebugging(session);
        await watch.end(session);
        await watch.next('reactorFsm.liveEnd', (message) => message.sessionId === session.id && message.event === 'reactorFsm.liveEnd', mark);
        assert.equal(vscode.debug.activeDebugSession, undefined);
    });

    it('attaches to a generated echo server run with --inspect-fsm: a connecting client appears as a thread', async function () {
        this.timeout(240_000);
        const model = workspaceUri('examples/echo-server.fsm');
        const output = path.join(workspaceRoot(), 'gen', 'echo-server');
        // The example's own actions (they echo), put in place first: Generate keeps them.
        fs.mkdirSync(path.join(output, 'src'), { recursive: true });
        for (const file of ['echo-server.actions.ts', 'echo-session.actions.ts']) {
            fs.copyFileSync(path.join(workspaceRoot(), 'examples', 'actions', file), path.join(output, 'src', file));
        }
        await openModel('examples/echo-server.fsm');
        const generated = await vscode.commands.executeCommand<GenerateResult>('reactor-fsm.generate', model);
        assert.equal(generated.refused, undefined, `generation refused: ${generated.refused?.join('; ')}`);
        assert.equal(generated.kept.filter((file) => file.endsWith('.actions.ts')).length, 2, `kept: ${generated.kept.join(', ')}`);

        // Compiled with the project's TypeScript (the generated package.json names typescript and @types/node).
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(extension, `${EXTENSION_ID} is installed`);
        fs.symlinkSync(path.join(extension.extensionPath, 'node_modules'), path.join(output, 'node_modules'), 'dir');
        // The extension host's own executable as Node (desktop VS Code's Electron needs ELECTRON_RUN_AS_NODE).
        const nodeEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
        const tsc = spawn(process.execPath, [path.join(extension.extensionPath, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', output], { cwd: output, env: nodeEnv, stdio: ['ignore', 'pipe', 'pipe'] });
        programs.push(tsc);
        let compilerSays = '';
        tsc.stdout.on('data', (chunk: Buffer) => (compilerSays += chunk.toString()));
        tsc.stderr.on('data', (chunk: Buffer) => (compilerSays += chunk.toString()));
        const compiled = await within('tsc -p gen/echo-server', new Promise<number | null>((resolve) => tsc.on('close', resolve)), 120_000, () => compilerSays);
        assert.equal(compiled, 0, `tsc: ${compilerSays}`);

        // The program, a real process: the echo server on a free loopback port, the inspector on any port.
        const echoPort = await freePort();
        const program = spawn(process.execPath, [path.join('dist', 'main.js'), '--inspect-fsm=0'], {
            cwd: output,
            env: { ...nodeEnv, ECHO_SERVER_LISTENER: `127.0.0.1:${echoPort}` },
            stdio: ['ignore', 'pipe', 'pipe']
        });
        programs.push(program);
        let stderr = '';
        let stdout = '';
        program.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        program.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => program.on('close', resolve));
        const inspectorPort = Number(
            (await waitFor('the inspector announcement on stderr', () => /^reactor-fsm: inspector listening on 127\.0\.0\.1:(\d+)$/m.exec(stderr)?.[1], 15_000).catch((error: unknown) => {
                throw new Error(`${String(error)}; stderr: ${stderr}; stdout: ${stdout}`);
            }))
        );

        // Attach.
        watch = new DebugWatch(DEBUG_TYPE);
        const folder = vscode.workspace.getWorkspaceFolder(model);
        const started = await vscode.debug.startDebugging(folder, { type: DEBUG_TYPE, request: 'attach', name: 'Attach to echo-server', port: inspectorPort, program: model.fsPath });
        assert.equal(started, true, `attach failed; ${watch.describe()}`);
        const session = await watch.session();
        assert.equal(session.configuration.request, 'attach');
        await threadsUntil(session, 'the EchoServer thread', (names) => names.includes('EchoServer'));

        // A client connects: its session machine appears as a thread, and it echoes.
        const peer = net.connect({ host: '127.0.0.1', port: echoPort });
        let echoed = '';
        peer.setEncoding('utf8');
        peer.on('data', (text: string) => (echoed += text));
        try {
            await within('the connection to the echo server', new Promise<void>((resolve, reject) => peer.once('connect', resolve).once('error', reject)), 10_000);
            await threadsUntil(session, 'a thread EchoSession#1', (names) => names.includes('EchoSession#1'));
            const live = await watch.next('a reactorFsm.live event with EchoSession#1', (message) => liveInstance(message, session, 'EchoSession#1') !== undefined, 0);
            const document = await vscode.workspace.openTextDocument(model);
            assert.deepEqual(liveInstance(live, session, 'EchoSession#1')?.states, [lineOf(document, 'initial state Open') + 1]);
            peer.write('ping\n');
            await waitFor('the echo of ping', () => echoed === 'ping\n', 10_000);
        } finally {
            peer.end();
        }
        await threadsUntil(session, 'EchoSession#1 to leave the threads', (names) => !names.some((name) => name.startsWith('EchoSession#1')));

        // Detach: the program runs on; then it is stopped as a terminal would (SIGTERM maps to Shutdown).
        await vscode.debug.stopDebugging(session);
        await watch.end(session);
        assert.equal(program.exitCode, null, `the program still runs after the debugger left; stderr: ${stderr}`);
        program.kill('SIGTERM');
        assert.equal(await within('the echo server to exit after SIGTERM', exited, 15_000, () => stderr), 0);
    });
});

/** Polls the session's threads until `test` accepts their names; rejects after `timeoutMs` with the last names seen. */
async function threadsUntil(session: vscode.DebugSession, what: string, test: (names: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
        const names = await threadNames(session);
        if (test(names)) {
            return names;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the threads: ${names.join(', ') || 'none'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** A port nobody listens on right now, on 127.0.0.1. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}
