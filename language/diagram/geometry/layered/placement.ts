// Horizontal placement: blocks of aligned items as straight columns, each pulled towards what it links to, never closer than the gaps allow.
import { SPACING } from '../spacing.js';
import { alignBlocks } from './alignment.js';
import { anchorOffset, type Item, type RankGraph } from './rank-graph.js';

/** Passes pulling blocks towards their neighbours, alternately from the left and from the right. */
const ROUNDS = 8;

/** The gap an item keeps from its right-hand neighbour. */
export function gapBetween(left: Item, right: Item): number {
    if (left.kind === 'node' && right.kind === 'node') {
        return SPACING.nodeNode;
    }
    return left.kind === 'node' || right.kind === 'node' ? SPACING.edgeNode : SPACING.edgeEdge;
}

interface Blocks {
    /** The block of each item, named by its topmost item. */
    root: Int32Array;
    /** The next item of the same block, or -1: each block's items as a list from its root. */
    next: Int32Array;
    /** Every block, in an order where each comes after every block it must keep to the right of. */
    order: number[];
}

/** The item beside `at` in its rank, on the left (-1) or the right (1). */
function neighbour(graph: RankGraph, at: number, side: -1 | 1): number | undefined {
    const item = graph.items[at]!;
    return graph.ranks[item.rank]![item.order + side];
}

/** The least distance from the column of `left` to the column of `right`, two neighbours in one rank. */
function distance(graph: RankGraph, left: number, right: number): number {
    const [a, b] = [graph.items[left]!, graph.items[right]!];
    return a.width - anchorOffset(a) + gapBetween(a, b) + anchorOffset(b);
}

/** The blocks of aligned items, ordered left to right by Kahn's algorithm on their left-of relation. */
function blocksOf(graph: RankGraph): Blocks {
    const { items, ranks } = graph;
    const root = alignBlocks(graph);
    const next = new Int32Array(items.length).fill(-1);
    const tail = new Int32Array(items.length).map((_, at) => at);
    for (const row of ranks) {
        for (const at of row) {
            if (root[at] !== at) {
                next[tail[root[at]!]!] = at;
                tail[root[at]!] = at;
            }
        }
    }
    const roots = items.map((_, at) => at).filter((at) => root[at] === at);
    const waiting = new Int32Array(items.length);
    for (const block of roots) {
        for (let member = block; member !== -1; member = next[member]!) {
            waiting[block]! += neighbour(graph, member, -1) === undefined ? 0 : 1;
        }
    }
    const order = roots.filter((block) => waiting[block] === 0);
    for (let head = 0; head < order.length; head++) {
        for (let member = order[head]!; member !== -1; member = next[member]!) {
            const right = neighbour(graph, member, 1);
            if (right !== undefined && --waiting[root[right]!]! === 0) {
                order.push(root[right]!);
            }
        }
    }
    if (order.length !== roots.length) {
        // Alignments never cross, so the blocks' left-of relation has no cycle; this would be a bug in the alignment.
        throw new Error(`diagram layout: ${roots.length - order.length} blocks in a cycle of left-of constraints`);
    }
    return { root, next, order };
}

/** The column of every block packed as far left as the gaps allow (`side` -1), or as far right (`side` 1). */
function packed(graph: RankGraph, { root, next, order }: Blocks, side: -1 | 1): Float64Array {
    const column = new Float64Array(graph.items.length);
    for (let i = 0; i < order.length; i++) {
        const block = order[side === -1 ? i : order.length - 1 - i]!;
        for (let member = block; member !== -1; member = next[member]!) {
            const other = neighbour(graph, member, side);
            if (other !== undefined) {
                const away = side === -1 ? column[root[other]!]! + distance(graph, other, member) : column[root[other]!]! - distance(graph, member, other);
                column[block] = side === -1 ? Math.max(column[block]!, away) : Math.min(column[block]!, away);
            }
        }
    }
    return column;
}

/** Half-way between the two packings, lined up on their leftmost edges: feasible, since both are. */
function startColumns(graph: RankGraph, blocks: Blocks): Float64Array {
    const [left, right] = [packed(graph, blocks, -1), packed(graph, blocks, 1)];
    let [leftmostOfLeft, leftmostOfRight] = [Infinity, Infinity];
    graph.items.forEach((item, at) => {
        leftmostOfLeft = Math.min(leftmostOfLeft, left[blocks.root[at]!]! - anchorOffset(item));
        leftmostOfRight = Math.min(leftmostOfRight, right[blocks.root[at]!]! - anchorOffset(item));
    });
    return left.map((value, block) => (value + right[block]! + leftmostOfLeft - leftmostOfRight) / 2);
}

/** Moves each block towards the mean column of the items it links to, within what its neighbours leave it. */
function pullColumns(graph: RankGraph, { root, next, order }: Blocks, column: Float64Array): void {
    const { items } = graph;
    for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < order.length; i++) {
            const block = order[round % 2 === 0 ? i : order.length - 1 - i]!;
            let wanted = 0;
            let links = 0;
            let low = -Infinity;
            let high = Infinity;
            for (let member = block; member !== -1; member = next[member]!) {
                for (const linked of [...items[member]!.up, ...items[member]!.down]) {
                    if (root[linked] !== block) {
                        wanted += column[root[linked]!]!;
                        links++;
                    }
                }
                const left = neighbour(graph, member, -1);
                if (left !== undefined) {
                    low = Math.max(low, column[root[left]!]! + distance(graph, left, member));
                }
                const right = neighbour(graph, member, 1);
                if (right !== undefined) {
                    high = Math.min(high, column[root[right]!]! - distance(graph, member, right));
                }
            }
            if (links > 0) {
                column[block] = Math.min(high, Math.max(low, wanted / links));
            }
        }
    }
}

/**
 * Sets every item's `x`. Items aligned with their median upper neighbour form blocks (one column each); the
 * columns start half-way between packing them all to the left and all to the right, then move one at a time
 * towards the mean of the columns they link to, as far as their neighbours in each rank let them.
 */
export function placeItems(graph: RankGraph): void {
    const blocks = blocksOf(graph);
    const column = startColumns(graph, blocks);
    pullColumns(graph, blocks, column);
    let left = Infinity;
    graph.items.forEach((item, at) => {
        item.x = column[blocks.root[at]!]! - anchorOffset(item);
        left = Math.min(left, item.x);
    });
    for (const item of graph.items) {
        item.x += SPACING.padding - left;
    }
}
