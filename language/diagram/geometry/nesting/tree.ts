// Which box holds which: the containers of a nested diagram graph, and the level at which each edge is laid out.
import type { DiagramEdge, DiagramGraph, DiagramNode } from '../graph-types.js';

/** The id standing for the machine itself, the outermost container. */
export const ROOT = '';

export interface Nesting {
    /** The nodes each container holds, in the graph's order; ROOT holds the top-level nodes. */
    children: Map<string, DiagramNode[]>;
    /** The ids from ROOT down to `id`, both included. */
    chain(id: string): string[];
}

export function nestingOf(graph: DiagramGraph): Nesting {
    const children = new Map<string, DiagramNode[]>([[ROOT, []]]);
    const parents = new Map<string, string>();
    for (const node of graph.nodes) {
        const parent = node.parent ?? ROOT;
        parents.set(node.id, parent);
        const list = children.get(parent) ?? [];
        list.push(node);
        children.set(parent, list);
    }
    const chains = new Map<string, string[]>([[ROOT, [ROOT]]]);
    const chain = (id: string): string[] => {
        let known = chains.get(id);
        if (!known) {
            known = [...chain(parents.get(id) ?? ROOT), id];
            chains.set(id, known);
        }
        return known;
    };
    return { children, chain };
}

/** Where an edge is laid out: the innermost container holding both its ends, and the children of it that do. */
export interface EdgeLevel {
    container: string;
    /** The child of `container` that is, or holds, the edge's source; likewise its target. */
    source: string;
    target: string;
}

/**
 * The level of `edge`. Between siblings it is their container; between a composite state and a state inside it, the
 * composite's own container, where the edge is a loop on the composite's box, continued inside it to the nested end.
 */
export function edgeLevel(nesting: Nesting, edge: DiagramEdge): EdgeLevel {
    const from = nesting.chain(edge.source);
    const to = nesting.chain(edge.target);
    let common = 0;
    while (common < from.length && common < to.length && from[common] === to[common]) {
        common++;
    }
    const level = Math.min(common, from.length - 1, to.length - 1) - 1;
    return { container: from[level]!, source: from[level + 1]!, target: to[level + 1]! };
}
