// The system check's speed: distinct global states per second, exhaustively, on the echo client + echo server with 2
// sessions per server (issue 15: at least 100,000 on one core), every example (each under 5 s), and memory per state.
//
//   npm run -s build && node scripts/bench-bundled.mjs bench/system/explore.ts
//
// It runs bundled, as the CLI and the language server's worker ship (scripts/bench-bundled.mjs). The echo system is
// small (under a hundred states, a few milliseconds), so its rate is given cold (the first search in a fresh process) and warm
// (after a second of searching, as in any search big enough for the rate to matter); the verdict is on the warm one.
// One process's rate can be a quarter off another's on a shared machine, so the echo system is measured in several
// fresh processes (this file run again as a child) and the medians are reported, with each process's rate.
//
// Baseline, measured in the same run: the interpreter alone taking the same number of moves on one simulation (no
// hashing, no findings), so the ratio says what exploring costs on top of simulating.
import '../../language/polyfill.js';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from 'langium/node';
import { loadModels } from '../../language/cli/load-models.js';
import { createReactorFsmServices } from '../../language/module.js';
import { programOfModels, type ProgramSpec } from '../../language/semantics/program.js';
import { explore } from '../../language/system/explore.js';
import { findingsOf } from '../../language/system/findings.js';
import { wire } from '../../language/system/wiring.js';
import { SystemContext, World, type Move } from '../../language/system/world.js';
import { median, printLoad, verdict } from '../editor/report.js';

const STATES_PER_SECOND_TARGET = 100_000;
const EXAMPLE_TARGET_MS = 5_000;
/** Runs measured at least, however long they take. */
const RUNS = 15;
const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);

async function programOf(files: readonly string[]): Promise<ProgramSpec> {
    const { named } = await loadModels(ReactorFsm, files.map((file) => path.join(EXAMPLES, file)));
    return programOfModels(named.map((loaded) => loaded.document.parseResult.value));
}

/** The interpreter alone: `moves` moves of a deterministic walk, each applied to one world in place of copying. */
function interpreterAlone(program: ProgramSpec, moves: number): number {
    const context = new SystemContext(program, wire(program), { sessions: 2 });
    const started = performance.now();
    let world = World.start(context);
    let taken = 0;
    let pick = 0;
    while (taken < moves) {
        const possible: Move[] = world.moves().filter((move) => move.kind !== 'signal');
        if (possible.length === 0) {
            world = World.start(context);
            continue;
        }
        world = world.replay(possible[pick++ % possible.length]!, []).world;
        taken++;
    }
    return performance.now() - started;
}

/** Runs `run` for `warmMs` (JIT warm-up), then for `measureMs`, and gives the median time of one run measured. */
function warmMedian(run: () => number, warmMs: number, measureMs: number): number {
    const warmEnd = performance.now() + warmMs;
    while (performance.now() < warmEnd) {
        run();
    }
    const times: number[] = [];
    const end = performance.now() + measureMs;
    while (performance.now() < end || times.length < RUNS) {
        times.push(run());
    }
    return median(times);
}

function rate(states: number, ms: number): string {
    return Math.round(states / (ms / 1000)).toLocaleString('en-US');
}

/** How many fresh processes measure the echo system: one process's rate can be a quarter off another's here. */
const PROCESSES = 5;

/** What one process measures on the echo system. */
interface EchoMeasure {
    readonly states: number;
    readonly transitions: number;
    readonly coldMs: number;
    readonly warmMs: number;
    readonly baselineMs: number;
}

/** The echo system measured in this process: the first search, then warm medians of the search and the baseline. */
async function measureEcho(): Promise<EchoMeasure> {
    const program = await programOf(['echo-client.fsm', 'echo-server.fsm']);
    const cold = explore(program, { sessions: 2 });
    const { states, transitions } = cold.stats;
    const warmMs = warmMedian(() => explore(program, { sessions: 2 }).stats.ms, 1_000, 2_000);
    const baselineMs = warmMedian(() => interpreterAlone(program, transitions), 500, 1_000);
    return { states, transitions, coldMs: cold.stats.ms, warmMs, baselineMs };
}

/** This bench file run again as a child that measures the echo system and prints it as JSON. */
function measureEchoInChild(): EchoMeasure {
    const child = spawnSync(process.execPath, [process.argv[1]!], { env: { ...process.env, [CHILD]: '1' }, encoding: 'utf8' });
    if (child.status !== 0) {
        throw new Error(`the measuring process failed (${child.status}): ${child.stderr}`);
    }
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as EchoMeasure;
}

function echoSystem(): void {
    const runs = Array.from({ length: PROCESSES }, measureEchoInChild);
    const { states, transitions } = runs[0]!;
    const time = median(runs.map((run) => run.warmMs));
    const cold = median(runs.map((run) => run.coldMs));
    const baseline = median(runs.map((run) => run.baselineMs));
    const warm = states / (time / 1000);
    console.log(`echo client + echo server, 2 sessions: ${states} states, ${transitions} moves; measured in ${PROCESSES} fresh processes (medians)`);
    console.log(`  warm rate of each process: ${runs.map((run) => rate(states, run.warmMs)).join(', ')} states/s`);
    console.log(`  cold (the first search of a process): ${cold.toFixed(2)} ms, ${rate(states, cold)} states/s`);
    console.log(`  warm (median of the runs after 1 s of searching): ${time.toFixed(2)} ms, ${rate(states, time)} states/s, ${rate(transitions, time)} moves/s`);
    console.log(`  baseline (interpreter alone, the same ${transitions} moves with a copy each, warm): ${baseline.toFixed(2)} ms; explorer/baseline time ratio ${(time / baseline).toFixed(2)}`);
    console.log(`${warm >= STATES_PER_SECOND_TARGET ? 'PASS' : 'MISS'}  distinct global states per second, warm: ${rate(states, time)} (target ≥ ${STATES_PER_SECOND_TARGET.toLocaleString('en-US')})`);
}

async function examples(): Promise<void> {
    // The wired groups are those of examples/SYSTEM-CHECK.md (which a test holds to the editor's Check System groups).
    const systems: string[][] = [['echo-client.fsm', 'echo-server.fsm'], ['chat-client.fsm', 'chat-room.fsm'], ['edge-gateway.fsm', 'rpc-server.fsm'], ...readdirSync(EXAMPLES).filter((name) => name.endsWith('.fsm')).map((name) => [name])];
    let slowest = 0;
    for (const files of systems) {
        const program = await programOf(files);
        const result = explore(program);
        const findings = findingsOf(result.graph, 2);
        slowest = Math.max(slowest, result.stats.ms);
        console.log(`  ${files.join(' + ').padEnd(36)} ${String(result.stats.states).padStart(7)} states ${result.stats.ms.toFixed(0).padStart(6)} ms  ${result.stats.complete ? 'complete' : result.stats.bound}  findings: ${findings.map((finding) => finding.code).join(', ') || 'none'}`);
    }
    verdict('the slowest example or pair', slowest, EXAMPLE_TARGET_MS);
}

function memory(): Promise<void> {
    return programOf(['tcp-relay.fsm']).then((program) => {
        // A bigger space: 4 sessions per server, so that the heap growth per state is measurable.
        const result = explore(program, { sessions: 4, maxStates: 200_000, measureMemory: true });
        console.log(`memory: tcp-relay with 4 sessions per server: ${result.stats.states} states, about ${result.stats.bytesPerState} bytes of heap per stored state (key, record, edges)`);
    });
}

/** Set in the environment of a child that only measures the echo system. */
const CHILD = 'REACTOR_FSM_BENCH_ECHO_CHILD';

if (process.env[CHILD] === '1') {
    console.log(JSON.stringify(await measureEcho()));
} else {
    printLoad('system check (reactor-fsm explore)');
    echoSystem();
    console.log('every example and wired pair, exhaustively:');
    await examples();
    await memory();
}
