// Which machines hold a syntax error: their graph is incomplete, so graph checks wait until it is fixed.
import { AstUtils, type LangiumDocument } from 'langium';
import type { Machine, Model } from '../generated/ast.js';

const offsetsByDocument = new WeakMap<LangiumDocument, number[]>();

/** Offsets of every lexer and parser error of the document. */
function errorOffsets(document: LangiumDocument): number[] {
    let offsets = offsetsByDocument.get(document);
    if (!offsets) {
        const { lexerErrors, parserErrors } = document.parseResult;
        offsets = [
            ...lexerErrors.map((error) => error.offset),
            ...parserErrors.map((error) => {
                const offset = error.token.startOffset;
                if (Number.isFinite(offset) && offset >= 0) {
                    return offset;
                }
                // A token the parser inserted to recover has no position; the one before it does.
                const previous = (error as { previousToken?: { endOffset?: number } }).previousToken?.endOffset;
                return previous !== undefined && Number.isFinite(previous) ? previous : Number.POSITIVE_INFINITY;
            })
        ];
        offsetsByDocument.set(document, offsets);
    }
    return offsets;
}

/** True when a lexer or parser error lies inside the machine's text (or at the end of an unclosed machine). */
export function hasSyntaxError(machine: Machine): boolean {
    const document = AstUtils.getDocument(machine);
    const offsets = errorOffsets(document);
    if (offsets.length === 0 || !machine.$cstNode) {
        return false;
    }
    const { offset, end } = machine.$cstNode;
    const model = machine.$container as Model;
    const isLast = model.machines[model.machines.length - 1] === machine;
    return offsets.some((at) => (at >= offset && at <= end) || (isLast && at > end));
}
