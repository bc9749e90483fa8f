// Which machines are incomplete (a syntax error or an unresolved name): graph checks wait until they are fixed.
import { AstUtils, type LangiumDocument } from 'langium';
import type { Machine } from '../generated/ast.js';

/** Keyed by the parse result: Langium keeps the document object across edits and replaces only its parse result. */
const offsetsByParse = new WeakMap<LangiumDocument['parseResult'], number[]>();

/** Offsets of every lexer and parser error of the document. */
function errorOffsets(document: LangiumDocument): number[] {
    let offsets = offsetsByParse.get(document.parseResult);
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
        offsetsByParse.set(document.parseResult, offsets);
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
    const { offset, end, text } = machine.$cstNode;
    const model = machine.$container;
    // Only an unclosed last machine owns the errors after its text (a missing `}` is found at the end of the file).
    const unclosedLast = model.machines[model.machines.length - 1] === machine && !text.trimEnd().endsWith('}');
    return offsets.some((at) => (at >= offset && at <= end) || (unclosedLast && at > end));
}

/** Offsets of the unresolved references of a document, keyed by its list of references (the linker replaces the list). */
const unresolvedByReferences = new WeakMap<LangiumDocument['references'], number[]>();

/** True when a name inside the machine does not resolve: a transition without its target would look like a missing path. */
export function hasUnresolvedReference(machine: Machine): boolean {
    const cst = machine.$cstNode;
    if (!cst) {
        return false;
    }
    // One pass over the document's references per version, not one per machine and check: files can hold thousands.
    const references = AstUtils.getDocument(machine).references;
    let unresolved = unresolvedByReferences.get(references);
    if (!unresolved) {
        unresolved = references.filter((reference) => reference.error !== undefined && reference.$refNode !== undefined).map((reference) => reference.$refNode!.offset);
        unresolvedByReferences.set(references, unresolved);
    }
    return unresolved.some((offset) => offset >= cst.offset && offset < cst.end);
}

/** A machine whose graph is not what the user meant yet. */
export function isIncomplete(machine: Machine): boolean {
    return hasSyntaxError(machine) || hasUnresolvedReference(machine);
}
