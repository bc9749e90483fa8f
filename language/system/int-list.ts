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

/** The hash (FNV-1a over the numbers) of a list's numbers. */
export function hashOf(list: IntList): number {
    const data = list.data;
    let hash = 0x811c9dc5;
    for (let at = 0; at < list.length; at++) {
        hash = Math.imul(hash ^ data[at]!, 0x01000193);
    }
    return hash;
}

/** Distinct runs of numbers, each stored once and numbered in the order added; found by hash, then compared. */
export class RunSet {
    /** Open addressing (linear probing): each slot holds a run's number + 1, or 0 when empty; a power of two long. */
    private slots = new Int32Array(1_024);
    /** Each run's hash. */
    private readonly hashes: number[] = [];
    /** Every run, one after the other; run `n` is at `starts[n]`, `lengths[n]` long. */
    private readonly pool: IntList;
    private readonly starts: number[] = [];
    private readonly lengths: number[] = [];

    constructor(capacity: number) {
        this.pool = new IntList(capacity);
    }

    /** How many runs are stored (the number the next one gets). */
    get size(): number {
        return this.starts.length;
    }

    /** The number of the run equal to `list` (whose hash is `hash`), or -1. */
    find(list: IntList, hash: number): number {
        const slots = this.slots;
        const mask = slots.length - 1;
        for (let at = hash & mask; slots[at] !== 0; at = (at + 1) & mask) {
            const run = slots[at]! - 1;
            if (this.hashes[run] === hash && this.holds(run, list)) {
                return run;
            }
        }
        return -1;
    }

    /** Stores `list` (whose hash is `hash`, not found before: see find) as the next run; gives its number. */
    add(list: IntList, hash: number): number {
        const run = this.starts.length;
        this.starts.push(this.pool.length);
        this.lengths.push(list.length);
        this.hashes.push(hash);
        this.pool.append(list, 0, list.length);
        if (this.hashes.length * 2 > this.slots.length) {
            this.slots = new Int32Array(this.slots.length * 2);
            for (let each = 0; each < this.hashes.length; each++) {
                this.place(each);
            }
        } else {
            this.place(run);
        }
        return run;
    }

    private place(run: number): void {
        const slots = this.slots;
        const mask = slots.length - 1;
        let at = this.hashes[run]! & mask;
        while (slots[at] !== 0) {
            at = (at + 1) & mask;
        }
        slots[at] = run + 1;
    }

    private holds(run: number, list: IntList): boolean {
        const length = list.length;
        if (this.lengths[run] !== length) {
            return false;
        }
        const pool = this.pool.data;
        const data = list.data;
        const start = this.starts[run]!;
        for (let at = 0; at < length; at++) {
            if (pool[start + at] !== data[at]) {
                return false;
            }
        }
        return true;
    }
}
