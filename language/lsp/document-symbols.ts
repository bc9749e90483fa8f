// The outline: each machine with its events, states, sockets and signals, in source order; states nest as in the source.
// Langium's default lists every node with a `name` (user actions and guards too), puts one kind on all of them,
// and skips signals, whose name is the `signal` property.
import { GrammarUtils, type AstNode, type CstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver';
import { isModel, type Event, type History, type Machine, type Region, type Signal, type Socket, type State } from '../generated/ast.js';
import { isComposite } from '../ast/hierarchy.js';
import { socketDetail } from '../ast/socket-detail.js';

/**
 * The symbol kind of each declaration (docs: a machine is a Class, its states EnumMembers, like their colours).
 * A composite state holds states as an Enum holds members; a parallel state is a Struct of regions side by side,
 * each region a Namespace of states; a history is a Variable: it holds what was active.
 */
export const ReactorFsmSymbolKinds = {
    machine: SymbolKind.Class,
    event: SymbolKind.Event,
    state: SymbolKind.EnumMember,
    compositeState: SymbolKind.Enum,
    parallelState: SymbolKind.Struct,
    region: SymbolKind.Namespace,
    history: SymbolKind.Variable,
    socket: SymbolKind.Interface,
    signal: SymbolKind.Constant
} as const;

export class ReactorFsmDocumentSymbolProvider implements DocumentSymbolProvider {
    getSymbols(document: LangiumDocument, _params: DocumentSymbolParams): MaybePromise<DocumentSymbol[]> {
        const model = document.parseResult.value;
        if (!isModel(model)) {
            return [];
        }
        return model.machines.flatMap((machine) => this.machineSymbol(machine));
    }

    protected machineSymbol(machine: Machine): DocumentSymbol[] {
        const { add, members } = sourceOrder();
        for (const event of machine.eventLists.flatMap((list) => list.events)) {
            add(event, this.eventSymbol(event));
        }
        for (const state of machine.states) {
            add(state, this.stateSymbol(state));
        }
        for (const socket of machine.sockets) {
            add(socket, this.socketSymbol(socket));
        }
        for (const signal of machine.signals) {
            add(signal, this.signalSymbol(signal));
        }
        const symbol = this.symbol(machine, 'name', ReactorFsmSymbolKinds.machine);
        if (!symbol) {
            // A machine without a name (a syntax error): keep its members visible at the top level.
            return members();
        }
        symbol.children = members();
        return [symbol];
    }

    protected eventSymbol(event: Event): DocumentSymbol | undefined {
        return this.symbol(event, 'name', ReactorFsmSymbolKinds.event);
    }

    /** A state, with the states, regions and histories inside it as children, in source order. */
    protected stateSymbol(state: State): DocumentSymbol | undefined {
        const detail = [state.initial ? 'initial' : undefined, state.final ? 'final' : undefined, state.parallel ? 'parallel' : undefined].filter(Boolean).join(' ');
        const kind = state.parallel ? ReactorFsmSymbolKinds.parallelState : isComposite(state) ? ReactorFsmSymbolKinds.compositeState : ReactorFsmSymbolKinds.state;
        const symbol = this.symbol(state, 'name', kind, detail);
        if (symbol) {
            const { add, members } = sourceOrder();
            state.states.forEach((child) => add(child, this.stateSymbol(child)));
            state.regions.forEach((region) => add(region, this.regionSymbol(region)));
            state.histories.forEach((history) => add(history, this.historySymbol(history)));
            setChildren(symbol, members());
        }
        return symbol;
    }

    protected regionSymbol(region: Region): DocumentSymbol | undefined {
        const symbol = this.symbol(region, 'name', ReactorFsmSymbolKinds.region, 'region');
        if (symbol) {
            const { add, members } = sourceOrder();
            region.states.forEach((child) => add(child, this.stateSymbol(child)));
            region.histories.forEach((history) => add(history, this.historySymbol(history)));
            setChildren(symbol, members());
        }
        return symbol;
    }

    /** `deep history -> Paused`: how much it remembers and its default (its composite is the symbol around it). */
    protected historySymbol(history: History): DocumentSymbol | undefined {
        const target = history.default?.$refText;
        const detail = `${history.deep ? 'deep' : 'shallow'} history${target ? ` -> ${target}` : ''}`;
        return this.symbol(history, 'name', ReactorFsmSymbolKinds.history, detail);
    }

    protected socketSymbol(socket: Socket): DocumentSymbol | undefined {
        // The address as the socket uses it: `"host:1"` and `host:1` are the same address.
        return this.symbol(socket, 'name', ReactorFsmSymbolKinds.socket, socketDetail(socket));
    }

    protected signalSymbol(signal: Signal): DocumentSymbol | undefined {
        const event = signal.event?.$refText;
        return this.symbol(signal, 'signal', ReactorFsmSymbolKinds.signal, event ? `-> ${event}` : undefined);
    }

    /** A symbol spanning `node`, selected at the text of its `property` (none when that text is missing). */
    protected symbol(node: AstNode, property: string, kind: SymbolKind, detail?: string): DocumentSymbol | undefined {
        const cstNode = node.$cstNode;
        const nameNode: CstNode | undefined = GrammarUtils.findNodeForProperty(cstNode, property);
        const name = nameNode?.text.trim();
        if (!cstNode || !nameNode || !name) {
            return undefined; // LSP clients refuse symbols with an empty name
        }
        const symbol: DocumentSymbol = { name, kind, range: cstNode.range, selectionRange: nameNode.range };
        if (detail) {
            symbol.detail = detail;
        }
        return symbol;
    }
}

/** Collects symbols with their nodes' offsets; `members()` returns them in source order. */
function sourceOrder(): { add: (node: AstNode, symbol: DocumentSymbol | undefined) => void; members: () => DocumentSymbol[] } {
    const collected: Array<{ offset: number; symbol: DocumentSymbol }> = [];
    return {
        add: (node, symbol) => {
            if (symbol) {
                collected.push({ offset: node.$cstNode?.offset ?? 0, symbol });
            }
        },
        members: () => collected.sort((a, b) => a.offset - b.offset).map((member) => member.symbol)
    };
}

/** Children only when there are some: an atomic state's symbol stays as it was. */
function setChildren(symbol: DocumentSymbol, children: DocumentSymbol[]): void {
    if (children.length > 0) {
        symbol.children = children;
    }
}
