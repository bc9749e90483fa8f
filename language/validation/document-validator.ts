// Gives syntax and linking diagnostics stable codes, like every diagnostic our checks report.
import { DefaultDocumentValidator, type LangiumDocument, type ValidationOptions } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { SuggestingLinkingError } from '../references/linker.js';
import { IssueCodes } from './issue-codes.js';

/** What a quick fix needs to replace a misspelt name. */
export interface UnresolvedReferenceData {
    code: typeof IssueCodes.UnresolvedReference;
    refText: string;
    referenceType: string;
    suggestion?: string;
}

export class CodedDocumentValidator extends DefaultDocumentValidator {
    protected override processLexingErrors(...args: Parameters<DefaultDocumentValidator['processLexingErrors']>): void {
        this.withCode(args[1], IssueCodes.SyntaxError, () => super.processLexingErrors(...args));
    }

    protected override processParsingErrors(...args: Parameters<DefaultDocumentValidator['processParsingErrors']>): void {
        this.withCode(args[1], IssueCodes.SyntaxError, () => super.processParsingErrors(...args));
    }

    protected override processLinkingErrors(document: LangiumDocument, diagnostics: Diagnostic[], _options: ValidationOptions): void {
        for (const reference of document.references) {
            const error = reference.error as SuggestingLinkingError | undefined;
            if (!error) {
                continue;
            }
            const data: UnresolvedReferenceData = {
                code: IssueCodes.UnresolvedReference,
                refText: error.info.reference.$refText,
                referenceType: error.kind ?? 'name',
                ...(error.suggestion === undefined ? {} : { suggestion: error.suggestion })
            };
            diagnostics.push(
                this.toDiagnostic('error', error.message, {
                    node: error.info.container,
                    range: reference.$refNode?.range,
                    property: error.info.property,
                    index: error.info.index,
                    code: IssueCodes.UnresolvedReference,
                    data
                })
            );
        }
    }

    /** Runs `report` and stamps `code` on every diagnostic it added. */
    private withCode(diagnostics: Diagnostic[], code: string, report: () => void): void {
        const before = diagnostics.length;
        report();
        for (let i = before; i < diagnostics.length; i++) {
            diagnostics[i]!.code = code;
        }
    }
}
