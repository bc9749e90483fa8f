// Where each link between two ranks leaves the upper item and enters the lower one: ports spread along boxes' borders.
import type { RankGraph } from './rank-graph.js';

export interface Link {
    upper: number;
    lower: number;
    /** x where the link leaves the upper item (its bottom) and enters the lower one (its top). */
    upperX: number;
    lowerX: number;
}

/** Ports keep this far from a box's corners, and this far apart when the box is wide enough. */
const PORT_INSET = 6;
const PORT_GAP = 10;

/** The links of every chain, in chain order, with their ends on the items' sides: ports on boxes come later. */
function chainLinks(graph: RankGraph): Link[][] {
    const { items } = graph;
    return graph.chains.map(({ items: chain }) => {
        const turn = chain.length === 3 ? items[chain[1]!]! : undefined;
        if (turn?.kind === 'turn') {
            // Down the turn's left side when the source is the left box of the two (or a loop), back up the other.
            const [from, to] = [items[chain[0]!]!, items[chain[2]!]!];
            const leftFirst = from === to || from.x + from.width / 2 <= to.x + to.width / 2;
            const [first, second] = leftFirst ? [turn.x, turn.x + turn.width] : [turn.x + turn.width, turn.x];
            return [
                { upper: chain[0]!, lower: chain[1]!, upperX: 0, lowerX: first },
                { upper: chain[2]!, lower: chain[1]!, upperX: 0, lowerX: second }
            ];
        }
        return chain.slice(1).map((lower, k) => {
            const upper = chain[k]!;
            return { upper, lower, upperX: items[upper]!.x, lowerX: items[lower]!.x };
        });
    });
}

/**
 * Spreads the ports of one side of a box: each as near the other end of its link as the box allows, in the order of
 * those ends (so links leaving one box do not cross each other), at least PORT_GAP apart where there is room.
 */
function spreadPorts(left: number, width: number, wanted: number[]): number[] {
    const low = left + Math.min(PORT_INSET, width / 2);
    const high = left + width - Math.min(PORT_INSET, width / 2);
    const gap = wanted.length > 1 ? Math.min(PORT_GAP, (high - low) / (wanted.length - 1)) : 0;
    const ports = wanted.map((x) => Math.min(high, Math.max(low, x)));
    for (let i = 0; i < ports.length; i++) {
        ports[i] = Math.max(ports[i]!, low + i * gap, i > 0 ? ports[i - 1]! + gap : -Infinity);
    }
    for (let i = ports.length - 1; i >= 0; i--) {
        ports[i] = Math.min(ports[i]!, high - (ports.length - 1 - i) * gap, i < ports.length - 1 ? ports[i + 1]! - gap : Infinity);
    }
    return ports;
}

/** Every chain's links, with ports on the boxes' bottom (links down) and top (links up) sides. */
export function placeLinks(graph: RankGraph): Link[][] {
    const links = chainLinks(graph);
    const { items } = graph;
    const bottoms = new Map<number, Link[]>();
    const tops = new Map<number, Link[]>();
    const add = (sides: Map<number, Link[]>, at: number, link: Link): void => {
        const side = sides.get(at);
        if (side) {
            side.push(link);
        } else {
            sides.set(at, [link]);
        }
    };
    for (const link of links.flat()) {
        if (items[link.upper]!.kind === 'node') {
            add(bottoms, link.upper, link);
        }
        if (items[link.lower]!.kind === 'node') {
            add(tops, link.lower, link);
        }
    }
    for (const [at, side] of bottoms) {
        side.sort((a, b) => a.lowerX - b.lowerX);
        spreadPorts(items[at]!.x, items[at]!.width, side.map((link) => link.lowerX)).forEach((x, i) => (side[i]!.upperX = x));
    }
    for (const [at, side] of tops) {
        side.sort((a, b) => a.upperX - b.upperX);
        spreadPorts(items[at]!.x, items[at]!.width, side.map((link) => link.upperX)).forEach((x, i) => (side[i]!.lowerX = x));
    }
    return links;
}
