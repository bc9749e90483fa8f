// Debugger latency, against the bundled adapter (out/debug-adapter.cjs) over stdio, as VS Code drives it.
//
//   npm run -s bundle && node --import tsx bench/editor/debug.ts [--states N]
//
// 1. Simulate a 1,000-state model with a 400-step scenario: `next` (one event run to completion) → the stop, and
//    the stop plus what VS Code asks after it (stackTrace, scopes, variables of every scope); baseline: a `threads`
//    round trip, the adapter's floor.
// 2. Attach to a generated echo server run as a real process with --inspect-fsm: a client connects, and the time until
//    the diagram's live view (reactorFsm.live) shows the new session; baseline: the same session's `start` line read
//    straight from the inspector socket.
import '../../language/polyfill.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DapClient } from '../../test/debug/dap-client.js';
import { buildProgramFrom, FIXTURES, removePrograms, startProgram } from '../../test/runtime/program-helpers.js';
import { Cleanup } from '../../test/runtime/runtime-helpers.js';
import { generateMachine } from './model.js';
import { median, percentile, printLoad, series, verdict } from './report.js';

const NEXT_TARGET_MS = 20;
const ATTACH_TARGET_MS = 100;
const STEPS = 400;
const NEXTS = 200;
const CONNECTS = 40;

function argument(name: string): string | undefined {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
}

async function simulateNext(stateCount: number): Promise<void> {
    const machine = generateMachine(stateCount);
    const events = /events ([^\n]+)/.exec(machine.text)![1]!.split(',').map((event) => event.trim().replace(/\(.*\)$/, ''));
    const folder = mkdtempSync(path.join(tmpdir(), 'reactor-fsm-debug-bench-'));
    const model = path.join(folder, 'big.fsm');
    const script = path.join(folder, 'big.scenario');
    writeFileSync(model, machine.text);
    // Every event in turn (the ones the current state does not handle are ignored), a second of virtual time now and then.
    writeFileSync(script, Array.from({ length: STEPS }, (_, i) => (i % 10 === 9 ? 'advance 1s' : `send ${events[(i * 7) % events.length]}`)).join('\n'));
    const dap = new DapClient();
    try {
        await dap.launch({ program: model, script, stopOnEntry: true });
        const floor: number[] = [];
        for (let i = 0; i < 50; i++) {
            const sent = performance.now();
            await dap.ok('threads');
            floor.push(performance.now() - sent);
        }
        const toStop: number[] = [];
        const withViews: number[] = [];
        for (let i = 0; i < NEXTS; i++) {
            const sent = performance.now();
            const stop = await dap.stopAfter(() => dap.ok('next'));
            toStop.push(performance.now() - sent);
            const frames = await dap.stack(stop.body.threadId ?? 1);
            const scopes = await dap.ok<DebugProtocol.ScopesResponse>('scopes', { frameId: frames[0]!.id });
            for (const scope of scopes.scopes) {
                await dap.ok('variables', { variablesReference: scope.variablesReference });
            }
            withViews.push(performance.now() - sent);
        }
        console.log(`\nsimulate: a ${machine.states}-state machine (${machine.transitions + machine.internal + machine.timers} transitions and timers), ${STEPS}-step scenario`);
        console.log(series('  threads round trip (baseline)', floor));
        console.log(series(`  next → stopped (${NEXTS})`, toStop));
        console.log(series('  next → stopped + stackTrace, scopes, variables', withViews));
        console.log(`  ratio next / baseline (medians): ${(median(toStop) / median(floor)).toFixed(2)}×`);
        verdict('next on a 1,000-state model, p95', percentile(toStop, 95), NEXT_TARGET_MS);
    } finally {
        await dap.close();
        rmSync(folder, { recursive: true, force: true });
    }
}

/** Resolves when the inspector socket has sent a line containing `text`. */
function lineWith(socket: Socket, text: string, seen: { buffer: string }): Promise<void> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no inspector line with ${text}`)), 10_000);
        const check = (): void => {
            if (seen.buffer.includes(text)) {
                clearTimeout(timer);
                socket.off('data', check);
                resolve();
            }
        };
        socket.on('data', check);
        check();
    });
}

async function attachLatency(): Promise<void> {
    const cleanup = new Cleanup();
    const model = path.join(FIXTURES, 'echo-server.fsm');
    const [text, serverActions, sessionActions] = ['echo-server.fsm', 'echo-server/echo-server.actions.ts.txt', 'echo-server/echo-session.actions.ts.txt'].map((name) => readFileSync(path.join(FIXTURES, name), 'utf8'));
    const dir = await buildProgramFrom(text!, { 'echo-server.actions.ts': serverActions!, 'echo-session.actions.ts': sessionActions! });
    const dap = new DapClient();
    try {
        const program = startProgram(dir, { ECHO_SERVER_LISTENER: '127.0.0.1:0' }, cleanup, [], { args: ['--inspect-fsm=0'] });
        const announced = await program.untilStderr((lines) => lines.map((line) => /inspector listening on 127\.0\.0\.1:(\d+)$/.exec(line)).find((match) => match !== null), 10_000, 'the inspector');
        const echoPort = Number((await program.line(/^LISTENING (\d+)$/, 10_000))[1]);
        const inspectorPort = Number(announced[1]);
        await dap.ok('initialize', { adapterID: 'reactor-fsm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        const attached = dap.request('attach', { program: model, port: inspectorPort });
        await dap.event('initialized');
        await dap.ok('configurationDone');
        await attached;
        const raw = netConnect({ host: '127.0.0.1', port: inspectorPort });
        const seen = { buffer: '' };
        raw.setEncoding('utf8');
        raw.on('data', (chunk: string) => (seen.buffer += chunk));
        const direct: number[] = [];
        const live: number[] = [];
        for (let i = 1; i <= CONNECTS; i++) {
            const name = `EchoSession#${i}`;
            const liveCount = dap.count('reactorFsm.live');
            const sent = performance.now();
            const client = netConnect({ host: '127.0.0.1', port: echoPort });
            const [rawAt, liveAt] = await Promise.all([
                lineWith(raw, `"machine":"${name}"`, seen).then(() => performance.now()),
                (async () => {
                    for (let count = liveCount + 1; ; count++) {
                        const event = await dap.event('reactorFsm.live', count);
                        if ((event.body as { instances: Array<{ instance: string }> }).instances.some((instance) => instance.instance === name)) {
                            return performance.now();
                        }
                    }
                })()
            ]);
            direct.push(rawAt - sent);
            live.push(liveAt - sent);
            client.end();
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        raw.destroy();
        console.log(`\nattach: a generated echo server, ${CONNECTS} clients connecting one after another`);
        console.log(series('  inspector line read directly (baseline)', direct));
        console.log(series('  new session in the diagram (reactorFsm.live)', live));
        console.log(`  ratio live / baseline (medians): ${(median(live) / median(direct)).toFixed(2)}×`);
        verdict('a running program\'s transition in the diagram, p95', percentile(live, 95), ATTACH_TARGET_MS);
    } finally {
        await dap.close();
        await cleanup.run();
        await removePrograms();
    }
}

printLoad('Debugger latency (out/debug-adapter.cjs over stdio)');
await simulateNext(Number(argument('--states') ?? 1000));
await attachLatency();
