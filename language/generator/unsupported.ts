// What the generator cannot emit: a deep history over parallel regions (what it remembers is a set of states, one per
// region, which no precomputed entry sequence covers), refused with the place in the model.
import { AstUtils, type AstNode } from 'langium';
import type { History, Machine, Model, State } from '../generated/ast.js';
import { allHistories, allStates } from '../ast/hierarchy.js';
import { withSessions } from './sessions.js';

/** Thrown by generateProject for a model it cannot generate; `code` lets callers report it as a refusal, not a crash. */
export class GenerationRefusedError extends Error {
    readonly code = 'generation-refused';
}

/** `file:line:column: why` for every construct of the project's machines the generator cannot emit (empty when all can be). */
export function unsupportedMachines(model: Model): string[] {
    return withSessions(model.machines).flatMap((machine) => allHistories(machine).filter((history) => history.deep && overRegions(machine, history)).map((history) => refusal(machine, history)));
}

/** True when the deep history's composite holds a parallel state (or is one). */
function overRegions(machine: Machine, history: History): boolean {
    const holder = history.$container;
    const inside = (state: State): boolean => {
        for (let node: AstNode | undefined = state; node && node !== machine; node = node.$container) {
            if (node === holder) {
                return true;
            }
        }
        return false;
    };
    return allStates(machine).some((state) => state.parallel && inside(state));
}

function refusal(machine: Machine, history: History): string {
    const document = AstUtils.getDocument(machine);
    const start = history.$cstNode?.range.start ?? { line: 0, character: 0 };
    const file = document.uri.path.split('/').pop() ?? document.uri.path;
    return `${file}:${start.line + 1}:${start.character + 1}: machine '${machine.name}': the generator does not emit a deep history over parallel regions ('${history.name}'); use a shallow history, or simulate the model`;
}
