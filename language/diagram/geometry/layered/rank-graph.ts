// The graph the layered layout works on: rows (ranks) of boxes, edge labels and edge bends, linked rank to rank.
//
// Layer l of the diagram is rank 2l; the odd rank between two layers holds the labels of the edges arriving in the
// layers around it. Every edge becomes a chain of items, one per rank it crosses, so that each link joins two
// neighbouring ranks: the ordering, placement and routing steps then only ever look at two ranks at a time.
import type { DiagramGraph } from '../graph-types.js';
import { SPACING } from '../spacing.js';

/**
 * - `node`: a box of the diagram;
 * - `bend`: where an edge crosses a rank (a vertical line, no width);
 * - `label`: an edge's label, the edge running down its left side;
 * - `turn`: the label of an edge between two boxes of one layer (or a loop): the edge comes down one side of it,
 *   runs below the label and goes back up the other side.
 */
export type ItemKind = 'node' | 'bend' | 'label' | 'turn';

export interface Item {
    kind: ItemKind;
    rank: number;
    width: number;
    height: number;
    /** Items linked in the rank above and below (an item appears once per link). */
    up: number[];
    down: number[];
    /** Position in its rank, from the left. */
    order: number;
    /** Left side, once placed. */
    x: number;
}

export interface Chain {
    /** Items from the topmost rank down; for an edge within a layer, [source, turn, target]. */
    items: number[];
    /** The chain runs from the edge's target to its source (an edge going up, drawn from the top). */
    reversed: boolean;
}

export interface RankGraph {
    items: Item[];
    /** Item indices per rank, in order. */
    ranks: number[][];
    /** One per graph edge. */
    chains: Chain[];
}

/** Room between a label's box and the edge it belongs to, and below a turn's label for the edge's return. */
export const LABEL_GAP = SPACING.edgeLabel + 2;

/** Where the edge meets the item, from its left side: lines run down the left side of labels, boxes are met mid-way. */
export function anchorOffset(item: Item): number {
    return item.kind === 'node' || item.kind === 'turn' ? item.width / 2 : 0;
}

export function buildRankGraph(graph: DiagramGraph, layers: readonly number[]): RankGraph {
    const items: Item[] = [];
    const ranks: number[][] = [];
    const add = (kind: ItemKind, rank: number, width: number, height: number): number => {
        items.push({ kind, rank, width, height, up: [], down: [], order: 0, x: 0 });
        (ranks[rank] ??= []).push(items.length - 1);
        return items.length - 1;
    };
    const link = (upper: number, lower: number): void => {
        items[upper]!.down.push(lower);
        items[lower]!.up.push(upper);
    };
    // The nodes' items come first, in the graph's order: item i is graph.nodes[i].
    const nodeItems = graph.nodes.map((node, position) => add('node', 2 * layers[position]!, node.width, node.height));
    const index = new Map(graph.nodes.map((node, position) => [node.id, position]));

    const chains = graph.edges.map((edge): Chain => {
        const source = index.get(edge.source)!;
        const target = index.get(edge.target)!;
        const labelWidth = edge.labelWidth > 0 ? edge.labelWidth + LABEL_GAP : 0;
        if (layers[source] === layers[target]) {
            const turn = add('turn', 2 * layers[source]! + 1, Math.max(labelWidth + LABEL_GAP, 3 * SPACING.edgeEdge), edge.labelHeight + LABEL_GAP);
            link(nodeItems[source]!, turn);
            link(nodeItems[target]!, turn);
            return { items: [nodeItems[source]!, turn, nodeItems[target]!], reversed: false };
        }
        // Top to bottom; the label sits in the label rank next to the edge's target.
        const reversed = layers[source]! > layers[target]!;
        const [top, bottom] = reversed ? [target, source] : [source, target];
        const labelRank = reversed ? 2 * layers[target]! + 1 : 2 * layers[target]! - 1;
        const chain = [nodeItems[top]!];
        for (let rank = 2 * layers[top]! + 1; rank < 2 * layers[bottom]!; rank++) {
            const labelled = rank === labelRank && labelWidth > 0;
            const item = labelled ? add('label', rank, labelWidth, edge.labelHeight) : add('bend', rank, 0, 0);
            link(chain[chain.length - 1]!, item);
            chain.push(item);
        }
        link(chain[chain.length - 1]!, nodeItems[bottom]!);
        chain.push(nodeItems[bottom]!);
        return { items: chain, reversed };
    });
    for (let rank = 0; rank < ranks.length; rank++) {
        ranks[rank] ??= [];
        ranks[rank]!.forEach((item, order) => (items[item]!.order = order));
    }
    return { items, ranks, chains };
}
