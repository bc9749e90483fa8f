// Vertical alignment (Brandes and Köpf): each item joins the block of its median upper neighbour, so blocks are drawn as straight columns.
import type { Item, RankGraph } from './rank-graph.js';

/** Bends and labels: the items an edge is made of between two boxes. A link between two of them is an inner segment. */
function isEdgePart(item: Item): boolean {
    return item.kind === 'bend' || item.kind === 'label';
}

/**
 * Links that cross an inner segment (type 1 conflicts): they are not aligned, so that the long edges, made of
 * inner segments only, stay straight and the crossings fall on the short links at their ends.
 */
function crossingInner(graph: RankGraph): Set<number> {
    const { items, ranks } = graph;
    const marked = new Set<number>();
    for (let rank = 1; rank < ranks.length; rank++) {
        const lower = ranks[rank]!;
        const upperSize = ranks[rank - 1]!.length;
        let from = 0;
        let next = 0;
        lower.forEach((at, position) => {
            const item = items[at]!;
            const inner = isEdgePart(item) ? item.up.find((up) => isEdgePart(items[up]!)) : undefined;
            if (inner === undefined && position < lower.length - 1) {
                return;
            }
            const to = inner === undefined ? upperSize - 1 : items[inner]!.order;
            for (; next <= position; next++) {
                const candidate = lower[next]!;
                for (const up of items[candidate]!.up) {
                    const order = items[up]!.order;
                    if (order < from || order > to) {
                        marked.add(up * items.length + candidate);
                    }
                }
            }
            from = to;
        });
    }
    return marked;
}

/** The block of every item, named by its topmost item: an item of a layer alone or with one item of the label rank below. */
export function alignBlocks(graph: RankGraph): Int32Array {
    const { items, ranks } = graph;
    const root = new Int32Array(items.length).map((_, at) => at);
    const aligned = new Uint8Array(items.length);
    const marked = crossingInner(graph);
    // Only a label rank aligns with the rank above it: columns span a layer and the labels below it, and edges change
    // column in the channel above each layer. Longer columns keep long edges straight but, where edges cross, they
    // force each other apart across the whole picture (several times wider at 500 states).
    for (let rank = 1; rank < ranks.length; rank += 2) {
        // Alignments in one rank never cross: each takes an upper neighbour to the right of the last one taken.
        let last = -1;
        for (const at of ranks[rank]!) {
            const ups = [...items[at]!.up].sort((a, b) => items[a]!.order - items[b]!.order);
            if (ups.length === 0) {
                continue;
            }
            const medians = [...new Set([Math.floor((ups.length - 1) / 2), Math.ceil((ups.length - 1) / 2)])];
            for (const median of medians) {
                const up = ups[median]!;
                if (!aligned[up] && root[at] === at && !marked.has(up * items.length + at) && items[up]!.order > last) {
                    aligned[up] = 1;
                    root[at] = root[up]!;
                    last = items[up]!.order;
                }
            }
        }
    }
    return root;
}
