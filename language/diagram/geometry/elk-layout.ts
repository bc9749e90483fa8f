// Lays a diagram graph out with ELK's layered algorithm: positions for nodes, routes for edges, places for labels.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { DiagramGraph } from './graph-types.js';
import type { PlacedGraph } from './placed.js';
import { SOURCE_KINDS } from './layered/layers.js';
import { SPACING } from './spacing.js';

const LAYOUT_OPTIONS: Record<string, string> = {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.spacing.nodeNode': String(SPACING.nodeNode),
    'elk.layered.spacing.nodeNodeBetweenLayers': String(SPACING.betweenLayers),
    'elk.spacing.edgeNode': String(SPACING.edgeNode),
    'elk.spacing.edgeEdge': String(SPACING.edgeEdge),
    'elk.spacing.edgeLabel': String(SPACING.edgeLabel),
    'elk.layered.spacing.edgeNodeBetweenLayers': '16',
    // Network-simplex placement and model-order sorting cost seconds at 100 states (and overflowed ELK's stack once);
    // Brandes-Koepf with one pass of crossing minimisation lays out 100 states in about half a second.
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.considerModelOrder.strategy': 'NONE',
    'elk.layered.thoroughness': '1',
    'elk.padding': `[top=${SPACING.padding},left=${SPACING.padding},bottom=${SPACING.padding},right=${SPACING.padding}]`,
    // Event sources (sockets, signals, sessions) form the first layer, above the states they feed.
    'elk.partitioning.activate': 'true'
};

const elk = new ELK();

/** Positions every node and routes every edge with ELK; labels get their own space, so they never cover a node. */
export async function layoutWithElk(graph: DiagramGraph): Promise<PlacedGraph> {
    const input: ElkNode = {
        id: 'root',
        layoutOptions: LAYOUT_OPTIONS,
        children: graph.nodes.map((node) => ({
            id: node.id,
            width: node.width,
            height: node.height,
            layoutOptions: { 'elk.partitioning.partition': SOURCE_KINDS.has(node.kind) ? '0' : '1' }
        })),
        edges: graph.edges.map(
            (edge): ElkExtendedEdge => ({
                id: edge.id,
                sources: [edge.source],
                targets: [edge.target],
                labels: edge.label ? [{ id: `${edge.id}:label`, text: edge.label, width: edge.labelWidth, height: edge.labelHeight }] : []
            })
        )
    };
    const result = await elk.layout(input);
    const positions = new Map((result.children ?? []).map((child) => [child.id, { x: child.x ?? 0, y: child.y ?? 0 }]));
    const routes = new Map((result.edges ?? []).map((edge) => [edge.id, edge]));
    return {
        machine: graph.machine,
        width: Math.ceil(result.width ?? 0),
        height: Math.ceil(result.height ?? 0),
        nodes: graph.nodes.map((node) => ({ ...node, ...(positions.get(node.id) ?? { x: 0, y: 0 }) })),
        edges: graph.edges.map((edge) => {
            const routed = routes.get(edge.id);
            const section = routed?.sections?.[0];
            const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map(({ x, y }) => ({ x, y })) : [];
            const label = routed?.labels?.[0];
            return { ...edge, points, ...(label && label.x !== undefined && label.y !== undefined ? { labelAt: { x: label.x, y: label.y } } : {}) };
        })
    };
}
