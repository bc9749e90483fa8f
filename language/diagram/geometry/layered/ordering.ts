// Crossing reduction: orders each rank by the barycenter of its links, sweeping down and up a bounded number of times.
import type { Item, RankGraph } from './rank-graph.js';

/** Down-and-up sweeps at most; each costs a sort per rank and a crossing count. */
const MAX_ROUNDS = 6;
/** A round must remove at least this share of the crossings for another to follow. */
const MIN_GAIN = 0.01;

/** Crossings between `upper` and the rank below it (Barth, Jünger and Mutzel: inversions counted with a Fenwick tree). */
function crossingsBelow(items: readonly Item[], upper: readonly number[], lowerSize: number): number {
    const tree = new Int32Array(lowerSize + 1);
    let crossings = 0;
    let seen = 0;
    const count = (target: number): void => {
        let notAfter = 0;
        for (let i = target + 1; i > 0; i -= i & -i) {
            notAfter += tree[i]!;
        }
        crossings += seen - notAfter;
    };
    const add = (target: number): void => {
        for (let i = target + 1; i <= lowerSize; i += i & -i) {
            tree[i]!++;
        }
    };
    for (const at of upper) {
        const down = items[at]!.down;
        if (down.length === 1) {
            const target = items[down[0]!]!.order;
            count(target);
            add(target);
            seen++;
            continue;
        }
        // Links of one item never cross each other: count them all against the items before, then add them.
        const targets = down.map((lower) => items[lower]!.order);
        targets.forEach(count);
        targets.forEach(add);
        seen += targets.length;
    }
    return crossings;
}

export function countCrossings(graph: RankGraph): number {
    let total = 0;
    for (let rank = 0; rank + 1 < graph.ranks.length; rank++) {
        total += crossingsBelow(graph.items, graph.ranks[rank]!, graph.ranks[rank + 1]!.length);
    }
    return total;
}

/** Sorts one rank by the mean relative position of each item's links on one side; items without any keep theirs. */
function sortRank(graph: RankGraph, rank: number, side: 'up' | 'down', key: Float64Array): void {
    const { items } = graph;
    const row = graph.ranks[rank]!;
    const otherSize = graph.ranks[rank + (side === 'up' ? -1 : 1)]?.length ?? 1;
    for (const at of row) {
        const item = items[at]!;
        const links = item[side];
        let sum = 0;
        for (const other of links) {
            sum += items[other]!.order + 0.5;
        }
        key[at] = links.length > 0 ? sum / links.length / otherSize : (item.order + 0.5) / row.length;
    }
    row.sort((a, b) => key[a]! - key[b]! || items[a]!.order - items[b]!.order);
    row.forEach((at, order) => (items[at]!.order = order));
}

/** Reorders every rank to reduce crossings; keeps the best order seen. */
export function orderRanks(graph: RankGraph): void {
    const snapshot = (): number[][] => graph.ranks.map((row) => [...row]);
    let best = countCrossings(graph);
    let bestRanks = snapshot();
    const key = new Float64Array(graph.items.length);
    for (let round = 0; round < MAX_ROUNDS && best > 0; round++) {
        for (let rank = 1; rank < graph.ranks.length; rank++) {
            sortRank(graph, rank, 'up', key);
        }
        for (let rank = graph.ranks.length - 2; rank >= 0; rank--) {
            sortRank(graph, rank, 'down', key);
        }
        const crossings = countCrossings(graph);
        if (crossings < best) {
            bestRanks = snapshot();
        }
        // Big graphs gain well under 1 % per round after the first: not worth another round.
        if (crossings >= best * (1 - MIN_GAIN)) {
            break;
        }
        best = crossings;
    }
    graph.ranks = bestRanks;
    graph.ranks.forEach((row) => row.forEach((at, order) => (graph.items[at]!.order = order)));
}
