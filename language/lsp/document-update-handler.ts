// A model that lives only in the editor (an untitled document, or not a .fsm file) leaves the workspace when its
// editor closes. Langium keeps closed documents, which is right for files on disk but not for these: a later
// update would ask the service registry about a document it no longer knows, and the server would stop.
import { URI } from 'langium';
import { DefaultDocumentUpdateHandler } from 'langium/lsp';
import type { TextDocumentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export class EditorOnlyDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    didCloseDocument(event: TextDocumentChangeEvent<TextDocument>): void {
        const uri = URI.parse(event.document.uri);
        if (uri.scheme !== 'file' || !uri.path.endsWith('.fsm')) {
            this.fireDocumentUpdate([], [uri]);
        }
    }
}
