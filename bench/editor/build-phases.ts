// Where the time of one edit goes, in process: the same path as the server's didChange (TextDocuments →
// DocumentBuilder.update), timed per build phase, on the LSP benchmark's model. Explains bench/editor/lsp.ts.
//
//   node --import tsx bench/editor/build-phases.ts [--states N] [--edits N]
import '../../language/polyfill.js';
import { PerformanceObserver } from 'node:perf_hooks';
import { DocumentState, EmptyFileSystem, URI } from 'langium';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createReactorFsmServices } from '../../language/module.js';
import { generateMachine } from './model.js';
import { median, ms, printLoad } from './report.js';

const option = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
};
const stateCount = Number(option('--states') ?? 1000);
const edits = Number(option('--edits') ?? 30);

const PHASES: Array<[DocumentState, string]> = [
    [DocumentState.Parsed, 'parse'],
    [DocumentState.IndexedContent, 'index exports'],
    [DocumentState.ComputedScopes, 'local scopes'],
    [DocumentState.Linked, 'link'],
    [DocumentState.IndexedReferences, 'index references'],
    [DocumentState.Validated, 'validate']
];

printLoad(`Build phases of one edit, in process: ${stateCount} states`);
const { shared } = createReactorFsmServices(EmptyFileSystem);
const builder = shared.workspace.DocumentBuilder;
const textDocuments = shared.workspace.TextDocuments;
const model = generateMachine(stateCount);
const uri = URI.parse('file:///bench/gateway.fsm');

let mark = 0;
let cpuMark = process.cpuUsage();
let current: Record<string, number> = {};
for (const [state, name] of PHASES) {
    builder.onBuildPhase(state, () => {
        const now = performance.now();
        const cpu = process.cpuUsage(cpuMark);
        current[name] = now - mark;
        current[`${name} CPU`] = (cpu.user + cpu.system) / 1000;
        mark = now;
        cpuMark = process.cpuUsage();
    });
}

// Garbage collection pauses, summed per edit (the busy-machine-proof figures are CPU time and GC time).
let gc = 0;
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
        gc += entry.duration;
    }
}).observe({ entryTypes: ['gc'] });

let version = 1;
let text = model.text;
textDocuments.set(TextDocument.create(uri.toString(), 'reactor-fsm', version, text));
await builder.update([uri], []);

// The same toggle as the LSP benchmark's `drop !` / `restore !`: one character, the machine stays complete.
const bang = text.indexOf('[!') + 1;
const samples: Array<Record<string, number>> = [];
for (let i = 0; i < edits; i++) {
    text = i % 2 === 0 ? text.slice(0, bang) + text.slice(bang + 1) : text.slice(0, bang) + '!' + text.slice(bang);
    textDocuments.set(TextDocument.create(uri.toString(), 'reactor-fsm', ++version, text));
    current = {};
    gc = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    mark = start;
    cpuMark = cpu;
    await builder.update([uri], []);
    current.total = performance.now() - start;
    const used = process.cpuUsage(cpu);
    current['total (CPU time)'] = (used.user + used.system) / 1000;
    await new Promise((resolve) => setImmediate(resolve)); // let the GC entries arrive
    current['of which GC'] = gc;
    samples.push(current);
}

console.log(`${edits} edits; median per phase (the first ${Math.min(5, edits)} edits are warm-up and left out). CPU time is what a busy machine cannot inflate much:`);
const kept = samples.slice(Math.min(5, edits - 1));
const of = (name: string): string => ms(median(kept.map((sample) => sample[name] ?? 0))).padStart(9);
console.log(`  ${'phase'.padEnd(17)} ${'wall'.padStart(9)} ${'CPU'.padStart(9)}`);
for (const name of PHASES.map(([, phase]) => phase)) {
    console.log(`  ${name.padEnd(17)} ${of(name)} ${of(`${name} CPU`)}`);
}
console.log(`  ${'total'.padEnd(17)} ${of('total')} ${of('total (CPU time)')}`);
console.log(`  GC pauses (wall)  ${of('of which GC')}`);
const document = shared.workspace.LangiumDocuments.getDocument(uri)!;
console.log(`diagnostics of the last version: ${document.diagnostics?.length ?? 0}`);
