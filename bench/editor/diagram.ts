// Diagram time: graph + layout + SVG (placeMachine + renderSvg) for generated machines of 100 and 500 states.
//
//   node --import tsx bench/editor/diagram.ts [--sizes 100,500] [--runs 5] [--budget 55] [--local K] [--engine elk|layered]
//                                             [--full] [--explain] [--elk '{"opt":"value"}']
//
// The layout is ELK's for small machines and our own layered layout above language/diagram/geometry/layout.ts's ELK_LIMIT;
// machines of more than 30 states are drawn compact (language/diagram/compact.ts). The output names both choices.
// The machines (bench/editor/model.ts) have transitions, guarded pairs, internal transitions, timers, a client socket
// and three signals; they are parsed and validated in process first (the graph shows diagnostics as badges). Each size
// runs in a child process: one warm-up, then `--runs` timed runs, each phase timed on its own (graph, layout, SVG),
// CPU time next to wall time. ELK's layered layout runs synchronously and cannot be interrupted, so a child that
// exceeds its budget (`--budget` seconds, per size) is killed and reported as a MISS with what it finished; when the
// warm-up alone takes long, the child runs only as many timed runs as the rest of the budget fits.
//
// --engine E forces a layout engine (`--engine elk` measures what the diagram cost before our own layout).
// --full     draws big machines with every socket and signal arrow, as before compact diagrams.
// --local K  generates clustered machines (extra transitions lead at most K states away) instead of ones whose
//            transitions lead anywhere; long edges are what makes a layered layout expensive.
// --explain  asks ELK (when it lays the machine out) for its own per-processor timings (logging + measureExecutionTime) and prints the biggest.
// --elk JSON merges layout options into the ones language/diagram/geometry/elk-layout.ts sets (ELK engine only), to try a
//            change without editing it (the output says so: such figures are not what the extension does).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ELK from 'elkjs/lib/elk.bundled.js';
import '../../language/polyfill.js';
import { median, ms, printLoad, verdict } from './report.js';

const option = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
};
const runs = Number(option('--runs') ?? 5);
const explain = process.argv.includes('--explain');
const elkOverride = option('--elk');
const local = option('--local');
const engineOption = option('--engine');
const engine = engineOption === 'elk' || engineOption === 'layered' ? engineOption : undefined;
const full = process.argv.includes('--full');
const budget = Number(option('--budget') ?? 55) * 1000;
const TARGET = { states: 500, ms: 1500 };

interface Run {
    graph: number;
    layout: number;
    svg: number;
    total: number;
    cpu: number;
}

type Message =
    | { type: 'model'; text: string }
    | { type: 'run'; warmUp: boolean; run: Run; planned: number }
    | { type: 'explain'; lines: string[] }
    | { type: 'error'; text: string }
    | { type: 'done' };

interface ElkLog {
    name?: string;
    executionTime?: number;
    children?: ElkLog[];
}

/**
 * Wraps ELK's `layout` (the class language/diagram/geometry/elk-layout.ts instantiates) to merge `override` into the graph's
 * layout options and, when `log` is given, to hand it ELK's execution log.
 */
function instrumentElk(override: Record<string, string> | undefined, log: ((root: ElkLog) => void) | undefined): void {
    type LayoutOwner = { layout: (graph: { layoutOptions?: Record<string, string> }, options?: Record<string, unknown>) => Promise<unknown> };
    let owner = ELK.prototype as unknown as LayoutOwner | null;
    while (owner && !Object.prototype.hasOwnProperty.call(owner, 'layout')) {
        owner = Object.getPrototypeOf(owner) as LayoutOwner | null;
    }
    if (!owner) {
        throw new Error('elkjs has no layout method to instrument');
    }
    const original = owner.layout;
    owner.layout = async function (this: unknown, graph: { layoutOptions?: Record<string, string> }, options: Record<string, unknown> = {}) {
        const input = override ? { ...graph, layoutOptions: { ...graph.layoutOptions, ...override } } : graph;
        const result = (await original.call(this, input, log ? { ...options, logging: true, measureExecutionTime: true } : options)) as { logging?: ElkLog };
        if (log && result.logging) {
            log(result.logging);
        }
        return result;
    };
}

/**
 * ELK's processors by time, flattened. In this elkjs build executionTime × 1e6 is milliseconds: the root entry then
 * matches the wall time measured around layoutGraph.
 */
function elkPhases(root: ElkLog): string[] {
    const rows: Array<[string, number]> = [];
    const walk = (entry: ElkLog, depth: number): void => {
        if (entry.executionTime !== undefined && entry.name) {
            rows.push([`${'  '.repeat(depth)}${entry.name}`, entry.executionTime * 1e6]);
        }
        for (const child of entry.children ?? []) {
            walk(child, depth + 1);
        }
    };
    walk(root, 0);
    const total = rows[0]?.[1] ?? 0;
    return rows.filter(([, time]) => time >= Math.max(5, total * 0.02)).map(([name, time]) => `${ms(time).padStart(9)}  ${name}`);
}

/** Child: lays out one size, reports every run to the parent. */
async function child(size: number): Promise<void> {
    const send = (message: Message): Promise<void> => new Promise((resolve) => process.send!(message, () => resolve()));
    // ELK's recursive passes can overflow the stack on big graphs: report it in one line instead of a minified dump.
    const fail = (error: unknown): void => {
        const text = error instanceof Error ? `${error.name}: ${error.message} (${error.stack?.split('\n')[1]?.trim().slice(0, 80) ?? ''})` : String(error);
        void send({ type: 'error', text }).finally(() => process.exit(1));
    };
    process.on('uncaughtException', fail);
    process.on('unhandledRejection', fail);
    let lastLog: ElkLog | undefined;
    if (elkOverride || explain) {
        instrumentElk(elkOverride ? (JSON.parse(elkOverride) as Record<string, string>) : undefined, explain ? (root) => (lastLog = root) : undefined);
    }
    const { chooseMachine, diagramGraph } = await import('../../language/diagram/diagram.js');
    const { buildDiagramGraph } = await import('../../language/diagram/graph.js');
    const { chooseEngine, layoutGraph } = await import('../../language/diagram/geometry/layout.js');
    const { isBig } = await import('../../language/diagram/compact.js');
    const graphOf = full ? buildDiagramGraph : diagramGraph;
    const { renderSvg } = await import('../../language/diagram/geometry/svg.js');
    const { withDocuments } = await import('../../test/helpers.js');
    const { generateMachine } = await import('./model.js');

    const model = generateMachine(size, local === undefined ? {} : { locality: Number(local) });
    const started = performance.now();
    await withDocuments([model.text], async ([document]) => {
        const machine = chooseMachine(document!.parseResult.value)!;
        const graph = graphOf(machine, document);
        const kinds = (items: Array<{ kind: string }>): string => {
            const counts = new Map<string, number>();
            for (const item of items) {
                counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
            }
            return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
        };
        await send({
            type: 'model',
            text:
                `${size} states: ${model.events} events, ${model.transitions} transitions + ${model.internal} internal + ${model.timers} timers, ` +
                `${document!.diagnostics?.length ?? 0} diagnostics\n  graph: ${graph.nodes.length} nodes (${kinds(graph.nodes)}), ${graph.edges.length} edges (${kinds(graph.edges)})` +
                `${full || !isBig(graph) ? '' : ', compact: socket and signal arrows listed in their states'}\n  layout: ${engine ?? chooseEngine(graph)}${engine ? ' (forced with --engine)' : ''}`
        });
        let planned = runs;
        for (let i = 0; i <= planned; i++) {
            const cpu = process.cpuUsage();
            const start = performance.now();
            // placeMachine(machine, document) is layoutGraph(diagramGraph(machine, document)): timed in its two parts.
            const built = graphOf(machine, document);
            const afterGraph = performance.now();
            const placed = await layoutGraph(built, engine ?? chooseEngine(built));
            const afterLayout = performance.now();
            renderSvg(placed, { standalone: true });
            const end = performance.now();
            const used = process.cpuUsage(cpu);
            if (i === 0) {
                // As many timed runs as the rest of the budget fits (at least one), if the warm-up was slow.
                planned = Math.max(1, Math.min(runs, Math.floor((budget - (end - started)) / (end - start) - 0.2)));
            }
            await send({ type: 'run', warmUp: i === 0, planned, run: { graph: afterGraph - start, layout: afterLayout - afterGraph, svg: end - afterLayout, total: end - start, cpu: (used.user + used.system) / 1000 } });
        }
        if (lastLog) {
            await send({ type: 'explain', lines: elkPhases(lastLog) });
        }
    });
    await send({ type: 'done' });
}

/** Parent: one child per size, within a budget. Resolves with the median total, or undefined when it ran out of time. */
function measureSize(size: number): Promise<number | undefined> {
    return new Promise((resolve) => {
        const script = fileURLToPath(import.meta.url);
        const args = [
            '--child', String(size), '--runs', String(runs), '--budget', String(budget / 1000),
            ...(explain ? ['--explain'] : []), ...(elkOverride ? ['--elk', elkOverride] : []), ...(local !== undefined ? ['--local', local] : []),
            ...(engine ? ['--engine', engine] : []), ...(full ? ['--full'] : [])
        ];
        const worker = fork(script, args, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const timed: Run[] = [];
        let warmUp: Run | undefined;
        let finished = false;
        const started = performance.now();
        const timer = setTimeout(() => {
            if (!finished) {
                finished = true;
                worker.kill('SIGKILL');
                const stage = warmUp === undefined ? 'the warm-up (first layout) did not finish' : `${timed.length} timed run(s) finished`;
                console.log(`  TIMEOUT after ${(budget / 1000).toFixed(0)} s: ${stage}`);
                if (timed.length > 0) {
                    report(timed);
                }
                resolve(undefined);
            }
        }, budget);
        const report = (values: Run[]): void => {
            const of = (key: keyof Run): string => ms(median(values.map((run) => run[key])));
            console.log(`  runs: ${values.map((run) => ms(run.total)).join(', ')}`);
            console.log(`  median: total ${of('total')} (CPU ${of('cpu')}) = graph ${of('graph')} + layout ${of('layout')} + SVG ${of('svg')}`);
        };
        worker.on('message', (message: Message) => {
            switch (message.type) {
                case 'model':
                    console.log(`\n${message.text}`);
                    break;
                case 'run':
                    if (message.warmUp) {
                        warmUp = message.run;
                        console.log(`  warm-up: ${ms(message.run.total)} (layout ${ms(message.run.layout)})${message.planned < runs ? `; only ${message.planned} timed run(s) fit the ${budget / 1000} s budget` : ''}`);
                    } else {
                        timed.push(message.run);
                    }
                    break;
                case 'explain':
                    console.log('  ELK processors (last run):');
                    for (const line of message.lines) {
                        console.log(`    ${line}`);
                    }
                    break;
                case 'error':
                    console.log(`  the layout failed: ${message.text}`);
                    break;
                case 'done':
                    finished = true;
                    clearTimeout(timer);
                    report(timed);
                    resolve(median(timed.map((run) => run.total)));
                    break;
            }
        });
        worker.on('exit', (code) => {
            if (!finished) {
                finished = true;
                clearTimeout(timer);
                console.log(`  the child process ended early (code ${code}) after ${ms(performance.now() - started)}`);
                resolve(undefined);
            }
        });
    });
}

async function parent(): Promise<void> {
    const sizes = (option('--sizes') ?? '100,500').split(',').map(Number);
    printLoad(`Diagram benchmark: graph + layout + SVG, ${sizes.join(' and ')} states, 1 warm-up + ${runs} runs each, at most ${budget / 1000} s per size`);
    console.log(local === undefined ? 'machines: extra transitions lead to any state' : `machines: clustered, extra transitions lead at most ${local} states away`);
    if (engine || full) {
        console.log(`NOTE: ${[engine ? `layout forced to ${engine}` : '', full ? 'big machines drawn in full (not compact)' : ''].filter(Boolean).join(', ')}: not what the extension does.`);
    }
    if (elkOverride) {
        console.log(`NOTE: ELK layout options overridden with ${elkOverride}: not what language/diagram/geometry/elk-layout.ts does.`);
    }
    const results = new Map<number, number | undefined>();
    for (const size of sizes) {
        results.set(size, await measureSize(size));
    }
    console.log('');
    if (!results.has(TARGET.states)) {
        console.log(`(no ${TARGET.states}-state run: no verdict)`);
    } else if (results.get(TARGET.states) === undefined) {
        console.log(`MISS  diagram of ${TARGET.states} states (graph + layout + SVG): did not finish within ${budget / 1000} s (target < ${ms(TARGET.ms)})`);
    } else {
        verdict(`diagram of ${TARGET.states} states (graph + layout + SVG), median`, results.get(TARGET.states)!, TARGET.ms);
    }
}

const childSize = option('--child');
await (childSize ? child(Number(childSize)) : parent());
