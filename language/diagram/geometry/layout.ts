// Lays a diagram graph out: ELK's layered algorithm for small machines, our own layered layout for big ones.
import { isNested, type DiagramGraph } from './graph-types.js';
import { layoutWithElk } from './elk-layout.js';
import { layoutLayered } from './layered/layered-layout.js';
import { layoutNested } from './nesting/nested-layout.js';
import type { PlacedGraph } from './placed.js';

export type { PlacedEdge, PlacedGraph, PlacedNode, Point } from './placed.js';

export type LayoutEngine = 'elk' | 'layered';

/**
 * Up to this many nodes and edges ELK lays the machine out (its pictures of small machines are tidier, in at most
 * about 0.15 s once warm); above, ELK's time grows steeply (0.6 s at 100 states, 6-7 s at 500) and our own layered
 * layout takes over (about 0.015 s at 100 states, 0.1 s at 500, 0.7 s at 2,000; bench/editor/diagram.ts).
 */
export const ELK_LIMIT = { nodes: 30, edges: 90 } as const;

export function chooseEngine(graph: DiagramGraph): LayoutEngine {
    return graph.nodes.length <= ELK_LIMIT.nodes && graph.edges.length <= ELK_LIMIT.edges ? 'elk' : 'layered';
}

/**
 * Positions every node and routes every edge; labels get their own space, so they never cover a node. A graph with
 * composite states is laid out one level at a time by the same engine (see nesting/nested-layout.ts).
 */
export async function layoutGraph(graph: DiagramGraph, engine: LayoutEngine = chooseEngine(graph)): Promise<PlacedGraph> {
    const layoutFlat = async (flat: DiagramGraph): Promise<PlacedGraph> => (engine === 'elk' ? layoutWithElk(flat) : layoutLayered(flat));
    return isNested(graph) ? layoutNested(graph, layoutFlat) : layoutFlat(graph);
}
