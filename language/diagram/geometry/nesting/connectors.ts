// Orthogonal pieces of route inside composite boxes: from a point on a composite's border to a node it holds.
import type { Point } from '../placed.js';

export interface Box {
    x: number;
    y: number;
    width: number;
    height: number;
}

type Side = 'top' | 'bottom' | 'left' | 'right';

/** True when the segment from `a` to `b` (horizontal or vertical) runs through the inside of `box`. */
function crosses(a: Point, b: Point, box: Box): boolean {
    const [x1, x2] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
    const [y1, y2] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
    return x1 < box.x + box.width - 0.5 && box.x + 0.5 < x2 + (x1 === x2 ? 0.01 : 0) && y1 < box.y + box.height - 0.5 && box.y + 0.5 < y2 + (y1 === y2 ? 0.01 : 0);
}

function cost(points: readonly Point[], obstacles: readonly Box[]): number {
    let crossings = 0;
    let length = 0;
    for (let k = 1; k < points.length; k++) {
        const [a, b] = [points[k - 1]!, points[k]!];
        length += Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
        crossings += obstacles.filter((box) => crosses(a, b, box)).length;
    }
    return crossings * 100_000 + length;
}

/** Where a side of `box` runs: its y for top and bottom, its x for left and right. */
function sideAt(box: Box, side: Side): number {
    return side === 'top' ? box.y : side === 'bottom' ? box.y + box.height : side === 'left' ? box.x : box.x + box.width;
}

function nearestSide(at: Point, box: Box): Side {
    const sides: Side[] = ['top', 'bottom', 'left', 'right'];
    const distances = sides.map((side) => Math.abs((side === 'top' || side === 'bottom' ? at.y : at.x) - sideAt(box, side)));
    return sides[distances.indexOf(Math.min(...distances))]!;
}

/** The point of `ring`'s `side` closest to `at`. */
function onSide(ring: Box, side: Side, at: Point): Point {
    const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));
    return side === 'top' || side === 'bottom'
        ? { x: clamp(at.x, ring.x, ring.x + ring.width), y: sideAt(ring, side) }
        : { x: sideAt(ring, side), y: clamp(at.y, ring.y, ring.y + ring.height) };
}

/** The corners of `ring` on the way from one side to another, going round either way for opposite sides. */
function ways(ring: Box, from: Side, to: Side): Point[][] {
    const corner = (a: Side, b: Side): Point => {
        const vertical = a === 'top' || a === 'bottom' ? a : b;
        const horizontal = a === 'left' || a === 'right' ? a : b;
        return { x: sideAt(ring, horizontal), y: sideAt(ring, vertical) };
    };
    if (from === to) {
        return [[]];
    }
    const horizontalSides = (side: Side): boolean => side === 'top' || side === 'bottom';
    if (horizontalSides(from) !== horizontalSides(to)) {
        return [[corner(from, to)]];
    }
    const across: Side[] = horizontalSides(from) ? ['left', 'right'] : ['top', 'bottom'];
    return across.map((middle) => [corner(from, middle), corner(middle, to)]);
}

/**
 * From `at`, a point on the border of `outer`, to the border of `inner`, a box inside it. The candidates: straight
 * in, or in and along, or round `ring` (a rectangle inside `outer`'s border, clear of its contents) to the side of
 * `inner` it faces; the one crossing fewest `obstacles`, then the shortest. The points start with `at`.
 */
export function enter(at: Point, outer: Box, ring: Box, inner: Box, obstacles: readonly Box[]): Point[] {
    const from = nearestSide(at, outer);
    const middle = { x: inner.x + inner.width / 2, y: inner.y + inner.height / 2 };
    const candidates: Point[][] = [];
    if (from === 'top' || from === 'bottom') {
        const near = sideAt(inner, from);
        if (at.x >= inner.x && at.x <= inner.x + inner.width) {
            candidates.push([at, { x: at.x, y: near }]);
        }
        candidates.push([at, { x: at.x, y: middle.y }, { x: at.x < middle.x ? inner.x : inner.x + inner.width, y: middle.y }]);
    } else {
        const near = sideAt(inner, from);
        if (at.y >= inner.y && at.y <= inner.y + inner.height) {
            candidates.push([at, { x: near, y: at.y }]);
        }
        candidates.push([at, { x: middle.x, y: at.y }, { x: middle.x, y: at.y < middle.y ? inner.y : inner.y + inner.height }]);
    }
    const start = onSide(ring, from, at);
    // Straight in to the ring first: near a corner, the ring's side begins further in than the point.
    const onRing = from === 'top' || from === 'bottom' ? { x: at.x, y: start.y } : { x: start.x, y: at.y };
    for (const to of ['top', 'bottom', 'left', 'right'] as const) {
        const end = onSide(ring, to, middle);
        const last = to === 'top' || to === 'bottom' ? { x: middle.x, y: sideAt(inner, to) } : { x: sideAt(inner, to), y: middle.y };
        for (const corners of ways(ring, from, to)) {
            candidates.push([at, onRing, start, ...corners, end, last]);
        }
    }
    let best = candidates[0]!;
    let bestCost = Infinity;
    for (const candidate of candidates) {
        const value = cost(candidate, obstacles);
        if (value < bestCost) {
            best = candidate;
            bestCost = value;
        }
    }
    return best.filter((point, index) => index === 0 || Math.abs(point.x - best[index - 1]!.x) > 0.01 || Math.abs(point.y - best[index - 1]!.y) > 0.01);
}
