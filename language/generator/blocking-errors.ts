// Which errors stop a project from being generated: those of the model file and of every file a session machine comes from.
import { AstUtils, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { Model } from '../generated/ast.js';
import { withSessions } from './sessions.js';
import { isError } from '../validation/diagnostic-words.js';

export interface BlockingError {
    document: LangiumDocument;
    diagnostic: Diagnostic;
}

/** The documents a project generated from `document` draws machines from: itself and its session machines' files. */
export function involvedDocuments(document: LangiumDocument<Model>): LangiumDocument[] {
    const involved = new Map<string, LangiumDocument>([[document.uri.toString(), document]]);
    for (const machine of withSessions(document.parseResult.value.machines)) {
        const machineDocument = AstUtils.getDocument(machine);
        involved.set(machineDocument.uri.toString(), machineDocument);
    }
    return [...involved.values()];
}

/** Every error of the involved documents; generation is refused while there is one. */
export function blockingErrors(document: LangiumDocument<Model>): BlockingError[] {
    return involvedDocuments(document).flatMap((involved) =>
        (involved.diagnostics ?? []).filter(isError).map((diagnostic) => ({ document: involved, diagnostic }))
    );
}
