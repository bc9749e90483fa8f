// The diagram as an SVG string: a pure function of the placed graph, used by the webview and by `diagram --svg`.
// Only types from graph.ts: the VS Code client imports DIAGRAM_CSS, and graph.ts's values would bring Langium with it.
import { nodeSize, type Badge } from './graph-types.js';
import type { PlacedEdge, PlacedGraph, PlacedNode, Point, Separator } from './placed.js';
import { TEXT } from './spacing.js';

/** Styles: VS Code theme colours in the webview, with fallbacks for a standalone file. */
export const DIAGRAM_CSS = `
.fsm-diagram { font-family: var(--vscode-editor-font-family, ui-monospace, Menlo, Consolas, monospace); font-size: ${TEXT.fontSize}px; }
.fsm-diagram text { fill: var(--vscode-editor-foreground, #1f2328); dominant-baseline: middle; }
.fsm-diagram .fsm-node rect { fill: var(--vscode-editorWidget-background, #f6f8fa); stroke: var(--vscode-editor-foreground, #57606a); stroke-width: 1.2; }
.fsm-diagram .fsm-node .fsm-title { font-weight: 600; }
.fsm-diagram .fsm-node .fsm-detail { opacity: 0.75; }
.fsm-diagram .fsm-node .fsm-raised { opacity: 0.6; font-style: italic; }
.fsm-diagram .fsm-node line { stroke: var(--vscode-editor-foreground, #57606a); stroke-width: 0.6; opacity: 0.5; }
.fsm-diagram .fsm-start circle { fill: var(--vscode-editor-foreground, #1f2328); stroke: none; }
.fsm-diagram .fsm-final rect.fsm-inner { fill: none; }
.fsm-diagram .fsm-unreachable { opacity: 0.45; }
.fsm-diagram .fsm-unreachable rect { stroke-dasharray: 5 3; }
.fsm-diagram .fsm-terminal rect.fsm-outer { stroke: var(--vscode-editorError-foreground, #cf222e); stroke-width: 2; }
.fsm-diagram .fsm-trap rect.fsm-outer { stroke: var(--vscode-editorWarning-foreground, #9a6700); stroke-width: 2; }
.fsm-diagram .fsm-socket rect, .fsm-diagram .fsm-signal rect, .fsm-diagram .fsm-session rect { fill: var(--vscode-editor-background, #ffffff); stroke-dasharray: 3 2; }
.fsm-diagram .fsm-edge path { fill: none; stroke: var(--vscode-editor-foreground, #57606a); stroke-width: 1.2; }
.fsm-diagram .fsm-edge-timer path { stroke-dasharray: 6 3; }
.fsm-diagram .fsm-edge-raises path, .fsm-diagram .fsm-edge-session path { stroke-dasharray: 2 3; opacity: 0.6; }
.fsm-diagram .fsm-edge .fsm-label-box { fill: var(--vscode-editor-background, #ffffff); opacity: 0.85; }
.fsm-diagram .fsm-edge-raises text { opacity: 0.7; }
.fsm-diagram .fsm-arrow { fill: var(--vscode-editor-foreground, #57606a); }
.fsm-diagram .fsm-badge-error circle { fill: var(--vscode-editorError-foreground, #cf222e); }
.fsm-diagram .fsm-badge-warning circle { fill: var(--vscode-editorWarning-foreground, #9a6700); }
.fsm-diagram .fsm-badge-info circle { fill: var(--vscode-editorInfo-foreground, #0969da); }
.fsm-diagram .fsm-badge text { fill: #ffffff; font-size: 10px; font-weight: 700; text-anchor: middle; }
.fsm-diagram .fsm-composite > rect.fsm-outer { fill: var(--vscode-editor-background, #ffffff); }
.fsm-diagram .fsm-region rect { fill: transparent; stroke: none; }
.fsm-diagram .fsm-region.fsm-selected rect { stroke: var(--vscode-focusBorder, #0969da); stroke-width: 2; stroke-dasharray: 4 3; }
.fsm-diagram .fsm-region .fsm-region-label { font-style: italic; opacity: 0.8; }
.fsm-diagram .fsm-separator { stroke: var(--vscode-editor-foreground, #57606a); stroke-width: 1; stroke-dasharray: 6 4; opacity: 0.7; }
.fsm-diagram .fsm-history circle { fill: var(--vscode-editorWidget-background, #f6f8fa); stroke: var(--vscode-editor-foreground, #57606a); stroke-width: 1.2; }
.fsm-diagram .fsm-history text { text-anchor: middle; font-weight: 600; }
.fsm-diagram .fsm-edge-default path { stroke-dasharray: 1 3; }
.fsm-diagram .fsm-selected rect.fsm-outer, .fsm-diagram .fsm-selected circle, .fsm-diagram .fsm-selected path { stroke: var(--vscode-focusBorder, #0969da); stroke-width: 2.5; }
.fsm-diagram [data-range] { cursor: pointer; }
`;

export function escapeXml(text: string): string {
    return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}

function n(value: number): string {
    return String(Math.round(value * 10) / 10);
}

function rangeAttribute(range: PlacedNode['range']): string {
    return range ? ` data-range="${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}"` : '';
}

function badges(node: PlacedNode): string {
    const worst = (['error', 'warning', 'info'] as const).find((severity) => node.badges.some((badge) => badge.severity === severity));
    if (!worst) {
        return '';
    }
    const title = node.badges.map((badge: Badge) => `${badge.severity} ${badge.code}: ${badge.message}`).join('\n');
    const mark = worst === 'info' ? 'i' : '!';
    return `<g class="fsm-badge fsm-badge-${worst}" transform="translate(${n(node.width - 2)},2)"><title>${escapeXml(title)}</title><circle r="7"/><text y="0.5">${mark}</text></g>`;
}

/** A state's box; a composite state's (`composite`) holds its children below its title and lines. */
function stateNode(node: PlacedNode, composite = false): string {
    const classes = ['fsm-node', `fsm-${node.kind}`, composite ? 'fsm-composite' : '', node.initial ? 'fsm-initial' : '', node.final ? 'fsm-final' : '', node.unreachable ? 'fsm-unreachable' : '', node.terminal ? 'fsm-terminal' : '', node.trap ? 'fsm-trap' : '']
        .filter((name) => name !== '')
        .join(' ');
    const parts: string[] = [];
    parts.push(`<rect class="fsm-outer" width="${n(node.width)}" height="${n(node.height)}" rx="${node.kind === 'state' ? 8 : 3}"/>`);
    if (node.final) {
        parts.push(`<rect class="fsm-inner" x="3" y="3" width="${n(node.width - 6)}" height="${n(node.height - 6)}" rx="6"/>`);
    }
    const lines = [...node.details, ...node.internal].map((text) => ({ text, kind: 'fsm-detail' })).concat(node.raised.map((text) => ({ text, kind: 'fsm-detail fsm-raised' })));
    const titleY = TEXT.padding + TEXT.lineHeight / 2;
    parts.push(`<text class="fsm-title" x="${n(node.width / 2)}" y="${n(titleY)}" text-anchor="middle">${escapeXml(node.label)}</text>`);
    if (lines.length > 0) {
        const separator = TEXT.padding + TEXT.lineHeight + 2;
        parts.push(`<line x1="4" y1="${n(separator)}" x2="${n(node.width - 4)}" y2="${n(separator)}"/>`);
        lines.forEach(({ text, kind }, index) => {
            parts.push(`<text class="${kind}" x="${TEXT.padding}" y="${n(separator + 2 + TEXT.lineHeight * (index + 0.5))}">${escapeXml(text)}</text>`);
        });
    }
    if (composite) {
        const header = nodeSize(node.label, lines.map(({ text }) => text), 0).height;
        parts.push(`<line x1="0" y1="${n(header)}" x2="${n(node.width)}" y2="${n(header)}"/>`);
    }
    const title = node.kind === 'state' ? `state ${node.label}${node.unreachable ? ' (unreachable)' : ''}${node.terminal ? ' (stuck: nothing leaves it)' : ''}${node.trap ? ' (cannot finish)' : ''}` : `${node.kind} ${node.label}`;
    return `<g class="${classes}" data-id="${escapeXml(node.id)}"${rangeAttribute(node.range)} transform="translate(${n(node.x)},${n(node.y)})"><title>${escapeXml(title)}</title>${parts.join('')}${badges(node)}</g>`;
}

function startNode(node: PlacedNode): string {
    return `<g class="fsm-node fsm-start" data-id="${escapeXml(node.id)}" transform="translate(${n(node.x)},${n(node.y)})"><circle cx="${n(node.width / 2)}" cy="${n(node.height / 2)}" r="${n(node.width / 2)}"/></g>`;
}

/** A region of a parallel state: its name at the top left, its box only there to be clicked. */
function regionNode(node: PlacedNode): string {
    const label = `<text class="fsm-region-label" x="${TEXT.padding}" y="${n(node.height > 0 ? (TEXT.lineHeight + 8) / 2 : 0)}">${escapeXml(node.label)}</text>`;
    return `<g class="fsm-node fsm-region" data-id="${escapeXml(node.id)}"${rangeAttribute(node.range)} transform="translate(${n(node.x)},${n(node.y)})"><title>${escapeXml(`region ${node.label}`)}</title><rect width="${n(node.width)}" height="${n(node.height)}"/>${label}${badges(node)}</g>`;
}

/** A history pseudo-state: a circle marked H (shallow) or H* (deep); its name (the node's detail) in the tooltip. */
function historyNode(node: PlacedNode): string {
    const radius = Math.min(node.width, node.height) / 2;
    const title = `${node.label === 'H*' ? 'deep history' : 'history'} ${node.details[0] ?? ''}`;
    return `<g class="fsm-node fsm-history" data-id="${escapeXml(node.id)}"${rangeAttribute(node.range)} transform="translate(${n(node.x)},${n(node.y)})"><title>${escapeXml(title)}</title><circle cx="${n(node.width / 2)}" cy="${n(node.height / 2)}" r="${n(radius)}"/><text x="${n(node.width / 2)}" y="${n(node.height / 2 + 0.5)}">${escapeXml(node.label)}</text>${badges(node)}</g>`;
}

function separatorLine(separator: Separator): string {
    return `<line class="fsm-separator" data-parent="${escapeXml(separator.parent)}" x1="${n(separator.from.x)}" y1="${n(separator.from.y)}" x2="${n(separator.to.x)}" y2="${n(separator.to.y)}"/>`;
}

function nodeElement(node: PlacedNode): string {
    switch (node.kind) {
        case 'start':
            return startNode(node);
        case 'history':
            return historyNode(node);
        default:
            return stateNode(node);
    }
}

function edgePath(points: readonly Point[]): string {
    return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${n(point.x)} ${n(point.y)}`).join(' ');
}

function edgeElement(edge: PlacedEdge): string {
    if (edge.points.length < 2) {
        return '';
    }
    const label =
        edge.label && edge.labelAt
            ? `<rect class="fsm-label-box" x="${n(edge.labelAt.x - 1)}" y="${n(edge.labelAt.y)}" width="${n(edge.labelWidth + 2)}" height="${n(edge.labelHeight)}"/><text x="${n(edge.labelAt.x)}" y="${n(edge.labelAt.y + edge.labelHeight / 2)}">${escapeXml(edge.label)}</text>`
            : '';
    return `<g class="fsm-edge fsm-edge-${edge.kind}" data-id="${escapeXml(edge.id)}"${rangeAttribute(edge.range)} data-source="${escapeXml(edge.source)}"><path d="${edgePath(edge.points)}" marker-end="url(#fsm-arrow)"/>${label}</g>`;
}

export interface SvgOptions {
    /** Embed the styles (a standalone file); the webview brings its own stylesheet instead. */
    standalone: boolean;
}

export function renderSvg(graph: PlacedGraph, options: SvgOptions): string {
    const width = Math.max(graph.width, 1);
    const height = Math.max(graph.height, 1);
    const style = options.standalone ? `<style>${DIAGRAM_CSS}</style>` : '';
    const defs = '<defs><marker id="fsm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path class="fsm-arrow" d="M0 0 L10 5 L0 10 z"/></marker></defs>';
    const edges = graph.edges.map(edgeElement).join('');
    // Composite states and regions go below the edges and the nodes they hold, outermost first.
    const holders = new Set(graph.nodes.flatMap((node) => (node.parent === undefined ? [] : [node.parent])));
    const held = graph.nodes.filter((node) => holders.has(node.id) || node.kind === 'region');
    const containers =
        held.length > 0 ? `<g class="fsm-containers">${held.map((node) => (node.kind === 'region' ? regionNode(node) : stateNode(node, true))).join('')}${(graph.separators ?? []).map(separatorLine).join('')}</g>` : '';
    const nodes = graph.nodes
        .filter((node) => !holders.has(node.id) && node.kind !== 'region')
        .map(nodeElement)
        .join('');
    const background = options.standalone ? `<rect width="${width}" height="${height}" fill="#ffffff"/>` : '';
    return `<svg xmlns="http://www.w3.org/2000/svg" class="fsm-diagram" data-machine="${escapeXml(graph.machine)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${escapeXml(`machine ${graph.machine}`)}</title>${style}${defs}${background}${containers}<g class="fsm-edges">${edges}</g><g class="fsm-nodes">${nodes}</g></svg>`;
}
