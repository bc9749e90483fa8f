// A full garbage collection between timed runs, so one run's garbage is not collected on the next run's clock.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = () => void;

function findCollector(): Collect | undefined {
    const exposed = (globalThis as { gc?: Collect }).gc;
    if (typeof exposed === 'function') {
        return exposed;
    }
    try {
        // Works without `node --expose-gc`: the flag applies to contexts created after it is set.
        setFlagsFromString('--expose-gc');
        const collect = runInNewContext('gc') as unknown;
        return typeof collect === 'function' ? (collect as Collect) : undefined;
    } catch {
        return undefined;
    }
}

const collector = findCollector();

/** Whether `collectGarbage` really collects (otherwise it does nothing). */
export const canCollectGarbage = collector !== undefined;

export function collectGarbage(): void {
    collector?.();
}
