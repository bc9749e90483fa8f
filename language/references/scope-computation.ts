// Puts every event, state and socket of a machine into that machine's scope, whatever block declares it.
import { DefaultScopeComputation, MultiMap, type AstNode, type AstNodeDescription, type LangiumDocument, type LocalSymbols } from 'langium';
import { isModel, type Machine } from '../generated/ast.js';

/** The named declarations of a machine, in source order. */
export function declarationsOf(machine: Machine): AstNode[] {
    return [...machine.eventLists.flatMap((list) => list.events), ...machine.states, ...machine.sockets];
}

export class ReactorFsmScopeComputation extends DefaultScopeComputation {
    // Langium's API is async; this override has nothing to wait for, and stays `async` so that a throw still arrives
    // as a rejected promise.
    // eslint-disable-next-line @typescript-eslint/require-await
    override async collectLocalSymbols(document: LangiumDocument, _cancelToken?: unknown): Promise<LocalSymbols> {
        const symbols = new MultiMap<AstNode, AstNodeDescription>();
        const root = document.parseResult.value;
        if (!isModel(root)) {
            return symbols;
        }
        for (const machine of root.machines) {
            for (const node of declarationsOf(machine)) {
                const name = this.nameProvider.getName(node);
                if (name) {
                    symbols.add(machine, this.descriptions.createDescription(node, name, document));
                }
            }
        }
        return symbols;
    }
}
