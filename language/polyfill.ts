// Node 20 lacks Object.groupBy, which Langium 4.4's parser (chevrotain 13) calls; load this first in every entry point.
type GroupBy = <K extends PropertyKey, T>(items: Iterable<T>, keyOf: (item: T, index: number) => K) => Partial<Record<K, T[]>>;

const objectWithGroupBy = Object as unknown as { groupBy?: GroupBy };

if (typeof objectWithGroupBy.groupBy !== 'function') {
    const groupBy: GroupBy = <K extends PropertyKey, T>(items: Iterable<T>, keyOf: (item: T, index: number) => K) => {
        const groups = Object.create(null) as Partial<Record<K, T[]>>;
        let index = 0;
        for (const item of items) {
            const key = keyOf(item, index++);
            (groups[key] ??= []).push(item);
        }
        return groups;
    };
    Object.defineProperty(Object, 'groupBy', { value: groupBy, writable: true, configurable: true });
}
