// A laid-out diagram: the graph's nodes with positions, its edges with routes and label places.
import type { DiagramEdge, DiagramNode } from './graph-types.js';

export interface Point {
    x: number;
    y: number;
}

export type PlacedNode = DiagramNode & Point;

export interface PlacedEdge extends DiagramEdge {
    /** The route from the source's border to the target's border. */
    points: Point[];
    /** Top-left corner of the label's box, where there is a label. */
    labelAt?: Point;
}

export interface PlacedGraph {
    machine: string;
    width: number;
    height: number;
    nodes: PlacedNode[];
    edges: PlacedEdge[];
}
