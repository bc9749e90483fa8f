// The language server's document lifecycle, in-process: one document built at its first text, then changed to its
// last text and rebuilt (the server keeps the same LangiumDocument object across edits). A fresh `validate` of the
// last text is the oracle; this replay tells a difference in synchronisation from one in the services themselves.
import { URI } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { services } from '../../helpers.js';

let counter = 0;

/** Diagnostics of `last` after the document was built as `first`, then changed to `last` in place. */
export async function replayEdits(first: string, last: string, others: string[] = []): Promise<Diagnostic[]> {
    const { TextDocuments, LangiumDocuments, LangiumDocumentFactory, DocumentBuilder } = services.shared.workspace;
    const id = ++counter;
    const uri = URI.parse(`memory:///replay-${id}.fsm`);
    const otherDocuments = others.map((text, i) => {
        const document = LangiumDocumentFactory.fromString(text, URI.parse(`memory:///replay-${id}-other-${i}.fsm`));
        LangiumDocuments.addDocument(document);
        return document;
    });
    const opened = TextDocument.create(uri.toString(), 'reactor-fsm', 1, first);
    TextDocuments.set(opened);
    try {
        const document = LangiumDocumentFactory.fromTextDocument(opened);
        LangiumDocuments.addDocument(document);
        await DocumentBuilder.build([document, ...otherDocuments], { validation: true });
        TextDocuments.set(TextDocument.create(uri.toString(), 'reactor-fsm', 2, last));
        await DocumentBuilder.update([uri], []);
        if (document.textDocument.getText() !== last) {
            throw new Error('the replayed document did not take its last text');
        }
        return document.diagnostics ?? [];
    } finally {
        TextDocuments.delete(uri);
        await DocumentBuilder.update([], [uri, ...otherDocuments.map((document) => document.uri)]);
    }
}
