// Check System on the server side: which documents are checked together, the search in a worker thread (the program
// crosses by structured clone), its cancellation, and the request over LSP against the bundled server.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import type { LangiumDocument } from 'langium';
import type { Model } from '../../language/generated/ast.js';
import { SystemCheckRunner, systemDocuments, type SystemJob } from '../../language/lsp/system-check.js';
import type { SystemCheckResult } from '../../language/lsp/protocol.js';
import { programOfModels } from '../../language/semantics/program.js';
import { runSystemJob } from '../../server/system-worker.js';
import { DebugRun } from '../../language/debug/debug-run.js';
import { LaunchError, loadProgram, loadScript } from '../../language/debug/load-program.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { withDocuments } from '../helpers.js';
import { bundledServer, fileUri, LspClient, removeTempWorkspace, tempWorkspace } from './lsp-client.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEADLOCK = path.join(ROOT, 'test/fixtures/system/system-deadlock/bug');
const CLIENT = readFileSync(path.join(DEADLOCK, 'client.fsm'), 'utf8');
const SERVER = readFileSync(path.join(DEADLOCK, 'server.fsm'), 'utf8');
const RELAY = readFileSync(path.join(ROOT, 'examples/tcp-relay.fsm'), 'utf8');
/** The fixed orphan-session pair (clean unless the network resets their connection), on a port of its own here. */
const JOBS = path.join(ROOT, 'test/fixtures/system/orphan-session/fixed');
const JOB_CLIENT = readFileSync(path.join(JOBS, 'client.fsm'), 'utf8').replaceAll('7200', '7300');
const JOB_SERVER = readFileSync(path.join(JOBS, 'server.fsm'), 'utf8').replaceAll('7200', '7300');

/** A machine of its own: no socket reaches the others. */
const LONER = `machine Loner {
    events Go
    initial state A {
        on Go -> B
    }
    final state B
}
`;

/** The server of the deadlock fixture with its session machine in a file of its own. */
const SERVER_ONLY = SERVER.slice(0, SERVER.indexOf('machine BannerSession'));
const SESSION_ONLY = SERVER.slice(SERVER.indexOf('machine BannerSession'));

/** A client that reaches the deadlock's server through `localhost` (the server listens on 0.0.0.0). */
const SECOND_CLIENT = CLIENT.replaceAll('Greeter', 'Greeter2').replace('127.0.0.1:7100', 'localhost:7100');

function workerFile(): string {
    bundledServer(); // fails with the hint to bundle when out/ is missing
    const file = path.join(ROOT, 'out/system-worker.cjs');
    if (!existsSync(file)) {
        throw new Error(`${file} is missing: run \`npm run -s bundle\` first`);
    }
    return file;
}

function names(documents: readonly LangiumDocument<Model>[]): string[] {
    return documents.map((document) => document.parseResult.value.machines.map((machine) => machine.name).join('+'));
}

function job(documents: readonly LangiumDocument<Model>[], extra: Partial<SystemJob> = {}): SystemJob {
    return { program: programOfModels(documents.map((document) => document.parseResult.value)), files: documents.map((document) => document.uri.path), ...extra };
}

describe('the documents checked together', () => {
    it('takes the files wired to the start either way, transitively, and those holding sessions, but no other', async () => {
        await withDocuments([CLIENT, SERVER_ONLY, SESSION_ONLY, LONER, SECOND_CLIENT], ([client, server, session, loner, second]) => {
            const all = [loner!, second!, session!, server!, client!];
            const [first, ...rest] = names(systemDocuments(all, client!));
            expect([first, rest.sort()]).toEqual(['Greeter', ['BannerServer', 'BannerSession', 'Greeter2']]);
            // From the session's file: its server, then the server's clients.
            const [start, ...others] = names(systemDocuments(all, session!));
            expect([start, others.sort()]).toEqual(['BannerSession', ['BannerServer', 'Greeter', 'Greeter2']]);
            expect(names(systemDocuments(all, loner!))).toEqual(['Loner']);
        });
    });

    it('does not tie a client to a server on another port', async () => {
        await withDocuments([CLIENT.replace('7100', '7101'), SERVER], ([client, server]) => {
            expect(names(systemDocuments([client!, server!], client!))).toEqual(['Greeter']);
        });
    });
});

describe('the search in a worker thread', () => {
    let runner: SystemCheckRunner;
    beforeAll(() => {
        runner = new SystemCheckRunner(workerFile());
    });
    afterAll(() => {
        runner.cancel();
    });

    it('posts the program by structured clone: the copy is checked exactly as the original', async () => {
        await withDocuments([CLIENT, SERVER], (documents) => {
            const original = job(documents);
            const copy = structuredClone(original);
            expect(copy.program.machines).toBeInstanceOf(Map);
            expect(copy).toEqual(original);
            const withoutTime = (reply: ReturnType<typeof runSystemJob>) => ({ ...reply, summary: reply.summary.replace(/in [0-9.]+ s/, '') });
            expect(withoutTime(runSystemJob(copy))).toEqual(withoutTime(runSystemJob(original)));
        });
    });

    it('passes exactTime on to the search: the ticker-and-bomb probe shows its trap only with it', async () => {
        const ticker = readFileSync(path.join(ROOT, 'test/fixtures/system/probes/ticker-and-bomb.fsm'), 'utf8');
        await withDocuments([ticker], async (documents) => {
            const byOrder = await runner.run(job(documents), []);
            const byTime = await runner.run(job(documents, { exactTime: true }), []);
            expect(byOrder?.findings.map((finding) => finding.code)).toEqual([]);
            expect(byTime?.findings.map((finding) => finding.code).sort()).toEqual(['lost-signal', 'system-deadlock']);
            expect(byTime?.summary).toContain('exact timer times');
        });
    });

    it("answers with the worker's findings: the deadlock at the client's AwaitBanner, its trace and scenario", async () => {
        await withDocuments([CLIENT, SERVER], async (documents) => {
            const reply = await runner.run(job(documents), []);
            expect(reply?.complete).toBe(true);
            expect(reply?.summary).toMatch(/^explored 5 global states .*every reachable state\)$/);
            expect(reply?.findings.map((finding) => [finding.code, finding.spot.path, finding.spot.line])).toEqual([['system-deadlock', documents[0]!.uri.path, 8]]);
            const [finding] = reply!.findings;
            expect(finding!.steps.map((step) => step.text)).toEqual(['BannerServer.listener accept; Greeter.upstream connected']);
            // The step connects the client, which takes `on Up -> AwaitBanner`: the related place is that transition.
            expect(finding!.steps[0]!.spot.line).toBe(5);
            expect(finding!.scenario.split('\n')).toContain('Greeter.upstream connected');
        });
    });

    it('says so when the worker script is missing', async () => {
        await withDocuments([LONER], async (documents) => {
            await expect(new SystemCheckRunner(path.join(ROOT, 'out/no-such-worker.cjs')).run(job(documents), [])).rejects.toThrow(/no-such-worker\.cjs is missing/);
        });
    });

    it('is ended by a newer run, by cancel and by an edit of a file it checks; the event loop stays free meanwhile', async () => {
        await withDocuments([RELAY, CLIENT, SERVER], async ([relay, client, server]) => {
            const long = job([relay!], { sessions: 4, maxMs: 60_000 });
            const first = runner.run(long, ['memory:///relay.fsm']);
            const second = runner.run(job([client!, server!]), []);
            expect(await first).toBeUndefined();
            expect((await second)?.findings).toHaveLength(1);

            let ticks = 0;
            const ticking = setInterval(() => ticks++, 10);
            const started = Date.now();
            const third = runner.run(long, ['memory:///relay.fsm']);
            await new Promise((resolve) => setTimeout(resolve, 400));
            runner.cancelIfCovers(['memory:///other.fsm']);
            expect(runner.running).toBe(true);
            runner.cancelIfCovers(['memory:///relay.fsm']);
            expect(await third).toBeUndefined();
            clearInterval(ticking);
            expect(Date.now() - started).toBeLessThan(3_000);
            expect(ticks).toBeGreaterThan(10);
            expect(runner.running).toBe(false);
        });
    });
});

describe('reactor-fsm/checkSystem on the bundled server', () => {
    const FILES = { 'relay.fsm': RELAY, 'client.fsm': CLIENT, 'server.fsm': SERVER, 'loner.fsm': LONER, 'job-client.fsm': JOB_CLIENT, 'job-server.fsm': JOB_SERVER, 'broken-client.fsm': CLIENT.replaceAll('Greeter', 'Broken').replace('127.0.0.1:7100', '127.0.0.1:7200').replace('-> Done', '-> Nowhere') };
    let client: LspClient;
    let workspace: string;
    const uri = (name: keyof typeof FILES): string => fileUri(path.join(workspace, name));

    beforeAll(async () => {
        workspace = tempWorkspace(FILES);
        client = LspClient.start(bundledServer(), workspace);
        await client.initialize(workspace);
    }, 20_000);

    afterAll(async () => {
        await client?.dispose();
        removeTempWorkspace(workspace);
    });

    it('checks the client with the server it reaches and answers the deadlock on its line, with the trace', async () => {
        const result = await client.requestMethod<SystemCheckResult>('reactor-fsm/checkSystem', { uri: uri('client.fsm') }, 15_000);
        expect(result.uris).toEqual([uri('client.fsm'), uri('server.fsm')]);
        expect(result.files).toEqual([path.join(workspace, 'client.fsm'), path.join(workspace, 'server.fsm')]);
        expect(result.complete).toBe(true);
        expect(result.findings).toHaveLength(1);
        const [finding] = result.findings;
        expect(finding).toMatchObject({ code: 'system-deadlock', severity: 'error', place: { uri: uri('client.fsm'), line: 7, character: 4 } });
        expect(CLIENT.split('\n')[7]!.slice(finding!.place.character, finding!.place.endCharacter)).toBe('state AwaitBanner {');
        expect(finding!.steps[0]!.place).toMatchObject({ uri: uri('client.fsm'), line: 4 });
        expect(CLIENT.split('\n')[4]!.trim()).toBe('on Up -> AwaitBanner');
        expect(finding!.scenario).toContain(`reactor-fsm simulate ${path.join(workspace, 'client.fsm')} ${path.join(workspace, 'server.fsm')} --script`);
    });

    it('passes networkFaults on to the search: the job pair deadlocks only when the network may reset its connection', async () => {
        const plain = await client.requestMethod<SystemCheckResult>('reactor-fsm/checkSystem', { uri: uri('job-client.fsm') }, 15_000);
        expect(plain.uris).toEqual([uri('job-client.fsm'), uri('job-server.fsm')]);
        expect(plain.findings).toEqual([]);
        const faulty = await client.requestMethod<SystemCheckResult>('reactor-fsm/checkSystem', { uri: uri('job-client.fsm'), networkFaults: true }, 15_000);
        expect(faulty.findings.map((finding) => `${finding.code} ${finding.place.line}`)).toEqual(['system-deadlock 7']);
        expect(faulty.summary).toContain('network faults');
    });

    it('refuses files with errors, naming them', async () => {
        const result = await client.requestMethod<SystemCheckResult>('reactor-fsm/checkSystem', { uri: uri('broken-client.fsm') }, 15_000);
        expect(result.findings).toEqual([]);
        expect(result.refused?.[0]).toMatch(/^broken-client\.fsm:9: /);
    });

    it('checks a machine alone when nothing is wired to it', async () => {
        const result = await client.requestMethod<SystemCheckResult>('reactor-fsm/checkSystem', { uri: uri('loner.fsm') }, 15_000);
        expect(result.uris).toEqual([uri('loner.fsm')]);
        expect(result.summary).toMatch(/every reachable state/);
    });

    it('ends a running search when one of its files is edited, and answers that it was cancelled', async () => {
        const started = Date.now();
        const answer = client.requestMethod<SystemCheckResult>('reactor-fsm/checkSystem', { uri: uri('relay.fsm'), sessions: 4, maxSeconds: 60 }, 15_000);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await client.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri('relay.fsm'), languageId: 'reactor-fsm', version: 2, text: `${RELAY}\n` } });
        expect(await answer).toMatchObject({ uris: [uri('relay.fsm')], findings: [], cancelled: true });
        expect(Date.now() - started).toBeLessThan(5_000);
    });
});

describe('Replay in debugger: the debug session simulates several files with the scenario', () => {
    it("composes the files into one program and replays the finding's scenario file to the deadlock", async () => {
        const folder = mkdtempSync(path.join(tmpdir(), 'reactor-fsm-replay-'));
        try {
            const client = path.join(DEADLOCK, 'client.fsm');
            const server = path.join(DEADLOCK, 'server.fsm');
            expect((await loadProgram(client, [])).topLevel).toEqual(['Greeter']);
            const program = await loadProgram(client, [server]);
            expect(program.topLevel).toEqual(['Greeter', 'BannerServer']);
            const reply = runSystemJob({ program, files: [client, server] });
            const scenario = path.join(folder, 'deadlock.scenario');
            writeFileSync(scenario, reply.findings[0]!.scenario);
            const run = new DebugRun(program, { script: await loadScript(scenario) });
            run.forward(() => undefined);
            expect(run.point.problem).toBeUndefined();
            expect(run.pendingInputs).toEqual([]);
            expect(run.machines.map((instance) => `${instance.name}: ${instance.stateName}`)).toEqual(expect.arrayContaining(['Greeter: AwaitBanner', 'BannerSession#1: Open']));
            await expect(loadProgram(client, [client.replace('client.fsm', 'missing.fsm')])).rejects.toThrow(LaunchError);
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    });
});
