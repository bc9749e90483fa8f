// Shared test setup: the real services over an in-memory file system, and helpers to read diagnostics.
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import { createReactorFsmServices } from '../language/module.js';
import type { Model } from '../language/generated/ast.js';

export const { shared, ReactorFsm: services } = createReactorFsmServices(EmptyFileSystem);

let counter = 0;

/**
 * Parses, links and validates `texts` as fresh documents of one workspace, runs `use` on them, then removes them
 * from the documents and the index so later tests start from an empty workspace.
 */
export async function withDocuments<T>(texts: readonly string[], use: (documents: LangiumDocument<Model>[]) => T | Promise<T>): Promise<T> {
    const documents = texts.map((source) => {
        const document = services.shared.workspace.LangiumDocumentFactory.fromString<Model>(source, URI.parse(`memory:///test-${++counter}.fsm`));
        services.shared.workspace.LangiumDocuments.addDocument(document);
        return document;
    });
    try {
        await services.shared.workspace.DocumentBuilder.build(documents, { validation: true });
        return await use(documents);
    } finally {
        await services.shared.workspace.DocumentBuilder.update([], documents.map((created) => created.uri));
    }
}

/** Parses, links and validates `text` as a fresh document of its own (plus `others`, in the same workspace). */
export async function validate(text: string, others: string[] = []): Promise<{ document: LangiumDocument<Model>; diagnostics: Diagnostic[] }> {
    return withDocuments([text, ...others], ([document]) => ({ document: document!, diagnostics: document!.diagnostics ?? [] }));
}

/** The text a diagnostic's range covers. */
export function rangeText(document: LangiumDocument, diagnostic: Diagnostic): string {
    return document.textDocument.getText(diagnostic.range);
}

/** Diagnostics as `code@text` strings, easy to compare. */
export function summarize(document: LangiumDocument, diagnostics: Diagnostic[]): string[] {
    return diagnostics.map((d) => `${String(d.code)}@${rangeText(document, d)}`);
}
