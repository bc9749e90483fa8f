// Lays out a graph of composite states level by level: each composite's contents first (children before parents),
// the composite's box sized to hold them, then the level around it; a parallel state's regions side by side.
import type { DiagramEdge, DiagramGraph, DiagramNode } from '../graph-types.js';
import type { PlacedEdge, PlacedGraph, PlacedNode, Point, Separator } from '../placed.js';
import { SPACING, TEXT } from '../spacing.js';
import { enter, type Box } from './connectors.js';
import { edgeLevel, nestingOf, ROOT, type EdgeLevel } from './tree.js';

/** A layout of a flat graph: ELK's or our layered one. */
export type FlatLayout = (graph: DiagramGraph) => Promise<PlacedGraph>;

/** The contents of one container, placed relative to the top-left corner of its content area. */
interface Contents {
    width: number;
    height: number;
    at: Map<string, Point>;
    /** Each child's size as placed (regions stretched to the row's height). */
    sizes: Map<string, { width: number; height: number }>;
    routes: Map<string, Pick<PlacedEdge, 'points' | 'labelAt'>>;
    /** Between neighbouring regions of a parallel state: x of each boundary. */
    boundaries: number[];
    /** Below a parallel state's regions: where its lanes begin. */
    lanesTop: number;
}

/** How far inside a composite's border, and below its title, routes run round its contents. */
const RING_INSET = SPACING.padding / 2;

/** Room around the regions row and the histories of a parallel state. */
const ROW_INSET = 8;

/** Below the regions of a parallel state, one lane per edge between them: its label above its line (the lanes keep
 * clear of the ring that routes into the parallel state follow, ROW_INSET above its bottom). */
const LANE = TEXT.lineHeight + 10;

/**
 * Lays the children of a parallel state in one row: its histories, then its regions, each as tall as the row; below
 * them, `lanes` lanes for the edges from one region to another.
 */
function regionRow(children: readonly DiagramNode[], size: (node: DiagramNode) => { width: number; height: number }, lanes: number): Contents {
    const at = new Map<string, Point>();
    const sizes = new Map<string, { width: number; height: number }>();
    const boundaries: number[] = [];
    const regions = children.filter((child) => child.kind === 'region');
    const others = children.filter((child) => child.kind !== 'region');
    const height = Math.max(0, ...regions.map((region) => size(region).height));
    let x = 0;
    for (const other of others) {
        at.set(other.id, { x: x + ROW_INSET, y: ROW_INSET });
        sizes.set(other.id, size(other));
        x += size(other).width + 2 * ROW_INSET;
    }
    regions.forEach((region, index) => {
        if (index > 0) {
            boundaries.push(x);
        }
        at.set(region.id, { x, y: 0 });
        sizes.set(region.id, { width: size(region).width, height });
        x += size(region).width;
    });
    const othersHeight = Math.max(0, ...others.map((other) => size(other).height + 2 * ROW_INSET));
    const lanesTop = Math.max(height, othersHeight);
    return { width: x, height: lanesTop + (lanes > 0 ? lanes * LANE + 2 * ROW_INSET : 0), at, sizes, routes: new Map(), boundaries, lanesTop };
}

/**
 * Positions every node and routes every edge of a graph whose nodes may sit inside composite states and regions.
 * Each container's children are laid out by `layoutLevel` as a flat graph (composites as boxes of their final size,
 * edges to nested nodes attached to the composite holding them), then continued inside the composite to their end.
 */
export async function layoutNested(graph: DiagramGraph, layoutLevel: FlatLayout): Promise<PlacedGraph> {
    const nesting = nestingOf(graph);
    const levels = new Map<string, EdgeLevel>(graph.edges.map((edge) => [edge.id, edgeLevel(nesting, edge)]));
    const edgesAt = new Map<string, DiagramEdge[]>();
    for (const edge of graph.edges) {
        const level = levels.get(edge.id)!;
        edgesAt.set(level.container, [...(edgesAt.get(level.container) ?? []), { ...edge, source: level.source, target: level.target }]);
    }

    const contents = new Map<string, Contents>();
    const boxSize = new Map<string, { width: number; height: number }>();
    const size = (node: DiagramNode): { width: number; height: number } => boxSize.get(node.id) ?? node;
    const layContents = async (container: string): Promise<Contents> => {
        const children = nesting.children.get(container) ?? [];
        if (children.some((child) => child.kind === 'region')) {
            return regionRow(children, size, (edgesAt.get(container) ?? []).length);
        }
        const level: DiagramGraph = { machine: graph.machine, nodes: children.map((child) => ({ ...child, ...size(child) })), edges: edgesAt.get(container) ?? [] };
        const placed = await layoutLevel(level);
        return {
            width: placed.width,
            height: placed.height,
            at: new Map(placed.nodes.map((node) => [node.id, { x: node.x, y: node.y }])),
            sizes: new Map(placed.nodes.map((node) => [node.id, { width: node.width, height: node.height }])),
            routes: new Map(placed.edges.map((edge) => [edge.id, { points: edge.points, ...(edge.labelAt ? { labelAt: edge.labelAt } : {}) }])),
            boundaries: [],
            lanesTop: placed.height
        };
    };
    // Children come after their container in the graph's order: backwards, every container's contents are ready in time.
    for (const node of [...graph.nodes].reverse()) {
        if (nesting.children.has(node.id)) {
            const inside = await layContents(node.id);
            contents.set(node.id, inside);
            boxSize.set(node.id, { width: Math.max(node.width, inside.width), height: node.height + inside.height });
        }
    }
    const top = await layContents(ROOT);
    contents.set(ROOT, top);

    // Absolute boxes, from the machine inwards; each container's contents centred below its title.
    const boxes = new Map<string, Box>();
    const origins = new Map<string, Point>([[ROOT, { x: 0, y: 0 }]]);
    const separators: Separator[] = [];
    const place = (container: string, origin: Point): void => {
        const inside = contents.get(container)!;
        for (const child of nesting.children.get(container) ?? []) {
            const at = inside.at.get(child.id)!;
            const { width, height } = inside.sizes.get(child.id) ?? size(child);
            const box = { x: origin.x + at.x, y: origin.y + at.y, width, height };
            boxes.set(child.id, box);
            const own = contents.get(child.id);
            if (own) {
                const childOrigin = { x: box.x + (width - own.width) / 2, y: box.y + child.height };
                origins.set(child.id, childOrigin);
                place(child.id, childOrigin);
                for (const x of own.boundaries) {
                    separators.push({ parent: child.id, from: { x: childOrigin.x + x, y: childOrigin.y }, to: { x: childOrigin.x + x, y: childOrigin.y + own.height } });
                }
            }
        }
    };
    place(ROOT, { x: 0, y: 0 });

    // What a route inside a composite should keep off: the boxes it holds, but for regions (drawn open).
    const held = new Map<string, string[]>();
    for (const node of graph.nodes) {
        if (node.kind !== 'region') {
            for (const container of nesting.chain(node.id).slice(1, -1)) {
                held.set(container, [...(held.get(container) ?? []), node.id]);
            }
        }
    }
    /** From `at` on the border of the composite `outer` to the node `inner` inside it, round its contents if need be. */
    const into = (at: Point, outer: string, inner: string): Point[] => {
        const box = boxes.get(outer)!;
        const content = origins.get(outer)!;
        const ring = { x: box.x + RING_INSET, y: content.y + RING_INSET, width: box.width - 2 * RING_INSET, height: box.y + box.height - content.y - 2 * RING_INSET };
        const around = new Set(nesting.chain(inner));
        const obstacles = (held.get(outer) ?? []).filter((id) => !around.has(id)).map((id) => boxes.get(id)!);
        return enter(at, box, ring, boxes.get(inner)!, obstacles);
    };
    const lanes = new Map<string, number>();
    const shift = (point: Point, by: Point): Point => ({ x: point.x + by.x, y: point.y + by.y });
    const edges = graph.edges.map((edge): PlacedEdge => {
        const level = levels.get(edge.id)!;
        const origin = origins.get(level.container)!;
        const routed = contents.get(level.container)!.routes.get(edge.id);
        let points: Point[];
        let labelAt: Point | undefined;
        if (routed) {
            points = routed.points.map((point) => shift(point, origin));
            labelAt = routed.labelAt && shift(routed.labelAt, origin);
        } else {
            // Between two regions of a parallel state: down out of the first, along a lane below them, up into the other.
            const lane = (lanes.get(level.container) ?? 0) + 1;
            lanes.set(level.container, lane);
            const parallel = contents.get(level.container)!;
            const bandTop = origin.y + parallel.lanesTop + ROW_INSET / 2 + (lane - 1) * LANE;
            const lineY = bandTop + LANE - 4;
            const out = (end: string, proxy: string): Point[] => {
                const box = boxes.get(proxy)!;
                const at = { x: boxes.get(end)!.x + boxes.get(end)!.width / 2, y: box.y + box.height };
                return end === proxy ? [at] : into(at, proxy, end);
            };
            const from = out(edge.source, level.source).reverse();
            const to = out(edge.target, level.target);
            points = [...from, { x: from[from.length - 1]!.x, y: lineY }, { x: to[0]!.x, y: lineY }, ...to];
            const outer = boxes.get(level.container)!;
            labelAt = edge.label ? { x: Math.max(outer.x, Math.min(Math.min(from[from.length - 1]!.x, to[0]!.x) + SPACING.edgeLabel, outer.x + outer.width - edge.labelWidth)), y: bandTop + 2 } : undefined;
        }
        if (routed && points.length >= 2) {
            if (level.source !== edge.source) {
                points = [...into(points[0]!, level.source, edge.source).reverse(), ...points.slice(1)];
            }
            if (level.target !== edge.target) {
                points = [...points.slice(0, -1), ...into(points[points.length - 1]!, level.target, edge.target)];
            }
        }
        return { ...edge, points, ...(labelAt ? { labelAt } : {}) };
    });

    const nodes = graph.nodes.map((node): PlacedNode => ({ ...node, ...boxes.get(node.id)! }));
    return { machine: graph.machine, width: Math.ceil(top.width), height: Math.ceil(top.height), nodes, edges, separators };
}
