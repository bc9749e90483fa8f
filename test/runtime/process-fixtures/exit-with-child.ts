// Spawns `sleep 60` through a ProcessDispatcher (on a stand-in machine), prints its pid, then ends the program with
// process.exit(3) without closing it: the runtime must not leave the child behind.
import type { Machine } from '../../../templates/runtime/machine.js';
import { ProcessDispatcher } from '../../../templates/runtime/process-dispatcher.js';
import { NO_EVENT } from '../../../templates/runtime/stream-dispatcher.js';

const standIn = {
    name: 'Orphans',
    finished: false,
    tracing: false,
    source: undefined,
    host: { clock: { set: () => undefined, clear: () => undefined, now: () => 0 } },
    own: () => undefined,
    dispatch: () => undefined,
    traceIo: () => undefined
} as unknown as Machine;

const worker = new ProcessDispatcher(standIn, 'worker', { stdout: NO_EVENT, exit: NO_EVENT, error: NO_EVENT, drain: NO_EVENT }, { command: 'sleep', args: ['60'] });
worker.spawn();
setTimeout(() => {
    process.stdout.write(`${worker.pid ?? 'none'}\n`);
    process.exit(3);
}, 200);
