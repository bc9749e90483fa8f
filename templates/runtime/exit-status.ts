// A process's exit status as a shell reports it: the exit code, or 128 + the signal's number when a signal ended it.
import { constants } from 'node:os';

/** The status of a process that ended with `code`, or of one a signal ended (`signal`); 1 when neither is known. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
    if (code !== null) {
        return code;
    }
    const number = signal === null ? undefined : (constants.signals as Partial<Record<NodeJS.Signals, number>>)[signal];
    return number === undefined ? 1 : 128 + number;
}
