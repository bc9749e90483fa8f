// The generator/runtime benchmark: the generated code against baselines measured in the same run.
//
//   cd /work/main && node --import tsx bench/runtime/run.ts          (re-spawns itself with --expose-gc)
//   node --expose-gc --import tsx bench/runtime/run.ts --only=throughput,memory
//   node --import tsx bench/runtime/run.ts --only=line-echo --line-echo-prof=/tmp/prof   (both line echo servers under --cpu-prof)
//
// 1. events/s of the generated TCP-like machine (models/tcp.fsm) against a hand-written switch and XState 5
// 2. heap bytes per live instance (10,000 generated machines against 10,000 XState actors)
// 3. echo over loopback: the generated echo server against a raw `net` one, 50 ping-pong connections
// 4. 10,000 idle connections held by one generated server
// 5. events/s of a generated hierarchical machine (models/deck.fsm) against the same machine flattened by hand and XState 5
// 6. framed line echo: the program generated from models/line-echo.fsm (no user code) against a raw `net` line echo
// 7. workers: the same line echo generated with `workers 2` against `workers 1` (Node's cluster), the client sharing the cores
// Goals are ratios against baselines of this run, printed as PASS/MISS, never asserted. Loopback only; every
// child process is killed at the end. About a minute on an idle machine.
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { buildProjects, type Projects } from './build.js';
import { killAllChildren } from './children.js';
import { measureEcho, type EchoResult } from './echo.js';
import { loadGeneratedTcp } from './generated-tcp.js';
import { deckSequence } from './deck-model.js';
import { loadGeneratedDeck, measureHierarchy, type HierarchyResult } from './hierarchy-throughput.js';
import { measureIdleConnections, type IdleResult } from './idle-connections.js';
import { buildLineEcho } from './line-echo-build.js';
import { measureLineEcho, type LineEchoResult } from './line-echo.js';
import { measureMemory, type MemoryResult } from './memory.js';
import { targetTable, type TargetRow } from './report.js';
import { respawnWithGc } from './respawn.js';
import { eventSequence } from './sequence.js';
import { count, megabytes, ratio, seconds } from './stats.js';
import { fdLimit, load } from './system.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { buildWorkers } from './workers-build.js';
import { measureWorkers, type WorkersRate, type WorkersResult } from './workers.js';

/** Goals, as printed. */
const GOALS = {
    vsSwitch: 0.5,
    vsXState: 100,
    hierarchyVsSwitch: 0.8,
    hierarchyVsXState: 100,
    bytesPerInstance: 400,
    echoVsRaw: 0.95,
    lineEchoVsRaw: 0.9,
    workersTwoVsOne: 1.3,
    idleConnections: 10_000
};

const PLAN = {
    events: 1_000_000,
    seed: 20_240_601,
    throughput: { unanchoredRuns: 3, warmups: 3, runs: 7, xstateWarmupEvents: 100_000, xstateRuns: 3 },
    memory: { instances: 10_000, rounds: 3 },
    echo: { connections: 50, roundMs: 3_000, roundsEach: 2, warmupMs: 500 },
    idle: { connections: GOALS.idleConnections, batch: 500, nofile: [30_000, 20_000], samples: 100 },
    hierarchy: { events: 1_000_000, seed: 20_261_205, warmups: 3, runs: 7, xstateWarmupEvents: 50_000, xstateRuns: 3 },
    lineEcho: { connections: 8, window: 256, cycleLines: 1_024, seed: 20_261_206, cyclesEach: 16, warmupCycles: 4, roundsEach: 6, timeoutMs: 30_000 },
    workers: { connections: 8, window: 256, cycleLines: 1_024, seed: 20_261_207, cyclesEach: 24, warmupCycles: 4, roundsEach: 6, timeoutMs: 30_000 }
};

/** `--line-echo-prof=DIR`: part 6's two servers run under `node --cpu-prof` and leave their profiles in DIR. */
const LINE_ECHO_PROFILE_DIR = process.argv.find((arg) => arg.startsWith('--line-echo-prof='))?.slice('--line-echo-prof='.length) || undefined;

/** The temporary folder of the generated projects, removed on every way out (an interrupt included). */
let temporaryRoot: string | undefined;

function cleanUp(): void {
    killAllChildren();
    if (temporaryRoot) {
        rmSync(temporaryRoot, { recursive: true, force: true });
        temporaryRoot = undefined;
    }
}

/** The whole run is cut off after this long: children killed, exit 2. */
const WATCHDOG_MS = 300_000;

const PARTS = ['throughput', 'memory', 'echo', 'idle', 'hierarchy', 'line-echo', 'workers'] as const;
type Part = (typeof PARTS)[number];

function selectedParts(): Set<Part> {
    const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
    if (!only) {
        return new Set(PARTS);
    }
    const parts = only.split(',');
    const unknown = parts.filter((part) => !(PARTS as readonly string[]).includes(part));
    if (unknown.length > 0) {
        console.error(`usage: bench/runtime/run.ts [--only=${PARTS.join(',')}] (unknown: ${unknown.join(', ')})`);
        process.exit(2);
    }
    return new Set(parts as Part[]);
}

function log(line: string): void {
    console.log(line);
}

function elapsed(since: number): string {
    return seconds(performance.now() - since);
}

function describeLoad(): string {
    const { averages, cores, busy } = load();
    const text = `load average ${averages.map((a) => a.toFixed(2)).join(' ')} on ${cores} cores`;
    return busy ? `${text}  WARNING: the machine is busy (1-min load > cores/2): figures are noisy, ratios more reliable than rates` : text;
}

function throughputRows(result: ThroughputResult | undefined): TargetRow[] {
    return [
        {
            target: '1. events/s vs switch',
            measured: result ? `${count(result.generated)} ev/s` : '-',
            baseline: result ? `${count(result.switch)} ev/s (switch)` : '-',
            ratio: result ? ratio(result.generated / result.switch) : '-',
            goal: `>= ${GOALS.vsSwitch.toFixed(2)}×`,
            pass: result && result.agree ? result.generated / result.switch >= GOALS.vsSwitch : undefined
        },
        {
            target: '1. events/s vs XState 5',
            measured: result ? `${count(result.generated)} ev/s` : '-',
            baseline: result ? `${count(result.xstate)} ev/s (XState)` : '-',
            ratio: result ? ratio(result.generated / result.xstate) : '-',
            goal: `>= ${GOALS.vsXState}×`,
            pass: result && result.agree ? result.generated / result.xstate >= GOALS.vsXState : undefined
        }
    ];
}

function memoryRow(result: MemoryResult | undefined): TargetRow {
    return {
        target: `2. heap per instance (${count(PLAN.memory.instances)})`,
        measured: result ? `${count(result.generated)} B` : '-',
        baseline: result ? `${count(result.xstate)} B (XState actor)` : '-',
        ratio: result ? `${ratio(result.xstate / result.generated)} smaller` : '-',
        goal: `<= ${GOALS.bytesPerInstance} B`,
        pass: result ? result.generated <= GOALS.bytesPerInstance : undefined
    };
}

function echoRow(result: EchoResult | undefined): TargetRow {
    return {
        target: `3. echo msgs/s (${PLAN.echo.connections} conns)`,
        measured: result ? `${count(result.generated)} msg/s` : '-',
        baseline: result ? `${count(result.raw)} msg/s (raw net)` : '-',
        ratio: result ? ratio(result.generated / result.raw) : '-',
        goal: `>= ${GOALS.echoVsRaw.toFixed(2)}×`,
        pass: result ? result.failures === 0 && result.generated / result.raw >= GOALS.echoVsRaw : undefined
    };
}

function lineEchoRow(result: LineEchoResult | undefined): TargetRow {
    return {
        target: `6. line echo lines/s (${PLAN.lineEcho.connections} conns)`,
        measured: result ? `${count(result.generated.linesPerSecond)} lines/s` : '-',
        baseline: result ? `${count(result.raw.linesPerSecond)} lines/s (raw net)` : '-',
        ratio: result ? ratio(result.generated.linesPerSecond / result.raw.linesPerSecond) : '-',
        goal: `>= ${GOALS.lineEchoVsRaw.toFixed(2)}×`,
        pass: result ? result.failures.generated + result.failures.raw === 0 && result.generated.linesPerSecond / result.raw.linesPerSecond >= GOALS.lineEchoVsRaw : undefined
    };
}

function workersRow(result: WorkersResult | undefined): TargetRow {
    return {
        target: `7. workers 2 vs 1, lines/s (${PLAN.workers.connections} conns)`,
        measured: result ? `${count(result.rates.two.median)} lines/s` : '-',
        baseline: result ? `${count(result.rates.one.median)} lines/s (workers 1)` : '-',
        ratio: result ? ratio(result.rates.two.median / result.rates.one.median) : '-',
        goal: `>= ${GOALS.workersTwoVsOne.toFixed(2)}×`,
        pass: result ? result.failures === 0 && result.rates.two.median / result.rates.one.median >= GOALS.workersTwoVsOne : undefined
    };
}

function printWorkers(result: WorkersResult): void {
    const labels = { one: 'workers 1          ', two: 'workers 2 (rr)     ', twoNone: 'workers 2 (none)   ' } as const;
    for (const which of ['one', 'two', 'twoNone'] as const) {
        const rate: WorkersRate = result.rates[which];
        log(`  ${labels[which]} median ${count(rate.median)} lines/s   rounds: ${rate.rounds.map((round) => count(round.linesPerSecond)).join(' ')}`);
        const cpu = rate.rounds.map((round) => (round.cpu ? `${round.cpu.workers.map((seconds) => seconds.toFixed(2)).join('+')} (primary ${round.cpu.primary.toFixed(2)}, client ${round.cpu.client.toFixed(2)})` : '?'));
        log(`    CPU s per round, workers (primary, client): ${cpu.join('  ')}`);
        log(
            `    CPU s per 1e6 lines: server ${rate.serverCpuPerMillion === undefined ? '?' : rate.serverCpuPerMillion.toFixed(2)}, client ${rate.clientCpuPerMillion.toFixed(2)}; rounds of ${rate.rounds.map((round) => seconds(round.seconds * 1000)).join(' ')}`
        );
        if (rate.cores) {
            log(`    cores busy during the rounds: server + client ${rate.cores.bench.toFixed(2)}, other processes ${rate.cores.others.toFixed(2)} (of ${availableParallelism()})`);
        }
    }
    log(`  ratio workers 2 / workers 1 (medians): ${ratio(result.rates.two.median / result.rates.one.median)} rr, ${ratio(result.rates.twoNone.median / result.rates.one.median)} none (goal >= ${GOALS.workersTwoVsOne.toFixed(2)}× for rr, the default)`);
    log(`  warm-up rounds until every worker served: ${result.warmups.one}, ${result.warmups.two}, ${result.warmups.twoNone}; failed connections: ${result.failures}${result.failure === undefined ? '' : `, first: ${result.failure}`}`);
}

function idleHeld(result: IdleResult): boolean {
    return (
        result.established === result.requested &&
        result.sessions === result.requested &&
        result.sampledEchoes === result.samples &&
        result.freshEcho &&
        result.sessionsAfterClose === 0
    );
}

function idleRow(result: IdleResult | undefined): TargetRow {
    const perConnection = result ? (result.rssAfter - result.rssBefore) / Math.max(1, result.sessions) : 0;
    const rawPerConnection = result?.raw ? (result.raw.rssAfter - result.raw.rssBefore) / Math.max(1, result.raw.established) : undefined;
    return {
        target: `4. idle connections held`,
        measured: result ? `${count(result.sessions)} in ${seconds(result.openMs)}, RSS ${megabytes(result.rssAfter)}` : '-',
        baseline: result?.raw ? `RSS ${megabytes(result.raw.rssAfter)} (raw net)` : '-',
        ratio: result && rawPerConnection ? `${count(perConnection)} vs ${count(rawPerConnection)} B/conn` : '-',
        goal: `${count(GOALS.idleConnections)}, still echoes`,
        pass: result ? idleHeld(result) : undefined
    };
}

function printThroughput(result: ThroughputResult): void {
    const list = (values: readonly number[]): string => values.map((value) => `${(value / 1e6).toFixed(1)}M`).join(' ');
    log(`  generated  median ${count(result.generated)} ev/s   runs: ${list(result.runs.generated)}`);
    log(`  switch     median ${count(result.switch)} ev/s   runs: ${list(result.runs.switch)}`);
    log(`  XState 5   median ${count(result.xstate)} ev/s   runs: ${result.runs.xstate.map((value) => count(value)).join(' ')}`);
    log(
        `  no instance alive between runs (first ${PLAN.throughput.unanchoredRuns} runs; informative, not a goal): generated ${count(result.unanchored.generated)} ev/s, switch ${count(result.unanchored.switch)} ev/s (${ratio(result.unanchored.generated / result.unanchored.switch)})`
    );
    log(`  same actions called by all three: ${result.agree ? 'yes' : `NO: ${result.disagreement}`}`);
}

function hierarchyRows(result: HierarchyResult | undefined): TargetRow[] {
    return [
        {
            target: '5. hierarchical vs flattened switch',
            measured: result ? `${count(result.generated)} ev/s` : '-',
            baseline: result ? `${count(result.switch)} ev/s (switch)` : '-',
            ratio: result ? ratio(result.generated / result.switch) : '-',
            goal: `>= ${GOALS.hierarchyVsSwitch.toFixed(2)}×`,
            pass: result && result.agree ? result.generated / result.switch >= GOALS.hierarchyVsSwitch : undefined
        },
        {
            target: '5. hierarchical vs XState 5',
            measured: result ? `${count(result.generated)} ev/s` : '-',
            baseline: result ? `${count(result.xstate)} ev/s (XState)` : '-',
            ratio: result ? ratio(result.generated / result.xstate) : '-',
            goal: `>= ${GOALS.hierarchyVsXState}×`,
            pass: result && result.agree ? result.generated / result.xstate >= GOALS.hierarchyVsXState : undefined
        }
    ];
}

function printHierarchy(result: HierarchyResult): void {
    const list = (values: readonly number[]): string => values.map((value) => `${(value / 1e6).toFixed(1)}M`).join(' ');
    log(`  generated  median ${count(result.generated)} ev/s   runs: ${list(result.runs.generated)}`);
    log(`  switch     median ${count(result.switch)} ev/s   runs: ${list(result.runs.switch)}`);
    log(`  XState 5   median ${count(result.xstate)} ev/s   runs: ${result.runs.xstate.map((value) => count(value)).join(' ')}`);
    log(`  same actions called by all three: ${result.agree ? 'yes' : `NO: ${result.disagreement}`}`);
}

function printMemory(result: MemoryResult): void {
    const list = (values: readonly number[]): string => values.map((value) => value.toFixed(0)).join(' ');
    log(`  generated  median ${count(result.generated)} B/instance   rounds: ${list(result.rounds.generated)}`);
    log(`  XState 5   median ${count(result.xstate)} B/instance   rounds: ${list(result.rounds.xstate)}`);
}

function printEcho(result: EchoResult): void {
    const list = (values: readonly number[]): string => values.map((value) => count(value)).join(' ');
    log(`  generated  ${count(result.generated)} msg/s   rounds: ${list(result.rounds.generated)}`);
    log(`  raw net    ${count(result.raw)} msg/s   rounds: ${list(result.rounds.raw)}`);
    log(`  failed connections: ${result.failures}`);
}

function printLineEcho(result: LineEchoResult): void {
    const list = (values: readonly number[]): string => values.map((value) => count(value)).join(' ');
    const line = (label: string, rate: LineEchoResult['raw']): string =>
        `  ${label} ${count(rate.linesPerSecond)} lines/s, ${rate.megabytesPerSecond.toFixed(1)} MB/s echoed   rounds: ${list(rate.rounds)}`;
    log(line('generated', result.generated));
    log(line('raw net  ', result.raw));
    log(`  ratio ${ratio(result.generated.linesPerSecond / result.raw.linesPerSecond)} (goal >= ${GOALS.lineEchoVsRaw.toFixed(2)}×)`);
    for (const which of ['generated', 'raw'] as const) {
        const why = result.failure[which];
        log(`  failed connections (${which === 'raw' ? 'raw net' : which}): ${result.failures[which]}${why === undefined ? '' : `, first: ${why}`}`);
    }
    const [generatedCpu, rawCpu] = [result.generated.cpuMicrosPerLine, result.raw.cpuMicrosPerLine];
    if (generatedCpu !== undefined && rawCpu !== undefined) {
        // CPU time is steadier than rates when other processes share the cores: informative, not the goal.
        log(`  server CPU per line (user + system, /proc): generated ${generatedCpu.toFixed(2)} µs, raw net ${rawCpu.toFixed(2)} µs (raw/generated ${ratio(rawCpu / generatedCpu)}; not the goal)`);
    }
}

function printIdle(result: IdleResult): void {
    log(`  server fd limit ${result.serverNofile}${result.limitation ? `   NOTE: ${result.limitation}` : ''}`);
    log(`  client established ${count(result.established)}/${count(result.requested)}, server sessions ${count(result.sessions)}, opened in ${seconds(result.openMs)}`);
    log(`  server RSS ${megabytes(result.rssBefore)} -> ${megabytes(result.rssAfter)} (${count((result.rssAfter - result.rssBefore) / Math.max(1, result.sessions))} B per connection)`);
    if (result.raw) {
        log(`  raw net server RSS ${megabytes(result.raw.rssBefore)} -> ${megabytes(result.raw.rssAfter)} with ${count(result.raw.established)} (${count((result.raw.rssAfter - result.raw.rssBefore) / Math.max(1, result.raw.established))} B per connection)`);
    }
    log(`  still echoes: ${result.sampledEchoes}/${result.samples} sampled idle connections, new connection ${result.freshEcho ? 'yes' : 'NO'}`);
    log(`  after closing every client: ${result.sessionsAfterClose} sessions left (${seconds(result.closeMs)}), accept pauses (EMFILE) ${result.acceptPauses}`);
}

async function main(): Promise<number> {
    const parts = selectedParts();
    const started = performance.now();
    const limit = fdLimit();
    log(`Reactor FSM runtime benchmark — Node ${process.version}, ${describeLoad()}`);
    log(`fd limit of this process ${limit ? `${limit.soft}:${limit.hard}` : 'unknown'}; parts: ${[...parts].join(', ')}`);

    let projects: Projects | undefined;
    const results: {
        throughput?: ThroughputResult;
        memory?: MemoryResult;
        echo?: EchoResult;
        idle?: IdleResult;
        hierarchy?: HierarchyResult;
        lineEcho?: LineEchoResult;
        workers?: WorkersResult;
    } = {};
    const failures: string[] = [];
    const attempt = async <T>(name: Part, run: () => Promise<T> | T): Promise<T | undefined> => {
        if (!parts.has(name)) {
            return undefined;
        }
        const since = performance.now();
        log(`\n${name}…`);
        try {
            const value = await run();
            log(`  (${elapsed(since)})`);
            return value;
        } catch (error) {
            failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
            log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
        }
    };

    try {
        const buildStart = performance.now();
        projects = await buildProjects();
        temporaryRoot = projects.root;
        log(`generated and compiled models/tcp.fsm, examples/echo-server.fsm and models/deck.fsm in ${elapsed(buildStart)} (${projects.root})`);
        const generated = await loadGeneratedTcp(projects.tcp.dist);
        const echoDist = projects.echo.dist;
        const rawScript = projects.rawEchoServer;

        results.throughput = await attempt('throughput', () => {
            log(
                `  ${count(PLAN.events)} events (seed ${PLAN.seed}), a fresh instance per run, full GC before each; ${PLAN.throughput.warmups} warm-ups + ${PLAN.throughput.runs} runs each, alternating (XState: ${PLAN.throughput.xstateRuns} runs)`
            );
            const result = measureThroughput(generated, eventSequence(PLAN.events, PLAN.seed), PLAN.throughput);
            printThroughput(result);
            return result;
        });
        results.memory = await attempt('memory', () => {
            const result = measureMemory(generated, PLAN.memory.instances, PLAN.memory.rounds);
            printMemory(result);
            return result;
        });
        results.echo = await attempt('echo', async () => {
            log(`  ${PLAN.echo.connections} connections, ping-pong of 32 bytes, ${PLAN.echo.roundsEach} rounds of ${seconds(PLAN.echo.roundMs)} per server (ABBA order)`);
            const result = await measureEcho(echoDist, rawScript, PLAN.echo);
            printEcho(result);
            return result;
        });
        results.hierarchy = await attempt('hierarchy', async () => {
            const plan = PLAN.hierarchy;
            log(`  models/deck.fsm (3 levels, 2 regions), ${count(plan.events)} events (seed ${plan.seed}); ${plan.warmups} warm-ups + ${plan.runs} runs each, alternating (XState: ${plan.xstateRuns} runs)`);
            const result = measureHierarchy(await loadGeneratedDeck(projects!.deck.dist), deckSequence(plan.events, plan.seed), plan);
            printHierarchy(result);
            return result;
        });
        results.lineEcho = await attempt('line-echo', async () => {
            const plan = PLAN.lineEcho;
            const build = await buildLineEcho(projects!.root);
            log(
                `  generated and compiled models/line-echo.fsm (actions files as generated: no user code); ${plan.connections} connections, each pipelining ${plan.cyclesEach} × ${count(plan.cycleLines)} lines of 30-100 bytes (a quarter CRLF, cut across writes), at most ${plan.window} in flight; ${plan.roundsEach} rounds per server (ABBA order)`
            );
            const result = await measureLineEcho(build, { ...plan, ...(LINE_ECHO_PROFILE_DIR === undefined ? {} : { profileDir: LINE_ECHO_PROFILE_DIR }) });
            log(`  ${count(result.linesPerRound)} lines (${result.bytesPerLine.toFixed(0)} B each on average, echoed) per round`);
            printLineEcho(result);
            if (LINE_ECHO_PROFILE_DIR !== undefined) {
                log(`  CPU profiles of both servers in ${LINE_ECHO_PROFILE_DIR}`);
            }
            return result;
        });
        results.workers = await attempt('workers', async () => {
            const plan = PLAN.workers;
            const build = await buildWorkers(projects!.root);
            log(
                `  the framed line echo (no user code) generated with workers 1 and workers 2; this process is the client (${plan.connections} connections, each pipelining ${plan.cyclesEach} × ${count(plan.cycleLines)} lines, at most ${plan.window} in flight) on the same cores; ${plan.roundsEach} rounds per server`
            );
            const result = await measureWorkers(build, plan);
            log(`  ${count(result.linesPerRound)} lines per round`);
            printWorkers(result);
            return result;
        });
        results.idle = await attempt('idle', async () => {
            log(`  ${count(PLAN.idle.connections)} connections in batches of ${PLAN.idle.batch}; server under prlimit --nofile=${PLAN.idle.nofile[0]} if allowed`);
            const result = await measureIdleConnections(echoDist, rawScript, PLAN.idle);
            printIdle(result);
            return result;
        });
    } finally {
        killAllChildren();
        await projects?.remove();
        temporaryRoot = undefined;
    }

    const rows: TargetRow[] = [];
    if (parts.has('throughput')) {
        rows.push(...throughputRows(results.throughput));
    }
    if (parts.has('memory')) {
        rows.push(memoryRow(results.memory));
    }
    if (parts.has('echo')) {
        rows.push(echoRow(results.echo));
    }
    if (parts.has('idle')) {
        rows.push(idleRow(results.idle));
    }
    if (parts.has('hierarchy')) {
        rows.push(...hierarchyRows(results.hierarchy));
    }
    if (parts.has('line-echo')) {
        rows.push(lineEchoRow(results.lineEcho));
    }
    if (parts.has('workers')) {
        rows.push(workersRow(results.workers));
    }
    log('');
    log(targetTable(rows));
    log('');
    log(`done in ${elapsed(started)}; at the end: ${describeLoad()}`);
    for (const failure of failures) {
        log(`FAILED ${failure}`);
    }
    return failures.length > 0 ? 1 : 0;
}

await respawnWithGc();
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
        cleanUp();
        process.exit(130);
    });
}
setTimeout(() => {
    console.error(`bench/runtime: still running after ${WATCHDOG_MS / 1000} s: stopping`);
    cleanUp();
    process.exit(2);
}, WATCHDOG_MS).unref();
process.exitCode = await main();
