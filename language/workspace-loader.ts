// Loads model texts into one Langium workspace and builds them, so sessions resolve across files.
import { URI, type LangiumDocument } from 'langium';
import type { Model } from './generated/ast.js';
import type { ReactorFsmServices } from './module.js';

export interface ModelSource {
    /** A file path or URI string naming the document. */
    readonly uri: string;
    readonly text: string;
}

/** Parses, links and validates every source together; returns their documents in the same order. */
export async function buildWorkspace(services: ReactorFsmServices, sources: readonly ModelSource[]): Promise<LangiumDocument<Model>[]> {
    const { LangiumDocumentFactory, LangiumDocuments, DocumentBuilder } = services.shared.workspace;
    const documents = sources.map((source) => {
        const uri = source.uri.includes('://') ? URI.parse(source.uri) : URI.file(source.uri);
        LangiumDocuments.deleteDocument(uri); // a no-op unless the workspace already holds it
        const document = LangiumDocumentFactory.fromString<Model>(source.text, uri);
        LangiumDocuments.addDocument(document);
        return document;
    });
    await DocumentBuilder.build(documents, { validation: true });
    return documents;
}
