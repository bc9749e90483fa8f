// The diagram webview's script: shows the SVG, keeps pan and zoom across updates, reveals clicked elements,
// highlights the element under the editor's cursor and overlays what a debug session's instance is doing (live view).
// Runs in the webview (DOM only, no Node, no VS Code API but the one the host injects).
import { showCoverage } from './coverage.js';
import { showLive } from './live.js';
import type { CoverageView, FromWebview, LiveView, SourceRange, ToWebview } from './messages.js';
import { parseRange } from './ranges.js';

interface VsCodeApi {
    postMessage(message: FromWebview): void;
    getState(): ViewState | undefined;
    setState(state: ViewState): void;
}

interface ViewState {
    scale: number;
    x: number;
    y: number;
    fitted: boolean;
    /** The machine shown: pan and zoom belong to it; another machine is fitted into view when it is shown. */
    machine?: string;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const viewport = document.getElementById('viewport')!;
const canvas = document.getElementById('canvas')!;
const chooser = document.getElementById('machine') as HTMLSelectElement;
const status = document.getElementById('status')!;
const liveStatus = document.getElementById('live-status')!;
const coverageStatus = document.getElementById('coverage-status')!;
/** The coverage overlay of a recorded trace, put back after each update until the extension ends it. */
let coverage: CoverageView | undefined;
/** The live view of a debug session's instance, put back after each update until the extension ends it. */
let live: LiveView | undefined;
let view: ViewState = vscode.getState() ?? { scale: 1, x: 0, y: 0, fitted: false };

function apply(): void {
    canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    vscode.setState(view);
}

function svgElement(): SVGSVGElement | null {
    return canvas.querySelector('svg');
}

function fit(): void {
    const svg = svgElement();
    if (!svg) {
        return;
    }
    const width = Number(svg.getAttribute('width')) || 1;
    const height = Number(svg.getAttribute('height')) || 1;
    const scale = Math.min(viewport.clientWidth / width, viewport.clientHeight / height, 1.5);
    view = { ...view, scale, x: (viewport.clientWidth - width * scale) / 2, y: Math.max(0, (viewport.clientHeight - height * scale) / 2), fitted: true };
    apply();
}


function contains(range: SourceRange, line: number, character: number): boolean {
    const after = line > range.start.line || (line === range.start.line && character >= range.start.character);
    const before = line < range.end.line || (line === range.end.line && character <= range.end.character);
    return after && before;
}

function highlight(line: number, character: number): void {
    let best: Element | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const element of canvas.querySelectorAll('[data-range]')) {
        element.classList.remove('fsm-selected');
        const range = parseRange(element.getAttribute('data-range'));
        if (range && contains(range, line, character)) {
            // The innermost element wins: a transition inside a state, not the state.
            const size = (range.end.line - range.start.line) * 10_000 + (range.end.character - range.start.character);
            if (size < bestSize) {
                best = element;
                bestSize = size;
            }
        }
    }
    best?.classList.add('fsm-selected');
}

function update(message: Extract<ToWebview, { type: 'update' }>): void {
    chooser.replaceChildren(
        ...message.machines.map((name) => {
            const option = document.createElement('option');
            option.value = name;
            option.textContent = name;
            option.selected = name === message.machine;
            return option;
        })
    );
    chooser.disabled = message.machines.length < 2;
    status.textContent = message.problem ?? '';
    if (message.svg === undefined) {
        return; // keep the last picture while the model is being fixed
    }
    // The SVG comes from the language server's renderer, which escapes every text it holds.
    canvas.innerHTML = message.svg;
    // Marked before the first layout (fit reads sizes), so the trail does not fade in again on every re-render.
    showLive(canvas, live, liveStatus);
    coverageStatus.textContent = showCoverage(canvas, coverage);
    // A machine shown for the first time (another one was chosen) is fitted: pan and zoom of the last one do not fit it.
    const switched = view.machine !== undefined && view.machine !== message.machine;
    view.machine = message.machine;
    if (!view.fitted || switched) {
        fit();
    } else {
        apply();
    }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
    const message = event.data;
    if (message.type === 'update') {
        update(message);
    } else if (message.type === 'highlight') {
        highlight(message.line, message.character);
    } else if (message.type === 'live') {
        live = message;
        showLive(canvas, live, liveStatus);
    } else if (message.type === 'liveEnd') {
        live = undefined;
        showLive(canvas, live, liveStatus);
    } else if (message.type === 'coverage' || message.type === 'coverageEnd') {
        coverage = message.type === 'coverage' ? message : undefined;
        coverageStatus.textContent = showCoverage(canvas, coverage);
    }
});

canvas.addEventListener('click', (event) => {
    if (dragged) {
        dragged = false;
        return; // the end of a pan, not a click
    }
    // A fireable transition's label sends its event; the rest of it still reveals the clause.
    const fireable = (event.target as Element).closest('.fsm-live-fireable');
    const fired = fireable?.getAttribute('data-live-event');
    if (fired && (event.target as Element).matches('text, .fsm-label-box')) {
        vscode.postMessage({ type: 'fire', event: fired });
        return;
    }
    const target = (event.target as Element).closest('[data-range]');
    const range = parseRange(target?.getAttribute('data-range') ?? null);
    if (range) {
        vscode.postMessage({ type: 'reveal', range });
    }
});

chooser.addEventListener('change', () => vscode.postMessage({ type: 'chooseMachine', machine: chooser.value }));

// Pan with the mouse, zoom with the wheel (around the pointer), buttons for fit and zoom. A drag may start on the
// background or inside a composite state or region (they fill most of a nested picture); it pans once the pointer has
// moved a few pixels, so a click on a composite still reveals it.
const DRAG_THRESHOLD = 4;
let drag: { x: number; y: number; fromX: number; fromY: number; pointer: number; moving: boolean } | undefined;
let dragged = false;
viewport.addEventListener('pointerdown', (event) => {
    dragged = false;
    const hit = (event.target as Element).closest('[data-range]');
    if (hit && !hit.matches('.fsm-composite, .fsm-region')) {
        return;
    }
    drag = { x: event.clientX - view.x, y: event.clientY - view.y, fromX: event.clientX, fromY: event.clientY, pointer: event.pointerId, moving: false };
});
viewport.addEventListener('pointermove', (event) => {
    if (!drag) {
        return;
    }
    if (!drag.moving && Math.hypot(event.clientX - drag.fromX, event.clientY - drag.fromY) >= DRAG_THRESHOLD) {
        drag.moving = true;
        viewport.setPointerCapture(drag.pointer);
    }
    if (drag.moving) {
        dragged = true;
        view = { ...view, x: event.clientX - drag.x, y: event.clientY - drag.y };
        apply();
    }
});
viewport.addEventListener('pointerup', () => {
    drag = undefined;
});
function zoomAt(factor: number, cx: number, cy: number): void {
    const scale = Math.min(8, Math.max(0.1, view.scale * factor));
    const ratio = scale / view.scale;
    view = { ...view, scale, x: cx - (cx - view.x) * ratio, y: cy - (cy - view.y) * ratio };
    apply();
}
viewport.addEventListener(
    'wheel',
    (event) => {
        event.preventDefault();
        const box = viewport.getBoundingClientRect();
        zoomAt(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - box.left, event.clientY - box.top);
    },
    { passive: false }
);
document.getElementById('fit')!.addEventListener('click', fit);
document.getElementById('zoom-in')!.addEventListener('click', () => zoomAt(1.25, viewport.clientWidth / 2, viewport.clientHeight / 2));
document.getElementById('zoom-out')!.addEventListener('click', () => zoomAt(0.8, viewport.clientWidth / 2, viewport.clientHeight / 2));

apply();
vscode.postMessage({ type: 'ready' });
