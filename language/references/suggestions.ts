// "Did you mean …": the declared names closest to a misspelt one, ranked like TypeScript's getSpellingSuggestion
// (src/compiler/core.ts): adding or dropping a letter costs 1, changing one costs 2, so "Opn" is nearer "Open" than "Opx".

/** Names longer than this get no suggestion: nobody misspells a 64-character name, and the distance is quadratic. */
export const MAX_SUGGESTED_LENGTH = 64;

/** At most this many equally close names are offered in one message. */
export const MAX_SUGGESTIONS = 3;

/**
 * The cost of turning `a` into `b` when inserting or deleting a character costs 1 and substituting one costs 2
 * (TypeScript's levenshteinWithMax, without its case discount: callers compare lower-cased names), or undefined as
 * soon as it must exceed `max`. Only the band of width 2·max+1 around the diagonal is computed, in two rows.
 */
export function spellingDistance(a: string, b: string, max: number): number | undefined {
    if (Math.abs(a.length - b.length) > max) {
        return undefined;
    }
    const big = max + 1; // any value above max
    let previous = Array.from({ length: b.length + 1 }, (_, j) => (j <= max ? j : big));
    let current = new Array<number>(b.length + 1).fill(big);
    for (let i = 1; i <= a.length; i++) {
        const from = Math.max(1, i - max);
        const to = Math.min(b.length, i + max);
        // Cells just outside the band read as "too far" (the row array holds stale values from two rows back).
        current[0] = i <= max ? i : big;
        current[from - 1] = from - 1 === 0 ? current[0] : big;
        if (to < b.length) {
            current[to + 1] = big;
        }
        let rowMin = current[0];
        for (let j = from; j <= to; j++) {
            const cost = a[i - 1] === b[j - 1] ? previous[j - 1]! : Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + 2);
            current[j] = Math.min(cost, big);
            rowMin = Math.min(rowMin, current[j]!);
        }
        if (rowMin > max) {
            return undefined; // every path already costs more: later rows cannot get cheaper
        }
        [previous, current] = [current, previous];
    }
    const distance = previous[b.length]!;
    return distance > max ? undefined : distance;
}

/**
 * The candidates a user most likely meant by `written`, in the order given (source order), or [] when none is close.
 * Names that differ only in case win outright. Otherwise a candidate may be at most ⌊0.4 × length⌋ away (see
 * spellingDistance), as in TypeScript; only the closest are kept, and when several are equally close the first
 * MAX_SUGGESTIONS of them are all named.
 */
export function closestNames(written: string, candidates: Iterable<string>): string[] {
    if (written.length > MAX_SUGGESTED_LENGTH) {
        return [];
    }
    const lower = written.toLowerCase();
    const limit = Math.floor(written.length * 0.4);
    const caseOnly: string[] = [];
    let best: string[] = [];
    let bestDistance = limit;
    const seen = new Set<string>();
    for (const candidate of candidates) {
        if (candidate === written || seen.has(candidate)) {
            continue;
        }
        seen.add(candidate);
        const candidateLower = candidate.toLowerCase();
        if (candidateLower === lower) {
            caseOnly.push(candidate);
            continue;
        }
        if (caseOnly.length > 0) {
            continue; // a case-only difference wins: no need to measure the rest
        }
        const distance = spellingDistance(lower, candidateLower, bestDistance);
        if (distance === undefined) {
            continue;
        }
        if (distance < bestDistance || best.length === 0) {
            best = [candidate];
            bestDistance = distance;
        } else {
            best.push(candidate);
        }
    }
    return (caseOnly.length > 0 ? caseOnly : best).slice(0, MAX_SUGGESTIONS);
}

/** The one candidate most likely meant (the first of closestNames), or undefined when none is close enough. */
export function closestName(written: string, candidates: Iterable<string>): string | undefined {
    return closestNames(written, candidates)[0];
}

/** `'A'`, `'A' or 'B'`, `'A', 'B' or 'C'`. */
export function quotedAlternatives(names: readonly string[]): string {
    const quoted = names.map((name) => `'${name}'`);
    return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)!}`;
}

/**
 * Plain edit distance (insertions, deletions, substitutions, adjacent swaps, each 1), in three rows of memory.
 * Suggestions no longer use it (they rank with spellingDistance); kept for its callers.
 */
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
