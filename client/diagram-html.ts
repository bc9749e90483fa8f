// The diagram webview's page: a strict Content-Security-Policy with a nonce, local resources only.
import { DIAGRAM_CSS } from '../language/diagram/geometry/svg.js';

export interface DiagramPageResources {
    /** The webview's `cspSource` (which local resources may load). */
    cspSource: string;
    /** A fresh random value per page: only elements carrying it may run or style. */
    nonce: string;
    /** The webview URI of out/diagram.js. */
    scriptUri: string;
}

const PAGE_CSS = `
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; background: var(--vscode-editor-background, #ffffff); color: var(--vscode-editor-foreground, #1f2328); font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
#toolbar { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #d0d7de); }
#toolbar button, #toolbar select { background: var(--vscode-button-secondaryBackground, #eaeef2); color: var(--vscode-button-secondaryForeground, #1f2328); border: none; padding: 2px 8px; cursor: pointer; }
#status { opacity: 0.8; margin-left: 8px; }
#viewport { position: absolute; top: 34px; left: 0; right: 0; bottom: 0; overflow: hidden; cursor: grab; }
#canvas { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
#coverage-status { margin-left: 8px; opacity: 0.9; }
#live-status { margin-left: auto; color: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, #be8700); font-weight: 600; }
`;

/**
 * The live view of a debug session, after the diagram's own styles so that it wins over them: the active states outlined
 * in the debugger's current-frame colour, the trail of the last transitions fading with age, armed timers with their
 * countdown, and fireable transitions drawn as links.
 */
const LIVE_CSS = `
.fsm-diagram { overflow: visible; }
.fsm-diagram g.fsm-live-active > rect.fsm-outer { stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, #be8700); stroke-width: 3; }
.fsm-diagram g.fsm-live-active:not(.fsm-composite) > rect.fsm-outer { fill: var(--vscode-editor-stackFrameHighlightBackground, rgba(255, 255, 0, 0.2)); }
.fsm-diagram g.fsm-live-trail path { stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, #be8700); stroke-width: 1.6; transition: opacity 0.4s; }
.fsm-diagram g.fsm-live-trail-0 path { stroke-width: 2.2; opacity: 1; }
.fsm-diagram g.fsm-live-trail-1 path { opacity: 0.6; }
.fsm-diagram g.fsm-live-trail-2 path { opacity: 0.3; }
.fsm-diagram g.fsm-live-armed path { stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, #be8700); }
.fsm-diagram .fsm-live-timer text { fill: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, #be8700); font-weight: 600; }
.fsm-diagram .fsm-live-timer rect { fill: var(--vscode-editor-background, #ffffff); stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, #be8700); stroke-width: 1; }
.fsm-diagram g.fsm-live-fireable text, .fsm-diagram g.fsm-live-fireable .fsm-label-box { cursor: pointer; }
.fsm-diagram g.fsm-live-fireable text { fill: var(--vscode-textLink-foreground, #0969da); text-decoration: underline; }
.fsm-diagram g.fsm-live-fireable text:hover { fill: var(--vscode-textLink-activeForeground, #0550ae); }
`;

/** The coverage of a recorded trace: what it covered in the editor's "covered" green, what it did not faded and dashed in red. */
const COVERAGE_CSS = `
.fsm-diagram g.fsm-covered > rect.fsm-outer { stroke: var(--vscode-testing-iconPassed, #1a7f37); stroke-width: 2.5; }
.fsm-diagram g.fsm-edge.fsm-covered path { stroke: var(--vscode-testing-iconPassed, #1a7f37); stroke-width: 2; }
.fsm-diagram g.fsm-uncovered > rect.fsm-outer { stroke: var(--vscode-testing-iconFailed, #cf222e); stroke-dasharray: 5 3; opacity: 0.7; }
.fsm-diagram g.fsm-edge.fsm-uncovered path { stroke: var(--vscode-testing-iconFailed, #cf222e); stroke-dasharray: 5 3; opacity: 0.7; }
`;

export function diagramPage(resources: DiagramPageResources): string {
    const { cspSource, nonce, scriptUri } = resources;
    const csp = [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${cspSource}`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Reactor FSM diagram</title>
<style nonce="${nonce}">${PAGE_CSS}${DIAGRAM_CSS}${LIVE_CSS}${COVERAGE_CSS}</style>
</head>
<body>
<div id="toolbar">
<select id="machine" title="Machine"></select>
<button id="fit" title="Fit to window">Fit</button>
<button id="zoom-in" title="Zoom in">+</button>
<button id="zoom-out" title="Zoom out">−</button>
<span id="status"></span>
<span id="coverage-status"></span>
<span id="live-status"></span>
</div>
<div id="viewport"><div id="canvas"></div></div>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
