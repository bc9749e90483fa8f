// LSP latency on a 1,000-state model over stdio, against the bundled server (out/server.cjs).
//
//   npm run -s bundle && node --import tsx bench/editor/lsp.ts [--states N] [--profile]
//
// 1. initialize, didOpen, first diagnostics;
// 2. 50 one-character edits, one at a time: didChange (new version) → publishDiagnostics for it;
// 3. 50 completion requests after `-> ` and `on `, one at a time.
// Langium's publishDiagnostics carries no version, so each edit waits for the diagnostics of the previous one before it
// is sent: the next publication for the document is the one for the new version. Every edit is chosen so its
// diagnostics are known in advance (clean, one shadowed-transition warning, or one unresolved-reference error), and a
// publication that does not match is reported.
// `--profile` runs the server under the CPU profiler (bench/editor/profiled-server.cjs) and writes
// bench/editor/profiles/server-<pid>.cpuprofile; bench/editor/profile-summary.ts reads it.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    CompletionRequest,
    DidChangeTextDocumentNotification,
    DidOpenTextDocumentNotification,
    type CompletionItem,
    type Diagnostic,
    type Position
} from 'vscode-languageserver-protocol/node';
import { fileUri, LspClient, tempWorkspace } from '../../test/lsp/lsp-client.js';
import { generateMachine } from './model.js';
import { median, ms, percentile, printLoad, series, verdict } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = path.join(ROOT, 'out/server.cjs');
const EDITS = 50;
const COMPLETIONS = 50;
const DIAGNOSTICS_MEDIAN_TARGET = 150;
const COMPLETION_P95_TARGET = 50;
const WAIT = 60_000;

function argument(name: string): string | undefined {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
}

const stateCount = Number(argument('--states') ?? 1000);
const profile = process.argv.includes('--profile');

function positionAt(text: string, offset: number): Position {
    let line = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
        line++;
        lineStart = i + 1;
    }
    return { line, character: offset - lineStart };
}

/** Offsets where `pattern` matches in `text` (plus `shift`). */
function sites(text: string, pattern: RegExp, shift = 0): number[] {
    return [...text.matchAll(pattern)].map((match) => match.index + shift);
}

/** The site at fraction `f` of the way through the document. */
function at<T>(items: readonly T[], f: number): T {
    if (items.length === 0) {
        throw new Error('no edit site left');
    }
    return items[Math.min(items.length - 1, Math.floor(f * items.length))]!;
}

interface Edit {
    kind: string;
    offset: number;
    /** Characters removed at `offset`. */
    remove: number;
    insert: string;
    /** Diagnostic codes the new version must have, sorted. */
    expect: string[];
}

const CALLS = /(?<=[/,] )(logEvent|recordMetric|notifyPeer|flushBuffer|bumpCounter|persistState|resetBackoff)\b/g;

/** Edit `index` of the series, given the current text and what the previous edits left to undo. */
function planEdit(text: string, index: number, undo: { offset: number; text: string } | undefined): Edit {
    const cycle = Math.floor(index / 5);
    const f = (cycle + 0.5) / Math.ceil(EDITS / 5); // each cycle works in another part of the file
    switch (index % 5) {
        case 0: {
            // Valid: one letter of an action call changes case (`logEvent` → `logEvenT`).
            const start = at(sites(text, CALLS), f);
            const name = /\w+/.exec(text.slice(start))![0];
            const last = name.at(-1)!;
            return { kind: 'rename call', offset: start + name.length - 1, remove: 1, insert: last === last.toUpperCase() ? last.toLowerCase() : last.toUpperCase(), expect: [] };
        }
        case 1:
            // `[!g]` → `[g]`: the pair now has the same guard twice.
            return { kind: 'drop !', offset: at(sites(text, /\[!/g, 1), f), remove: 1, insert: '', expect: ['shadowed-transition'] };
        case 3: {
            // A typo in a target state: `-> Syncing7` → `-> Syncing7x`.
            const arrow = at(sites(text, /(?<=on \w+ (\[!?\w+\] )?)-> /g, 3), f);
            const name = /\w+/.exec(text.slice(arrow))![0];
            return { kind: 'break target', offset: arrow + name.length, remove: 0, insert: 'x', expect: ['unresolved-reference'] };
        }
        default:
            // Undo the previous edit.
            return { kind: index % 5 === 2 ? 'restore !' : 'fix target', offset: undo!.offset, remove: undo!.text === '' ? 1 : 0, insert: undo!.text, expect: [] };
    }
}

function codes(diagnostics: readonly Diagnostic[]): string[] {
    return diagnostics.map((d) => String(d.code)).sort();
}

async function main(): Promise<void> {
    printLoad(`LSP latency benchmark: ${stateCount} states over stdio (${path.relative(ROOT, SERVER)})`);
    if (!existsSync(SERVER)) {
        console.log(`MISS  ${SERVER} is missing: run \`npm run -s bundle\` first.`);
        process.exitCode = 1;
        return;
    }
    const model = generateMachine(stateCount);
    console.log(
        `model: ${model.states} states (${model.finalStates} final), ${model.events} events, ${model.transitions} transitions + ${model.internal} internal + ${model.timers} timers, ${model.lines} lines, ${(model.text.length / 1024).toFixed(0)} KiB`
    );
    const folder = tempWorkspace({ 'gateway.fsm': model.text }, 'reactor-fsm-bench-lsp-');
    const uri = fileUri(path.join(folder, 'gateway.fsm'));
    const profileDir = path.join(ROOT, 'bench/editor/profiles');
    if (profile) {
        // Node 20 refuses --cpu-prof in NODE_OPTIONS: a wrapper starts the profiler, then loads the server.
        mkdirSync(profileDir, { recursive: true });
        process.env.REACTOR_FSM_CPU_PROFILE_DIR = profileDir;
    }
    const client = LspClient.start(profile ? path.join(ROOT, 'bench/editor/profiled-server.cjs') : SERVER, folder);
    try {
        // Diagnostics as they arrive, stamped on arrival (the next publication after `since` is the one awaited).
        const nextDiagnostics = (what: string): { promise: Promise<Diagnostic[]>; arrived: () => number } => {
            let arrivedAt = Number.NaN;
            const promise = client.waitForDiagnostics(
                uri,
                what,
                () => {
                    arrivedAt = performance.now();
                    return true;
                },
                { acceptCurrent: false, ms: WAIT }
            );
            return { promise, arrived: () => arrivedAt };
        };

        const startup = performance.now();
        const workspaceBuild = nextDiagnostics('the workspace build');
        await client.initialize(folder);
        const initialized = performance.now();
        const first = await workspaceBuild.promise;
        console.log(`initialize: ${ms(initialized - startup)} (spawn included); workspace build → first diagnostics: ${ms(workspaceBuild.arrived() - initialized)} (${first.length} diagnostics)`);

        let text = model.text;
        let version = 1;
        const opened = nextDiagnostics('didOpen');
        const openSent = performance.now();
        await client.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'reactor-fsm', version, text } });
        const openDiagnostics = await opened.promise;
        console.log(`didOpen → first diagnostics: ${ms(opened.arrived() - openSent)} (${openDiagnostics.length} diagnostics${openDiagnostics.length > 0 ? `: ${codes(openDiagnostics).slice(0, 5).join(', ')}` : ''})`);

        // Edits, one at a time.
        const latencies: number[] = [];
        const byKind = new Map<string, number[]>();
        const mismatches: string[] = [];
        let undo: { offset: number; text: string } | undefined;
        for (let i = 0; i < EDITS; i++) {
            const edit = planEdit(text, i, undo);
            const removed = text.slice(edit.offset, edit.offset + edit.remove);
            undo = edit.remove > 0 ? { offset: edit.offset, text: removed } : { offset: edit.offset, text: '' };
            const range = { start: positionAt(text, edit.offset), end: positionAt(text, edit.offset + edit.remove) };
            text = text.slice(0, edit.offset) + edit.insert + text.slice(edit.offset + edit.remove);
            version++;
            const published = nextDiagnostics(`version ${version} (${edit.kind})`);
            const sent = performance.now();
            await client.notify(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text: edit.insert }] });
            const diagnostics = await published.promise;
            const latency = published.arrived() - sent;
            latencies.push(latency);
            byKind.set(edit.kind, [...(byKind.get(edit.kind) ?? []), latency]);
            const got = codes(diagnostics);
            if (got.join() !== edit.expect.join()) {
                mismatches.push(`v${version} ${edit.kind} at ${range.start.line + 1}:${range.start.character + 1}: expected [${edit.expect.join(', ')}], got [${got.join(', ')}]`);
            }
        }
        console.log('');
        console.log(series(`didChange → publishDiagnostics (${EDITS} edits)`, latencies));
        for (const [kind, values] of byKind) {
            console.log(`  ${kind.padEnd(13)} n=${values.length}  median ${ms(median(values))}  max ${ms(Math.max(...values))}`);
        }
        console.log(`  first 5: ${latencies.slice(0, 5).map(ms).join(', ')}`);
        console.log(mismatches.length === 0 ? '  every publication had the diagnostics its edit implies' : `  ${mismatches.length} unexpected publication(s):\n    ${mismatches.join('\n    ')}`);

        // Completion after `-> ` (target states) and after `on ` (events), alternating, spread through the file.
        const arrows = sites(text, /(?<=on \w+ (\[!?\w+\] )?)-> /g, 3);
        const ons = sites(text, /(?<=^\s+)on /gm, 3);
        const completion: number[] = [];
        const items: Record<'->' | 'on', number[]> = { '->': [], on: [] };
        for (let i = 0; i < COMPLETIONS; i++) {
            const kind = i % 2 === 0 ? '->' : 'on';
            const offset = at(kind === '->' ? arrows : ons, (Math.floor(i / 2) + 0.5) / Math.ceil(COMPLETIONS / 2));
            const sent = performance.now();
            const result = await client.request(CompletionRequest.type, { textDocument: { uri }, position: positionAt(text, offset), context: { triggerKind: 1 } }, `completion ${i + 1}`, WAIT);
            completion.push(performance.now() - sent);
            const list: CompletionItem[] = Array.isArray(result) ? result : (result?.items ?? []);
            items[kind].push(list.length);
        }
        console.log('');
        console.log(series(`completion (${COMPLETIONS} requests)`, completion));
        console.log(`  after '-> ': median ${ms(median(completion.filter((_, i) => i % 2 === 0)))}, ${median(items['->'])} items (median)`);
        console.log(`  after 'on ': median ${ms(median(completion.filter((_, i) => i % 2 === 1)))}, ${median(items.on)} items (median)`);
        console.log(`  first: ${ms(completion[0]!)}`);

        console.log('');
        verdict('diagnostics after an edit, median', median(latencies), DIAGNOSTICS_MEDIAN_TARGET);
        verdict('completion, p95', percentile(completion, 95), COMPLETION_P95_TARGET);

        const ended = await client.shutdownAndExit(WAIT);
        if (profile) {
            console.log(`server exited (${ended.code ?? ended.signal}); CPU profile in ${path.relative(ROOT, profileDir)}/`);
        }
    } finally {
        await client.dispose();
        rmSync(folder, { recursive: true, force: true });
    }
}

await main();
