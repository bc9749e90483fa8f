// Layer assignment: event sources on top, then every state at its distance in steps from the start, rows capped in width.
import type { DiagramGraph, NodeKind } from '../graph-types.js';
import { SPACING } from '../spacing.js';

/** Nodes that raise events rather than hold the machine's state: drawn above the states they feed. */
export const SOURCE_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['socket', 'signal', 'session']);

/**
 * A wide machine's states take about √(total width / ROW_COST) rows, each at most total width / rows wide: ROW_COST
 * stands for a row's height (its boxes, the label row and the channels around it) weighed against width. Tuned on
 * the benchmark's 500-state machine for a picture a little wider than tall.
 */
const ROW_COST = 480;

/**
 * The layer of every node (by index in `graph.nodes`).
 *
 * A state's layer is its distance from the start marker, counted in transitions, timers and the start arrow (a
 * breadth-first search in model order): in a state machine that is "how many steps until this state", and every edge
 * from one layer to the next spans one layer only. States the search does not reach start a search of their own, in
 * model order, at the first layer of states. A layer takes states until its width (boxes plus half the labels of the
 * edges arriving there) reaches a cap that grows with the square root of the machine; later states go one layer down.
 */
export function assignLayers(graph: DiagramGraph): number[] {
    const index = new Map(graph.nodes.map((node, position) => [node.id, position]));
    const isSource = graph.nodes.map((node) => SOURCE_KINDS.has(node.kind));
    const successors: number[][] = graph.nodes.map(() => []);
    const arrivingLabels: number[] = graph.nodes.map(() => 0);
    for (const edge of graph.edges) {
        const source = index.get(edge.source)!;
        const target = index.get(edge.target)!;
        arrivingLabels[target]! += edge.labelWidth > 0 ? edge.labelWidth + SPACING.edgeEdge : 0;
        if (!isSource[source] && !isSource[target]) {
            successors[source]!.push(target);
        }
    }
    const layers: number[] = graph.nodes.map(() => -1);
    // Sockets and signals first; the session machines their servers start, one row below.
    let sourceRows = 0;
    graph.nodes.forEach((node, position) => {
        if (isSource[position]) {
            layers[position] = node.kind === 'session' ? 1 : 0;
            sourceRows = Math.max(sourceRows, layers[position]! + 1);
        }
    });

    const cost = graph.nodes.map((node, position) => node.width + SPACING.nodeNode + arrivingLabels[position]! / 2);
    const total = cost.reduce((sum, value, position) => sum + (isSource[position] ? 0 : value), 0);
    const rows = Math.max(1, Math.sqrt(total / ROW_COST));
    const cap = cost.reduce((widest, value) => Math.max(widest, value), total / rows);
    const filled: number[] = [];
    const place = (node: number, wanted: number): void => {
        let layer = wanted;
        while ((filled[layer] ?? 0) > 0 && (filled[layer] ?? 0) + cost[node]! > cap) {
            layer++;
        }
        layers[node] = layer;
        filled[layer] = (filled[layer] ?? 0) + cost[node]!;
    };
    const search = (root: number, layer: number): void => {
        place(root, layer);
        const queue = [root];
        for (let head = 0; head < queue.length; head++) {
            const from = queue[head]!;
            for (const to of successors[from]!) {
                if (layers[to] === -1) {
                    place(to, layers[from]! + 1);
                    queue.push(to);
                }
            }
        }
    };
    const start = graph.nodes.findIndex((node) => node.kind === 'start');
    if (start >= 0) {
        search(start, sourceRows);
    }
    const firstStateRow = sourceRows + (start >= 0 ? 1 : 0);
    graph.nodes.forEach((_, position) => {
        if (layers[position] === -1) {
            search(position, firstStateRow);
        }
    });
    return layers;
}
