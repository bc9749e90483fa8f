// The generator, the diagram renderer and the machine analysis are services of the container: the requests, the editor
// features and the CLI ask it for them, so a module passed to createReactorFsmServices replaces what they write, draw
// and know; the analysis is computed once per machine and document build, whichever features ask.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EmptyFileSystem, URI, type LangiumDocument, type Module } from 'langium';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver';
import { afterAll, describe, expect, it } from 'vitest';
import type { MachineAnalysis } from '../../language/analysis/machine-analysis.js';
import { DefaultMachineAnalyzer } from '../../language/analysis/machine-analyzer.js';
import type { Machine, Model } from '../../language/generated/ast.js';
import { diagramOfDocument, generateFromDocument } from '../../language/lsp/requests.js';
import { createReactorFsmServices, type PartialReactorFsmServices, type ReactorFsmServices } from '../../language/module.js';

const MODEL = `machine Lamp {
    events Toggle
    initial state Off { on Toggle -> On }
    state On { on Toggle -> Off }
}`;

const folders: string[] = [];
afterAll(async () => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

async function withModel(...overrides: Array<Module<ReactorFsmServices, PartialReactorFsmServices>>): Promise<{ services: ReactorFsmServices; uri: string }> {
    const { ReactorFsm } = createReactorFsmServices(EmptyFileSystem, ...overrides);
    const { LangiumDocumentFactory, LangiumDocuments, DocumentBuilder } = ReactorFsm.shared.workspace;
    const document = LangiumDocumentFactory.fromString(MODEL, URI.parse('memory:///lamp.fsm'));
    LangiumDocuments.addDocument(document);
    await DocumentBuilder.build([document], { validation: true });
    return { services: ReactorFsm, uri: document.uri.toString() };
}

describe('container services', () => {
    it('the generate request writes what the container generator gives', async () => {
        const folder = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-services-'));
        folders.push(folder);
        const { services, uri } = await withModel({
            generator: { ProjectGenerator: () => ({ generate: (model, shown) => [{ path: 'only.txt', content: `${model.machines.length} machine from ${shown}\n`, overwrite: true }] }) }
        });
        const result = await generateFromDocument(services.shared, { uri, outputFolder: folder });
        expect(result.refused).toBeUndefined();
        expect(await readdir(folder)).toEqual(['only.txt']);
        expect(await readFile(path.join(folder, 'only.txt'), 'utf8')).toBe('1 machine from lamp.fsm\n');
    });

    it('the default generator writes the project; the diagram request draws with the container renderer', async () => {
        const folder = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-services-'));
        folders.push(folder);
        const plain = await withModel();
        await generateFromDocument(plain.services.shared, { uri: plain.uri, outputFolder: folder });
        expect(await readdir(path.join(folder, 'src'))).toContain('lamp.machine.ts');
        expect((await diagramOfDocument(plain.services.shared, { uri: plain.uri })).svg).toContain('<svg');

        const drawn: string[] = [];
        const custom = await withModel({
            diagram: {
                DiagramRenderer: () => ({
                    chooseMachine: (model) => model.machines[0],
                    svg: (machine) => {
                        drawn.push(machine.name);
                        return Promise.resolve(`<svg data-machine="${machine.name}"/>`);
                    },
                    mermaid: (machine) => `stateDiagram-v2 %% ${machine.name}`
                })
            }
        });
        const result = await diagramOfDocument(custom.services.shared, { uri: custom.uri });
        expect(result).toMatchObject({ machine: 'Lamp', svg: '<svg data-machine="Lamp"/>' });
        expect(drawn).toEqual(['Lamp']);
    });
});

/** The default analyzer, counting how often it is asked and how often it computes (per machine name). */
class CountingAnalyzer extends DefaultMachineAnalyzer {
    asked = 0;
    readonly computed: string[] = [];

    override analyze(machine: Machine): MachineAnalysis {
        this.asked++;
        return super.analyze(machine);
    }

    protected override compute(machine: Machine): MachineAnalysis {
        this.computed.push(machine.name);
        return super.compute(machine);
    }
}

const TWO_MACHINES = `${MODEL}
machine Pump {
    events Start, Stop
    initial state Idle { on Start -> Running }
    state Running { on Stop -> Idle }
    state Spare { on Stop -> Idle }
}`;

/** A workspace holding `text` as an open editor document (version 1), built and validated like the server does. */
async function openDocument(text: string): Promise<{ services: ReactorFsmServices; analyzer: CountingAnalyzer; document: LangiumDocument<Model> }> {
    const { ReactorFsm } = createReactorFsmServices(EmptyFileSystem, { analysis: { MachineAnalyzer: (services) => new CountingAnalyzer(services) } });
    const { TextDocuments, LangiumDocuments, LangiumDocumentFactory, DocumentBuilder } = ReactorFsm.shared.workspace;
    const textDocument = TextDocument.create('memory:///pump.fsm', 'reactor-fsm', 1, text);
    TextDocuments!.set(textDocument);
    const document = LangiumDocumentFactory.fromTextDocument<Model>(textDocument);
    LangiumDocuments.addDocument(document);
    await DocumentBuilder.build([document], { validation: true });
    return { services: ReactorFsm, analyzer: ReactorFsm.analysis.MachineAnalyzer as CountingAnalyzer, document };
}

function positionOf(document: LangiumDocument, text: string, shift: number): Position {
    return document.textDocument.positionAt(document.textDocument.getText().indexOf(text) + shift);
}

/** The hover text at `shift` characters into the first `text` of `document`. */
async function hoverAt(services: ReactorFsmServices, document: LangiumDocument, text: string, shift: number): Promise<string> {
    const hover = await services.lsp.HoverProvider!.getHoverContent(document, { textDocument: { uri: document.uri.toString() }, position: positionOf(document, text, shift) });
    const contents = hover?.contents;
    return contents && typeof contents === 'object' && 'value' in contents ? contents.value : '';
}

/** Asks hover, semantic tokens and completion about `document`, as an editor would after a change. */
async function useEditorFeatures(services: ReactorFsmServices, document: LangiumDocument): Promise<{ hover: string; tokens: number; completion: string[] }> {
    const textDocument = { uri: document.uri.toString() };
    const hover = await hoverAt(services, document, 'state Spare', 7);
    const tokens = await services.lsp.SemanticTokenProvider!.semanticHighlight(document, { textDocument });
    const completion = await services.lsp.CompletionProvider!.getCompletion(document, { textDocument, position: positionOf(document, '-> Idle }\n    state Spare', 3) });
    return {
        hover,
        tokens: tokens.data.length / 5,
        completion: (completion?.items ?? []).filter((item) => item.label === 'Spare').map((item) => item.detail ?? '')
    };
}

describe('the machine analysis as a service', () => {
    it('is registered as analysis.MachineAnalyzer and shared by the graph checks', () => {
        const { ReactorFsm } = createReactorFsmServices(EmptyFileSystem);
        expect(ReactorFsm.analysis.MachineAnalyzer).toBeInstanceOf(DefaultMachineAnalyzer);
        expect(ReactorFsm.analysis.MachineAnalyzer).toBe(ReactorFsm.analysis.MachineAnalyzer);
    });

    it('computes each machine once per document build, however many checks and editor features ask', async () => {
        const { services, analyzer, document } = await openDocument(TWO_MACHINES);
        // Validation alone asks once per graph check and machine.
        expect(analyzer.asked).toBeGreaterThan(2 * analyzer.computed.length);
        expect(analyzer.computed).toEqual(['Lamp', 'Pump']);
        const askedByValidation = analyzer.asked;

        const features = await useEditorFeatures(services, document);
        // What the features show comes from the analysis: Spare is unreachable in hover, tokens and completion.
        expect(features.hover).toContain('**unreachable** from `Idle`');
        expect(features.tokens).toBeGreaterThan(0);
        expect(features.completion).toEqual(['state (unreachable)']);
        expect(analyzer.asked).toBeGreaterThan(askedByValidation);
        expect(analyzer.computed).toEqual(['Lamp', 'Pump']);
    });

    it('the diagram of a validated document draws from the same analysis: nothing computed again', async () => {
        const { services, analyzer, document } = await openDocument(TWO_MACHINES);
        const asked = analyzer.asked;
        const pump = services.diagram.DiagramRenderer.chooseMachine(document.parseResult.value, 'Pump')!;
        const svg = await services.diagram.DiagramRenderer.svg(pump, document, false);
        expect(svg).toContain('Spare');
        expect(analyzer.asked).toBe(asked + 1);
        expect(analyzer.computed).toEqual(['Lamp', 'Pump']);
    });

    it('computes again for a new version of the document, once; not for an edit of another file', async () => {
        const { services, analyzer, document } = await openDocument(TWO_MACHINES);
        const { TextDocuments, DocumentBuilder, LangiumDocuments } = services.shared.workspace;
        TextDocuments!.set(TextDocument.create(document.uri.toString(), 'reactor-fsm', 2, TWO_MACHINES.replace('state Spare', 'state Standby')));
        await DocumentBuilder.update([document.uri], []);
        const changed = LangiumDocuments.getDocument(document.uri)!;
        expect(changed.textDocument.version).toBe(2);
        await useEditorFeatures(services, changed);
        expect(analyzer.computed).toEqual(['Lamp', 'Pump', 'Lamp', 'Pump']);
        expect(await hoverAt(services, changed, 'Standby', 1)).toContain('**state** `Standby` of `Pump` · **unreachable** from `Idle`');
        expect(analyzer.computed).toHaveLength(4);

        // An edit of another file leaves this one's analyses alone: they are kept per document, not per workspace.
        const other = TextDocument.create('memory:///other.fsm', 'reactor-fsm', 1, 'machine Other { initial state S }');
        TextDocuments!.set(other);
        await DocumentBuilder.update([URI.parse(other.uri)], []);
        await useEditorFeatures(services, changed);
        expect(analyzer.computed).toEqual(['Lamp', 'Pump', 'Lamp', 'Pump', 'Other']);
    });

    it('a module can replace it: the checks and the editor features read the replacement', async () => {
        /** An analysis that knows no way into any state: everything but the start is unreachable. */
        class NothingReachable extends DefaultMachineAnalyzer {
            protected override compute(machine: Machine): MachineAnalysis {
                const analysis = super.compute(machine);
                const unreachable = new Set(analysis.states.filter((state) => state !== analysis.initial));
                return { ...analysis, reachable: new Set(analysis.initial ? [analysis.initial] : []), unreachable };
            }
        }
        const { services, uri } = await withModel({ analysis: { MachineAnalyzer: (container) => new NothingReachable(container) } });
        const document = services.shared.workspace.LangiumDocuments.getDocument(URI.parse(uri))!;
        expect((document.diagnostics ?? []).map((diagnostic) => `${String(diagnostic.code)} ${document.textDocument.getText(diagnostic.range)}`)).toEqual(['unreachable-state On']);
        expect(await hoverAt(services, document, 'state On', 7)).toContain('**unreachable** from `Off`');
    });
});
