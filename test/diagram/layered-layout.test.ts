// Our own layered layout, step by step on small models: layers, crossing reduction, columns, routes of every kind of edge.
import { describe, expect, it } from 'vitest';
import { compactIfBig, COMPACT_STATES, isBig } from '../../language/diagram/compact.js';
import { buildDiagramGraph } from '../../language/diagram/graph.js';
import type { DiagramGraph } from '../../language/diagram/geometry/graph-types.js';
import { alignBlocks } from '../../language/diagram/geometry/layered/alignment.js';
import { layoutLayered } from '../../language/diagram/geometry/layered/layered-layout.js';
import { assignLayers } from '../../language/diagram/geometry/layered/layers.js';
import { countCrossings, orderRanks } from '../../language/diagram/geometry/layered/ordering.js';
import { buildRankGraph } from '../../language/diagram/geometry/layered/rank-graph.js';
import { chooseEngine, ELK_LIMIT } from '../../language/diagram/geometry/layout.js';
import { validate } from '../helpers.js';
import { expectSoundLayout } from './layout-checks.js';

async function graphOf(text: string): Promise<DiagramGraph> {
    const { document } = await validate(text);
    return buildDiagramGraph(document.parseResult.value.machines[0]!, document);
}

/** The layer of each node, by label (`start` for the start marker). */
function layersByLabel(graph: DiagramGraph): Record<string, number> {
    const layers = assignLayers(graph);
    return Object.fromEntries(graph.nodes.map((node, index) => [node.label || node.kind, layers[index]!]));
}

/** A machine whose initial state leads to `count` states, each back to it. */
function star(count: number): string {
    const leaves = Array.from({ length: count }, (_, i) => `L${i}`);
    return `machine Star {
        events Go, Back
        initial state Hub { ${leaves.map((leaf) => `on Go [g${leaf}] -> ${leaf}`).join('\n')} }
        ${leaves.map((leaf) => `state ${leaf} { on Back -> Hub }`).join('\n')}
    }`;
}

describe('layers', () => {
    it('puts sockets and signals on top, then the start, then each state at its distance in steps from the start', async () => {
        const graph = await graphOf(`machine M {
            events A, B, C
            initial state S0 { on A -> S1  on B -> S2 }
            state S1 { after 1s -> S3 }
            state S2 { on C -> S0 }
            state S3 { on B -> S3 }
            state Lost { on A -> S1 }
            server s listen 0.0.0.0:1 { session W  read -> A }
            signal SIGTERM -> C
        }
        machine W { events X initial state Q { on X -> Q } }`);
        // Unreachable states start at the first row of states; session machines sit one row below their server.
        expect(layersByLabel(graph)).toEqual({ s: 0, SIGTERM: 0, W: 1, start: 2, S0: 3, S1: 4, S2: 4, S3: 5, Lost: 3 });
    });

    it('caps a row\'s width: the 60 states one step from the start take several rows, all below it', async () => {
        const graph = await graphOf(star(60));
        const layers = layersByLabel(graph);
        const rows = new Map<number, number>();
        for (let i = 0; i < 60; i++) {
            expect(layers[`L${i}`]).toBeGreaterThan(layers.Hub!);
            rows.set(layers[`L${i}`]!, (rows.get(layers[`L${i}`]!) ?? 0) + 1);
        }
        expect(rows.size).toBeGreaterThan(2);
        expect(Math.min(...rows.values())).toBeGreaterThan(1);
    });
});

describe('crossing reduction', () => {
    it('uncrosses two edges declared in crossing order', async () => {
        // X is declared before Y, so the first order has A → Y and B → X crossing.
        const graph = await graphOf(`machine M {
            events E1, E2
            initial state S { on E1 -> A  on E2 -> B }
            state A { on E1 -> Y }
            state B { on E1 -> X }
            final state X
            final state Y
        }`);
        const ranked = buildRankGraph(graph, assignLayers(graph));
        expect(countCrossings(ranked)).toBe(1);
        orderRanks(ranked);
        expect(countCrossings(ranked)).toBe(0);
    });

    it('never ends with more crossings than it started with', async () => {
        const graph = await graphOf(star(40).replace('state L3 {', 'state L3 { on Go -> L17  on Back -> L30 '));
        const ranked = buildRankGraph(graph, assignLayers(graph));
        const before = countCrossings(ranked);
        orderRanks(ranked);
        expect(countCrossings(ranked)).toBeLessThanOrEqual(before);
    });
});

describe('columns', () => {
    it('joins an item of a layer with at most one item of the label rank below it', async () => {
        const graph = await graphOf(star(40));
        const ranked = buildRankGraph(graph, assignLayers(graph));
        orderRanks(ranked);
        const root = alignBlocks(ranked);
        let joined = 0;
        ranked.items.forEach((item, at) => {
            if (root[at] !== at) {
                joined++;
                expect(item.rank % 2).toBe(1);
                expect(ranked.items[root[at]!]!.rank).toBe(item.rank - 1);
                expect(item.up).toContain(root[at]);
            }
        });
        expect(joined).toBeGreaterThan(0);
    });
});

describe('routes', () => {
    const SIDEWAYS = `machine M {
        events Go, Back, Stay
        initial state A { on Go -> B  on Back -> C }
        state B { on Go -> C  on Stay -> B  on Back -> A }
        state C { on Back -> A }
    }`;

    it('draws an edge within a row down and back up round its label, and a loop likewise', async () => {
        const placed = layoutLayered(await graphOf(SIDEWAYS));
        expectSoundLayout(placed, { orthogonal: true });
        const node = (label: string) => placed.nodes.find((candidate) => candidate.label === label)!;
        const edge = (label: string, source: string) => placed.edges.find((candidate) => candidate.label === label && candidate.source === node(source).id)!;
        // B and C are both one step from A: B → C stays in their row.
        expect(node('B').y).toBe(node('C').y);
        for (const [sideways, from, to] of [[edge('Go', 'B'), node('B'), node('C')], [edge('Stay', 'B'), node('B'), node('B')]] as const) {
            const first = sideways.points[0]!;
            const last = sideways.points[sideways.points.length - 1]!;
            expect(first.y).toBe(from.y + from.height);
            expect(last.y).toBe(to.y + to.height);
            expect(first.x).not.toBe(last.x);
            // The label hangs between the two sides of the turn, below the row.
            const xs = sideways.points.map((point) => point.x);
            expect(sideways.labelAt!.x).toBeGreaterThan(Math.min(...xs));
            expect(sideways.labelAt!.x + sideways.labelWidth).toBeLessThan(Math.max(...xs));
            expect(sideways.labelAt!.y).toBeGreaterThanOrEqual(from.y + from.height);
        }
    });

    it('draws an edge back up from the source\'s top into the target\'s bottom', async () => {
        const placed = layoutLayered(await graphOf(SIDEWAYS));
        const a = placed.nodes.find((node) => node.label === 'A')!;
        const c = placed.nodes.find((node) => node.label === 'C')!;
        const back = placed.edges.find((edge) => edge.source === c.id && edge.target === a.id)!;
        expect(back.points[0]!.y).toBe(c.y);
        expect(back.points[back.points.length - 1]!.y).toBe(a.y + a.height);
    });

    it('lays out the same graph the same way every time', async () => {
        const graph = await graphOf(star(40));
        expect(layoutLayered(graph)).toEqual(layoutLayered(graph));
    });

    it('lays out a machine without states or edges', async () => {
        const placed = layoutLayered(await graphOf('machine Empty { events E }'));
        expect(placed.nodes).toEqual([]);
        expect(placed.width).toBeGreaterThan(0);
        expect(placed.height).toBeGreaterThan(0);
    });
});

describe('choices by size', () => {
    it(`draws a machine compact above ${COMPACT_STATES} states`, async () => {
        const machine = (count: number): string =>
            `machine M { events Go, Stop initial state S0 { on Go -> S1 } ${Array.from({ length: count - 1 }, (_, i) => `state S${i + 1} { on Go -> S${(i + 2) % count} }`).join(' ')} signal SIGTERM -> Stop }`.replace(
                'state S1 {',
                'state S1 { on Stop -> S0 '
            );
        const small = await graphOf(machine(COMPACT_STATES));
        const big = await graphOf(machine(COMPACT_STATES + 1));
        expect([isBig(small), isBig(big)]).toEqual([false, true]);
        expect(compactIfBig(small)).toBe(small);
        expect(compactIfBig(big).edges.some((edge) => edge.kind === 'raises')).toBe(false);
        expect(compactIfBig(big).nodes.find((node) => node.label === 'S1')!.raised).toEqual(['SIGTERM: Stop']);
    });

    it(`lays out with ELK up to ${ELK_LIMIT.nodes} boxes and ${ELK_LIMIT.edges} edges, with our own layout above`, async () => {
        const graph = await graphOf(star(10));
        expect(chooseEngine(graph)).toBe('elk');
        expect(chooseEngine(await graphOf(star(ELK_LIMIT.nodes)))).toBe('layered');
        const edges = Array.from({ length: ELK_LIMIT.edges + 1 - graph.edges.length }, (_, i) => ({ ...graph.edges[1]!, id: `extra:${i}` }));
        expect(chooseEngine({ ...graph, edges: [...graph.edges, ...edges] })).toBe('layered');
    });
});
