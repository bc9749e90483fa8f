// Our own layered (Sugiyama-style) layout, linear-ish in the size of the machine: for diagrams too big for ELK to lay out quickly.
import type { DiagramGraph } from '../graph-types.js';
import type { PlacedGraph } from '../placed.js';
import { SPACING } from '../spacing.js';
import { stackRanks } from './channels.js';
import { assignLayers } from './layers.js';
import { placeLinks } from './links.js';
import { orderRanks } from './ordering.js';
import { placeItems } from './placement.js';
import { buildRankGraph, LABEL_GAP } from './rank-graph.js';
import { itemTop, routeChain } from './routes.js';

/**
 * Layers by distance from the start, a rank of labels between layers, barycentric crossing reduction, columns
 * aligned after Brandes and Köpf, orthogonal routes on channel tracks. Boxes never overlap (a rank keeps gaps between
 * its items), labels sit in ranks of their own, and every route starts and ends on a box's border.
 */
export function layoutLayered(graph: DiagramGraph): PlacedGraph {
    const ranked = buildRankGraph(graph, assignLayers(graph));
    orderRanks(ranked);
    placeItems(ranked);
    const links = placeLinks(ranked);
    const rows = stackRanks(ranked, links.flat());
    const { items } = ranked;
    let right = 0;
    for (const item of items) {
        right = Math.max(right, item.x + item.width);
    }
    return {
        machine: graph.machine,
        width: Math.ceil(right + SPACING.padding),
        height: Math.ceil(rows.height),
        // buildRankGraph makes the nodes' items first, in the graph's order.
        nodes: graph.nodes.map((node, position) => ({ ...node, x: items[position]!.x, y: itemTop(items[position]!, rows) })),
        edges: graph.edges.map((edge, position) => {
            const chain = ranked.chains[position]!;
            const label = chain.items.map((at) => items[at]!).find((item) => item.kind === 'label' || item.kind === 'turn');
            const points = routeChain(ranked, chain, links[position]!, rows);
            return { ...edge, points, ...(label ? { labelAt: { x: label.x + LABEL_GAP, y: itemTop(label, rows) } } : {}) };
        })
    };
}
