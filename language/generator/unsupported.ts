// What the generator cannot emit: a transition from inside a composite to its own deep history over parallel regions
// (which states it leaves would depend on the states remembered, one per region), refused with the place in the model.
import { AstUtils, type AstNode } from 'langium';
import { isHistory, isState, type History, type Machine, type Model, type State, type Timer, type Transition } from '../generated/ast.js';
import { allStates } from '../ast/hierarchy.js';
import { withSessions } from './sessions.js';

/** Thrown by generateProject for a model it cannot generate; `code` lets callers report it as a refusal, not a crash. */
export class GenerationRefusedError extends Error {
    readonly code = 'generation-refused';
}

/** `file:line:column: why` for every construct of the project's machines the generator cannot emit (empty when all can be). */
export function unsupportedMachines(model: Model): string[] {
    return withSessions(model.machines).flatMap((machine) =>
        allStates(machine).flatMap((state) =>
            [...state.transitions, ...state.timers].filter((trigger) => fromInsideToDeepOverRegions(machine, state, trigger)).map((trigger) => refusal(machine, trigger))
        )
    );
}

function inside(node: AstNode, holder: AstNode, machine: Machine): boolean {
    for (let parent = node.$container; parent && parent !== machine; parent = parent.$container) {
        if (parent === holder) {
            return true;
        }
    }
    return false;
}

/** A transition declared strictly inside a compound state (or region) to that composite's deep history over parallel regions. */
function fromInsideToDeepOverRegions(machine: Machine, source: State, trigger: Transition | Timer): boolean {
    const target = trigger.target?.ref;
    if (!isHistory(target) || !target.deep) {
        return false;
    }
    const holder = target.$container;
    if (isState(holder) && holder.parallel) {
        return false; // leaving a parallel state's region leaves the parallel state: its domain is fixed
    }
    return inside(source, holder, machine) && overRegions(machine, target);
}

/** True when the deep history's composite holds a parallel state. */
function overRegions(machine: Machine, history: History): boolean {
    return allStates(machine).some((state) => state.parallel && inside(state, history.$container, machine));
}

function refusal(machine: Machine, trigger: Transition | Timer): string {
    const document = AstUtils.getDocument(machine);
    const start = trigger.$cstNode?.range.start ?? { line: 0, character: 0 };
    const file = document.uri.path.split('/').pop() ?? document.uri.path;
    return `${file}:${start.line + 1}:${start.character + 1}: machine '${machine.name}': the generator does not emit a transition from inside '${trigger.target?.ref?.$container.name ?? ''}' to its deep history over parallel regions ('${trigger.target?.$refText ?? ''}'); target it from outside, or simulate the model`;
}
