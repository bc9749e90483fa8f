// Quick fixes for our diagnostics: mark a stuck state final, remove an unreachable state, declare a missing event,
// replace a misspelt name with the suggested one, and remove a socket option that has no effect, is repeated or misplaced.
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { isMachine, isSocketMember, isState } from '../generated/ast.js';
import { isUnresolvedReferenceData } from '../validation/document-validator.js';
import { IssueCodes } from '../validation/issue-codes.js';

function nodeAt<T extends AstNode>(document: LangiumDocument, diagnostic: Diagnostic, guard: (node: AstNode) => node is T): T | undefined {
    const root = document.parseResult.value.$cstNode;
    const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(diagnostic.range.start));
    return leaf ? AstUtils.getContainerOfType(leaf.astNode, guard) : undefined;
}

function fix(title: string, document: LangiumDocument, diagnostic: Diagnostic, edits: TextEdit[], preferred = false): CodeAction {
    return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred, edit: { changes: { [document.textDocument.uri]: edits } } };
}

/** `final ` before the `state` keyword of a stuck state. */
function markFinal(document: LangiumDocument, diagnostic: Diagnostic): CodeAction | undefined {
    const state = nodeAt(document, diagnostic, isState);
    const keyword = state && GrammarUtils.findNodeForKeyword(state.$cstNode, 'state');
    return keyword ? fix(`Mark '${state.name}' final`, document, diagnostic, [{ range: { start: keyword.range.start, end: keyword.range.start }, newText: 'final ' }], true) : undefined;
}

/** Deletes the state with its line (and the indentation before it). */
function removeState(document: LangiumDocument, diagnostic: Diagnostic): CodeAction | undefined {
    const state = nodeAt(document, diagnostic, isState);
    const cst = state?.$cstNode;
    if (!state || !cst) {
        return undefined;
    }
    const text = document.textDocument.getText();
    let start = cst.offset;
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) {
        start--;
    }
    let end = cst.end;
    if (text.startsWith('\r\n', end)) {
        end += 2;
    } else if (text[end] === '\n') {
        end += 1;
    }
    const range = { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end) };
    return fix(`Remove unreachable state '${state.name}'`, document, diagnostic, [{ range, newText: '' }]);
}

/** Deletes a socket option or event: its whole line when it stands alone, else the member and the blanks on one side of it. */
function removeOption(document: LangiumDocument, diagnostic: Diagnostic, preferred: boolean): CodeAction | undefined {
    const option = nodeAt(document, diagnostic, isSocketMember);
    const cst = option?.$cstNode;
    if (!option || !cst) {
        return undefined;
    }
    const text = document.textDocument.getText();
    const blank = (at: number): boolean => text[at] === ' ' || text[at] === '\t';
    let before = cst.offset;
    while (before > 0 && blank(before - 1)) {
        before--;
    }
    let after = cst.end;
    while (after < text.length && blank(after)) {
        after++;
    }
    const newlineAfter = text.startsWith('\r\n', after) ? 2 : text[after] === '\n' ? 1 : after === text.length ? 0 : -1;
    let start: number;
    let end: number;
    if ((before === 0 || text[before - 1] === '\n') && newlineAfter >= 0) {
        [start, end] = [before, after + newlineAfter]; // alone on its line
    } else if (after > cst.end && newlineAfter < 0 && text[after] !== '}') {
        [start, end] = [cst.offset, after]; // `{ reuseaddr  backlog 5 }`: the blanks after it
    } else {
        [start, end] = [before, cst.end]; // last of its line or block: the blanks before it
    }
    const range = { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end) };
    return fix(`Remove '${cst.text}'`, document, diagnostic, [{ range, newText: '' }], preferred);
}

/** Adds the event to the machine's last `events` list, or a new list after the machine's `{`. */
function declareEvent(document: LangiumDocument, diagnostic: Diagnostic, name: string): CodeAction | undefined {
    const machine = nodeAt(document, diagnostic, isMachine);
    if (!machine) {
        return undefined;
    }
    const lastList = machine.eventLists[machine.eventLists.length - 1]?.$cstNode;
    if (lastList) {
        return fix(`Declare event '${name}'`, document, diagnostic, [{ range: { start: lastList.range.end, end: lastList.range.end }, newText: `, ${name}` }]);
    }
    const brace = GrammarUtils.findNodeForKeyword(machine.$cstNode, '{');
    if (!brace) {
        return undefined;
    }
    const indent = ' '.repeat(brace.range.start.character === 0 ? 4 : (machine.$cstNode?.range.start.character ?? 0) + 4);
    return fix(`Declare event '${name}'`, document, diagnostic, [{ range: { start: brace.range.end, end: brace.range.end }, newText: `\n${indent}events ${name}` }]);
}

export class ReactorFsmCodeActionProvider implements CodeActionProvider {
    getCodeActions(document: LangiumDocument, params: CodeActionParams): MaybePromise<Array<Command | CodeAction>> {
        const actions: CodeAction[] = [];
        const add = (action: CodeAction | undefined): void => {
            if (action) {
                actions.push(action);
            }
        };
        for (const diagnostic of params.context.diagnostics) {
            switch (diagnostic.code) {
                case IssueCodes.TerminalState:
                    add(markFinal(document, diagnostic));
                    break;
                case IssueCodes.UnreachableState:
                    add(removeState(document, diagnostic));
                    break;
                case IssueCodes.IneffectiveOption:
                case IssueCodes.RepeatedOption:
                    add(removeOption(document, diagnostic, true));
                    break;
                case IssueCodes.MisplacedOption:
                    // Not preferred: it may belong on another socket of the machine.
                    add(removeOption(document, diagnostic, false));
                    break;
                case IssueCodes.UnresolvedReference: {
                    // Langium's linking-error data with our suggestions (see UnresolvedReferenceData).
                    const data = isUnresolvedReferenceData(diagnostic.data) ? diagnostic.data : undefined;
                    const suggestions = data?.suggestions ?? (data?.suggestion ? [data.suggestion] : []);
                    for (const suggestion of suggestions) {
                        // Preferred only when it is the one close name: with several, the user picks.
                        add(fix(`Change to '${suggestion}'`, document, diagnostic, [{ range: diagnostic.range, newText: suggestion }], suggestions.length === 1));
                    }
                    if (data?.referenceType === 'event') {
                        add(declareEvent(document, diagnostic, data.refText));
                    }
                    break;
                }
                default:
                    break;
            }
        }
        return actions;
    }
}

