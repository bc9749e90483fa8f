// The diagram webview's script: shows the SVG, keeps pan and zoom across updates, reveals clicked elements,
// highlights the element under the editor's cursor and overlays what a debug session's instance is doing (live view).
// Runs in the webview (DOM only, no Node, no VS Code API but the one the host injects).
import { showCoverage } from './coverage.js';
import type { CoverageView, FromWebview, LiveView, SourceRange, ToWebview } from './messages.js';

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

function parseRange(text: string | null): SourceRange | undefined {
    const parts = text?.split(':').map(Number);
    if (!parts || parts.length !== 4 || parts.some((part) => !Number.isFinite(part))) {
        return undefined;
    }
    return { start: { line: parts[0]!, character: parts[1]! }, end: { line: parts[2]!, character: parts[3]! } };
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
    showLive();
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

// The live view: marks (classes `fsm-live-*`) and added elements (`fsm-live-added`) on the picture, put back after each
// update while a debug session runs. It applies only to the picture of the instance's machine.
let live: LiveView | undefined;
const SVG_NS = 'http://www.w3.org/2000/svg';
const TIMER_LINE = 14;

function clearLive(): void {
    for (const element of canvas.querySelectorAll('[class*="fsm-live"]')) {
        if (element.classList.contains('fsm-live-added')) {
            element.remove();
        } else {
            element.classList.remove(...[...element.classList].filter((name) => name.startsWith('fsm-live')));
            element.removeAttribute('data-live-event');
        }
    }
    liveStatus.textContent = '';
}

/**
 * The elements of `selector` that come from source line `line`: those whose range starts there (a state's range is its
 * name, a transition's its clause), else the innermost one whose range holds it. Several clauses on one line are told
 * apart by `event`, the first word of their label, when it names one of them.
 */
function elementsAt(selector: string, line: number, event?: string): Element[] {
    const ranged = [...canvas.querySelectorAll(selector)].flatMap((element) => {
        const range = parseRange(element.getAttribute('data-range'));
        return range && range.start.line <= line && line <= range.end.line ? [{ element, range }] : [];
    });
    const starting = ranged.filter(({ range }) => range.start.line === line);
    const span = ({ range }: { range: SourceRange }): number => range.end.line - range.start.line;
    const innermost = ranged.sort((a, b) => span(a) - span(b)).slice(0, 1);
    const found = (starting.length > 0 ? starting : innermost).map(({ element }) => element);
    const named = event === undefined ? [] : found.filter((element) => element.querySelector('text')?.textContent?.split(/[\s[/]/)[0] === event);
    return named.length > 0 ? named : found;
}

function added<K extends keyof SVGElementTagNameMap>(tag: K, className: string, text: string): SVGElementTagNameMap[K] {
    const element = document.createElementNS(SVG_NS, tag);
    element.setAttribute('class', `${className} fsm-live-added`);
    element.textContent = text;
    return element;
}

/**
 * A countdown beside the right side of the state holding the timer (edges mostly enter at the top and bottom), on a box
 * of the background's colour so that lines behind it do not cross the text; the `index`-th timer of that state below.
 */
function addTimerBadge(holder: Element, index: number, line: number, text: string, title: string): void {
    const box = holder.querySelector('rect');
    const width = Number(box?.getAttribute('width')) || 0;
    const height = Number(box?.getAttribute('height')) || 0;
    const badge = added('g', 'fsm-live-timer', '');
    badge.setAttribute('transform', `translate(${width + 6},${height / 2 + index * TIMER_LINE})`);
    badge.setAttribute('data-line', String(line));
    const background = added('rect', 'fsm-live-timer-box', '');
    const label = added('text', 'fsm-live-timer-text', text);
    badge.append(added('title', 'fsm-live-title', title), background, label);
    holder.append(badge);
    // Sized to the text once it is laid out (the page is visible: the diagram is on screen).
    const bounds = label.getBBox();
    background.setAttribute('x', String(bounds.x - 3));
    background.setAttribute('y', String(bounds.y - 1));
    background.setAttribute('width', String(bounds.width + 6));
    background.setAttribute('height', String(bounds.height + 2));
    background.setAttribute('rx', '3');
}

/** `⏱ 1.5 s`: tenths below ten seconds, whole seconds above. */
function countdown(remainingMs: number): string {
    const seconds = Math.max(0, remainingMs) / 1000;
    return `⏱ ${seconds < 10 ? seconds.toFixed(1) : String(Math.round(seconds))} s`;
}

/** The state holding the timer of line `line`: the source of its edge, else the active state declared last before it. */
function timerHolder(line: number): Element | undefined {
    const source = elementsAt('.fsm-edge-timer[data-range]', line)[0]?.getAttribute('data-source');
    const node = source ? [...canvas.querySelectorAll('.fsm-node[data-id]')].find((element) => element.getAttribute('data-id') === source) : undefined;
    if (node) {
        return node;
    }
    const declared = (element: Element): number => parseRange(element.getAttribute('data-range'))?.start.line ?? Number.POSITIVE_INFINITY;
    const before = [...canvas.querySelectorAll('.fsm-live-active')].filter((element) => declared(element) <= line);
    return before.sort((a, b) => declared(b) - declared(a))[0];
}

function showLive(): void {
    clearLive();
    const svg = svgElement();
    if (!live || !svg || svg.getAttribute('data-machine') !== live.machine) {
        return;
    }
    const current = live;
    liveStatus.textContent = `Live: ${current.instance} at ${current.t} ms${current.finished ? ' (finished)' : ''}`;
    for (const line of current.states) {
        elementsAt('.fsm-node[data-range]', line).forEach((element) => element.classList.add('fsm-live-active'));
    }
    // Most recent first: an edge taken twice keeps its most recent place in the trail.
    current.trail.forEach(({ line, event }, index) => {
        for (const element of elementsAt('.fsm-edge[data-range]', line, event)) {
            if (!element.classList.contains('fsm-live-trail')) {
                element.classList.add('fsm-live-trail', `fsm-live-trail-${Math.min(index, 2)}`);
            }
        }
    });
    const stacked = new Map<Element, number>();
    for (const { line, label, remainingMs } of current.timers) {
        elementsAt('.fsm-edge-timer[data-range]', line).forEach((element) => element.classList.add('fsm-live-armed'));
        const holder = timerHolder(line);
        if (!holder) {
            continue;
        }
        const index = stacked.get(holder) ?? 0;
        stacked.set(holder, index + 1);
        addTimerBadge(holder, index, line, countdown(remainingMs), `${label}: ${remainingMs} ms left`);
    }
    for (const { line, event } of current.fireable) {
        for (const element of elementsAt('.fsm-edge[data-range]', line, event)) {
            element.classList.add('fsm-live-fireable');
            element.setAttribute('data-live-event', event);
            element.prepend(added('title', 'fsm-live-title', `Click to send ${event}`));
        }
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
        showLive();
    } else if (message.type === 'liveEnd') {
        live = undefined;
        showLive();
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
