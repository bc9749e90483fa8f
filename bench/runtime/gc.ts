// Full garbage collections, from `node --expose-gc` (run.ts re-spawns itself with the flag when it is missing).

type Collect = () => void;

function collector(): Collect | undefined {
    const exposed = (globalThis as { gc?: Collect }).gc;
    return typeof exposed === 'function' ? exposed : undefined;
}

export function canCollectGarbage(): boolean {
    return collector() !== undefined;
}

/** Two full collections (the second one frees what finalizers of the first released); nothing without --expose-gc. */
export function collectGarbage(): void {
    const collect = collector();
    collect?.();
    collect?.();
}
