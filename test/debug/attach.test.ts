// Attach: the debug adapter follows a generated echo server run as a real process with --inspect-fsm; sessions appear
// as threads when clients connect, a state breakpoint pauses that session (its echo waits), continue lets it go on.
import { readFile } from 'node:fs/promises';
import { connect as netConnect, createServer } from 'node:net';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, FIXTURES, removePrograms, startProgram, type Program } from '../runtime/program-helpers.js';
import { Cleanup } from '../runtime/runtime-helpers.js';
import { DapClient } from './dap-client.js';

const MODEL = path.join(FIXTURES, 'echo-server.fsm');
const cleanup = new Cleanup();
let serverDir = '';
let client: DapClient | undefined;

beforeAll(async () => {
    const [model, serverActions, sessionActions] = await Promise.all(
        ['echo-server.fsm', 'echo-server/echo-server.actions.ts.txt', 'echo-server/echo-session.actions.ts.txt'].map((name) => readFile(path.join(FIXTURES, name), 'utf8'))
    );
    serverDir = await buildProgramFrom(model!, { 'echo-server.actions.ts': serverActions!, 'echo-session.actions.ts': sessionActions! });
}, 120_000);
afterAll(() => removePrograms());
afterEach(async () => {
    await client?.close();
    client = undefined;
    await cleanup.run();
});

async function lineOf(text: string): Promise<number> {
    const lines = (await readFile(MODEL, 'utf8')).split('\n');
    return lines.findIndex((line) => line.includes(text)) + 1;
}

async function startServer(): Promise<{ program: Program; inspectorPort: number; echoPort: number }> {
    const program = startProgram(serverDir, { ECHO_SERVER_LISTENER: '127.0.0.1:0' }, cleanup, [], { args: ['--inspect-fsm=0'] });
    const announced = await program.untilStderr((lines) => lines.map((line) => /^reactor-fsm: inspector listening on 127\.0\.0\.1:(\d+)$/.exec(line)).find((match) => match !== null), 10_000, 'the inspector announcement');
    const listening = await program.line(/^LISTENING (\d+)$/, 10_000);
    return { program, inspectorPort: Number(announced[1]), echoPort: Number(listening[1]) };
}

async function attach(dap: DapClient, args: object, breakpoints: Record<string, number[]> = {}): Promise<DebugProtocol.Response> {
    await dap.ok('initialize', { adapterID: 'reactor-fsm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const attached = dap.request('attach', args);
    await dap.event('initialized');
    for (const [file, lines] of Object.entries(breakpoints)) {
        await dap.ok('setBreakpoints', { source: { path: file }, breakpoints: lines.map((line) => ({ line })) });
    }
    await dap.ok('configurationDone');
    return attached;
}

/** Polls the threads until `test` holds (bounded). */
async function threadsUntil(dap: DapClient, test: (names: string[]) => boolean): Promise<DebugProtocol.Thread[]> {
    for (let i = 0; i < 100; i++) {
        const { threads } = await dap.ok<DebugProtocol.ThreadsResponse>('threads');
        if (test(threads.map((thread) => thread.name))) {
            return threads;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`threads never matched; events: ${dap.events.map((event) => event.event).join(', ')}`);
}

describe('debug adapter: attach to a running generated program', () => {
    it('shows the running machines, a session appearing when a client connects, and its state in the diagram', async () => {
        const { inspectorPort, echoPort } = await startServer();
        const dap = (client = new DapClient());
        const response = await attach(dap, { program: MODEL, port: inspectorPort });
        expect(response.success, response.message).toBe(true);
        expect(dap.output('console')).toMatch(/Attached to process \d+ through 127\.0\.0\.1:\d+: 1 machine instance running/);
        expect((await threadsUntil(dap, (names) => names.length === 1)).map((thread) => thread.name)).toEqual(['EchoServer']);

        const peer = cleanup.socket(netConnect({ host: '127.0.0.1', port: echoPort }));
        const threads = await threadsUntil(dap, (names) => names.includes('EchoSession#1'));
        const session = threads.find((thread) => thread.name === 'EchoSession#1')!;
        const frames = await dap.stack(session.id);
        expect(frames.map((frame) => [frame.name, frame.line])).toEqual([
            ['state Open', await lineOf('initial state Open')],
            ['machine EchoSession', await lineOf('machine EchoSession')]
        ]);
        // The diagram hears of the session's state.
        const live = await (async () => {
            for (let count = 1; ; count++) {
                const event = await dap.event('reactorFsm.live', count);
                const body = event.body as { instances: Array<{ instance: string; states: number[] }> };
                const found = body.instances.find((instance) => instance.instance === 'EchoSession#1');
                if (found) {
                    return found;
                }
            }
        })();
        expect(live.states).toEqual([await lineOf('initial state Open')]);
        peer.end();
        await threadsUntil(dap, (names) => !names.includes('EchoSession#1'));
        // The trace is printed in batches (at most every 50 ms).
        for (let i = 0; i < 100 && !dap.output('stdout').includes('EchoSession#1  finished in Closed'); i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(dap.output('stdout')).toContain('EchoSession#1  finished in Closed');
    });

    it('a breakpoint on a session state pauses that session: its echo waits until continue', async () => {
        const { inspectorPort, echoPort } = await startServer();
        const dap = (client = new DapClient());
        const closing = await lineOf('state Closing');
        const response = await attach(dap, { program: MODEL, port: inspectorPort }, { [MODEL]: [await lineOf('initial state Open'), await lineOf('on Data / echo')] });
        expect(response.success).toBe(true);
        const set = await dap.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: MODEL }, breakpoints: [{ line: await lineOf('initial state Open') }, { line: await lineOf('on Data / echo') }, { line: closing }] });
        // Only state lines stop a running program.
        expect(set.breakpoints.map((breakpoint) => breakpoint.verified)).toEqual([true, false, true]);
        const peer = cleanup.socket(netConnect({ host: '127.0.0.1', port: echoPort }));
        const stop = await dap.event<DebugProtocol.StoppedEvent>('stopped');
        expect(stop.body.reason).toBe('breakpoint');
        const threads = await threadsUntil(dap, (names) => names.includes('EchoSession#1 (paused)'));
        expect(stop.body.threadId).toBe(threads.find((thread) => thread.name.startsWith('EchoSession#1'))!.id);
        // Paused: what the client sends waits (no echo) …
        let echoed = '';
        peer.setEncoding('utf8');
        peer.on('data', (text: string) => (echoed += text));
        peer.write('hello\n');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(echoed).toBe('');
        // … until continue.
        await dap.ok('continue', { threadId: stop.body.threadId });
        for (let i = 0; i < 100 && echoed !== 'hello\n'; i++) {
            await new Promise((resolve) => setTimeout(resolve, 30));
        }
        expect(echoed).toBe('hello\n');
        await threadsUntil(dap, (names) => names.includes('EchoSession#1'));
    });

    it('survives an inspector sending garbage, and lists no instance the snapshot says has finished', async () => {
        const fake = createServer((socket) => {
            socket.on('error', () => undefined);
            socket.write(`${JSON.stringify({ reactorFsm: 'inspect', version: 1, pid: 4242, t: 0 })}\n`);
            socket.write(
                `${JSON.stringify({
                    kind: 'snapshot',
                    t: 1,
                    instances: [{ machine: 'EchoServer', state: 'Serving', finished: false }, { machine: 'EchoSession#1', state: 'Closed', finished: true }, null, { machine: 7 }]
                })}\n`
            );
            socket.write('null\n[1]\n{"kind":"transition"}\nnot json at all\n');
            socket.write(`${JSON.stringify({ t: 5, kind: 'start', machine: 'EchoSession#2', state: 'Open' })}\n`);
        });
        await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
        cleanup.add(() => new Promise<void>((resolve) => fake.close(() => resolve())));
        const dap = (client = new DapClient());
        const response = await attach(dap, { program: MODEL, port: (fake.address() as { port: number }).port });
        expect(response.success, response.message).toBe(true);
        const threads = await threadsUntil(dap, (names) => names.includes('EchoSession#2'));
        expect(threads.map((thread) => thread.name)).toEqual(['EchoServer', 'EchoSession#2']);
        for (let i = 0; i < 100 && !dap.output('stderr').includes('not json at all'); i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(dap.output('stderr')).toContain('inspector: the inspector sent a line that is not a JSON object: null');
        expect(dap.output('stderr')).toContain('not a trace line: {"kind":"transition"}');
        expect(dap.exited).toBeUndefined();
    });

    it('refuses a port where nothing listens and one that is not a Reactor FSM inspector', async () => {
        const other = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
        await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
        cleanup.add(() => new Promise<void>((resolve) => other.close(() => resolve())));
        const port = (other.address() as { port: number }).port;
        const dap = (client = new DapClient());
        const response = await attach(dap, { program: MODEL, port });
        expect(response.success).toBe(false);
        expect(response.message).toBe(`127.0.0.1:${port} is not a Reactor FSM inspector (it sent something else)`);
        await dap.close();

        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const freePort = (closed.address() as { port: number }).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const second = (client = new DapClient());
        const refused = await attach(second, { program: MODEL, port: freePort });
        expect(refused.success).toBe(false);
        expect(refused.message).toContain(`nothing listens on 127.0.0.1:${freePort}`);
    });
});
