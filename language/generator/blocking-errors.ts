// Which errors stop a project from being generated: those of the model file and of every file a session machine comes from.
import { AstUtils, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { Model } from '../generated/ast.js';

export interface BlockingError {
    document: LangiumDocument;
    diagnostic: Diagnostic;
}

/** The documents a project generated from `document` draws machines from: itself and its session machines' files. */
export function involvedDocuments(document: LangiumDocument<Model>): LangiumDocument[] {
    const involved = new Map<string, LangiumDocument>([[document.uri.toString(), document]]);
    const pending = [...document.parseResult.value.machines];
    const seen = new Set(pending);
    while (pending.length > 0) {
        const machine = pending.pop()!;
        for (const socket of machine.sockets) {
            for (const member of socket.members) {
                const session = member.$type === 'SessionOption' ? member.machine?.ref : undefined;
                if (session && !seen.has(session)) {
                    seen.add(session);
                    pending.push(session);
                    const sessionDocument = AstUtils.getDocument(session);
                    involved.set(sessionDocument.uri.toString(), sessionDocument);
                }
            }
        }
    }
    return [...involved.values()];
}

/** Every error (severity 1) of the involved documents; generation is refused while there is one. */
export function blockingErrors(document: LangiumDocument<Model>): BlockingError[] {
    return involvedDocuments(document).flatMap((involved) =>
        (involved.diagnostics ?? []).filter((diagnostic) => diagnostic.severity === 1).map((diagnostic) => ({ document: involved, diagnostic }))
    );
}
