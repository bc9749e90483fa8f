// A growable list of 32-bit integers that is written again from its start for each use: the state code being made
// (state-code.ts) lives in a few of these, kept from one code to the next, so making a code allocates nothing once they are
// big enough.

export class IntList {
    data: Int32Array;
    length = 0;

    constructor(capacity = 256) {
        this.data = new Int32Array(capacity);
    }

    /** Appends `value`; a value that is not a 32-bit integer is a bug (the list would silently change it). */
    push(value: number): void {
        if ((value | 0) !== value) {
            throw new Error(`internal: a state code holds ${value}, not a 32-bit integer`);
        }
        if (this.length === this.data.length) {
            this.grow(this.length + 1);
        }
        this.data[this.length++] = value;
    }

    /** Appends `length` numbers of `from` (which may be this list) from `start` on. */
    append(from: IntList, start: number, length: number): void {
        if (this.length + length > this.data.length) {
            this.grow(this.length + length);
        }
        const source = from.data;
        const target = this.data;
        for (let at = 0; at < length; at++) {
            target[this.length + at] = source[start + at]!;
        }
        this.length += length;
    }

    private grow(needed: number): void {
        let size = this.data.length * 2;
        while (size < needed) {
            size *= 2;
        }
        const bigger = new Int32Array(size);
        bigger.set(this.data.subarray(0, this.length));
        this.data = bigger;
    }
}

/** Orders two runs of `data` (`a` and `b` long, from `aStart` and `bStart`): by their numbers, then the shorter first. */
export function compareRuns(data: Int32Array, aStart: number, a: number, bStart: number, b: number): number {
    const shorter = Math.min(a, b);
    for (let at = 0; at < shorter; at++) {
        const difference = data[aStart + at]! - data[bStart + at]!;
        if (difference !== 0) {
            return difference;
        }
    }
    return a - b;
}

/**
 * Sorts by insertion (a handful) the first `count` of `order`, indices into `starts` and `lengths`, by the runs of
 * `data` they stand for (compareRuns).
 */
export function sortRuns(order: number[], count: number, data: Int32Array, starts: readonly number[], lengths: readonly number[]): void {
    for (let index = 1; index < count; index++) {
        const run = order[index]!;
        let at = index;
        while (at > 0 && compareRuns(data, starts[order[at - 1]!]!, lengths[order[at - 1]!]!, starts[run]!, lengths[run]!) > 0) {
            order[at] = order[at - 1]!;
            at--;
        }
        order[at] = run;
    }
}
