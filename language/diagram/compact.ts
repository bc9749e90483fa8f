// Compact diagrams of big machines: the arrows from sockets and signals become lines inside the states that handle them.
//
// In a big machine a signal bound to Shutdown feeds dozens of states, and each of its arrows runs from the top of the
// picture down to a state far below: bundles of dotted lines across every row that say little. Listed inside the
// state (`upstream: read→Data`), the same facts take one line each; the socket and signal boxes stay on top.
import { nodeSize, type DiagramGraph } from './geometry/graph-types.js';

/** Machines with more states than this are drawn compact. */
export const COMPACT_STATES = 30;

export function isBig(graph: DiagramGraph): boolean {
    return graph.nodes.filter((node) => node.kind === 'state').length > COMPACT_STATES;
}

/** The graph with every `raises` edge folded into its target state as a line `source: label`, the box grown to fit. */
export function foldEventSources(graph: DiagramGraph): DiagramGraph {
    const labels = new Map(graph.nodes.map((node) => [node.id, node.label]));
    const raised = new Map<string, string[]>();
    const edges = graph.edges.filter((edge) => {
        if (edge.kind !== 'raises') {
            return true;
        }
        raised.set(edge.target, [...(raised.get(edge.target) ?? []), `${labels.get(edge.source)}: ${edge.label}`]);
        return false;
    });
    const nodes = graph.nodes.map((node) => {
        const lines = raised.get(node.id);
        if (!lines) {
            return node;
        }
        const grown = { ...node, raised: [...node.raised, ...lines] };
        const size = nodeSize(grown.label, [...grown.details, ...grown.internal, ...grown.raised], node.width);
        return { ...grown, ...size };
    });
    return { ...graph, nodes, edges };
}

/** The graph as drawn: compact when the machine is big. */
export function compactIfBig(graph: DiagramGraph): DiagramGraph {
    return isBig(graph) ? foldEventSources(graph) : graph;
}
