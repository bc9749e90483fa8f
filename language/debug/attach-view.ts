// What the debugger shows of an attached program: its instances' states with their places in the model, for the
// Call Stack and the diagram (the model file given with `program` tells where each state and transition is written).
import type { MachineSpec, ProgramSpec, SourceSpot, StateSpec } from '../semantics/program.js';
import type { AttachedInstance } from './attached-program.js';
import type { LiveBody, LiveInstance } from './live-view.js';

interface Placed {
    readonly spec: StateSpec;
    readonly parent: string | undefined;
}

/** Each machine's states by name, with their parents. */
export class ModelPlaces {
    private readonly states = new Map<string, Map<string, Placed>>();

    constructor(readonly program: ProgramSpec) {
        for (const machine of program.machines.values()) {
            const byName = new Map<string, Placed>();
            const add = (states: readonly StateSpec[], parent: string | undefined): void => {
                for (const state of states) {
                    byName.set(state.name, { spec: state, parent });
                    add(state.children, state.name);
                }
            };
            add(machine.states, undefined);
            this.states.set(machine.name, byName);
        }
    }

    machine(name: string): MachineSpec | undefined {
        return this.program.machines.get(name);
    }

    /** `states` and their parents, innermost first, each once. */
    withParents(machine: string, states: readonly string[]): Array<{ name: string; spot: SourceSpot | undefined }> {
        const byName = this.states.get(machine);
        const seen = new Set<string>();
        const result: Array<{ name: string; spot: SourceSpot | undefined }> = [];
        for (const state of states) {
            for (let name: string | undefined = state; name !== undefined && !seen.has(name); name = byName?.get(name)?.parent) {
                seen.add(name);
                result.push({ name, spot: byName?.get(name)?.spec.spot });
            }
        }
        return result;
    }

    /** Where the transition `from --event-->` is written: in `from` or a parent of it (a timer: its `after` clause). */
    transitionSpot(machine: string, from: string, event: string): SourceSpot | undefined {
        const byName = this.states.get(machine);
        for (let name: string | undefined = from; name !== undefined; name = byName?.get(name)?.parent) {
            const spec = byName?.get(name)?.spec;
            const found = spec?.transitions.find((transition) => transition.event === event) ?? spec?.timers.find((timer) => timer.label === event);
            if (found) {
                return found.spot;
            }
        }
        return undefined;
    }
}

/** The live view of the attached instances (no timers or fireable events: the real program owns them). */
export function attachedLiveBody(places: ModelPlaces, instances: ReadonlyArray<{ threadId: number; instance: AttachedInstance }>, t: number): LiveBody {
    return {
        t,
        instances: instances.flatMap(({ threadId, instance }): LiveInstance[] => {
            const machine = places.machine(instance.machine);
            if (!machine) {
                return [];
            }
            const states = places.withParents(instance.machine, instance.active).flatMap((state) => (state.spot ? [state.spot.line] : []));
            const trail = instance.trail.flatMap((taken) => {
                const spot = places.transitionSpot(instance.machine, taken.from, taken.event);
                return spot ? [{ line: spot.line, event: taken.event }] : [];
            });
            return [{ threadId, instance: instance.name, machine: instance.machine, file: machine.spot.path, finished: instance.finished, states, trail, timers: [], fireable: [] }];
        })
    };
}
