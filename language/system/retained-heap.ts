// The heap still in use after a full garbage collection: what a search keeps, measured without the garbage it left
// (the heap grows and shrinks with collections during a search, so its growth alone says little).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/** Bytes of heap in use after a full collection (V8's `gc`, made reachable once without a command-line flag). */
export function retainedHeap(): number {
    if (!collect) {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
    }
    collect();
    return getHeapStatistics().used_heap_size;
}
