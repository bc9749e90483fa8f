// The document update handler in-process: a burst of didChange events builds the last text once, a lone change builds
// at once (no pause), requests wait through the pause, and no URI of a superseded update is lost.
import { EmptyFileSystem, URI, type LangiumDocument, type LangiumDocumentFactory } from 'langium';
import { DocumentState } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PendingUpdate } from '../../language/lsp/pending-update.js';
import { SETTLE_MS } from '../../language/lsp/document-update-handler.js';
import { createReactorFsmServices } from '../../language/module.js';
import type { Model } from '../../language/generated/ast.js';

const machine = (name: string, states: number): string => {
    const lines = [`machine ${name} {`, '    events Go', '    initial state S0 {', '        on Go -> S1', '    }'];
    for (let i = 1; i < states; i++) {
        lines.push(`    state S${i} {`, `        on Go -> S${(i + 1) % states}`, '    }');
    }
    lines.push('}');
    return lines.join('\n');
};

/** Fresh services with a ready workspace, the editor's documents, and a count of parses per URI. */
async function editorSession(): Promise<{
    shared: LangiumSharedServices;
    open: (uri: string, text: string) => void;
    change: (uri: string, text: string) => void;
    close: (uri: string) => void;
    parses: Map<string, number>;
    built: (uri: string) => Promise<LangiumDocument<Model>>;
}> {
    const { shared } = createReactorFsmServices(EmptyFileSystem);
    await shared.workspace.WorkspaceManager.initializeWorkspace([]);
    const parses = new Map<string, number>();
    const factory: LangiumDocumentFactory = shared.workspace.LangiumDocumentFactory;
    const update = factory.update.bind(factory);
    vi.spyOn(factory, 'update').mockImplementation((document, token) => {
        const key = document.uri.toString();
        parses.set(key, (parses.get(key) ?? 0) + 1);
        return update(document, token);
    });
    const texts = shared.workspace.TextDocuments;
    const handler = shared.lsp.DocumentUpdateHandler;
    const put = (uri: string, text: string): TextDocument => {
        const previous = texts.get(uri);
        const document = TextDocument.create(uri, 'reactor-fsm', (previous?.version ?? 0) + 1, text);
        texts.set(document);
        return document;
    };
    return {
        shared,
        parses,
        // Opening a document reaches the handler as a change of its content (TextDocuments fires both).
        open: (uri, text) => handler.didChangeContent?.({ document: put(uri, text) }),
        change: (uri, text) => handler.didChangeContent?.({ document: put(uri, text) }),
        close: (uri) => {
            const document = texts.get(uri)!;
            texts.delete(uri);
            handler.didCloseDocument?.({ document });
        },
        built: async (uri) => {
            // As a request would: after the notifications before it have been handled.
            await new Promise((resolve) => setImmediate(resolve));
            await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, URI.parse(uri));
            return shared.workspace.LangiumDocuments.getDocument(URI.parse(uri)) as LangiumDocument<Model>;
        }
    };
}

const A = 'file:///models/a.fsm';
const B = 'file:///models/b.fsm';

describe('coalescing document updates', () => {
    afterEach(() => {
        vi.useRealTimers();
        vi.restoreAllMocks();
    });

    it('builds the last of 200 back-to-back changes, parsing the document a handful of times rather than 200', async () => {
        const session = await editorSession();
        session.change(A, machine('M0', 40));
        for (let version = 1; version <= 200; version++) {
            session.change(A, machine(`M${version}`, 40));
        }
        const document = await session.built(A);
        expect(document.parseResult.value.machines.map((m) => m.name)).toEqual(['M200']);
        expect(document.diagnostics).toEqual([]);
        expect(session.parses.get(A)).toBeLessThanOrEqual(3);
    });

    describe('with setTimeout under the test\'s control', () => {
        beforeEach(() => {
            vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        });

        it('builds a lone change at once, without waiting for a quiet moment', async () => {
            const session = await editorSession();
            session.change(A, machine('Lone', 5));
            // Were the build waiting SETTLE_MS, this would never resolve: no timer advances.
            const document = await session.built(A);
            expect(document.parseResult.value.machines[0]?.name).toBe('Lone');
        });

        it('lets a request of a burst wait through the pause and see the last version', async () => {
            const session = await editorSession();
            session.change(A, machine('First', 5));
            await session.built(A);
            vi.advanceTimersByTime(SETTLE_MS * 2);
            session.change(A, machine('Second', 5));
            session.change(A, machine('Third', 5));
            let answered: string | undefined;
            const request = session.built(A).then((document) => (answered = document.parseResult.value.machines[0]?.name));
            for (let tick = 0; tick < 5; tick++) {
                await new Promise((resolve) => setImmediate(resolve));
            }
            expect(answered, 'the request waits for the pause').toBeUndefined();
            await vi.advanceTimersByTimeAsync(SETTLE_MS);
            await request;
            expect(answered).toBe('Third');
        });
    });

    it('keeps the URIs of superseded updates: a burst across two files builds both', async () => {
        const session = await editorSession();
        session.open(A, machine('Alpha', 3));
        session.open(B, machine('Beta', 3));
        await Promise.all([session.built(A), session.built(B)]);
        session.change(A, machine('AlphaTwo', 3));
        session.change(B, machine('BetaTwo', 3));
        session.change(A, machine('AlphaThree', 3));
        const [a, b] = await Promise.all([session.built(A), session.built(B)]);
        expect(a.parseResult.value.machines[0]?.name).toBe('AlphaThree');
        expect(b.parseResult.value.machines[0]?.name).toBe('BetaTwo');
    });

    it('closes an editor-only model in the middle of a burst without losing the other file\'s change', async () => {
        const session = await editorSession();
        const untitled = 'untitled:Untitled-1';
        session.open(untitled, machine('Scratch', 3));
        session.open(A, machine('Alpha', 3));
        await Promise.all([session.built(untitled), session.built(A)]);
        session.change(A, machine('AlphaTwo', 3));
        session.close(untitled);
        const a = await session.built(A);
        expect(a.parseResult.value.machines[0]?.name).toBe('AlphaTwo');
        expect(session.shared.workspace.LangiumDocuments.hasDocument(URI.parse(untitled))).toBe(false);
    });
});

describe('pending update URIs', () => {
    const a = URI.parse(A);
    const b = URI.parse(B);
    const names = (uris: URI[]): string[] => uris.map((uri) => uri.toString()).sort();

    it('keeps the last word about a URI and empties on take', () => {
        const pending = new PendingUpdate();
        pending.add([a], []);
        pending.add([], [a]);
        pending.add([b], []);
        expect(pending.size).toBe(2);
        const taken = pending.take();
        expect(names(taken.changed)).toEqual([B]);
        expect(names(taken.deleted)).toEqual([A]);
        expect(pending.size).toBe(0);
        expect(pending.take()).toEqual({ changed: [], deleted: [] });
    });

    it('restores a cancelled update only where nothing newer was said', () => {
        const pending = new PendingUpdate();
        pending.add([a], []); // newer: a changed again (recreated)
        pending.restore([b], [a]); // older, cancelled: b changed, a deleted
        const taken = pending.take();
        expect(names(taken.changed)).toEqual([A, B]);
        expect(taken.deleted).toEqual([]);
    });
});
