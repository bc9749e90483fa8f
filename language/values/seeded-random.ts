// A small seeded random number generator: the system check's random walk, and the benchmarks and robustness suites,
// which build exactly the same data on every run.

export interface Random {
    /** A float in [0, 1). */
    next(this: void): number;
    /** An integer in [0, bound). */
    int(this: void, bound: number): number;
    /** True with probability `p`. */
    chance(this: void, p: number): boolean;
    /** One element of a non-empty array. */
    pick<T>(this: void, items: readonly T[]): T;
}

/** mulberry32: fast, good enough for test data, and identical on every platform. */
export function seededRandom(seed: number): Random {
    let state = seed >>> 0;
    const next = (): number => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (bound: number): number => Math.floor(next() * bound);
    return {
        next,
        int,
        chance: (p) => next() < p,
        pick: <T>(items: readonly T[]): T => items[int(items.length)]!
    };
}
