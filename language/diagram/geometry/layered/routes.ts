// Orthogonal routes: down each link's track between ranks, straight through the ranks, round the bottom of turns.
import type { Point } from '../placed.js';
import type { Rows } from './channels.js';
import type { Link } from './links.js';
import type { Chain, Item, RankGraph } from './rank-graph.js';

/** Drops repeated points and the middle one of three in a line: what is left are the route's ends and bends. */
function simplify(points: readonly Point[]): Point[] {
    const result: Point[] = [];
    for (const point of points) {
        const last = result[result.length - 1];
        if (last && Math.abs(last.x - point.x) < 0.01 && Math.abs(last.y - point.y) < 0.01) {
            continue;
        }
        const before = result[result.length - 2];
        if (before && last && ((Math.abs(before.x - last.x) < 0.01 && Math.abs(last.x - point.x) < 0.01) || (Math.abs(before.y - last.y) < 0.01 && Math.abs(last.y - point.y) < 0.01))) {
            result[result.length - 1] = point;
            continue;
        }
        result.push(point);
    }
    return result;
}

/** The y of an item's top, within its band: boxes and labels are centred in it, turns hang from its top. */
export function itemTop(item: Item, rows: Rows): number {
    const band = rows.bandHeight[item.rank]!;
    return rows.bandTop[item.rank]! + (item.kind === 'turn' ? 0 : (band - item.height) / 2);
}

/** The route of one chain, from the edge's source to its target. */
export function routeChain(graph: RankGraph, chain: Chain, links: readonly Link[], rows: Rows): Point[] {
    const { items } = graph;
    const points: Point[] = [];
    /** From the upper item's bottom, along the link's track if it has one, to the lower item's top. */
    const down = (link: Link): Point[] => {
        const upper = items[link.upper]!;
        const lower = items[link.lower]!;
        const leave = upper.kind === 'node' ? itemTop(upper, rows) + upper.height : rows.bandTop[upper.rank]! + rows.bandHeight[upper.rank]!;
        const enter = lower.kind === 'node' ? itemTop(lower, rows) : rows.bandTop[lower.rank]!;
        const track = rows.trackY.get(link);
        return [{ x: link.upperX, y: leave }, ...(track === undefined ? [] : [{ x: link.upperX, y: track }, { x: link.lowerX, y: track }]), { x: link.lowerX, y: enter }];
    };
    const turn = items[chain.items[1]!]!;
    if (turn.kind === 'turn') {
        const [there, back] = [links[0]!, links[1]!];
        const bottom = rows.bandTop[turn.rank]! + turn.height;
        points.push(...down(there), { x: there.lowerX, y: bottom }, { x: back.lowerX, y: bottom }, ...down(back).reverse());
    } else {
        for (const link of links) {
            // Through a bend or label the line runs straight down its band: the next link starts at its bottom.
            points.push(...down(link));
        }
    }
    const route = simplify(points);
    return chain.reversed ? route.reverse() : route;
}
