// The outline: each machine with its events, states, sockets and signals, in source order.
// Langium's default lists every node with a `name` (user actions and guards too), puts one kind on all of them,
// and skips signals, whose name is the `signal` property.
import { GrammarUtils, type AstNode, type CstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver';
import { isModel, type Event, type Machine, type Signal, type Socket, type State } from '../generated/ast.js';

/** The symbol kind of each declaration (docs: a machine is a Class, its states EnumMembers, like their colours). */
export const ReactorFsmSymbolKinds = {
    machine: SymbolKind.Class,
    event: SymbolKind.Event,
    state: SymbolKind.EnumMember,
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
        const members: Array<{ offset: number; symbol: DocumentSymbol }> = [];
        const add = (node: AstNode, symbol: DocumentSymbol | undefined): void => {
            if (symbol) {
                members.push({ offset: node.$cstNode?.offset ?? 0, symbol });
            }
        };
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
        members.sort((a, b) => a.offset - b.offset);
        const symbol = this.symbol(machine, 'name', ReactorFsmSymbolKinds.machine);
        if (!symbol) {
            // A machine without a name (a syntax error): keep its members visible at the top level.
            return members.map((member) => member.symbol);
        }
        symbol.children = members.map((member) => member.symbol);
        return [symbol];
    }

    protected eventSymbol(event: Event): DocumentSymbol | undefined {
        return this.symbol(event, 'name', ReactorFsmSymbolKinds.event);
    }

    protected stateSymbol(state: State): DocumentSymbol | undefined {
        const detail = [state.initial ? 'initial' : undefined, state.final ? 'final' : undefined].filter(Boolean).join(' ');
        return this.symbol(state, 'name', ReactorFsmSymbolKinds.state, detail);
    }

    protected socketSymbol(socket: Socket): DocumentSymbol | undefined {
        // The address as the socket uses it: `"host:1"` and `host:1` are the same address.
        const address = socket.$type === 'Connection' ? '' : (socket.address ?? '').replace(/^"(.*)"$/, '$1');
        return this.symbol(socket, 'name', ReactorFsmSymbolKinds.socket, `${socket.$type.toLowerCase()} ${address}`.trim());
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
