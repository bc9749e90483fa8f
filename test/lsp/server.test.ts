// The bundled language server (out/server.cjs) over stdio with the real protocol: a temporary workspace folder of
// .fsm files, then diagnostics, completion, hover, navigation, rename, formatting, quick fixes, outline, code lenses,
// the custom requests, edits and shutdown. The tests share one server and run in order: the edits come last.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    CodeActionRequest,
    CodeLensRequest,
    CompletionRequest,
    DefinitionRequest,
    DiagnosticSeverity,
    DidChangeTextDocumentNotification,
    DidCloseTextDocumentNotification,
    DidOpenTextDocumentNotification,
    DocumentFormattingRequest,
    DocumentSymbolRequest,
    HoverRequest,
    PrepareRenameRequest,
    ReferencesRequest,
    RenameRequest,
    SemanticTokensRequest,
    SymbolKind,
    type CodeAction,
    type CompletionItem,
    type CompletionList,
    type Diagnostic,
    type DocumentSymbol,
    type Hover,
    type InitializeResult,
    type Location,
    type LocationLink,
    type Position,
    type Range,
    type TextEdit,
    type WorkspaceEdit
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckWorkspaceResult, GenerateResult } from '../../language/lsp/protocol.js';
import { SERVER_MODEL, SESSION } from './echo-models.js';
import { bundledServer, fileUri, LspClient, removeTempWorkspace, tempWorkspace } from './lsp-client.js';

// ---- the workspace folder -------------------------------------------------------------------------------------

/** Clean: the model for completion, hover, navigation and rename. */
const PUMP = `machine Pump {
    events Start, Stop, Fault, Reset
    initial state Idle {
        on Start -> Running
        on Stop -> Done
    }
    state Running {
        on Stop -> Idle
        on Fault -> Broken
    }
    state Broken {
        on Reset -> Idle
        on Stop -> Done
    }
    final state Done
}
`;

/** Broken: a misspelt target in Lamp (its graph checks wait for it), a state nothing leaves in Kettle. */
const BROKEN = `// Two machines with problems: a misspelt target, and a state nothing leaves.
machine Lamp {
    events Toggle
    initial state Off {
        on Toggle -> Onn
    }
    state On {
        on Toggle -> Off
    }
}

machine Kettle {
    events Heat, Boil
    initial state Cold {
        on Heat -> Heating
    }
    state Heating {
        on Boil -> Boiled
    }
    state Boiled
}
`;

/** Valid but untidy: for the formatter. */
const MESSY = `machine Tidy {
events Go
  initial state A { on Go -> B }
      final state B
}
`;

/** MESSY in the house style of examples/. */
const TIDY = `machine Tidy {
    events Go
    initial state A {
        on Go -> B
    }
    final state B
}
`;

const FILES = { 'session.fsm': SESSION, 'server.fsm': SERVER_MODEL, 'pump.fsm': PUMP, 'broken.fsm': BROKEN, 'messy.fsm': MESSY };

// ---- helpers --------------------------------------------------------------------------------------------------

/** The position of the `occurrence`-th `needle` in `text`, moved `delta` characters into it. */
function positionOf(text: string, needle: string, occurrence = 0, delta = 0): Position {
    let offset = -1;
    for (let i = 0; i <= occurrence; i++) {
        offset = text.indexOf(needle, offset + 1);
        if (offset < 0) {
            throw new Error(`'${needle}' occurs fewer than ${occurrence + 1} times in the fixture`);
        }
    }
    return TextDocument.create('file:///x', 'reactor-fsm', 0, text).positionAt(offset + delta);
}

/** The range of the `occurrence`-th `needle` in `text`. */
function rangeOf(text: string, needle: string, occurrence = 0): Range {
    const start = positionOf(text, needle, occurrence);
    return { start, end: { line: start.line, character: start.character + needle.length } };
}

function applyEdits(text: string, edits: TextEdit[]): string {
    return TextDocument.applyEdits(TextDocument.create('file:///x', 'reactor-fsm', 0, text), edits);
}

/** The edits of a workspace edit by document URI, whichever of `changes` / `documentChanges` the server used. */
function editsByUri(edit: WorkspaceEdit | null | undefined): Map<string, TextEdit[]> {
    const result = new Map<string, TextEdit[]>(Object.entries(edit?.changes ?? {}));
    for (const change of edit?.documentChanges ?? []) {
        if ('textDocument' in change) {
            result.set(change.textDocument.uri, [...(result.get(change.textDocument.uri) ?? []), ...change.edits.filter((e): e is TextEdit => 'range' in e)]);
        }
    }
    return result;
}

function hoverMarkdown(hover: Hover | null): string {
    const contents = hover?.contents;
    if (!contents) {
        return '';
    }
    if (typeof contents === 'string') {
        return contents;
    }
    return Array.isArray(contents) ? contents.map((part) => (typeof part === 'string' ? part : part.value)).join('\n') : contents.value;
}

function completionItems(result: CompletionList | CompletionItem[] | null): Map<string, CompletionItem> {
    const items = Array.isArray(result) ? result : (result?.items ?? []);
    return new Map(items.map((item) => [item.label, item]));
}

/** Location or LocationLink, as `uri@line:col-line:col` of the target's name. */
function targetOf(result: Location | Location[] | LocationLink[] | null): string[] {
    const list: Array<Location | LocationLink> = result === null ? [] : Array.isArray(result) ? result : [result];
    return list.map((entry) => ('targetUri' in entry ? at(entry.targetUri, entry.targetSelectionRange) : at(entry.uri, entry.range)));
}

function at(uri: string, range: Range): string {
    return `${uri.split('/').pop()}@${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

function summary(diagnostics: Diagnostic[]): string[] {
    return diagnostics.map((d) => `${String(d.code)} ${at('', d.range).slice(1)} ${typeof d.message === 'string' ? d.message : d.message.value}`);
}

// ---- the suite ------------------------------------------------------------------------------------------------

describe('the bundled language server over stdio', () => {
    let client: LspClient;
    let workspace: string;
    let outputRoot: string;
    let capabilities: InitializeResult['capabilities'];
    const uri = (name: keyof typeof FILES): string => fileUri(path.join(workspace, name));

    beforeAll(async () => {
        const server = bundledServer();
        workspace = tempWorkspace(FILES);
        outputRoot = tempWorkspace({}, 'reactor-fsm-lsp-out-');
        client = LspClient.start(server, workspace);
        ({ capabilities } = await client.initialize(workspace));
        // The server loads the folder by itself after `initialized`. A request that needs the whole workspace
        // indexed waits for that first build (which links but does not validate files nobody has opened).
        await client.request(ReferencesRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, 'Stop'), context: { includeDeclaration: true } }, 'the first build of the workspace folder');
    }, 20_000);

    afterAll(async () => {
        await client?.dispose();
        removeTempWorkspace(workspace);
        removeTempWorkspace(outputRoot);
    });

    it('advertises the features an editor uses', () => {
        expect(capabilities.textDocumentSync).toBeDefined();
        expect(capabilities.completionProvider).toBeDefined();
        expect(capabilities.hoverProvider).toBeTruthy();
        expect(capabilities.definitionProvider).toBeTruthy();
        expect(capabilities.referencesProvider).toBeTruthy();
        expect(capabilities.renameProvider).toEqual({ prepareProvider: true });
        expect(capabilities.codeActionProvider).toBeTruthy();
        expect(capabilities.codeLensProvider).toBeDefined();
        expect(capabilities.documentSymbolProvider).toBeTruthy();
        expect(capabilities.semanticTokensProvider?.full).toBeTruthy();
    });

    // Regression: before any document is opened, Langium's first build only linked the folder's files, so these
    // requests failed; the server's workspace manager now validates on the first build.
    it('reactor-fsm/checkWorkspace answers before any document is opened', async () => {
        const result = await client.requestMethod('reactor-fsm/checkWorkspace', {}, 3_000);
        expect(result).toEqual({ files: 5, errors: 1, warnings: 1, infos: 0 });
    });

    it('reactor-fsm/generate works for a file of the folder nobody has opened yet', async () => {
        const outputFolder = path.join(outputRoot, 'before-open');
        const result = await client.requestMethod<GenerateResult>('reactor-fsm/generate', { uri: uri('pump.fsm'), outputFolder }, 3_000);
        expect(result.refused).toBeUndefined();
        expect(result.written).toContain('src/main.ts');
    });

    it('publishes diagnostics with our codes, ranges and "did you mean" on didOpen, and for the rest of the folder', async () => {
        await client.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri('broken.fsm'), languageId: 'reactor-fsm', version: 1, text: BROKEN } });
        const diagnostics = await client.waitForDiagnostics(uri('broken.fsm'), 'a publish after didOpen', (list) => list.length > 0, { acceptCurrent: false });
        expect(summary(diagnostics)).toEqual([
            `unresolved-reference 4:21-4:24 Unknown state 'Onn'. Did you mean 'On'?`,
            `terminal-state 19:10-19:16 State 'Boiled' is not final, yet nothing leaves it: the machine gets stuck here. Add a transition or timer to another state, or mark it 'final'.`
        ]);
        const [unresolved, terminal] = diagnostics;
        expect(unresolved!.range).toEqual(rangeOf(BROKEN, 'Onn'));
        expect(unresolved!.severity).toBe(DiagnosticSeverity.Error);
        expect(unresolved!.data).toMatchObject({ suggestion: 'On' }); // what the "Change to" quick fix reads
        expect(terminal!.range).toEqual(rangeOf(BROKEN, 'Boiled', 1)); // the name in `state Boiled`
        expect(terminal!.severity).toBe(DiagnosticSeverity.Warning);

        // The first update validates every file of the folder that was not validated yet, opened or not.
        for (const name of ['pump.fsm', 'server.fsm', 'session.fsm', 'messy.fsm'] as const) {
            // server.fsm is clean: its session machine resolves in session.fsm.
            expect(await client.waitForDiagnostics(uri(name), 'the validation of the rest of the folder'), name).toEqual([]);
        }

        await client.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri('pump.fsm'), languageId: 'reactor-fsm', version: 1, text: PUMP } });
        expect(await client.waitForDiagnostics(uri('pump.fsm'), 'a publish after didOpen', () => true, { acceptCurrent: false })).toEqual([]);
    });

    it('completes the declared states after `->`, with what each is', async () => {
        const items = completionItems(await client.request(CompletionRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, 'Running', 0) }));
        expect(items.get('Idle')?.detail).toBe('initial state');
        expect(items.get('Running')?.detail).toBe('state');
        expect(items.get('Broken')?.detail).toBe('state');
        expect(items.get('Done')?.detail).toBe('final state');
        expect(items.has('Start')).toBe(false); // an event is no target
    });

    it('completes the declared events after `on`', async () => {
        const items = completionItems(await client.request(CompletionRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, 'Stop -> Idle') }));
        for (const event of ['Start', 'Stop', 'Fault', 'Reset']) {
            expect(items.get(event)?.detail, event).toMatch(/^event/);
        }
        expect(items.has('Idle')).toBe(false); // a state is no event
    });

    it('hovers a keyword with what it does, and a state with what the analysis knows', async () => {
        const keyword = hoverMarkdown(await client.request(HoverRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, 'machine', 0, 2) }));
        expect(keyword).toContain('**machine** — Declares a state machine');
        expect(keyword).toContain('```reactor-fsm');

        const state = hoverMarkdown(await client.request(HoverRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, '-> Running', 0, 5) }));
        expect(state).toContain('**state** `Running` of `Pump` · reachable');
        expect(state).toContain('in: `Idle` —Start→');
        expect(state).toContain('—Fault→ `Broken`');

        const final = hoverMarkdown(await client.request(HoverRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, 'state Done', 0, 7) }));
        expect(final).toContain('**final state** `Done` of `Pump`');
    });

    it('goes from a transition target to the state declaration, and from `session` to the machine in another file', async () => {
        const state = await client.request(DefinitionRequest.type, { textDocument: { uri: uri('pump.fsm') }, position: positionOf(PUMP, '-> Running', 0, 4) });
        expect(targetOf(state)).toEqual([at(uri('pump.fsm'), rangeOf(PUMP, 'Running', 1))]);

        const machine = await client.request(DefinitionRequest.type, { textDocument: { uri: uri('server.fsm') }, position: positionOf(SERVER_MODEL, 'EchoSession', 0, 1) });
        expect(targetOf(machine)).toEqual([at(uri('session.fsm'), rangeOf(SESSION, 'EchoSession'))]);
    });

    it('finds every use of an event across the file', async () => {
        const position = positionOf(PUMP, 'Stop'); // in the `events` line
        const withDeclaration = await client.request(ReferencesRequest.type, { textDocument: { uri: uri('pump.fsm') }, position, context: { includeDeclaration: true } });
        const expected = [0, 1, 2, 3].map((occurrence) => at(uri('pump.fsm'), rangeOf(PUMP, 'Stop', occurrence)));
        expect((withDeclaration ?? []).map((location) => at(location.uri, location.range)).sort()).toEqual([...expected].sort());

        const usesOnly = await client.request(ReferencesRequest.type, { textDocument: { uri: uri('pump.fsm') }, position, context: { includeDeclaration: false } });
        expect((usesOnly ?? []).map((location) => at(location.uri, location.range)).sort()).toEqual(expected.slice(1).sort()); // the three `on Stop` lines
    });

    it('finds the `session` use of a machine in another file of the folder', async () => {
        const references = await client.request(ReferencesRequest.type, { textDocument: { uri: uri('session.fsm') }, position: positionOf(SESSION, 'EchoSession', 0, 3), context: { includeDeclaration: true } });
        expect((references ?? []).map((location) => at(location.uri, location.range)).sort()).toEqual([
            at(uri('server.fsm'), rangeOf(SERVER_MODEL, 'EchoSession')),
            at(uri('session.fsm'), rangeOf(SESSION, 'EchoSession'))
        ].sort());
    });

    it('renames a state at its declaration and every use', async () => {
        const position = positionOf(PUMP, '-> Idle', 0, 4);
        const prepared = await client.request(PrepareRenameRequest.type, { textDocument: { uri: uri('pump.fsm') }, position });
        expect(prepared && 'start' in prepared ? prepared : prepared && 'range' in prepared ? prepared.range : undefined).toEqual(rangeOf(PUMP, 'Idle', 1));

        const edit = await client.request(RenameRequest.type, { textDocument: { uri: uri('pump.fsm') }, position, newName: 'Waiting' });
        const edits = editsByUri(edit);
        expect([...edits.keys()]).toEqual([uri('pump.fsm')]);
        expect(edits.get(uri('pump.fsm'))).toHaveLength(3);
        expect(applyEdits(PUMP, edits.get(uri('pump.fsm'))!)).toBe(PUMP.replaceAll('Idle', 'Waiting'));
    });

    it('renames a session machine in both files: its declaration and the server that runs it', async () => {
        const edit = await client.request(RenameRequest.type, { textDocument: { uri: uri('server.fsm') }, position: positionOf(SERVER_MODEL, 'EchoSession', 0, 2), newName: 'ChatSession' });
        const edits = editsByUri(edit);
        expect([...edits.keys()].sort()).toEqual([uri('server.fsm'), uri('session.fsm')].sort());
        expect(applyEdits(SERVER_MODEL, edits.get(uri('server.fsm'))!)).toBe(SERVER_MODEL.replace('session EchoSession', 'session ChatSession'));
        expect(applyEdits(SESSION, edits.get(uri('session.fsm'))!)).toBe(SESSION.replace('machine EchoSession', 'machine ChatSession'));
    });

    it('formats a document to the house style: returns edits that indent blocks and put members on their own lines', async () => {
        expect(capabilities.documentFormattingProvider, 'documentFormattingProvider is advertised').toBeTruthy();
        const edits = await client.request(DocumentFormattingRequest.type, { textDocument: { uri: uri('messy.fsm') }, options: { tabSize: 4, insertSpaces: true } });
        expect(edits?.length ?? 0).toBeGreaterThan(0);
        expect(applyEdits(MESSY, edits ?? [])).toBe(TIDY);
        const again = await client.request(DocumentFormattingRequest.type, { textDocument: { uri: uri('pump.fsm') }, options: { tabSize: 4, insertSpaces: true } });
        expect(applyEdits(PUMP, again ?? [])).toBe(PUMP); // already tidy: no change
    });

    it('offers quick fixes: mark a stuck state final, change a misspelt name to the suggestion', async () => {
        const diagnostics = client.diagnostics.get(uri('broken.fsm')) ?? [];
        const terminal = diagnostics.find((d) => d.code === 'terminal-state');
        const unresolved = diagnostics.find((d) => d.code === 'unresolved-reference');
        expect(terminal && unresolved, 'broken.fsm has both diagnostics').toBeTruthy();

        const forTerminal = (await client.request(CodeActionRequest.type, { textDocument: { uri: uri('broken.fsm') }, range: terminal!.range, context: { diagnostics: [terminal!] } })) ?? [];
        const markFinal = forTerminal.find((action): action is CodeAction => action.title === "Mark 'Boiled' final");
        expect(markFinal, `titles: ${forTerminal.map((action) => action.title).join(', ')}`).toBeDefined();
        expect(markFinal!.kind).toBe('quickfix');
        expect(markFinal!.isPreferred).toBe(true);
        expect(applyEdits(BROKEN, editsByUri(markFinal!.edit).get(uri('broken.fsm'))!)).toBe(BROKEN.replace('    state Boiled', '    final state Boiled'));

        const forUnresolved = (await client.request(CodeActionRequest.type, { textDocument: { uri: uri('broken.fsm') }, range: unresolved!.range, context: { diagnostics: [unresolved!] } })) ?? [];
        const change = forUnresolved.find((action): action is CodeAction => action.title === "Change to 'On'");
        expect(change, `titles: ${forUnresolved.map((action) => action.title).join(', ')}`).toBeDefined();
        expect(change!.kind).toBe('quickfix');
        expect(applyEdits(BROKEN, editsByUri(change!.edit).get(uri('broken.fsm'))!)).toBe(BROKEN.replace('-> Onn', '-> On'));
    });

    it('outlines each machine with its states (and events), with symbol kinds', async () => {
        const symbols = ((await client.request(DocumentSymbolRequest.type, { textDocument: { uri: uri('broken.fsm') } })) ?? []) as DocumentSymbol[];
        expect(symbols.map((symbol) => [symbol.name, symbol.kind])).toEqual([['Lamp', SymbolKind.Class], ['Kettle', SymbolKind.Class]]);
        const children = (symbol: DocumentSymbol | undefined): Array<[string, SymbolKind]> => (symbol?.children ?? []).map((child) => [child.name, child.kind]);
        expect(children(symbols[0])).toEqual([['Toggle', SymbolKind.Event], ['Off', SymbolKind.EnumMember], ['On', SymbolKind.EnumMember]]);
        expect(children(symbols[1])).toEqual([['Heat', SymbolKind.Event], ['Boil', SymbolKind.Event], ['Cold', SymbolKind.EnumMember], ['Heating', SymbolKind.EnumMember], ['Boiled', SymbolKind.EnumMember]]);
        expect(symbols[1]!.selectionRange).toEqual(rangeOf(BROKEN, 'Kettle'));
        const boiled = symbols[1]!.children!.find((child) => child.name === 'Boiled');
        expect(boiled?.selectionRange).toEqual(rangeOf(BROKEN, 'Boiled', 1));
    });

    it('colours names by role with semantic tokens in the advertised legend', async () => {
        const provider = capabilities.semanticTokensProvider;
        expect(provider, 'semanticTokensProvider is advertised').toBeDefined();
        const tokens = await client.request(SemanticTokensRequest.type, { textDocument: { uri: uri('pump.fsm') } });
        const data = tokens?.data ?? [];
        expect(data.length % 5).toBe(0);
        // Decode the relative encoding: (line delta, start delta, length, type, modifiers) per token.
        const decoded = new Map<string, string>();
        let line = 0;
        let character = 0;
        for (let i = 0; i < data.length; i += 5) {
            const [deltaLine, deltaStart, length, type] = data.slice(i, i + 4) as [number, number, number, number];
            line += deltaLine;
            character = deltaLine === 0 ? character + deltaStart : deltaStart;
            decoded.set(`${line}:${character}:${length}`, provider!.legend.tokenTypes[type]!);
        }
        const typeAt = (needle: string, occurrence = 0): string | undefined => {
            const { line: l, character: c } = positionOf(PUMP, needle, occurrence);
            return decoded.get(`${l}:${c}:${needle.length}`);
        };
        expect(typeAt('machine')).toBe('keyword');
        expect(typeAt('Pump')).toBe('class');
        expect(typeAt('Idle')).toBe('enumMember'); // declaration
        expect(typeAt('Idle', 1)).toBe('enumMember'); // transition target
        expect(typeAt('Stop', 1)).toBe('event'); // `on Stop`
    });

    it('puts "Simulate", "Generate" and "Show diagram" code lenses above every machine', async () => {
        const lenses = (await client.request(CodeLensRequest.type, { textDocument: { uri: uri('broken.fsm') } })) ?? [];
        expect(lenses.map((lens) => ({ line: lens.range.start.line, title: lens.command?.title, command: lens.command?.command, arguments: lens.command?.arguments }))).toEqual([
            { line: positionOf(BROKEN, 'machine Lamp').line, title: 'Simulate', command: 'reactor-fsm.simulate', arguments: [uri('broken.fsm'), 'Lamp'] },
            { line: positionOf(BROKEN, 'machine Lamp').line, title: 'Generate', command: 'reactor-fsm.generate', arguments: [uri('broken.fsm')] },
            { line: positionOf(BROKEN, 'machine Lamp').line, title: 'Show diagram', command: 'reactor-fsm.openDiagram', arguments: [uri('broken.fsm'), 'Lamp'] },
            { line: positionOf(BROKEN, 'machine Kettle').line, title: 'Simulate', command: 'reactor-fsm.simulate', arguments: [uri('broken.fsm'), 'Kettle'] },
            { line: positionOf(BROKEN, 'machine Kettle').line, title: 'Generate', command: 'reactor-fsm.generate', arguments: [uri('broken.fsm')] },
            { line: positionOf(BROKEN, 'machine Kettle').line, title: 'Show diagram', command: 'reactor-fsm.openDiagram', arguments: [uri('broken.fsm'), 'Kettle'] }
        ]);
    });

    it('reactor-fsm/generate writes the project of a model (with its session machine from another file)', async () => {
        const outputFolder = path.join(outputRoot, 'echo');
        const result = await client.requestMethod<GenerateResult>('reactor-fsm/generate', { uri: uri('server.fsm'), outputFolder });
        expect(result.refused).toBeUndefined();
        expect(result.written).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'src/main.ts']));
        expect(result.written.some((file) => /^src\/.*server.*\.machine\.ts$/.test(file)), result.written.join(', ')).toBe(true);
        expect(result.written.some((file) => /^src\/.*session.*\.machine\.ts$/.test(file)), result.written.join(', ')).toBe(true);
        for (const file of result.written) {
            expect(existsSync(path.join(outputFolder, file)), file).toBe(true);
        }
    });

    it('reactor-fsm/generate refuses a model with errors and writes nothing', async () => {
        const outputFolder = path.join(outputRoot, 'broken');
        const result = await client.requestMethod<GenerateResult>('reactor-fsm/generate', { uri: uri('broken.fsm'), outputFolder });
        expect(result).toEqual({ written: [], unchanged: [], kept: [], refused: [`broken.fsm:5: Unknown state 'Onn'. Did you mean 'On'?`] });
        expect(existsSync(outputFolder) ? readdirSync(outputFolder) : []).toEqual([]);
    });

    it('reactor-fsm/checkWorkspace counts the diagnostics of every file of the folder', async () => {
        const result = await client.requestMethod<CheckWorkspaceResult>('reactor-fsm/checkWorkspace', {});
        expect(result).toEqual({ files: 5, errors: 1, warnings: 1, infos: 0 });
    });

    it('updates the diagnostics on didChange with a new version', async () => {
        // Version 2: fix the misspelt target; the warning of the other machine stays.
        await client.notify(DidChangeTextDocumentNotification.type, {
            textDocument: { uri: uri('broken.fsm'), version: 2 },
            contentChanges: [{ range: rangeOf(BROKEN, 'Onn'), text: 'On' }]
        });
        const fixed = await client.waitForDiagnostics(uri('broken.fsm'), 'the unresolved-reference to go after version 2', (list) => !list.some((d) => d.code === 'unresolved-reference'));
        expect(fixed.map((d) => d.code)).toEqual(['terminal-state']);
        expect(await client.requestMethod('reactor-fsm/checkWorkspace', {})).toEqual({ files: 5, errors: 0, warnings: 1, infos: 0 });

        // Version 3 (full text): misspell a target of Kettle; its graph checks wait for the name, so the warning goes.
        const version3 = BROKEN.replace('-> Onn', '-> On').replace('-> Heating', '-> Heatin');
        await client.notify(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri('broken.fsm'), version: 3 }, contentChanges: [{ text: version3 }] });
        const broken = await client.waitForDiagnostics(uri('broken.fsm'), 'the new unresolved-reference of version 3', (list) => list.some((d) => d.code === 'unresolved-reference'));
        expect(summary(broken)).toEqual([`unresolved-reference ${at('', rangeOf(version3, 'Heatin', 0)).slice(1)} Unknown state 'Heatin'. Did you mean 'Heating'?`]);
    });

    it('survives an untitled model being opened, closed, and another model changing afterwards', async () => {
        const untitled = 'untitled:Untitled-1';
        await client.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: untitled, languageId: 'reactor-fsm', version: 1, text: 'machine Scratch { initial state A }' } });
        await client.waitForDiagnostics(untitled, 'diagnostics of the untitled model');
        await client.notify(DidCloseTextDocumentNotification.type, { textDocument: { uri: untitled } });
        const text = BROKEN.replace('-> Onn', '-> On');
        await client.notify(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri('broken.fsm'), version: 4 }, contentChanges: [{ text }] });
        const after = await client.waitForDiagnostics(uri('broken.fsm'), 'diagnostics of version 4', (list) => !list.some((d) => d.code === 'unresolved-reference'));
        expect(after.map((d) => d.code)).toEqual(['terminal-state']);
        expect(client.running).toBe(true);
    });

    it('shuts down on shutdown + exit, and the process ends with code 0', async () => {
        const { code, signal } = await client.shutdownAndExit();
        expect({ code, signal }).toEqual({ code: 0, signal: null });
        expect(client.running).toBe(false);
    });
});
