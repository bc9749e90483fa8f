// Distances between the diagram's elements and the metrics of its text, in pixels: the same for ELK's layout and for ours.
// Free of Langium, so the VS Code client can import the SVG styles that use them.
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

/** Text metrics of the diagram font (12 px monospace), shared by the graph's sizes and the SVG renderer. */
export const TEXT = { charWidth: 7.2, lineHeight: 16, padding: 10, fontSize: 12 } as const;
