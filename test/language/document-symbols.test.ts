// The outline through the real services: machines with their events, states, sockets and signals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { describe, expect, test } from 'vitest';
import { ReactorFsmDocumentSymbolProvider } from '../../language/lsp/document-symbols.js';
import { services, withDocuments } from '../helpers.js';

const kindNames = new Map<number, string>(Object.entries(SymbolKind).map(([name, value]) => [value as number, name]));

/** The document symbols of `text`, from a document built and then removed again. */
function symbolsOf(text: string): Promise<{ symbols: DocumentSymbol[]; textAt: (range: DocumentSymbol['range']) => string }> {
    return withDocuments([text], async ([document]) => {
        const symbols = await services.lsp.DocumentSymbolProvider!.getSymbols(document!, { textDocument: { uri: document!.uri.toString() } });
        return { symbols, textAt: (range) => document!.textDocument.getText(range) };
    });
}

/** One line per symbol, `Kind name (detail)`, children indented by two spaces. */
function outline(symbols: DocumentSymbol[], indent = ''): string[] {
    return symbols.flatMap((symbol) => [
        `${indent}${kindNames.get(symbol.kind)} ${symbol.name}${symbol.detail ? ` (${symbol.detail})` : ''}`,
        ...outline(symbol.children ?? [], `${indent}  `)
    ]);
}

describe('document symbols', () => {
    test('come from the provider the language module registers', () => {
        expect(services.lsp.DocumentSymbolProvider).toBeInstanceOf(ReactorFsmDocumentSymbolProvider);
    });

    test('the outline of examples/echo-server.fsm', async () => {
        const text = readFileSync(join(import.meta.dirname, '../../examples/echo-server.fsm'), 'utf8');
        const { symbols } = await symbolsOf(text);
        expect(outline(symbols)).toEqual([
            'Class EchoServer',
            '  Event Joined',
            '  Event Shutdown',
            '  EnumMember Serving (initial)',
            '  EnumMember Stopped (final)',
            '  Interface listener (server 0.0.0.0:7000)',
            '  Constant SIGTERM (-> Shutdown)',
            'Class EchoSession',
            '  Event Data',
            '  Event PeerClosed',
            '  Event Failed',
            '  Event Idle',
            '  EnumMember Open (initial)',
            '  EnumMember Closing',
            '  EnumMember Closed (final)',
            '  Interface peer (connection)'
        ]);
    });

    test('ranges cover the declaration and select its name', async () => {
        const { symbols, textAt } = await symbolsOf('machine M {\n    events A, B\n    initial state S { on A -> S }\n    client c connect "h:1" { read -> B }\n    signal SIGHUP -> A\n}\n');
        const [machine] = symbols;
        expect(textAt(machine!.selectionRange)).toBe('M');
        expect(textAt(machine!.range)).toMatch(/^machine M \{[\s\S]*\}$/);
        const children = machine!.children!;
        expect(children.map((child) => textAt(child.selectionRange))).toEqual(['A', 'B', 'S', 'c', 'SIGHUP']);
        expect(children.map((child) => textAt(child.range))).toEqual([
            'A',
            'B',
            'initial state S { on A -> S }',
            'client c connect "h:1" { read -> B }',
            'signal SIGHUP -> A'
        ]);
        // The address without its quotes, as the socket uses it.
        expect(children[3]!.detail).toBe('client h:1');
    });

    test('members appear in source order, user actions and guards do not appear', async () => {
        const { symbols } = await symbolsOf(`machine session {
    state read { on close [timeout] / idle, close connect }
    events close
    client connect connect a:1 { close -> close }
    initial final state S { entry stop }
}
`);
        expect(outline(symbols)).toEqual([
            'Class session',
            '  EnumMember read',
            '  Event close',
            '  Interface connect (client a:1)',
            '  EnumMember S (initial final)'
        ]);
    });

    test('incomplete models give the symbols that have a name, never an empty one', async () => {
        for (const text of ['machine', 'machine {', 'machine M { events', 'machine M { state', 'machine M { signal -> X client', 'machine { events A initial state S }']) {
            const { symbols } = await symbolsOf(text);
            const names = (list: DocumentSymbol[]): string[] => list.flatMap((s) => [s.name, ...names(s.children ?? [])]);
            expect(names(symbols).every((name) => name.length > 0)).toBe(true);
        }
        const { symbols } = await symbolsOf('machine M { events A initial state S { on A -> ');
        expect(outline(symbols)).toEqual(['Class M', '  Event A', '  EnumMember S (initial)']);
    });

    test('states nest as in the source: composite children, regions holding their states, histories under their composite', async () => {
        const { symbols, textAt } = await symbolsOf(`machine Player {
    events Play, Pause, Mute
    initial state Stopped { on Play -> Resume }
    state Active {
        on Pause -> Stopped
        history Resume
        initial state Playing {
            deep history Inner -> Slow
            initial state Fast { on Pause -> Slow }
            final state Slow
        }
        state Paused { on Play -> Playing }
        on done -> Stopped
    }
    parallel state Settings {
        region Sound {
            initial state Loud { on Mute -> Quiet }
            final state Quiet
        }
        region Clock { initial final state Running }
    }
}
`);
        expect(outline(symbols)).toEqual([
            'Class Player',
            '  Event Play',
            '  Event Pause',
            '  Event Mute',
            '  EnumMember Stopped (initial)',
            '  Enum Active',
            '    Variable Resume (shallow history)',
            '    Enum Playing (initial)',
            '      Variable Inner (deep history -> Slow)',
            '      EnumMember Fast (initial)',
            '      EnumMember Slow (final)',
            '    EnumMember Paused',
            '  Struct Settings (parallel)',
            '    Namespace Sound (region)',
            '      EnumMember Loud (initial)',
            '      EnumMember Quiet (final)',
            '    Namespace Clock (region)',
            '      EnumMember Running (initial final)'
        ]);
        const settings = symbols[0]!.children!.find((symbol) => symbol.name === 'Settings')!;
        const sound = settings.children![0]!;
        expect(textAt(sound.selectionRange)).toBe('Sound');
        expect(textAt(sound.range)).toMatch(/^region Sound \{[\s\S]*final state Quiet\s*\}$/);
        const inner = symbols[0]!.children!.find((symbol) => symbol.name === 'Active')!.children![1]!.children![0]!;
        expect(textAt(inner.range)).toBe('deep history Inner -> Slow');
        // An atomic state has no children list, as before.
        expect(symbols[0]!.children!.find((symbol) => symbol.name === 'Stopped')!.children).toBeUndefined();
    });

    test('an unfinished nested block keeps the symbols that have a name', async () => {
        const { symbols } = await symbolsOf('machine M { events A parallel state P { region R { initial state S { on A -> ');
        expect(outline(symbols)).toEqual(['Class M', '  Event A', '  Struct P (parallel)', '    Namespace R (region)', '      EnumMember S (initial)']);
    });
});
