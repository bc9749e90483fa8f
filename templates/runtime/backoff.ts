// Exponential backoff with "equal jitter": each delay lies in [c/2, c] for c = min·2ⁿ capped at max, so delays grow until the cap.

export class Backoff {
    private attempt = 0;

    constructor(
        readonly minMs: number,
        readonly maxMs: number,
        private readonly random: () => number = Math.random
    ) {}

    /** The delay before the next attempt. */
    next(): number {
        const ceiling = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
        this.attempt++;
        const half = ceiling / 2;
        return Math.round(half + this.random() * half);
    }

    /** Starts again from the shortest delay (after a successful connect). */
    reset(): void {
        this.attempt = 0;
    }

    get attempts(): number {
        return this.attempt;
    }
}
