// Distances between the diagram's elements, in pixels: the same for ELK's layout and for ours.
export const SPACING = {
    /** Between two boxes side by side. */
    nodeNode: 36,
    /** Between the rows of boxes, labels included. */
    betweenLayers: 48,
    /** Between a box and an edge passing it. */
    edgeNode: 16,
    /** Between two parallel edge segments. */
    edgeEdge: 12,
    /** Between an edge and its label. */
    edgeLabel: 4,
    /** Around the whole picture. */
    padding: 16
} as const;
