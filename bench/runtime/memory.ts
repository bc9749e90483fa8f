// Part 2: heap bytes per live machine instance: 10,000 started generated machines against 10,000 started XState actors.
import type { AnyActorRef } from 'xstate';
import type { GeneratedTcp } from './generated-tcp.js';
import { collectGarbage } from './gc.js';
import { median } from './stats.js';
import { counters } from './tcp-model.js';
import { startActor, xstateTcpMachine } from './xstate-machine.js';

export interface MemoryResult {
    readonly instances: number;
    /** Median heap bytes per instance over the rounds. */
    readonly generated: number;
    readonly xstate: number;
    readonly rounds: { readonly generated: number[]; readonly xstate: number[] };
}

/**
 * Heap growth per instance while `count` instances made by `create` are alive. The array holding them is
 * allocated before the first reading, so it is not counted; a few instances are made first so that code
 * and inline-cache data allocated on first use are not counted either.
 */
function bytesPerInstance(count: number, create: () => unknown, dispose: (instance: unknown) => void): number {
    const warm = Array.from({ length: 100 }, create);
    warm.forEach(dispose);
    const live = new Array<unknown>(count).fill(undefined);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) {
        live[i] = create();
    }
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    // Still alive at the reading; now released.
    live.forEach(dispose);
    live.fill(undefined);
    return (after - before) / count;
}

export function measureMemory(generated: GeneratedTcp, count: number, rounds: number): MemoryResult {
    const { actions } = counters();
    const definition = xstateTcpMachine(actions);
    const result = { generated: [] as number[], xstate: [] as number[] };
    for (let round = 0; round < rounds; round++) {
        result.generated.push(
            bytesPerInstance(
                count,
                () => {
                    const machine = new generated.TcpMachine(generated.host, actions);
                    machine.start();
                    return machine;
                },
                () => undefined
            )
        );
        result.xstate.push(
            bytesPerInstance(
                count,
                () => startActor(definition),
                (actor) => (actor as AnyActorRef).stop()
            )
        );
    }
    collectGarbage();
    return { instances: count, generated: median(result.generated), xstate: median(result.xstate), rounds: result };
}
