// What every laid-out diagram must satisfy, as test assertions: boxes apart, edges attached, labels off boxes; with
// composite states, children inside their parents and regions side by side.
import { expect } from 'vitest';
import type { PlacedEdge, PlacedGraph, PlacedNode, Point } from '../../language/diagram/geometry/layout.js';

interface Box {
    x: number;
    y: number;
    width: number;
    height: number;
}

export function overlaps(a: Box, b: Box): boolean {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Distance from a point to the border of a node's box (0 when on it). */
export function distanceToBorder(point: Point, node: PlacedNode): number {
    const dx = Math.max(node.x - point.x, 0, point.x - (node.x + node.width));
    const dy = Math.max(node.y - point.y, 0, point.y - (node.y + node.height));
    const outside = Math.hypot(dx, dy);
    if (outside > 0) {
        return outside;
    }
    return Math.min(point.x - node.x, node.x + node.width - point.x, point.y - node.y, node.y + node.height - point.y);
}

/** Pairs of boxes that overlap, found by sweeping along x (big diagrams have thousands of boxes). */
export function overlappingPairs<T extends Box>(boxes: readonly T[]): Array<[T, T]> {
    const sorted = [...boxes].sort((a, b) => a.x - b.x);
    const pairs: Array<[T, T]> = [];
    for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length && sorted[j]!.x < sorted[i]!.x + sorted[i]!.width; j++) {
            if (overlaps(sorted[i]!, sorted[j]!)) {
                pairs.push([sorted[i]!, sorted[j]!]);
            }
        }
    }
    return pairs;
}

/** The box of a segment, shrunk by half a pixel at each end: it touches a box it starts on, but does not overlap it. */
function segmentBox(a: Point, b: Point): Box {
    return { x: Math.min(a.x, b.x) + 0.5, y: Math.min(a.y, b.y) + 0.5, width: Math.max(Math.abs(a.x - b.x) - 1, 0.01), height: Math.max(Math.abs(a.y - b.y) - 1, 0.01) };
}

/** What is wrong with an edge's route: none, or not from its source's border to its target's border, inside the picture. */
function routeProblems(graph: PlacedGraph, byId: ReadonlyMap<string, PlacedNode>, edge: PlacedEdge, name: string): string[] {
    if (edge.points.length < 2) {
        return [`${name} has no route`];
    }
    const problems: string[] = [];
    if (distanceToBorder(edge.points[0]!, byId.get(edge.source)!) >= 1.5) {
        problems.push(`${name} does not start on its source`);
    }
    if (distanceToBorder(edge.points[edge.points.length - 1]!, byId.get(edge.target)!) >= 1.5) {
        problems.push(`${name} does not end on its target`);
    }
    if (edge.points.some((point) => point.x < 0 || point.y < 0 || point.x > graph.width || point.y > graph.height)) {
        problems.push(`${name} leaves the picture`);
    }
    return problems;
}

/** The segment numbers of an edge's route that are neither horizontal nor vertical, as problems. */
function slantedSegments(edge: PlacedEdge, name: string): string[] {
    const problems: string[] = [];
    for (let k = 1; k < edge.points.length; k++) {
        const [a, b] = [edge.points[k - 1]!, edge.points[k]!];
        if (Math.abs(a.x - b.x) > 0.01 && Math.abs(a.y - b.y) > 0.01) {
            problems.push(`${name}: segment ${k} is neither horizontal nor vertical`);
        }
    }
    return problems;
}

/** The box of an edge's label: a problem when the label has no place, nothing when the edge has no label. */
function labelBox(edge: PlacedEdge, name: string): Box | string | undefined {
    if (!edge.label) {
        return undefined;
    }
    return edge.labelAt ? { ...edge.labelAt, width: edge.labelWidth, height: edge.labelHeight } : `${name} has no place for its label`;
}

/**
 * The guarantees of every layout: no two boxes overlap; every edge has a route from its source's border to its
 * target's border, inside the picture; every label is placed and covers no box. With `orthogonal` (our own
 * layout), also: every segment is horizontal or vertical, crosses no box, and no two labels overlap.
 */
export function expectSoundLayout(graph: PlacedGraph, options: { orthogonal: boolean }): void {
    const where = `${graph.machine}`;
    expect(graph.width, where).toBeGreaterThan(0);
    expect(overlappingPairs(graph.nodes).map(([a, b]) => `${a.label || a.id} overlaps ${b.label || b.id}`), where).toEqual([]);
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    const problems: string[] = [];
    const labels: Array<Box & { edge: string }> = [];
    for (const edge of graph.edges) {
        const name = `${where}: ${edge.id} ${edge.label}`;
        problems.push(...routeProblems(graph, byId, edge, name));
        const label = labelBox(edge, name);
        if (typeof label === 'string') {
            problems.push(label);
        } else if (label) {
            problems.push(...graph.nodes.filter((node) => overlaps(label, node)).map((node) => `${name}: label covers ${node.label || node.id}`));
            labels.push({ ...label, edge: edge.id });
        }
        if (options.orthogonal) {
            problems.push(...slantedSegments(edge, name));
            for (let k = 1; k < edge.points.length; k++) {
                const segment = segmentBox(edge.points[k - 1]!, edge.points[k]!);
                problems.push(...graph.nodes.filter((node) => overlaps(segment, node)).map((node) => `${name}: segment ${k} crosses ${node.label || node.id}`));
            }
        }
    }
    if (options.orthogonal) {
        problems.push(...overlappingPairs(labels).map(([a, b]) => `${where}: labels of ${a.edge} and ${b.edge} overlap`));
    }
    expect(problems.slice(0, 20)).toEqual([]);
}

function inside(inner: Box, outer: Box): boolean {
    const slack = 0.5;
    return inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
}

/**
 * The guarantees of a layout with composite states: every box inside its parent's box; no two boxes with the same
 * parent overlap; every edge from its source's border to its target's border (the nested ends, not the composites
 * holding them), inside the picture, with horizontal and vertical segments only; every label placed, off the states
 * that hold no others; the regions of each parallel state side by side, one dashed separator between neighbours.
 */
export function expectSoundNestedLayout(graph: PlacedGraph): void {
    const where = graph.machine;
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    const holders = new Set(graph.nodes.flatMap((node) => (node.parent === undefined ? [] : [node.parent])));
    const problems: string[] = [];
    const siblings = new Map<string, PlacedNode[]>();
    for (const node of graph.nodes) {
        siblings.set(node.parent ?? '', [...(siblings.get(node.parent ?? '') ?? []), node]);
        if (node.parent !== undefined && !inside(node, byId.get(node.parent)!)) {
            problems.push(`${node.label || node.id} sticks out of ${byId.get(node.parent)!.label}`);
        }
        if (!inside(node, { x: 0, y: 0, width: graph.width, height: graph.height })) {
            problems.push(`${node.label || node.id} leaves the picture`);
        }
    }
    for (const [parent, group] of siblings) {
        problems.push(...overlappingPairs(group).map(([a, b]) => `in ${parent || 'the machine'}: ${a.label || a.id} overlaps ${b.label || b.id}`));
        const regions = group.filter((node) => node.kind === 'region').sort((a, b) => a.x - b.x);
        const separators = (graph.separators ?? []).filter((separator) => separator.parent === parent);
        if (regions.length > 0) {
            if (separators.length !== regions.length - 1) {
                problems.push(`${parent}: ${separators.length} separators between ${regions.length} regions`);
            }
            regions.slice(1).forEach((region, k) => {
                const left = regions[k]!;
                const line = separators[k];
                if (region.y !== left.y || region.height !== left.height) {
                    problems.push(`${parent}: regions ${left.label} and ${region.label} are not side by side`);
                }
                if (!line || line.from.x !== line.to.x || Math.abs(line.from.x - region.x) > 0.5 || line.from.x < left.x + left.width - 0.5 || line.from.y > region.y + 0.5 || line.to.y < region.y + region.height - 0.5) {
                    problems.push(`${parent}: no separator between ${left.label} and ${region.label}`);
                }
            });
        }
    }
    const leaves = graph.nodes.filter((node) => !holders.has(node.id) && node.kind !== 'region');
    for (const edge of graph.edges) {
        const name = `${where}: ${edge.id} ${edge.label}`;
        problems.push(...routeProblems(graph, byId, edge, name), ...slantedSegments(edge, name));
        const label = labelBox(edge, name);
        if (typeof label === 'string') {
            problems.push(label);
        } else if (label) {
            problems.push(...leaves.filter((node) => overlaps(label, node)).map((node) => `${name}: label covers ${node.label || node.id}`));
        }
    }
    expect(problems.slice(0, 20), where).toEqual([]);
}
