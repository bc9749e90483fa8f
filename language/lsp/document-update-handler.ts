// What closing an editor means: a .fsm file on disk is read from disk again (its unsaved edits are gone, so are their
// diagnostics); a model that lives only in the editor (untitled, or not a .fsm file) leaves the workspace. Langium
// ignores didClose: it kept discarded text, and for editor-only models a later update asked the service registry
// about a document it no longer knew, and the server stopped.
import { URI } from 'langium';
import { DefaultDocumentUpdateHandler } from 'langium/lsp';
import type { TextDocumentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export class EditorOnlyDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    didCloseDocument(event: TextDocumentChangeEvent<TextDocument>): void {
        const uri = URI.parse(event.document.uri);
        if (uri.scheme === 'file' && uri.path.endsWith('.fsm')) {
            this.fireDocumentUpdate([uri], []);
        } else {
            this.fireDocumentUpdate([], [uri]);
        }
    }
}
