// Counted words for people: `1 state`, `2 states`, and with digits grouped, `12,008 states`.

/** `1 state`, `2 states`. */
export function plural(count: number, word: string): string {
    return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `1 state`, `12,008 states`: the count with its digits grouped (en-US). */
export function pluralGrouped(count: number, word: string): string {
    return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}
