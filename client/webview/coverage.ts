// The diagram's coverage overlay: which states and transitions a recorded trace covered (`fsm-covered`) and which it
// did not (`fsm-uncovered`), matched by the line their source starts on.
import type { CoverageView } from './messages.js';

const MARKS = ['fsm-covered', 'fsm-uncovered'];

function startLine(element: Element): number | undefined {
    const first = element.getAttribute('data-range')?.split(':')[0];
    return first === undefined ? undefined : Number(first);
}

/** Marks the picture in `canvas` with `coverage` (none: removes the marks); returns the status text to show. */
export function showCoverage(canvas: Element, coverage: CoverageView | undefined): string {
    for (const element of canvas.querySelectorAll('.fsm-covered, .fsm-uncovered')) {
        element.classList.remove(...MARKS);
    }
    if (!coverage) {
        return '';
    }
    const covered = new Set(coverage.covered);
    const uncovered = new Set(coverage.uncovered);
    for (const element of canvas.querySelectorAll('.fsm-node[data-range], .fsm-edge[data-range]')) {
        if (element.classList.contains('fsm-region')) {
            continue;
        }
        const line = startLine(element);
        if (line !== undefined && uncovered.has(line)) {
            element.classList.add('fsm-uncovered');
        } else if (line !== undefined && covered.has(line)) {
            element.classList.add('fsm-covered');
        }
    }
    return coverage.label;
}
