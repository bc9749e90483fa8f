// An instance as a finding shows it at the end of its trace: `Name: State`, with how it ended.
import type { Instance } from '../semantics/instance.js';

/**
 * `Name: State`, then ` (finished)`, or ` (exited)` when the program exited (a listen error no machine maps) or
 * stopped (`stop`) while the instance still ran. `state` is its state name, when the caller has it already.
 */
export function instanceText(instance: Instance, exited: boolean, state: string = instance.stateName): string {
    return `${instance.name}: ${state}${instance.finished ? ' (finished)' : exited ? ' (exited)' : ''}`;
}
