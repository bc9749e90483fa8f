// Part 7: `workers 2` against `workers 1` — the framed line echo generated twice (workers-build.ts), the same client as
// part 6 (line-echo-load.ts) in this process, sharing the machine's cores with the server's workers. Also the same
// `workers 2` program with NODE_CLUSTER_SCHED_POLICY=none (informative): every worker accepts on the shared socket.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { clockTicks, cpuSeconds } from './process-cpu.js';
import { freePort, startChild, stopChild, waitForPort, type Child } from './children.js';
import { lineLoad, runLines, type LineLoad, type LineRunPlan } from './line-echo-load.js';
import { WORKERS_ECHO_LISTENER, type WorkersBuild } from './workers-build.js';

export interface WorkersPlan extends LineRunPlan {
    readonly cycleLines: number;
    readonly seed: number;
    /** Timed rounds per server, in cycles of one, two, two-none, two-none, two, one (ABBA for each pair). */
    readonly roundsEach: number;
    /** Cycles per connection of each untimed warm-up round. */
    readonly warmupCycles: number;
}

export type WorkersServer = 'one' | 'two' | 'twoNone';

/** CPU seconds (user + system) one round cost, by process. */
export interface RoundCpu {
    readonly primary: number;
    /** Each worker's, in the order they started. */
    readonly workers: number[];
    /** This process: the load generator. */
    readonly client: number;
    /** Every process on the machine (/proc/stat, all cores): what the others took is this minus the rest. */
    readonly machine: number;
}

export interface WorkersRound {
    readonly linesPerSecond: number;
    readonly seconds: number;
    readonly cpu: RoundCpu | undefined;
}

export interface WorkersRate {
    /** Median lines/s over the timed rounds. */
    readonly median: number;
    readonly rounds: WorkersRound[];
    /** CPU seconds per 1e6 lines (all the server's processes), over all rounds; undefined without /proc. */
    readonly serverCpuPerMillion: number | undefined;
    readonly clientCpuPerMillion: number;
    /** Cores the server and the client kept busy on average (their CPU seconds over the rounds' seconds), and all other processes. */
    readonly cores: { readonly bench: number; readonly others: number } | undefined;
}

export interface WorkersResult {
    readonly rates: Record<WorkersServer, WorkersRate>;
    readonly linesPerRound: number;
    readonly failures: number;
    readonly failure?: string;
    /** How many warm-up rounds each server needed until every worker took part. */
    readonly warmups: Record<WorkersServer, number>;
}

/** CPU seconds the whole machine has been busy (all cores; /proc/stat), or undefined. */
function machineBusySeconds(ticksPerSecond: number): number | undefined {
    try {
        const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
        const total = fields.reduce((sum, value) => sum + value, 0);
        // idle and iowait are the 4th and 5th.
        return (total - fields[3]! - (fields[4] ?? 0)) / ticksPerSecond;
    } catch {
        return undefined;
    }
}

function clientCpu(): number {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
}

interface Server {
    readonly which: WorkersServer;
    readonly child: Child;
    readonly port: number;
    readonly workers: number;
    /** The workers' pids, from the primary's `reactor: worker N started (pid P)` lines. */
    pids(): number[];
}

const STARTED = /^reactor: worker \d+ started \(pid (\d+)\)$/gm;

async function startServer(which: WorkersServer, build: WorkersBuild): Promise<Server> {
    const port = await freePort();
    const dist = which === 'one' ? build.one.dist : build.two.dist;
    const policy = which === 'twoNone' ? { NODE_CLUSTER_SCHED_POLICY: 'none' } : { NODE_CLUSTER_SCHED_POLICY: 'rr' };
    const child = startChild(process.execPath, [path.join(dist, 'main.js')], { env: { ...process.env, ...policy, [WORKERS_ECHO_LISTENER]: `127.0.0.1:${port}` } });
    try {
        await waitForPort(port, child);
    } catch (error) {
        await stopChild(child);
        throw error;
    }
    return { which, child, port, workers: which === 'one' ? 1 : 2, pids: () => [...child.stderr().matchAll(STARTED)].map((match) => Number(match[1])) };
}

type Sample = { primary: number; workers: number[]; client: number; machine: number } | undefined;

function sample(server: Server, ticks: number): Sample {
    const primary = cpuSeconds(server.child.process.pid, ticks);
    const workers = server.pids().map((pid) => cpuSeconds(pid, ticks));
    const machine = machineBusySeconds(ticks);
    if (primary === undefined || machine === undefined || workers.some((value) => value === undefined)) {
        return undefined;
    }
    return { primary, workers: workers as number[], client: clientCpu(), machine };
}

function difference(before: Sample, after: Sample): RoundCpu | undefined {
    if (!before || !after || before.workers.length !== after.workers.length) {
        return undefined;
    }
    return {
        primary: after.primary - before.primary,
        workers: after.workers.map((value, i) => value - before.workers[i]!),
        client: after.client - before.client,
        machine: after.machine - before.machine
    };
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function measureWorkers(build: WorkersBuild, plan: WorkersPlan): Promise<WorkersResult> {
    const load: LineLoad = lineLoad(plan.cycleLines, plan.seed);
    const ticks = clockTicks();
    const servers: Server[] = [];
    let failures = 0;
    let failure: string | undefined;
    const note = (result: { failures: number; failure?: string }): void => {
        failures += result.failures;
        failure ??= result.failure;
    };
    try {
        for (const which of ['one', 'two', 'twoNone'] as const) {
            servers.push(await startServer(which, build));
        }
        const warmups = { one: 0, two: 0, twoNone: 0 };
        // Warm up until every worker has started and served (its CPU moved during the round): at most 10 rounds.
        for (const server of servers) {
            for (let round = 0; round < 10; round++) {
                const before = sample(server, ticks);
                note(await runLines(server.port, load, { ...plan, cyclesEach: plan.warmupCycles }));
                warmups[server.which]++;
                const cpu = difference(before, sample(server, ticks));
                if (round > 0 && cpu && cpu.workers.length === server.workers && cpu.workers.every((seconds) => seconds > 0.01)) {
                    break;
                }
            }
        }
        const rounds: Record<WorkersServer, WorkersRound[]> = { one: [], two: [], twoNone: [] };
        const order: WorkersServer[] = ['one', 'two', 'twoNone', 'twoNone', 'two', 'one'];
        for (let i = 0; i < plan.roundsEach * 3; i++) {
            const server = servers.find((candidate) => candidate.which === order[i % order.length])!;
            const before = sample(server, ticks);
            const result = await runLines(server.port, load, plan);
            const cpu = difference(before, sample(server, ticks));
            note(result);
            rounds[server.which].push({ linesPerSecond: result.lines / result.seconds, seconds: result.seconds, cpu });
        }
        const linesPerRound = plan.connections * plan.cyclesEach * load.cycleLines;
        const rate = (which: WorkersServer): WorkersRate => {
            const list = rounds[which];
            const cpus = list.map((round) => round.cpu);
            const lines = linesPerRound * list.length;
            const serverCpu = cpus.every((cpu) => cpu !== undefined) ? cpus.reduce((sum, cpu) => sum + cpu.primary + cpu.workers.reduce((a, b) => a + b, 0), 0) : undefined;
            const client = cpus.reduce((sum, cpu) => sum + (cpu?.client ?? 0), 0);
            const wall = list.reduce((sum, round) => sum + round.seconds, 0);
            const machine = cpus.every((cpu) => cpu !== undefined) ? cpus.reduce((sum, cpu) => sum + cpu.machine, 0) : undefined;
            const bench = serverCpu === undefined ? undefined : serverCpu + client;
            return {
                median: median(list.map((round) => round.linesPerSecond)),
                cores: bench === undefined || machine === undefined ? undefined : { bench: bench / wall, others: Math.max(0, machine - bench) / wall },
                rounds: list,
                serverCpuPerMillion: serverCpu === undefined ? undefined : (serverCpu / lines) * 1e6,
                clientCpuPerMillion: (client / lines) * 1e6
            };
        };
        return {
            rates: { one: rate('one'), two: rate('two'), twoNone: rate('twoNone') },
            linesPerRound,
            failures,
            ...(failure === undefined ? {} : { failure }),
            warmups
        };
    } finally {
        await Promise.all(servers.map((server) => stopChild(server.child, 10_000)));
    }
}
