// Puts every event, state (at any depth), region, history and socket of a machine into that machine's scope, whatever block declares it.
import { DefaultScopeComputation, MultiMap, type AstNode, type AstNodeDescription, type LangiumDocument, type LocalSymbols } from 'langium';
import { isModel, type Machine } from '../generated/ast.js';
import { allHistories, allRegions, allStates, isHierarchical } from '../ast/hierarchy.js';

/**
 * The named declarations of a machine: events, states at any depth (one namespace, so `-> Paused` works from anywhere),
 * regions, histories, sockets.
 */
export function declarationsOf(machine: Machine): AstNode[] {
    const events = machine.eventLists.flatMap((list) => list.events);
    if (!isHierarchical(machine)) {
        return [...events, ...machine.states, ...machine.sockets];
    }
    return [...events, ...allStates(machine), ...allRegions(machine), ...allHistories(machine), ...machine.sockets];
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
