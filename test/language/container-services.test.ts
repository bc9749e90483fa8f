// The generator and the diagram renderer are services of the container: the requests (and the CLI) ask it for them,
// so a module passed to createReactorFsmServices replaces what they write and draw.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EmptyFileSystem, URI } from 'langium';
import { afterAll, describe, expect, it } from 'vitest';
import { diagramOfDocument, generateFromDocument } from '../../language/lsp/requests.js';
import { createReactorFsmServices, type PartialReactorFsmServices, type ReactorFsmServices } from '../../language/module.js';
import type { Module } from 'langium';

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
