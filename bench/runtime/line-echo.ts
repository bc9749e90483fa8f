// Part 6: framed line echo over loopback, the program generated from models/line-echo.fsm (`framing lines`, `send peer
// payload`, no user code) against a hand-written raw `net` line echo (raw-line-echo-server.ts); same client, same work.
import * as path from 'node:path';
import { clockTicks, cpuSeconds } from './process-cpu.js';
import { freePort, startChild, stopChild, waitForPort } from './children.js';
import type { LineEchoBuild } from './line-echo-build.js';
import { lineLoad, runLines, type LineLoad, type LineRunPlan, type LineRunResult } from './line-echo-load.js';
import type { RunningServer } from './servers.js';

export interface LineEchoPlan extends LineRunPlan {
    /** Lines in the cycle every connection sends, over and over. */
    readonly cycleLines: number;
    readonly seed: number;
    /** Timed rounds per server; they alternate raw, generated, generated, raw … (ABBA) against drift. */
    readonly roundsEach: number;
    /** Cycles per connection of the untimed round each server gets first. */
    readonly warmupCycles: number;
    /** When set, both servers run under `node --cpu-prof` (a sample every 100 µs) and write their profiles to this folder. */
    readonly profileDir?: string;
}

export interface LineRate {
    /** Lines echoed per second, over all timed rounds. */
    readonly linesPerSecond: number;
    /** Echoed bytes per second (MB = 2^20 bytes). */
    readonly megabytesPerSecond: number;
    /** Lines per second of each round. */
    readonly rounds: number[];
    /** CPU time the server process spent per line echoed (user + system, all its threads), from /proc; undefined elsewhere. */
    readonly cpuMicrosPerLine: number | undefined;
}

export interface LineEchoResult {
    readonly generated: LineRate;
    readonly raw: LineRate;
    /** Lines echoed in one round (connections × cycles × lines). */
    readonly linesPerRound: number;
    readonly bytesPerLine: number;
    /** Connections that failed (error, early close, timeout, or not every byte echoed as expected), by server. */
    readonly failures: { readonly generated: number; readonly raw: number };
    /** Why the first failed connection of each server failed. */
    readonly failure: { readonly generated?: string; readonly raw?: string };
}

async function startServer(script: string, variable: string, profileDir: string | undefined, label: string): Promise<RunningServer> {
    const port = await freePort();
    const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}-${process.pid}-${port}.cpuprofile`];
    const child = startChild(process.execPath, [...profile, script], { env: { ...process.env, [variable]: `127.0.0.1:${port}` } });
    try {
        await waitForPort(port, child);
    } catch (error) {
        await stopChild(child);
        throw error;
    }
    return { child, port, stop: () => stopChild(child, 10_000) };
}

export async function measureLineEcho(build: LineEchoBuild, plan: LineEchoPlan): Promise<LineEchoResult> {
    const load: LineLoad = lineLoad(plan.cycleLines, plan.seed);
    const servers: RunningServer[] = [];
    try {
        const raw = await startServer(build.rawServer, 'RAW_LINE_ECHO_LISTENER', plan.profileDir, 'raw-line-echo');
        servers.push(raw);
        const generated = await startServer(path.join(build.generated.dist, 'main.js'), 'LINE_ECHO_SERVER_LISTENER', plan.profileDir, 'generated-line-echo');
        servers.push(generated);
        const failures = { generated: 0, raw: 0 };
        const failure: { generated?: string; raw?: string } = {};
        const count = (which: 'generated' | 'raw', result: LineRunResult): void => {
            failures[which] += result.failures;
            if (result.failure !== undefined) {
                failure[which] ??= result.failure;
            }
        };
        count('raw', await runLines(raw.port, load, { ...plan, cyclesEach: plan.warmupCycles }));
        count('generated', await runLines(generated.port, load, { ...plan, cyclesEach: plan.warmupCycles }));
        const ticks = clockTicks();
        const totals = { generated: { lines: 0, bytes: 0, seconds: 0, cpu: 0 as number | undefined }, raw: { lines: 0, bytes: 0, seconds: 0, cpu: 0 as number | undefined } };
        const rounds = { generated: [] as number[], raw: [] as number[] };
        for (let i = 0; i < plan.roundsEach * 2; i++) {
            const which = i % 4 === 0 || i % 4 === 3 ? 'raw' : 'generated';
            const server = which === 'raw' ? raw : generated;
            const cpuBefore = cpuSeconds(server.child.process.pid, ticks);
            const result = await runLines(server.port, load, plan);
            const cpuAfter = cpuSeconds(server.child.process.pid, ticks);
            const total = totals[which];
            total.cpu = total.cpu === undefined || cpuBefore === undefined || cpuAfter === undefined ? undefined : total.cpu + cpuAfter - cpuBefore;
            total.lines += result.lines;
            total.bytes += result.bytes;
            total.seconds += result.seconds;
            rounds[which].push(result.lines / result.seconds);
            count(which, result);
        }
        const rate = (which: 'generated' | 'raw'): LineRate => ({
            linesPerSecond: totals[which].lines / totals[which].seconds,
            megabytesPerSecond: totals[which].bytes / totals[which].seconds / (1024 * 1024),
            rounds: rounds[which],
            cpuMicrosPerLine: totals[which].cpu === undefined ? undefined : (totals[which].cpu / totals[which].lines) * 1e6
        });
        return {
            generated: rate('generated'),
            raw: rate('raw'),
            linesPerRound: plan.connections * plan.cyclesEach * load.cycleLines,
            bytesPerLine: load.echoedCycleBytes / load.cycleLines,
            failures,
            failure
        };
    } finally {
        await Promise.all(servers.map((server) => server.stop()));
    }
}
