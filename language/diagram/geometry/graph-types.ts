// The diagram graph as the geometry sees it: nodes, edges and badges, with sizes taken from their text.
// Plain data, free of Langium and the LSP, so the layout, the SVG and the VS Code client can share it.
import { TEXT } from './spacing.js';

/** A place in the model's source: zero-based lines and characters, as LSP ranges count them. */
export interface SourceRange {
    start: { line: number; character: number };
    end: { line: number; character: number };
}

/**
 * - `state`: a state; with children (nodes whose `parent` is its id) a composite state, drawn as a box holding them;
 * - `region`: a region of a parallel state, its child, holding states of its own;
 * - `history`: a history pseudo-state (label `H` or `H*`);
 * - `start`: the initial marker of the machine, or of the composite state or region it is the child of.
 */
export type NodeKind = 'start' | 'state' | 'socket' | 'signal' | 'session' | 'region' | 'history';
/** `default`: from a history to the state it enters the first time. */
export type EdgeKind = 'start' | 'transition' | 'timer' | 'raises' | 'session' | 'default';

export interface Badge {
    severity: 'error' | 'warning' | 'info';
    code: string;
    message: string;
}

export interface DiagramNode {
    id: string;
    kind: NodeKind;
    /** The name as written (state, socket, signal or session machine). */
    label: string;
    /** A second line: `client 127.0.0.1:7000`, `entry greet`, …; for a history, its name (shown in its tooltip). */
    details: string[];
    /** Internal transitions, listed inside the state: `Data / printReply`. */
    internal: string[];
    /** In a compact diagram, what sockets and signals raise that the state handles: `upstream: read→Data`. */
    raised: string[];
    initial: boolean;
    final: boolean;
    unreachable: boolean;
    /** Not final, yet nothing leaves it. */
    terminal: boolean;
    /** No final state can be reached from it. */
    trap: boolean;
    badges: Badge[];
    range?: SourceRange;
    /** The composite state or region whose box holds this node; absent at the top level. */
    parent?: string;
    /**
     * The node's own size; for a composite state or a region, that of its title and lines only: the layout grows
     * the box to hold its children.
     */
    width: number;
    height: number;
}

export interface DiagramEdge {
    id: string;
    kind: EdgeKind;
    source: string;
    target: string;
    label: string;
    range?: SourceRange;
    labelWidth: number;
    labelHeight: number;
}

export interface DiagramGraph {
    machine: string;
    nodes: DiagramNode[];
    edges: DiagramEdge[];
}

/** True when some node sits inside another: the graph of a machine with composite states. */
export function isNested(graph: DiagramGraph): boolean {
    return graph.nodes.some((node) => node.parent !== undefined);
}

export function textWidth(lines: readonly string[]): number {
    return Math.max(0, ...lines.map((line) => line.length)) * TEXT.charWidth;
}

/** The size of a box showing a title and lines of text below it, at least `minWidth` wide. */
export function nodeSize(title: string, lines: readonly string[], minWidth: number): { width: number; height: number } {
    const all = [title, ...lines];
    return {
        width: Math.max(minWidth, Math.ceil(textWidth(all) + 2 * TEXT.padding)),
        height: Math.ceil(all.length * TEXT.lineHeight + 2 * TEXT.padding - (lines.length > 0 ? 0 : 4))
    };
}
