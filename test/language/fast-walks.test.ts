// The cheaper tree walks against Langium's own: the same nodes in the same order, the same references, the same
// reference index and the same diagnostics, on every example, a generated 1,000-state model, broken models and a
// workspace where one file uses another's machine.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    AstUtils,
    DefaultDocumentValidator,
    DefaultLinker,
    DefaultReferenceDescriptionProvider,
    EmptyFileSystem,
    URI,
    type AstNode,
    type LangiumDocument,
    type ReferenceDescription,
    type ReferenceInfo
} from 'langium';
import { describe, expect, it } from 'vitest';
import { generateModel } from '../../bench/model-generator.js';
import { forEachNode, referencesOf } from '../../language/ast/walk.js';
import { createReactorFsmServices } from '../../language/module.js';
import { shared, withDocuments } from '../helpers.js';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
const examples = readdirSync(EXAMPLES)
    .filter((name) => name.endsWith('.fsm'))
    .map((name) => ({ name, text: readFileSync(path.join(EXAMPLES, name), 'utf8') }));

const BROKEN = [
    // Unknown names, a missing target, a half-written transition.
    `machine Broken {
    events Go, Stop
    initial state A {
        on Go -> Nowhere
        on Stp -> B
        on
    }
    state B { on Stop -> A }
}`,
    // A session of a machine nobody declared, a socket that does not exist.
    `machine Uses {
    events Data
    initial state Open {
        on Data -> Open / close nosuch
    }
    server listener listen 127.0.0.1:7001 {
        session Missing
        accept -> Data
    }
}`
];

const SESSION_OWNER = `machine EchoSession {
    events Data, PeerClosed
    initial state Open {
        on Data / echo
        on PeerClosed -> Done
    }
    final state Done
    connection peer {
        read -> Data
        close -> PeerClosed
    }
}`;
const SESSION_USER = `machine Server {
    events Accepted, Shutdown
    initial state Listening {
        on Accepted / countClient
        on Shutdown -> Stopped
    }
    final state Stopped
    signal SIGTERM -> Shutdown
    server listener listen 127.0.0.1:7000 {
        session EchoSession
        accept -> Accepted
    }
}`;

const cases = [
    ...examples.map(({ name, text }) => ({ name, texts: [text] })),
    { name: 'a generated 1,000-state model', texts: [generateModel(1_000).text] },
    ...BROKEN.map((text, i) => ({ name: `broken model ${i + 1}`, texts: [text] })),
    { name: 'a machine used by another file', texts: [SESSION_USER, SESSION_OWNER] }
];

it('the workspace case has a reference across files and no problem, the broken ones have problems', async () => {
    await withDocuments([SESSION_USER, SESSION_OWNER], ([user]) => {
        expect(user!.diagnostics).toEqual([]);
        const index = (shared.workspace.IndexManager as unknown as { referenceIndex: Map<string, ReferenceDescription[]> }).referenceIndex;
        expect(index.get(user!.uri.toString())!.filter((description) => !description.local)).toHaveLength(1);
    });
    for (const text of BROKEN) {
        await withDocuments([text], ([document]) => {
            expect(document!.diagnostics!.filter((d) => d.code === 'unresolved-reference').length).toBeGreaterThan(0);
        });
    }
});

function streamed(root: AstNode): AstNode[] {
    return AstUtils.streamAst(root).toArray();
}

function walked(root: AstNode): AstNode[] {
    const nodes: AstNode[] = [];
    forEachNode(root, (node) => {
        nodes.push(node);
    });
    return nodes;
}

const key = (info: ReferenceInfo): string => `${info.container.$type}.${info.property}[${info.index ?? '-'}]=${info.reference.$refText}`;

function comparableDescription(description: ReferenceDescription): string {
    const { sourceUri, sourcePath, targetUri, targetPath, segment, local } = description;
    const { range, offset, end, length } = segment;
    return JSON.stringify([sourceUri.toString(), sourcePath, targetUri.toString(), targetPath, offset, end, length, range, local]);
}

describe.each(cases)('cheaper walks on $name', ({ texts }) => {
    it('visit the nodes of Langium\'s streamAst in its order, and skip exactly the pruned subtrees', async () => {
        await withDocuments(texts, (documents) => {
            for (const document of documents) {
                const root = document.parseResult.value;
                const all = streamed(root);
                expect(walked(root)).toEqual(all);
                expect(all.length).toBeGreaterThan(1);
                // Prune below every machine: what is left is what streamAst yields when pruned there.
                const pruned: AstNode[] = [];
                forEachNode(root, (node) => {
                    pruned.push(node);
                    return node.$type !== 'Machine';
                });
                const expected: AstNode[] = [];
                const iterator = AstUtils.streamAst(root).iterator();
                for (let next = iterator.next(); !next.done; next = iterator.next()) {
                    expected.push(next.value);
                    if (next.value.$type === 'Machine') {
                        iterator.prune();
                    }
                }
                expect(pruned).toEqual(expected);
            }
        });
    });

    it('find the references of Langium\'s streamReferences, in its order', async () => {
        await withDocuments(texts, (documents) => {
            for (const document of documents) {
                const theirs: ReferenceInfo[] = [];
                for (const node of AstUtils.streamAst(document.parseResult.value)) {
                    theirs.push(...AstUtils.streamReferences(node));
                }
                const ours: ReferenceInfo[] = [];
                forEachNode(document.parseResult.value, (node) => referencesOf(node, ours));
                expect(ours.map(key)).toEqual(theirs.map(key));
                expect(ours.map((info) => info.reference)).toEqual(theirs.map((info) => info.reference));
            }
        });
    });

    it('index the same reference descriptions as Langium\'s provider', async () => {
        const langium = new DefaultReferenceDescriptionProvider(createReactorFsmServices(EmptyFileSystem).ReactorFsm);
        await withDocuments(texts, async (documents) => {
            for (const document of documents) {
                const ours = (shared.workspace.IndexManager as unknown as { referenceIndex: Map<string, ReferenceDescription[]> }).referenceIndex.get(
                    document.uri.toString()
                );
                expect(ours, 'the index holds our descriptions of the document').toBeDefined();
                const theirs = await langium.createDescriptions(document);
                expect(ours!.map(comparableDescription).sort()).toEqual(theirs.map(comparableDescription).sort());
            }
        });
    });
});

/** Our services, but linking and validating with Langium's own tree walks (the same checks and messages otherwise). */
function langiumWalkServices(): ReturnType<typeof createReactorFsmServices> {
    const services = createReactorFsmServices(EmptyFileSystem);
    // Langium's method goes onto our linker object, and is called on it as a method.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    Object.defineProperty(services.ReactorFsm.references.Linker, 'link', { value: DefaultLinker.prototype.link });
    const validateAstNodes = (DefaultDocumentValidator.prototype as unknown as Record<string, unknown>)['validateAstNodes'];
    Object.defineProperty(services.ReactorFsm.validation.DocumentValidator, 'validateAstNodes', { value: validateAstNodes });
    return services;
}

describe('diagnostics with the cheaper walks', () => {
    it.each(cases)('equal those of Langium\'s walks on $name', async ({ texts }) => {
        const build = async (services: ReturnType<typeof createReactorFsmServices>): Promise<string[]> => {
            const { LangiumDocumentFactory, LangiumDocuments, DocumentBuilder } = services.shared.workspace;
            const documents: LangiumDocument[] = texts.map((text, i) => {
                const document = LangiumDocumentFactory.fromString(text, URI.parse(`memory:///walks-${i}.fsm`));
                LangiumDocuments.addDocument(document);
                return document;
            });
            await DocumentBuilder.build(documents, { validation: true });
            return documents.flatMap((document) => (document.diagnostics ?? []).map((d) => `${document.uri.path}:${JSON.stringify([d.code, d.range, d.message, d.severity])}`));
        };
        const expected = await build(langiumWalkServices());
        const actual = await build(createReactorFsmServices(EmptyFileSystem));
        expect(actual).toEqual(expected);
        if (texts.some((text) => BROKEN.includes(text))) {
            expect(actual.length).toBeGreaterThan(0);
        }
    });
});
