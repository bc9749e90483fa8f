// An observer that prints what machines do, one line per transition, for the scaffold's --trace and for debugging.
import type { MachineObserver } from './machine.js';

export function traceObserver(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): MachineObserver {
    return {
        transition: (machine, from, event, to) => write(from === '' ? `[${machine.name}] starts in ${to}` : `[${machine.name}] ${from} --${event}--> ${to}`),
        unhandled: (machine, state, event) => write(`[${machine.name}] ${state}: ${event} ignored`),
        finished: (machine) => write(`[${machine.name}] finished`),
        error: (machine, error, event) => write(`[${machine.name}] action failed on ${event}: ${error instanceof Error ? error.message : String(error)}`)
    };
}
