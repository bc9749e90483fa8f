// What the diagram shows of a debug session: per instance, the active states, the last transitions taken, the armed
// timers and the transitions the user can fire (the `reactorFsm.live` custom event; the extension forwards it).
import type { ProgramSpec, StateSpec } from '../semantics/program.js';
import type { Snapshot } from './snapshot.js';

export interface LiveInstance {
    readonly threadId: number;
    readonly instance: string;
    readonly machine: string;
    /** Absolute path of the file declaring the machine. */
    readonly file: string;
    readonly finished: boolean;
    /** 1-based lines of the active states' declarations, ancestors included. */
    readonly states: readonly number[];
    /** The last transitions this instance took, most recent first: the line of the on/after clause. */
    readonly trail: readonly { readonly line: number; readonly event: string }[];
    /** Armed state timers: the line of the after clause. */
    readonly timers: readonly { readonly line: number; readonly label: string; readonly remainingMs: number }[];
    /** Transitions leaving an active state on an event the user can send now: the line of the on clause. */
    readonly fireable: readonly { readonly line: number; readonly event: string }[];
}

export interface LiveBody {
    readonly t: number;
    readonly instances: readonly LiveInstance[];
}

function specsByName(states: readonly StateSpec[], into: Map<string, StateSpec>): Map<string, StateSpec> {
    for (const state of states) {
        into.set(state.name, state);
        specsByName(state.children, into);
    }
    return into;
}

/** The live view of every instance at `snapshot`; thread ids are 1 + the instance's index. */
export function liveBody(program: ProgramSpec, snapshot: Snapshot): LiveBody {
    return {
        t: snapshot.t,
        instances: snapshot.instances.map((instance, index) => {
            const machine = program.machines.get(instance.machine);
            const specs = specsByName(machine?.states ?? [], new Map());
            const fireable = instance.finished
                ? []
                : instance.states.flatMap((state) =>
                      (specs.get(state.name)?.transitions ?? []).filter((transition) => !transition.done).map((transition) => ({ line: transition.spot.line, event: transition.event }))
                  );
            return {
                threadId: index + 1,
                instance: instance.name,
                machine: instance.machine,
                file: instance.machineSpot.path,
                finished: instance.finished,
                states: instance.states.map((state) => state.spot.line),
                trail: instance.trail.map((taken) => ({ line: taken.spot.line, event: taken.event })),
                timers: instance.timers.flatMap((timer) => (timer.spot ? [{ line: timer.spot.line, label: timer.label, remainingMs: timer.dueMs - snapshot.t }] : [])),
                fireable
            };
        })
    };
}
