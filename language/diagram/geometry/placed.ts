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

/** A dashed line between two neighbouring regions of a parallel state. */
export interface Separator {
    /** The parallel state's id. */
    parent: string;
    from: Point;
    to: Point;
}

export interface PlacedGraph {
    machine: string;
    width: number;
    height: number;
    /** Every node, composite states and regions as the boxes that hold their children. */
    nodes: PlacedNode[];
    edges: PlacedEdge[];
    /** Only in graphs with parallel states. */
    separators?: Separator[];
}
