// The debug adapter over the Debug Adapter Protocol, as VS Code drives it: a real adapter process on stdio.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, describe, expect, it } from 'vitest';
import { DapClient } from './dap-client.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/debug');
const VENDING = path.join(FIXTURES, 'vending.fsm');
const SCRIPT = path.join(FIXTURES, 'vending.scenario');
const ECHO_CLIENT = path.resolve(import.meta.dirname, '../../examples/echo-client.fsm');
// Two files of one system: Greeter (client.fsm) connects to BannerServer (server.fsm) and waits for a banner its
// session never sends; the system check's system-deadlock.
const SYSTEM = path.resolve(import.meta.dirname, '../fixtures/system/system-deadlock/bug');
const GREETER = path.join(SYSTEM, 'client.fsm');
const BANNER_SERVER = path.join(SYSTEM, 'server.fsm');
// Lines of client.fsm and server.fsm.
const SYSTEM_LINE = { awaitBanner: 8, sessionOpen: 17 };

// Lines of vending.fsm.
const LINE = { idle: 5, onCoin: 6, paid: 9, chooseStocked: 11, after30s: 14, vending: 16, signal: 21, blank: 4 };

let client: DapClient | undefined;
afterEach(async () => {
    await client?.close();
    client = undefined;
});

function start(): DapClient {
    client = new DapClient();
    return client;
}

async function variables(dap: DapClient, threadId: number, scope: string): Promise<Record<string, string>> {
    const frames = await dap.stack(threadId);
    const scopes = await dap.ok<DebugProtocol.ScopesResponse>('scopes', { frameId: frames[0]!.id });
    const reference = scopes.scopes.find((candidate) => candidate.name === scope)!.variablesReference;
    const body = await dap.ok<DebugProtocol.VariablesResponse>('variables', { variablesReference: reference });
    return Object.fromEntries(body.variables.map((variable) => [variable.name, variable.value]));
}

async function evaluate(dap: DapClient, expression: string): Promise<DebugProtocol.EvaluateResponse> {
    return dap.request<DebugProtocol.EvaluateResponse>('evaluate', { expression, context: 'repl' });
}

describe('debug adapter: launch and stepping', () => {
    it('stops on entry with one thread per machine and the initial state on the stack', async () => {
        const dap = start();
        const stop = await dap.launch({ program: VENDING, stopOnEntry: true });
        expect(stop.body.reason).toBe('entry');
        const threads = await dap.ok<DebugProtocol.ThreadsResponse>('threads');
        expect(threads.threads.map((thread) => thread.name)).toEqual(['Vending']);
        const frames = await dap.stack(1);
        expect(frames.map((frame) => frame.name)).toEqual(['Vending starts', 'machine Vending']);
        // One `next`: the start ran to completion: the machine is in Idle.
        await dap.stopAfter(() => dap.ok('next'));
        const after = await dap.stack(1);
        expect(after.map((frame) => [frame.name, frame.line])).toEqual([
            ['state Idle', LINE.idle],
            ['machine Vending', 2]
        ]);
        expect(after[0]!.source?.path).toBe(VENDING);
    });

    it('next runs one event to completion, stepIn one action, stepBack goes back through them', async () => {
        const dap = start();
        await dap.launch({ program: VENDING, script: SCRIPT, stopOnEntry: true });
        await dap.stopAfter(() => dap.ok('next')); // the start settled
        await dap.stopAfter(() => dap.ok('next')); // Coin is delivered (nothing of it happened yet)
        expect((await dap.stack(1))[0]!.name).toBe('Vending gets Coin {"cents":50}');
        expect((await variables(dap, 1, 'Machine')).state).toBe('Idle');
        await dap.stopAfter(() => dap.ok('stepIn')); // the transition is chosen
        expect((await dap.stack(1))[0]).toMatchObject({ name: 'Idle --Coin--> Paid', line: LINE.onCoin });
        await dap.stopAfter(() => dap.ok('stepIn')); // its action
        expect((await dap.stack(1))[0]).toMatchObject({ name: '/ count', line: LINE.onCoin });
        await dap.stopAfter(() => dap.ok('stepIn')); // Paid entered
        expect((await dap.stack(1))[0]).toMatchObject({ name: 'enters Paid', line: LINE.paid });
        expect((await variables(dap, 1, 'Machine')).payload).toBe('{"cents":50}');
        expect(await variables(dap, 1, 'Timers')).toEqual({}); // armed after the entry actions
        await dap.stopAfter(() => dap.ok('next')); // Coin settled
        expect((await variables(dap, 1, 'Machine')).state).toBe('Paid');
        expect(await variables(dap, 1, 'Timers')).toEqual({ 'after 30s': 'in 30000 ms (at 30000 ms), line 14' });
        // Back: to the delivery of Coin, where the machine was still Idle.
        const back = await dap.stopAfter(() => dap.ok('stepBack'));
        expect(back.body.reason).toBe('step');
        expect((await dap.stack(1))[0]!.name).toBe('Vending gets Coin {"cents":50}');
        expect((await variables(dap, 1, 'Machine')).state).toBe('Idle');
        expect(dap.output('console')).toContain('⟲ back to 0 ms');
        // Forward again: the same run (the history is kept, nothing runs twice).
        await dap.stopAfter(() => dap.ok('next'));
        expect((await variables(dap, 1, 'Machine')).state).toBe('Paid');
        expect(dap.output('stdout').match(/Idle --Coin--> Paid/g)).toHaveLength(1);
        // stepOut: to the end of the current input.
        await dap.stopAfter(() => dap.ok('stepOut'));
        expect(dap.output('stdout')).not.toContain('Paid --Choose--> Vending');
    });

    it('runs the script to its end and waits for input; the trace is printed as it is passed', async () => {
        const dap = start();
        const stop = await dap.launch({ program: VENDING, script: SCRIPT });
        expect(stop.body).toMatchObject({ reason: 'pause', description: expect.stringContaining('Waiting for input') });
        expect(dap.output('stdout')).toContain('30000 ms  Vending  Paid --after 30s--> Idle');
        expect((await variables(dap, 1, 'Machine'))).toMatchObject({ state: 'Idle', time: '31000 ms' });
        expect(await variables(dap, 1, 'Guards')).toEqual({ stocked: 'true' });
    });
});

describe('debug adapter: breakpoints', () => {
    it('stops when a state is entered, and says which breakpoint', async () => {
        const dap = start();
        await dap.ok('initialize', { adapterID: 'reactor-fsm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        const launched = dap.request('launch', { program: VENDING, script: SCRIPT });
        await dap.event('initialized');
        const set = await dap.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: VENDING }, breakpoints: [{ line: LINE.paid }, { line: LINE.blank }] });
        expect(set.breakpoints.map((breakpoint) => breakpoint.verified)).toEqual([true, false]);
        expect(set.breakpoints[1]!.message).toContain('stops on a state line');
        await dap.ok('configurationDone');
        expect((await launched).success).toBe(true);
        const stop = await dap.event<DebugProtocol.StoppedEvent>('stopped');
        expect(stop.body).toMatchObject({ reason: 'breakpoint', hitBreakpointIds: [set.breakpoints[0]!.id] });
        expect((await dap.stack(1))[0]).toMatchObject({ name: 'enters Paid', line: LINE.paid });
        // The second Coin enters Paid again.
        const again = await dap.stopAfter(() => dap.ok('continue'));
        expect(again.body.reason).toBe('breakpoint');
        expect((await variables(dap, 1, 'Machine')).payload).toBe('{"cents":200}');
        // Then the script ends: waiting for input.
        const idle = await dap.stopAfter(() => dap.ok('continue'));
        expect(idle.body.reason).toBe('pause');
    });

    it('stops before a timer transition runs (the state is not left yet)', async () => {
        const dap = start();
        const stop = await dap.launch({ program: VENDING, script: SCRIPT }, { [VENDING]: [LINE.after30s] });
        expect(stop.body.reason).toBe('breakpoint');
        expect((await dap.stack(1))[0]).toMatchObject({ name: 'Paid --after 30s--> Idle', line: LINE.after30s });
        expect(await variables(dap, 1, 'Machine')).toMatchObject({ state: 'Paid', time: '30000 ms' });
        expect(dap.output('stdout')).not.toContain('/ refund');
    });

    it('conditional breakpoints test the payload', async () => {
        const dap = start();
        const stop = await dap.launch({ program: VENDING, script: SCRIPT }, { [VENDING]: [{ line: LINE.onCoin, condition: 'payload.cents > 100' }] });
        expect(stop.body.reason).toBe('breakpoint');
        expect((await variables(dap, 1, 'Machine')).payload).toBe('{"cents":200}');
        expect((await variables(dap, 1, 'Machine'))['last transitions']).toBe('Vend (line 17), Choose (line 11), Coin (line 6)');
        const bad = await dap.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: VENDING }, breakpoints: [{ line: LINE.onCoin, condition: 'cents > 1' }] });
        expect(bad.breakpoints[0]).toMatchObject({ verified: false, message: expect.stringContaining('is not the payload') });
    });

    it('stops on a signal line when the signal comes, and on a socket mapping when that occurrence happens', async () => {
        const dap = start();
        await dap.launch({ program: VENDING }, { [VENDING]: [LINE.signal] });
        const stop = await dap.stopAfter(() => evaluate(dap, 'signal SIGTERM'));
        expect(stop.body.reason).toBe('breakpoint');
        expect((await dap.stack(1))[0]).toMatchObject({ name: 'SIGTERM → Quit', line: LINE.signal });
        await dap.close();

        const echo = start();
        // Line 30 of echo-client.fsm: `read -> Data`.
        const readLine = 30;
        await echo.launch({ program: ECHO_CLIENT }, { [ECHO_CLIENT]: [readLine] });
        await echo.stopAfter(() => evaluate(echo, 'upstream connected'));
        const data = await echo.stopAfter(() => evaluate(echo, 'upstream data "hi\\n"'));
        expect(data.body.reason).toBe('breakpoint');
        expect((await echo.stack(1))[0]).toMatchObject({ name: 'upstream: data', line: readLine });
        expect(await variables(echo, 1, 'Sockets')).toEqual({ upstream: 'client connected' });
    });

    it('reverseContinue goes back to the last breakpoint passed', async () => {
        const dap = start();
        await dap.launch({ program: VENDING, script: SCRIPT }, { [VENDING]: [LINE.chooseStocked] });
        await dap.stopAfter(() => dap.ok('continue')); // on to the end
        const back = await dap.stopAfter(() => dap.ok('reverseContinue'));
        expect(back.body.reason).toBe('breakpoint');
        expect((await dap.stack(1))[0]).toMatchObject({ name: 'Paid --Choose--> Vending', line: LINE.chooseStocked });
        const start0 = await dap.stopAfter(() => dap.ok('reverseContinue'));
        expect(start0.body.reason).toBe('step');
        expect((await dap.stack(1))[0]!.name).toBe('Vending starts');
    });

    it('lists the lines that can hold a breakpoint', async () => {
        const dap = start();
        await dap.launch({ program: VENDING, stopOnEntry: true });
        const body = await dap.ok<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', { source: { path: VENDING }, line: 1, endLine: 30 });
        expect(body.breakpoints.map((location) => location.line)).toEqual([5, 6, 7, 9, 11, 12, 13, 14, 16, 17, 19, 21]);
    });
});

describe('debug adapter: the Debug Console', () => {
    it('runs scenario lines as commands and answers bad ones with an error, staying alive', async () => {
        const dap = start();
        await dap.launch({ program: VENDING });
        const coin = await evaluate(dap, 'send Coin {"cents": 10}');
        expect(coin.success).toBe(true);
        expect(coin.body.result).toBe('send Coin {"cents": 10}: done at 0 ms');
        expect((await variables(dap, 1, 'Machine')).state).toBe('Paid');
        await evaluate(dap, 'advance 31s');
        expect(await variables(dap, 1, 'Machine')).toMatchObject({ state: 'Idle', time: '31000 ms' });
        await evaluate(dap, 'guard stocked true false');
        expect(await variables(dap, 1, 'Guards')).toEqual({ stocked: 'true then false' });

        const typo = await evaluate(dap, 'sned Coin');
        expect(typo.success).toBe(false);
        expect(typo.message).toContain("'help' lists the commands");
        const unknown = await evaluate(dap, 'send Cookie');
        expect(unknown.success).toBe(false);
        expect(unknown.message).toContain("no event 'Cookie'");
        const noSocket = await evaluate(dap, 'upstream connected');
        expect(noSocket.success).toBe(false);
        expect(noSocket.message).toContain("no socket 'upstream'");
        const badPayload = await evaluate(dap, 'send Coin {oops}');
        expect(badPayload.success).toBe(false);
        // Still alive, still in Idle.
        expect((await variables(dap, 1, 'Machine')).state).toBe('Idle');
        expect((await evaluate(dap, 'help')).body.result).toContain('send EVENT');
        const ended = await dap.stopAfter(async () => expect((await evaluate(dap, 'signal SIGTERM')).success).toBe(true));
        expect(ended.body.description).toBe('The program has ended');
        expect((await dap.ok<DebugProtocol.ThreadsResponse>('threads')).threads[0]!.name).toBe('Vending (finished)');
    });

    it('a command that stops at a breakpoint and then turns out not to be allowed is undone when the run goes on', async () => {
        const dap = start();
        // An endless raise cycle: `send Loop` enters Spin (a breakpoint), then raises Loop forever.
        const model = path.join(FIXTURES, 'spin.fsm');
        await dap.launch({ program: model }, { [model]: [6] });
        const stop = await dap.stopAfter(() => evaluate(dap, 'send Go'));
        expect(stop.body.reason).toBe('breakpoint');
        const after = await dap.stopAfter(() => dap.ok('continue'));
        expect(after.body.reason).toBe('pause');
        expect(dap.output('stderr')).toContain("'send Go' was undone: the run is as it was before it.");
        expect((await variables(dap, 1, 'Machine')).state).toBe('Idle');
    });

    it('a command after stepping back runs there, and the inputs after it run again after it', async () => {
        const dap = start();
        await dap.launch({ program: VENDING, script: SCRIPT });
        // Back to the delivery of the first Coin, then a Refund: it runs after that Coin, before the rest of the script.
        for (let i = 0; i < 40 && !(await dap.stack(1))[0]!.name.startsWith('Vending gets Coin {"cents":50}'); i++) {
            await dap.stopAfter(() => dap.ok('stepBack'));
        }
        expect((await dap.stack(1))[0]!.name).toBe('Vending gets Coin {"cents":50}');
        const refund = await evaluate(dap, 'send Refund');
        expect(refund.success).toBe(true);
        expect((await variables(dap, 1, 'Machine')).state).toBe('Idle');
        // The rest of the script (guard, Choose, Coin, advance) comes after: Choose in Idle is ignored now.
        await dap.stopAfter(() => dap.ok('continue'));
        expect(dap.output('stdout')).toContain('Idle: Choose ignored');
        expect((await variables(dap, 1, 'Machine')).state).toBe('Idle');
    });

    it('completes events, guards, signals and socket occurrences', async () => {
        const dap = start();
        await dap.launch({ program: VENDING });
        const complete = async (text: string) =>
            (await dap.ok<DebugProtocol.CompletionsResponse>('completions', { text, column: text.length + 1 })).targets.map((target) => target.label);
        expect(await complete('send ')).toEqual(['Choose', 'Coin', 'Quit', 'Refund', 'Vend']);
        expect(await complete('send C')).toEqual(['Choose', 'Coin']);
        expect(await complete('guard ')).toEqual(['stocked']);
        expect(await complete('signal ')).toEqual(['SIGTERM']);
        expect(await complete('gu')).toEqual(['guard']);
        await dap.close();

        const echo = start();
        await echo.launch({ program: ECHO_CLIENT });
        const completeEcho = async (text: string) =>
            (await echo.ok<DebugProtocol.CompletionsResponse>('completions', { text, column: text.length + 1 })).targets.map((target) => target.label);
        expect(await completeEcho('up')).toEqual(['upstream']);
        expect(await completeEcho('upstream c')).toEqual(['closed', 'connected']);
    });

    it('Send Event: lists the events of an instance and sends one (the diagram and the quick pick use this)', async () => {
        const dap = start();
        await dap.launch({ program: VENDING });
        const events = await dap.ok<DebugProtocol.Response>('reactorFsm/events', { threadId: 1 });
        expect(events).toEqual({ instance: 'Vending', events: [{ name: 'Coin', type: 'json' }, { name: 'Choose' }, { name: 'Refund' }, { name: 'Vend' }, { name: 'Quit' }] });
        const sent = await dap.request('reactorFsm/send', { threadId: 1, event: 'Coin', payload: { cents: 1 } });
        expect(sent.success).toBe(true);
        expect((await variables(dap, 1, 'Machine')).state).toBe('Paid');
    });

    it('tells the diagram the active states, the trail, the timers and what can be fired', async () => {
        const dap = start();
        await dap.launch({ program: VENDING });
        await dap.stopAfter(() => evaluate(dap, 'send Coin {"cents": 10}'));
        await dap.stopAfter(() => evaluate(dap, 'advance 10s'));
        const live = await dap.event('reactorFsm.live', dap.count('stopped'));
        expect(live.body).toEqual({
            t: 10_000,
            instances: [
                {
                    threadId: 1,
                    instance: 'Vending',
                    machine: 'Vending',
                    file: VENDING,
                    finished: false,
                    states: [LINE.paid],
                    trail: [{ line: LINE.onCoin, event: 'Coin' }],
                    timers: [{ line: LINE.after30s, label: 'after 30s', remainingMs: 20_000 }],
                    fireable: [
                        { line: 11, event: 'Choose' },
                        { line: 12, event: 'Choose' },
                        { line: 13, event: 'Refund' }
                    ]
                }
            ]
        });
        await dap.request('terminate', {});
        await dap.event('terminated');
        expect(dap.count('reactorFsm.liveEnd')).toBe(1);
    });
});

describe('debug adapter: several files simulated together (the launch configuration\'s "files")', () => {
    it('simulates the machines of program and files as one system, replaying a scenario to the deadlock', async () => {
        const folder = mkdtempSync(path.join(tmpdir(), 'reactor-fsm-dap-files-'));
        try {
            // What Replay in debugger launches: the finding's scenario with the first file as program, the others as files.
            const scenario = path.join(folder, 'deadlock.scenario');
            writeFileSync(scenario, 'BannerServer.listener accept\nGreeter.upstream connected\n');
            const dap = start();
            const stop = await dap.launch({ program: GREETER, files: [BANNER_SERVER], script: scenario }, { [BANNER_SERVER]: [SYSTEM_LINE.sessionOpen] });
            // A breakpoint in the other file: the session the server accepted enters Open.
            expect(stop.body.reason).toBe('breakpoint');
            const threads = async (): Promise<string[]> => (await dap.ok<DebugProtocol.ThreadsResponse>('threads')).threads.map((thread) => thread.name);
            expect(await threads()).toEqual(['Greeter', 'BannerServer', 'BannerSession#1']);
            expect((await dap.stack(stop.body.threadId!))[0]).toMatchObject({ name: 'enters Open', line: SYSTEM_LINE.sessionOpen, source: { path: BANNER_SERVER } });
            // To the end of the scenario: both sides wait, the client for the banner, the session for a command.
            const idle = await dap.stopAfter(() => dap.ok('continue'));
            expect(idle.body).toMatchObject({ reason: 'pause', description: expect.stringContaining('Waiting for input') });
            const ids = (await dap.ok<DebugProtocol.ThreadsResponse>('threads')).threads;
            const top = async (name: string): Promise<DebugProtocol.StackFrame> => (await dap.stack(ids.find((thread) => thread.name === name)!.id))[0]!;
            expect(await top('Greeter')).toMatchObject({ name: 'state AwaitBanner', line: SYSTEM_LINE.awaitBanner, source: { path: GREETER } });
            expect(await top('BannerSession#1')).toMatchObject({ name: 'state Open', line: SYSTEM_LINE.sessionOpen, source: { path: BANNER_SERVER } });
            expect(await top('BannerServer')).toMatchObject({ name: 'state Serving', source: { path: BANNER_SERVER } });
            expect(dap.output('stdout')).toMatch(/BannerServer {2}starts in Serving/);
            expect(dap.output('stderr')).toBe('');
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    });

    it('without files, program alone is simulated: the server of the other file is not there', async () => {
        const dap = start();
        await dap.launch({ program: GREETER, stopOnEntry: true });
        expect((await dap.ok<DebugProtocol.ThreadsResponse>('threads')).threads.map((thread) => thread.name)).toEqual(['Greeter']);
    });
});

describe('debug adapter: bad launches', () => {
    it('refuses a model with errors, naming them', async () => {
        const dap = start();
        await dap.ok('initialize', { adapterID: 'reactor-fsm', pathFormat: 'path' });
        const launched = dap.request('launch', { program: path.join(FIXTURES, 'broken.fsm') });
        await dap.event('initialized');
        await dap.ok('configurationDone');
        const response = await launched;
        expect(response.success).toBe(false);
        expect(response.message).toContain('not simulating');
        expect(dap.output('stderr')).toMatch(/broken\.fsm:4:\d+ error/);
    });

    it('refuses a missing file, a bad scenario line and an unknown machine', async () => {
        for (const [args, message] of [
            [{ program: path.join(FIXTURES, 'missing.fsm') }, 'missing.fsm'],
            [{ program: VENDING, script: path.join(FIXTURES, 'bad.scenario') }, 'bad.scenario:2:'],
            [{ program: VENDING, machine: 'Nope' }, "no machine 'Nope'"],
            [{ program: GREETER, files: [path.join(SYSTEM, 'missing.fsm')] }, 'missing.fsm']
        ] as const) {
            const dap = start();
            await dap.ok('initialize', { adapterID: 'reactor-fsm', pathFormat: 'path' });
            const launched = dap.request('launch', args);
            await dap.event('initialized');
            await dap.ok('configurationDone');
            const response = await launched;
            expect(response.success, JSON.stringify(args)).toBe(false);
            expect(dap.output('stderr')).toContain(message);
            await dap.close();
        }
    });

    it('refuses "files" that is not a list of paths, saying so', async () => {
        for (const files of [BANNER_SERVER, [1], [BANNER_SERVER, ''], { server: BANNER_SERVER }, null]) {
            const dap = start();
            await dap.ok('initialize', { adapterID: 'reactor-fsm', pathFormat: 'path' });
            const launched = dap.request('launch', { program: GREETER, files });
            await dap.event('initialized');
            await dap.ok('configurationDone');
            const response = await launched;
            expect(response.success, JSON.stringify(files)).toBe(false);
            expect(response.message).toContain('"files" in the launch configuration must be a list of .fsm file paths');
            await dap.close();
        }
    });
});
