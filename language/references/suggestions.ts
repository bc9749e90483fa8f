// "Did you mean …": the declared name closest to a misspelt one.

/** Names longer than this get no suggestion: nobody misspells a 64-character name, and the distance is quadratic. */
export const MAX_SUGGESTED_LENGTH = 64;

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two strings, in three rows of memory. */
export function editDistance(a: string, b: string): number {
    let beforePrevious = new Array<number>(b.length + 1).fill(0);
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    let current = new Array<number>(b.length + 1).fill(0);
    for (let i = 1; i <= a.length; i++) {
        current[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                best = Math.min(best, beforePrevious[j - 2]! + 1);
            }
            current[j] = best;
        }
        [beforePrevious, previous, current] = [previous, current, beforePrevious];
    }
    return previous[b.length]!;
}

/**
 * The candidate a user most likely meant by `written`, or undefined when none is close enough.
 * A case-only difference always wins; otherwise at most a third of the name may differ (at least one edit).
 */
export function closestName(written: string, candidates: Iterable<string>): string | undefined {
    if (written.length > MAX_SUGGESTED_LENGTH) {
        return undefined;
    }
    const lower = written.toLowerCase();
    const limit = Math.max(1, Math.floor(written.length / 3));
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
        if (candidate === written) {
            continue;
        }
        if (candidate.toLowerCase() === lower) {
            return candidate;
        }
        if (Math.abs(candidate.length - written.length) > limit) {
            continue;
        }
        const distance = editDistance(lower, candidate.toLowerCase());
        if (distance <= limit && distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}
