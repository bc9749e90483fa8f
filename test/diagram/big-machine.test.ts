// Big machines: generated models of 500 states, drawn compact by our own layered layout, with the guarantees small ones have.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMachine } from '../../bench/editor/model.js';
import { chooseMachine, diagramGraph, placeMachine } from '../../language/diagram/diagram.js';
import { buildDiagramGraph } from '../../language/diagram/graph.js';
import type { DiagramGraph } from '../../language/diagram/geometry/graph-types.js';
import { chooseEngine, layoutGraph, type PlacedGraph } from '../../language/diagram/geometry/layout.js';
import { renderSvg } from '../../language/diagram/geometry/svg.js';
import { withDocuments } from '../helpers.js';
import { expectSoundLayout } from './layout-checks.js';

interface Drawn {
    full: DiagramGraph;
    compact: DiagramGraph;
    placed: PlacedGraph;
    /** The full graph, every socket and signal arrow kept, laid out by our own layout. */
    placedFull: PlacedGraph;
}

async function draw(text: string): Promise<Drawn> {
    return withDocuments([text], async ([document]) => {
        const machine = chooseMachine(document!.parseResult.value)!;
        const full = buildDiagramGraph(machine, document);
        return { full, compact: diagramGraph(machine, document), placed: await placeMachine(machine, document), placedFull: await layoutGraph(full, 'layered') };
    });
}

describe('a machine of 500 states whose transitions lead anywhere', () => {
    let drawn: Drawn;
    beforeAll(async () => {
        drawn = await draw(generateMachine(500).text);
    }, 60_000);

    it('is drawn compact: each socket and signal arrow becomes a line in the state it feeds', () => {
        const { full, compact } = drawn;
        const raises = full.edges.filter((edge) => edge.kind === 'raises');
        expect(raises.length).toBeGreaterThan(100);
        expect(compact.edges.filter((edge) => edge.kind === 'raises')).toEqual([]);
        expect(compact.edges.length).toBe(full.edges.length - raises.length);
        const label = (id: string): string => full.nodes.find((node) => node.id === id)!.label;
        const lines = (graph: DiagramGraph): string[] => graph.nodes.flatMap((node) => node.raised.map((line) => `${node.id} ${line}`)).sort();
        expect(lines(compact)).toEqual(raises.map((edge) => `${edge.target} ${label(edge.source)}: ${edge.label}`).sort());
        // The socket and the signals stay on top; the boxes that list more lines grew to fit them.
        expect(compact.nodes.map((node) => node.kind)).toEqual(full.nodes.map((node) => node.kind));
        for (const [index, node] of compact.nodes.entries()) {
            const before = full.nodes[index]!;
            // A line of text is 16 px; a box that had only its title also gains the room below its separator.
            const separator = node.raised.length > 0 && before.details.length + before.internal.length === 0 ? 4 : 0;
            expect(node.height).toBe(before.height + 16 * node.raised.length + separator);
            expect(node.width).toBeGreaterThanOrEqual(before.width);
        }
    });

    it('is laid out by our own layout: no overlapping boxes, every edge attached, labels off boxes and off each other', () => {
        expect(chooseEngine(drawn.compact)).toBe('layered');
        expect(drawn.placed.nodes).toHaveLength(503);
        expect(drawn.placed.edges).toHaveLength(drawn.compact.edges.length);
        expectSoundLayout(drawn.placed, { orthogonal: true });
    });

    it('keeps the same guarantees with every socket and signal arrow drawn (long edges across all rows)', () => {
        expect(drawn.placedFull.edges.filter((edge) => edge.kind === 'raises').length).toBeGreaterThan(100);
        expectSoundLayout(drawn.placedFull, { orthogonal: true });
    });

    it('renders every state, with the raised events in their own style', () => {
        const svg = renderSvg(drawn.placed, { standalone: true });
        expect(svg.match(/class="fsm-node fsm-state/g)).toHaveLength(500);
        expect(svg.match(/class="fsm-detail fsm-raised"/g)?.length).toBe(drawn.compact.nodes.reduce((sum, node) => sum + node.raised.length, 0));
        expect(svg.includes('class="fsm-edge fsm-edge-raises"')).toBe(false);
    });
});

describe('a clustered machine of 500 states (transitions lead at most 5 states away)', () => {
    it('has the same guarantees, compact and in full', async () => {
        const drawn = await draw(generateMachine(500, { locality: 5 }).text);
        expectSoundLayout(drawn.placed, { orthogonal: true });
        expectSoundLayout(drawn.placedFull, { orthogonal: true });
    }, 60_000);
});
