// The diagram of every example: graph structure, a layout without overlaps, edges attached to their ends, SVG text.
// Every example is laid out by both engines: ELK (what small machines get) and our own layered layout (big ones).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDiagramGraph } from '../../language/diagram/graph.js';
import { chooseEngine, layoutGraph, type LayoutEngine, type PlacedGraph } from '../../language/diagram/geometry/layout.js';
import { machineToMermaid } from '../../language/diagram/mermaid.js';
import { renderSvg } from '../../language/diagram/geometry/svg.js';
import { validate, withDocuments } from '../helpers.js';
import { expectSoundLayout, expectSoundNestedLayout } from './layout-checks.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const exampleFiles = readdirSync(EXAMPLES).filter((name) => name.endsWith('.fsm')).sort();
const texts = exampleFiles.map((name) => readFileSync(new URL(name, EXAMPLES), 'utf8'));

async function placedGraphs(index: number, engine?: LayoutEngine): Promise<PlacedGraph[]> {
    return withDocuments([texts[index]!, ...texts.filter((_, other) => other !== index)], async ([document]) =>
        Promise.all(document!.parseResult.value.machines.map((machine) => layoutGraph(buildDiagramGraph(machine, document), engine)))
    );
}

describe('graph', () => {
    it('has the echo client\'s states, transitions, timers, internal transitions and event sources', async () => {
        const { document } = await validate(texts[exampleFiles.indexOf('echo-client.fsm')]!);
        const graph = buildDiagramGraph(document.parseResult.value.machines[0]!, document);
        const states = graph.nodes.filter((node) => node.kind === 'state');
        expect(states.map((node) => [node.label, node.initial, node.final])).toEqual([
            ['Connecting', true, false],
            ['Backoff', false, false],
            ['Online', false, false],
            ['Done', false, true]
        ]);
        const online = states.find((node) => node.label === 'Online')!;
        expect(online.details).toEqual(['entry greet']);
        expect(online.internal).toEqual(['Data / printReply']);
        const name = (id: string): string => graph.nodes.find((node) => node.id === id)!.label || 'start';
        expect(graph.edges.filter((edge) => edge.kind !== 'raises').map((edge) => `${name(edge.source)} -${edge.label}-> ${name(edge.target)} (${edge.kind})`)).toEqual([
            'start --> Connecting (start)',
            'Connecting -Connected-> Online (transition)',
            'Connecting -Failed-> Backoff (transition)',
            'Connecting -Shutdown-> Done (transition)',
            'Backoff -Shutdown-> Done (transition)',
            'Backoff -Connected-> Online (transition)',
            'Backoff -after 1s / connect upstream-> Connecting (timer)',
            'Online -HeartbeatLost / close upstream-> Backoff (transition)',
            'Online -Closed-> Backoff (transition)',
            'Online -Shutdown / close upstream-> Done (transition)'
        ]);
        expect(graph.edges.filter((edge) => edge.kind === 'raises').map((edge) => `${name(edge.source)} -${edge.label}-> ${name(edge.target)}`)).toEqual([
            'upstream -heartbeat→HeartbeatLost, read→Data, close→Closed-> Online',
            'upstream -connect→Connected, error→Failed-> Connecting',
            'upstream -connect→Connected-> Backoff',
            'SIGINT, SIGTERM -Shutdown-> Connecting',
            'SIGINT, SIGTERM -Shutdown-> Backoff',
            'SIGINT, SIGTERM -Shutdown-> Online'
        ]);
        // Every element keeps the source range it came from (the start marker: the `initial` keyword).
        expect(graph.nodes.filter((node) => node.range === undefined).map((node) => node.id)).toEqual([]);
        expect(graph.edges.filter((edge) => edge.range === undefined).map((edge) => edge.id)).toEqual([]);
        const start = graph.nodes.find((node) => node.kind === 'start')!.range!;
        expect(document.textDocument.getText(start)).toBe('initial');
        const upstreamToOnline = graph.edges.find((edge) => edge.label.startsWith('heartbeat→'))!;
        expect(document.textDocument.getText(upstreamToOnline.range)).toBe('heartbeat 5s timeout 15s -> HeartbeatLost');
    });

    it('links a server to its session machine and marks unreachable, stuck and trapped states with their diagnostics', async () => {
        const { document } = await validate(`machine M {
            events Go, Back, Joined
            initial state A { on Go -> Loop  on Back -> Done  on Joined / count }
            state Loop { on Go -> Loop2 }
            state Loop2 { on Back -> Loop }
            state Stuck
            final state Done
            server s listen 0.0.0.0:1 { session W  accept -> Joined }
        }
        machine W { events X initial state Q { on X -> Q } connection p { read -> X } }`);
        const graph = buildDiagramGraph(document.parseResult.value.machines[0]!, document);
        const node = (label: string) => graph.nodes.find((candidate) => candidate.label === label)!;
        expect(node('Stuck')).toMatchObject({ unreachable: true, terminal: true });
        expect(node('Stuck').badges.map((badge) => badge.code).sort()).toEqual(['terminal-state', 'unreachable-state']);
        expect(node('Loop')).toMatchObject({ unreachable: false, trap: true });
        expect(node('Loop').badges.map((badge) => badge.code)).toEqual(['cannot-finish']);
        expect(node('W')).toMatchObject({ kind: 'session' });
        expect(graph.edges.some((edge) => edge.kind === 'session' && edge.target === node('W').id && edge.source === node('s').id)).toBe(true);
    });
});

describe('layout of every example', () => {
    const cases = exampleFiles.flatMap((name, index) => (['elk', 'layered'] as const).map((engine) => [name, engine, index] as const));
    it.each(cases)('%s with %s: no overlapping boxes (children inside their composites), every edge attached to its ends, labels off the boxes', async (_name, engine, index) => {
        for (const graph of await placedGraphs(index, engine)) {
            if (graph.nodes.some((node) => node.parent !== undefined)) {
                expectSoundNestedLayout(graph);
            } else {
                expectSoundLayout(graph, { orthogonal: engine === 'layered' });
            }
        }
    });

    it('leaves every example to ELK (they are small machines)', async () => {
        const engines = await withDocuments(texts, (documents) =>
            documents.flatMap((document) => document.parseResult.value.machines.map((machine) => chooseEngine(buildDiagramGraph(machine, document))))
        );
        expect(engines.length).toBeGreaterThan(7);
        expect(new Set(engines)).toEqual(new Set(['elk']));
    });
});

describe('svg and mermaid text', () => {
    it('renders every state with its classes and source range, and escapes text', async () => {
        const [graph] = await placedGraphs(exampleFiles.indexOf('echo-client.fsm'));
        const svg = renderSvg(graph!, { standalone: true });
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg).toContain('<style>');
        expect(svg).toMatch(/<g class="fsm-node fsm-state fsm-initial" data-id="state:0" data-range="\d+:\d+:\d+:\d+"/);
        expect(svg).toMatch(/<g class="fsm-node fsm-state fsm-final" data-id="state:3"/);
        expect(svg).toContain('>connect→Connected, error→Failed<');
        expect(renderSvg(graph!, { standalone: false })).not.toContain('<style>');
        const escaped = renderSvg({ ...graph!, machine: 'a<b>&"c"' }, { standalone: true });
        expect(escaped).toContain('data-machine="a&lt;b&gt;&amp;&quot;c&quot;"');
    });

    it('writes Mermaid with one state per model state, the start, the transitions and final markers', async () => {
        const { document } = await validate(texts[exampleFiles.indexOf('echo-client.fsm')]!);
        const text = machineToMermaid(document.parseResult.value.machines[0]!);
        const lines = text.split('\n');
        expect(lines[0]).toBe('stateDiagram-v2');
        expect(lines).toContain('    [*] --> s0');
        expect(lines).toContain('    s1 --> s0 : after 1s / connect upstream');
        expect(lines).toContain('    s3 --> [*]');
        expect(text).toContain('note right of s2\n        Data / printReply\n    end note');
    });
});
