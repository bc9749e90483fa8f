// The benchmark: parse + link + validate generated models with our scope provider and with Langium's default one.
//
//   npm run bench                                   (build first, then this file)
//   node --import tsx bench/run.ts                  (this file only)
//   node --import tsx bench/run.ts --sizes=10000 --providers=ours     (e.g. under --cpu-prof)
//   node --import tsx bench/run.ts --hierarchy=off                     (without the hierarchical 10,000-state model)
import '../language/polyfill.js';
import os from 'node:os';
import { URI } from 'langium';
import { canCollectGarbage } from './gc.js';
import { compareHierarchy, LanguageBench, PHASES, type BuildSample, type HierarchyComparison, type ProviderKind } from './language-bench.js';
import { measure, type MeasurePlan } from './measure.js';
import { generateModel, type GeneratedModel } from './model-generator.js';
import { count, ms, table } from './report.js';
import { median, summarize, type Summary } from './stats.js';

/** Targets for our provider: median build time per model size, in ms. */
const TARGETS: ReadonlyMap<number, number> = new Map([
    [1_000, 150],
    [10_000, 1_000]
]);

/** Issue 12: the 10,000-state hierarchical model (3 levels, parallel regions, history), median build time in ms. */
const HIERARCHY_TARGET_MS = 1_000;

/** 2 warm-ups and 7 timed runs; a slow case (Langium's default provider at 10,000 states) gets fewer. */
const PLAN: MeasurePlan = { warmups: 2, runs: 7, minRuns: 3, budgetMs: 75_000 };

interface Measured {
    readonly samples: readonly BuildSample[];
    readonly summary: Summary;
}

function loadAverage(): string {
    return os.loadavg().map((load) => load.toFixed(2)).join(' ');
}

/** Other processes keep more than half of the cores busy (the 1-minute load average). */
function busy(): boolean {
    return os.loadavg()[0]! > os.cpus().length / 2;
}

function option(name: string): string | undefined {
    const prefix = `--${name}=`;
    return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

const sizes = (option('sizes') ?? '1000,10000').split(',').map(Number);
const kinds = (option('providers') ?? 'ours,default').split(',') as ProviderKind[];
if (sizes.some((size) => !Number.isInteger(size) || size < 100) || kinds.some((kind) => kind !== 'ours' && kind !== 'default')) {
    console.error('usage: bench/run.ts [--sizes=1000,10000] [--providers=ours,default]');
    process.exit(2);
}

const benches = new Map(kinds.map((kind) => [kind, new LanguageBench(kind)] as const));
const models = new Map<number, GeneratedModel>();
const results = new Map<string, Measured>();
const key = (size: number, kind: ProviderKind): string => `${size}/${kind}`;

console.log('Reactor FSM benchmark: parse + link + validate (DocumentBuilder.build, validation: true), a fresh document per run');
console.log(`Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores)`);
console.log(`Load average at start: ${loadAverage()}${busy() ? '  WARNING: other processes are using the CPU; timings will be noisy and high' : ''}`);
console.log(`Scope providers: ${[...benches.values()].map((bench) => `${bench.kind} = ${bench.scopeProviderName}`).join(', ')}`);
console.log(`Plan: ${PLAN.warmups} warm-ups + ${PLAN.runs} runs per case (fewer, at least ${PLAN.minRuns}, when a case would exceed ~${PLAN.budgetMs / 1000} s)` + (canCollectGarbage ? '; full GC before each run' : ''));
console.log('');

const benchStarted = performance.now();
for (const size of sizes) {
    const model = generateModel(size);
    models.set(size, model);
    for (const [kind, bench] of benches) {
        const uri = URI.parse(`memory:///bench-${size}-${kind}.fsm`);
        const started = performance.now();
        const samples = await measure(PLAN, () => bench.build(model.text, uri));
        const summary = summarize(samples.map((sample) => sample.ms));
        results.set(key(size, kind), { samples, summary });
        console.error(`  measured ${count(size)} states with ${kind}: ${summary.runs} runs, median ${ms(summary.median)} ms (${((performance.now() - started) / 1000).toFixed(1)} s incl. warm-ups)`);
    }
}
// The hierarchical model against the flat one of the same size, with our provider (skipped with --hierarchy=off).
let hierarchy: HierarchyComparison | undefined;
if (option('hierarchy') !== 'off' && benches.has('ours')) {
    const started = performance.now();
    hierarchy = await compareHierarchy(benches.get('ours')!);
    console.error(`  measured the hierarchical model: median ${ms(hierarchy.hierarchicalMs)} ms (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
console.error('');

// The models.
console.log('Models (machine Gateway with N states, plus a 3-state session machine):');
console.log(
    table(
        ['states', 'final', 'events', 'on -> T', 'guarded', 'internal', 'timers', 'references', 'lines', 'KiB'],
        sizes.map((size) => {
            const model = models.get(size)!;
            const anySample = results.get(key(size, kinds[0]!))!.samples[0]!;
            return [
                count(size),
                String(model.finalStates),
                String(model.events),
                count(model.transitions),
                count(model.guardedTransitions),
                count(model.internalTransitions),
                count(model.timers),
                count(anySample.references),
                count(model.lines),
                count(Math.round(model.text.length / 1024))
            ];
        })
    )
);
console.log('');

// The main table.
const ours = (size: number): Measured | undefined => results.get(key(size, 'ours'));
const theirs = (size: number): Measured | undefined => results.get(key(size, 'default'));
console.log('Build time, median of the timed runs in ms (wall clock; [min-max]; CPU = user + system time of the process):');
const cpu = (measured: Measured | undefined): string => (measured ? ms(median(measured.samples.map((sample) => sample.cpuMs))) : '-');
console.log(
    table(
        ['states', 'ours', 'ours [min-max]', 'ours CPU', 'default', 'default [min-max]', 'default CPU', 'speedup (default/ours)', 'runs ours/default'],
        sizes.map((size) => {
            const a = ours(size)?.summary;
            const b = theirs(size)?.summary;
            return [
                count(size),
                ms(a?.median),
                a ? `[${ms(a.min)}-${ms(a.max)}]` : '-',
                cpu(ours(size)),
                ms(b?.median),
                b ? `[${ms(b.min)}-${ms(b.max)}]` : '-',
                cpu(theirs(size)),
                a && b ? `${(b.median / a.median).toFixed(2)}x` : '-',
                `${a?.runs ?? '-'}/${b?.runs ?? '-'}`
            ];
        })
    )
);
console.log('');

// Targets.
console.log('Targets (our provider, median):');
for (const [size, target] of TARGETS) {
    const measured = ours(size)?.summary;
    if (!measured) {
        console.log(`  ${count(size)} states under ${count(target)} ms: not measured`);
        continue;
    }
    const verdict = measured.median < target ? 'PASS' : 'MISS';
    console.log(`  ${verdict}  ${count(size)} states under ${count(target)} ms: ${ms(measured.median)} ms (${((measured.median / target) * 100).toFixed(0)}% of the budget; CPU ${cpu(ours(size))} ms)`);
}
if (hierarchy) {
    const verdict = hierarchy.hierarchicalMs < HIERARCHY_TARGET_MS ? 'PASS' : 'MISS';
    console.log(
        `  ${verdict}  hierarchical ${count(hierarchy.states)} states (3 levels, parallel regions, history) under ${count(HIERARCHY_TARGET_MS)} ms: ${ms(hierarchy.hierarchicalMs)} ms ` +
            `(CPU ${ms(hierarchy.hierarchicalCpuMs)} ms; ${hierarchy.ratio.toFixed(2)}x the flat model of the same size, ${ms(hierarchy.flatMs)} ms, same run; ${hierarchy.hierarchicalDiagnostics} diagnostics)`
    );
}
console.log('');

// Where the time goes.
console.log('Phases (median per phase, ms): parse = LangiumDocumentFactory.fromString; index = exported symbols; scopes = local symbols;');
console.log('link = Linker (scope lookups); refs = reference index; validate = DocumentValidator (checks + linking diagnostics)');
console.log(
    table(
        ['states', 'provider', ...PHASES, 'total'],
        sizes.flatMap((size) =>
            [...benches.keys()].map((kind) => {
                const samples = results.get(key(size, kind))!.samples;
                return [count(size), kind, ...PHASES.map((phase) => ms(median(samples.map((sample) => sample.phases[phase])))), ms(median(samples.map((sample) => sample.ms)))];
            })
        )
    )
);
console.log('');

// Sanity: the models are clean, and both providers agree.
console.log('Diagnostics (the generated models are meant to be clean):');
let sane = true;
for (const size of sizes) {
    const counts = [...benches.keys()].map((kind) => {
        const samples = results.get(key(size, kind))!.samples;
        const perRun = new Set(samples.map((sample) => sample.diagnostics.length));
        const unresolved = Math.max(...samples.map((sample) => sample.unresolved));
        return { kind, diagnostics: samples[0]!.diagnostics, stable: perRun.size === 1, unresolved };
    });
    const line = counts.map((c) => `${c.kind} ${c.diagnostics.length}`).join(', ');
    const agree = new Set(counts.map((c) => c.diagnostics.length)).size === 1;
    const clean = counts.every((c) => c.diagnostics.length === 0 && c.unresolved === 0);
    const stable = counts.every((c) => c.stable);
    console.log(`  ${count(size)} states: ${line}${agree ? ' (same)' : ' (DIFFERENT)'}`);
    if (!agree || !clean || !stable) {
        sane = false;
        for (const c of counts) {
            const byCode = new Map<string, number>();
            for (const diagnostic of c.diagnostics) {
                const code = String(diagnostic.code ?? (typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value));
                byCode.set(code, (byCode.get(code) ?? 0) + 1);
            }
            const codes = [...byCode].map(([code, n]) => `${code} x${n}`).join(', ');
            console.log(`    WARNING ${c.kind}: ${c.diagnostics.length} diagnostics${codes ? ` (${codes})` : ''}, ${c.unresolved} unresolved references${c.stable ? '' : ', count varies between runs'}`);
            for (const diagnostic of c.diagnostics.slice(0, 3)) {
                console.log(`      line ${diagnostic.range.start.line + 1}: ${typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value}`);
            }
        }
    }
}
if (!sane) {
    console.log('  WARNING: the timings above are not for clean models, or the providers disagree; check the generator and the scope provider.');
}
console.log('');
console.log(`Total benchmark time: ${((performance.now() - benchStarted) / 1000).toFixed(1)} s; load average at the end: ${loadAverage()}${busy() ? ' (busy machine: treat the figures with care)' : ''}`);
