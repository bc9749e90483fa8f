// Completion, hover, quick fixes and code lenses through the real services, on documents with a cursor marker.
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Position } from 'vscode-languageserver';
import { AstUtils, GrammarAST } from 'langium';
import { keywordDoc } from '../../language/lsp/keyword-docs.js';
import { services, validate, withDocuments } from '../helpers.js';

const CURSOR = '<|>';

async function atCursor(textWithCursor: string, others: string[] = []): Promise<{ document: Awaited<ReturnType<typeof validate>>['document']; diagnostics: Diagnostic[]; position: Position }> {
    const offset = textWithCursor.indexOf(CURSOR);
    const text = textWithCursor.replace(CURSOR, '');
    const { document, diagnostics } = await validate(text, others);
    return { document, diagnostics, position: document.textDocument.positionAt(offset) };
}

async function completionLabels(textWithCursor: string): Promise<Map<string, { detail?: string; kind?: number }>> {
    const { document, position } = await atCursor(textWithCursor);
    const list = await services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri: document.textDocument.uri }, position });
    return new Map((list?.items ?? []).map((item) => [item.label, { detail: item.detail, kind: item.kind }]));
}

async function hoverText(textWithCursor: string): Promise<string> {
    const { document, position } = await atCursor(textWithCursor);
    const hover = await services.lsp.HoverProvider!.getHoverContent(document, { textDocument: { uri: document.textDocument.uri }, position });
    const contents = hover?.contents;
    return contents && typeof contents === 'object' && 'value' in contents ? contents.value : '';
}

function applyEdits(text: string, action: CodeAction, uri: string): string {
    const document = TextDocument.create(uri, 'reactor-fsm', 1, text);
    return TextDocument.applyEdits(document, action.edit?.changes?.[uri] ?? []);
}

const MODEL = `machine Client {
    events Connected, Data, Shutdown
    initial state Connecting { on Connected -> Online  on Shutdown -> Done }
    state Online { on Data / show  on Shutdown -> Done }
    final state Done
    client upstream connect 127.0.0.1:7000 { connect -> Connected  read -> Data }
    signal SIGTERM -> Shutdown
}`;

describe('completion', () => {
    it('offers the declared states as targets, with what they are', async () => {
        const items = await completionLabels(MODEL.replace('on Shutdown -> Done }\n    state Online', `on Shutdown -> ${CURSOR} }\n    state Online`));
        expect(items.get('Online')?.detail).toBe('state');
        expect(items.get('Done')?.detail).toBe('final state');
        expect(items.get('Connecting')?.detail).toBe('initial state');
        expect(items.has('Connected')).toBe(false); // an event is not a state
    });

    it('offers declared events after `on`, with how many producers each has', async () => {
        const items = await completionLabels(MODEL.replace('on Data / show', `on ${CURSOR}`));
        expect(items.get('Data')?.detail).toBe('event (1 producer)');
        expect(items.get('Shutdown')?.detail).toBe('event (1 producer)');
        expect(items.has('Online')).toBe(false);
    });

    it('offers socket options and socket events with descriptions inside a socket block, and no name-words', async () => {
        const items = await completionLabels(MODEL.replace('read -> Data }', `read -> Data  ${CURSOR} }`));
        for (const word of ['timeout', 'reconnect', 'heartbeat', 'keepalive', 'nodelay', 'idle', 'drain', 'error', 'close']) {
            expect(items.get(word)?.detail, word).toMatch(/\w/);
        }
        expect(items.get('reconnect')?.detail).toMatch(/reconnect after a failed or dropped connection/i);
        expect(items.get('drain')?.detail).toMatch(/more bytes/);
    });

    it('offers the signals a program can catch after `signal`', async () => {
        const items = await completionLabels(MODEL.replace('signal SIGTERM -> Shutdown', `signal ${CURSOR}`));
        expect(items.has('SIGTERM')).toBe(true);
        expect(items.has('SIGHUP')).toBe(true);
        expect(items.has('SIGKILL')).toBe(false);
    });

    it('offers machines for `session`, from other files too', async () => {
        const text = `machine Front { events J initial state S { on J -> S } server l listen 0.0.0.0:1 { session ${CURSOR} } }`;
        const labels = await withDocuments([text.replace(CURSOR, ''), 'machine Worker { events X initial state W { on X -> W } connection p { read -> X } }'], async ([document]) => {
            const position = document!.textDocument.positionAt(text.indexOf(CURSOR));
            const list = await services.lsp.CompletionProvider!.getCompletion(document!, { textDocument: { uri: document!.textDocument.uri }, position });
            return list?.items.map((item) => [item.label, item.detail]);
        });
        expect(labels).toContainEqual(['Worker', expect.stringMatching(/^machine \(test-\d+\.fsm\)$/)]);
        expect(labels).toContainEqual(['Front', expect.stringMatching(/^machine/)]);
    });

    it('offers built-in actions in action position but not socket words as new names', async () => {
        const actions = await completionLabels(MODEL.replace('on Data / show', `on Data / ${CURSOR}`));
        for (const word of ['close', 'connect', 'raise', 'stop']) {
            expect(actions.has(word), word).toBe(true);
        }
        const names = await completionLabels(MODEL.replace('final state Done', `final state Done\n    state ${CURSOR}`));
        expect(names.has('read')).toBe(false);
        expect(names.has('timeout')).toBe(false);
    });
});

describe('hover', () => {
    it('has a description of every word keyword of the grammar, hierarchy included (names excepted)', () => {
        const undocumented = AstUtils.streamAllContents(services.Grammar)
            .filter(GrammarAST.isKeyword)
            .filter((keyword) => /^[a-z]/i.test(keyword.value))
            .map((keyword) => ({ keyword, rule: AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule)?.name ?? '' }))
            .filter(({ keyword, rule }) => rule !== 'Name' && rule !== 'ActionName' && keywordDoc(keyword) === undefined)
            .map(({ keyword, rule }) => `${rule}:${keyword.value}`)
            .toArray();
        expect(undocumented).toEqual([]);
        const words = AstUtils.streamAllContents(services.Grammar).filter(GrammarAST.isKeyword).map((keyword) => keyword.value).toArray();
        expect(words).toEqual(expect.arrayContaining(['parallel', 'region', 'history', 'deep', 'done']));
    });

    it('explains keywords by the place they stand in, with an example', async () => {
        expect(await hoverText(MODEL.replace('connect -> Connected', `con${CURSOR}nect -> Connected`))).toMatch(/\*\*connect\*\* — Clients: the connection is established/);
        expect(await hoverText(MODEL.replace('signal SIGTERM', `sig${CURSOR}nal SIGTERM`))).toMatch(/POSIX signal[\s\S]*```reactor-fsm\nsignal SIGTERM -> Shutdown/);
    });

    it('shows a state\'s incoming and outgoing transitions and whether it is reachable', async () => {
        const text = await hoverText(MODEL.replace('state Online {', `state On${CURSOR}line {`));
        expect(text).toContain('**state** `Online` of `Client` · reachable');
        expect(text).toContain('in: `Connecting` —Connected→');
        expect(text).toContain('—Shutdown→ `Done`');
        expect(text).toContain('Data / show (internal)');
    });

    it('marks an unreachable state, also when hovering a reference to it', async () => {
        const model = MODEL.replace('final state Done', 'final state Done\n    state Spare { on Data -> Done }');
        expect(await hoverText(model.replace('state Spare', `state Sp${CURSOR}are`))).toContain('**unreachable** from `Connecting`');
    });

    it('shows who produces and who handles an event', async () => {
        const text = await hoverText(MODEL.replace('on Data / show', `on Da${CURSOR}ta / show`));
        expect(text).toContain('produced by: `read` on client `upstream`');
        expect(text).toContain('handled in: `Online`');
    });
});

describe('quick fixes', () => {
    async function actionsFor(text: string, code: string): Promise<{ actions: CodeAction[]; uri: string }> {
        const { document, diagnostics } = await validate(text);
        const relevant = diagnostics.filter((d) => d.code === code).slice(0, 1);
        expect(relevant.length, `no ${code} in ${JSON.stringify(diagnostics.map((d) => d.code))}`).toBeGreaterThan(0);
        const actions = (await services.lsp.CodeActionProvider!.getCodeActions(document, {
            textDocument: { uri: document.textDocument.uri },
            range: relevant[0]!.range,
            context: { diagnostics: relevant }
        })) as CodeAction[];
        return { actions, uri: document.textDocument.uri };
    }

    it('marks a stuck state final', async () => {
        const text = 'machine M {\n    events Go\n    initial state A { on Go -> B }\n    state B\n}';
        const { actions, uri } = await actionsFor(text, 'terminal-state');
        expect(actions.map((action) => action.title)).toEqual(["Mark 'B' final"]);
        expect(applyEdits(text, actions[0]!, uri)).toContain('    final state B\n');
        expect((await validate(applyEdits(text, actions[0]!, uri))).diagnostics).toEqual([]);
    });

    it('removes an unreachable state with its line', async () => {
        const text = 'machine M {\n    events Go\n    initial state A { on Go -> A }\n    final state Lost\n}';
        const { actions, uri } = await actionsFor(text, 'unreachable-state');
        expect(actions.map((action) => action.title)).toEqual(["Remove unreachable state 'Lost'"]);
        expect(applyEdits(text, actions[0]!, uri)).toBe('machine M {\n    events Go\n    initial state A { on Go -> A }\n}');
    });

    it('replaces a misspelt name with the suggestion, and declares a missing event', async () => {
        const text = 'machine M {\n    events Connected\n    initial state A { on Conected -> A  on Other -> A }\n}';
        const { actions, uri } = await actionsFor(text, 'unresolved-reference');
        expect(actions.map((action) => action.title)).toEqual(["Change to 'Connected'", "Declare event 'Conected'"]);
        expect(applyEdits(text, actions[0]!, uri)).toContain('on Connected -> A');
        expect(applyEdits(text, actions[1]!, uri)).toContain('events Connected, Conected\n');
    });

    it('removes a reuseaddr that has no effect: its line when alone on it, else the word and its blanks', async () => {
        const worker = '\nmachine W { events X, Gone initial state S { on X -> S  on Gone -> End } final state End connection p { read -> X  close -> Gone } }';
        const ownLine = 'machine M {\n    events A, Quit\n    initial state S { on A -> S  on Quit -> Done }\n    final state Done\n    server s listen 0.0.0.0:1 {\n        reuseaddr\n        session W\n        accept -> A\n    }\n    signal SIGTERM -> Quit\n}' + worker;
        const { actions, uri } = await actionsFor(ownLine, 'ineffective-option');
        expect(actions.map((action) => [action.title, action.isPreferred])).toEqual([["Remove 'reuseaddr'", true]]);
        const fixed = applyEdits(ownLine, actions[0]!, uri);
        expect(fixed).toBe(ownLine.replace('        reuseaddr\n', ''));
        expect((await validate(fixed)).diagnostics.map((d) => d.code)).toEqual([]);

        for (const [inline, expected] of [
            ['{ reuseaddr  session W  accept -> A }', '{ session W  accept -> A }'],
            ['{ session W  accept -> A  reuseaddr }', '{ session W  accept -> A }'],
            ['{ session W\n  accept -> A reuseaddr\n}', '{ session W\n  accept -> A\n}']
        ] as const) {
            const text = `machine M { events A initial state S { on A -> S } server s listen 0.0.0.0:1 ${inline} }${worker}`;
            const { actions: inlineActions, uri: inlineUri } = await actionsFor(text, 'ineffective-option');
            expect(applyEdits(text, inlineActions[0]!, inlineUri), inline).toBe(text.replace(inline, expected));
        }
    });

    it('removes a repeated option (preferred) and a misplaced one (not preferred: it may belong elsewhere)', async () => {
        const text = 'machine M {\n    events D\n    initial state A { on D / store }\n    client c connect localhost:1 {\n        timeout 3s\n        backlog 5\n        read -> D  timeout 5s\n    }\n}';
        const repeated = await actionsFor(text, 'repeated-option');
        expect(repeated.actions.map((action) => [action.title, action.isPreferred])).toEqual([["Remove 'timeout 5s'", true]]);
        expect(applyEdits(text, repeated.actions[0]!, repeated.uri)).toBe(text.replace('read -> D  timeout 5s', 'read -> D'));
        const misplaced = await actionsFor(text, 'misplaced-option');
        expect(misplaced.actions.map((action) => [action.title, action.isPreferred])).toEqual([["Remove 'backlog 5'", false]]);
        expect(applyEdits(text, misplaced.actions[0]!, misplaced.uri)).toBe(text.replace('        backlog 5\n', ''));
    });

    it('offers each of two equally close names, neither preferred', async () => {
        const text = 'machine M {\n    events Go\n    initial state Open { on Go -> Ope }\n    state Opex { on Go -> Open }\n}';
        const { actions, uri } = await actionsFor(text, 'unresolved-reference');
        expect(actions.map((action) => [action.title, action.isPreferred])).toEqual([
            ["Change to 'Open'", false],
            ["Change to 'Opex'", false]
        ]);
        expect(applyEdits(text, actions[1]!, uri)).toContain('on Go -> Opex }');
    });

    it('adds an events line to a machine that has none', async () => {
        const text = 'machine M {\n    initial state A { on Go -> A }\n}';
        const { actions, uri } = await actionsFor(text, 'unresolved-reference');
        expect(actions.map((action) => action.title)).toEqual(["Declare event 'Go'"]);
        const fixed = applyEdits(text, actions[0]!, uri);
        expect(fixed).toBe('machine M {\n    events Go\n    initial state A { on Go -> A }\n}');
    });
});

describe('code lenses', () => {
    it('puts Simulate, Generate and Show diagram above every machine (no Simulate on a session machine)', async () => {
        const { document } = await validate(`${MODEL}\nmachine Second { initial state S }`);
        const lenses = await services.lsp.CodeLensProvider!.provideCodeLens(document, { textDocument: { uri: document.textDocument.uri } });
        expect(lenses?.map((lens) => [lens.range.start.line, lens.command?.title, lens.command?.command, lens.command?.arguments])).toEqual([
            [0, 'Simulate', 'reactor-fsm.simulate', [document.textDocument.uri, 'Client']],
            [0, 'Generate', 'reactor-fsm.generate', [document.textDocument.uri]],
            [0, 'Show diagram', 'reactor-fsm.openDiagram', [document.textDocument.uri, 'Client']],
            [8, 'Simulate', 'reactor-fsm.simulate', [document.textDocument.uri, 'Second']],
            [8, 'Generate', 'reactor-fsm.generate', [document.textDocument.uri]],
            [8, 'Show diagram', 'reactor-fsm.openDiagram', [document.textDocument.uri, 'Second']]
        ]);
        const server = await validate(`machine Server {\n events Up\n initial state S\n server listener listen 127.0.0.1:7000 { session Session }\n}\nmachine Session { initial state T }`);
        const titles = (await services.lsp.CodeLensProvider!.provideCodeLens(server.document, { textDocument: { uri: server.document.textDocument.uri } }))?.map((lens) => `${lens.range.start.line} ${lens.command?.title}`);
        expect(titles).toEqual(['0 Simulate', '0 Generate', '0 Show diagram', '5 Generate', '5 Show diagram']);
    });
});
