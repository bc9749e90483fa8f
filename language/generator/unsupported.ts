// What the generator cannot emit yet: hierarchical machines are refused, with the place in the model, until their code is right.
import { AstUtils } from 'langium';
import type { Machine, Model } from '../generated/ast.js';
import { allStates, isComposite, isHierarchical } from '../ast/hierarchy.js';
import { withSessions } from './sessions.js';

/** Thrown by generateProject for a model it cannot generate; `code` lets callers report it as a refusal, not a crash. */
export class GenerationRefusedError extends Error {
    readonly code = 'generation-refused';
}

/** `file:line:column: why` for every machine of the project the generator cannot emit (empty when all can be). */
export function unsupportedMachines(model: Model): string[] {
    return withSessions(model.machines).filter(isHierarchical).map(refusal);
}

function refusal(machine: Machine): string {
    const composite = allStates(machine).find((state) => isComposite(state) || state.histories.length > 0) ?? machine;
    const document = AstUtils.getDocument(machine);
    const start = composite.$cstNode?.range.start ?? { line: 0, character: 0 };
    const file = document.uri.path.split('/').pop() ?? document.uri.path;
    return `${file}:${start.line + 1}:${start.character + 1}: machine '${machine.name}' has composite states, which the generator does not emit yet (simulate runs it)`;
}
