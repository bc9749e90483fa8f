// Summarizes a V8 .cpuprofile: self and inclusive time per function and per source, mapped through the bundle's
// source map (out/*.cjs.map) back to the original files.
//
//   node --import tsx bench/editor/profile-summary.ts FILE.cpuprofile [--top N] [--focus NAME]
//
// --focus NAME: only samples whose stack contains a function called NAME (e.g. `update` for document builds).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
}
interface ProfileNode {
    id: number;
    callFrame: CallFrame;
    children?: number[];
}
interface Profile {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
    console.log('usage: profile-summary.ts FILE.cpuprofile [--top N] [--focus NAME]');
    process.exit(2);
}
const option = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
};
const top = Number(option('--top') ?? 25);
const focus = option('--focus');

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const maps = new Map<string, SourceMap | undefined>();
function sourceMapOf(url: string): SourceMap | undefined {
    if (!maps.has(url)) {
        let map: SourceMap | undefined;
        try {
            const script = url.startsWith('file:') ? fileURLToPath(url) : url;
            if (existsSync(`${script}.map`)) {
                map = new SourceMap(JSON.parse(readFileSync(`${script}.map`, 'utf8')) as SourceMapPayload);
            }
        } catch {
            map = undefined;
        }
        maps.set(url, map);
    }
    return maps.get(url);
}

/** `name (original/file.ts:line)` for a frame, through the source map where there is one. */
function where(frame: CallFrame): { label: string; source: string } {
    const name = frame.functionName || '(anonymous)';
    if (!frame.url) {
        return { label: name, source: name.startsWith('(') ? name : '(native)' };
    }
    const entry: { originalSource?: string; originalLine?: number } | undefined = sourceMapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
    const original = entry?.originalSource ? entry.originalSource.replace(/^.*?node_modules\//, 'node_modules/').replace(/^(\.\.\/)+/, '').replace(/^file:\/\/.*?\/main\//, '') : undefined;
    const location = original ? `${original}:${(entry!.originalLine ?? 0) + 1}` : `${path.basename(frame.url)}:${frame.lineNumber + 1}`;
    const source = original
        ? original.startsWith('node_modules/')
            ? original.split('/').slice(0, original.split('/')[1]!.startsWith('@') ? 3 : 2).join('/')
            : original.split('/').slice(0, 2).join('/')
        : path.basename(frame.url);
    return { label: `${name} (${location})`, source };
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
        parent.set(child, node.id);
    }
}
const labels = new Map(profile.nodes.map((node) => [node.id, where(node.callFrame)]));

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const bySource = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, index) => {
    const dt = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    const stack: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        stack.push(at);
    }
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)') {
        idle += dt;
        return;
    }
    if (focus && !stack.some((node) => byId.get(node)!.callFrame.functionName === focus)) {
        return;
    }
    total += dt;
    const leaf = labels.get(id)!;
    self.set(leaf.label, (self.get(leaf.label) ?? 0) + dt);
    bySource.set(leaf.source, (bySource.get(leaf.source) ?? 0) + dt);
    for (const label of new Set(stack.map((node) => labels.get(node)!.label))) {
        inclusive.set(label, (inclusive.get(label) ?? 0) + dt);
    }
});

const print = (title: string, map: Map<string, number>, count: number): void => {
    console.log(`\n${title}`);
    for (const [label, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
        console.log(`${time.toFixed(0).padStart(8)} ms ${((100 * time) / total).toFixed(1).padStart(5)}%  ${label}`);
    }
};
console.log(`${file}: ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms wall, ${total.toFixed(0)} ms busy${focus ? ` under ${focus}()` : ''}, ${idle.toFixed(0)} ms idle`);
print('self time by source', bySource, 15);
print('self time by function', self, top);
print('inclusive time by function', inclusive, top);
