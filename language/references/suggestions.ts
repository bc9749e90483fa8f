// "Did you mean …": the declared name closest to a misspelt one.

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two strings. */
export function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d: number[][] = Array.from({ length: rows }, (_, i) => {
        const row = new Array<number>(cols).fill(0);
        row[0] = i;
        return row;
    });
    for (let j = 0; j < cols; j++) {
        d[0]![j] = j;
    }
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                best = Math.min(best, d[i - 2]![j - 2]! + 1);
            }
            d[i]![j] = best;
        }
    }
    return d[rows - 1]![cols - 1]!;
}

/**
 * The candidate a user most likely meant by `written`, or undefined when none is close enough.
 * A case-only difference always wins; otherwise at most a third of the name may differ (at least one edit).
 */
export function closestName(written: string, candidates: Iterable<string>): string | undefined {
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
