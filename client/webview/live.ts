// The diagram's live view of a debug session: the instance's active states outlined, the last transitions as a fading
// trail, armed timers with their countdown, fireable transitions as links. Marks (classes `fsm-live-*`) and added
// elements (`fsm-live-added`) are put back after each update of the picture.
import type { LiveView, SourceRange } from './messages.js';
import { parseRange } from './ranges.js';

// The live view: marks (classes `fsm-live-*`) and added elements (`fsm-live-added`) on the picture, put back after each
// update while a debug session runs. It applies only to the picture of the instance's machine.
let live: LiveView | undefined;
/** The picture's container and the status text, as the page gave them to `showLive`. */
let canvas: Element;
let liveStatus: HTMLElement;
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

/** Marks `view` on the picture in `target` (none: only removes the marks), and says which instance in `status`. */
export function showLive(target: Element, view: LiveView | undefined, status: HTMLElement): void {
    canvas = target;
    liveStatus = status;
    live = view;
    clearLive();
    const svg = canvas.querySelector('svg');
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
