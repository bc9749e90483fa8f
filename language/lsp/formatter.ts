// Formats .fsm files to the house style of examples/: 4-space indentation, one member per line, tight punctuation.
import { CstUtils, GrammarAST, isCompositeCstNode, isLeafCstNode, type AstNode, type CompositeCstNode, type CstNode, type LangiumDocument, type TextDocument } from 'langium';
import { AbstractFormatter, Formatting, type FormattingAction, type FormattingActionOptions, type FormattingContext } from 'langium/lsp';
import type { DocumentFormattingParams, DocumentRangeFormattingParams, FormattingOptions, Range, TextEdit } from 'vscode-languageserver';
import { isEventList, isGuard, isModel, isReconnectOption, type Model } from '../generated/ast.js';

/** A line break as LSP positions count them. */
const LINE_BREAK = /\r\n|\r|\n/;

/** Blank lines kept between two members (and before a comment): at most this many. */
const MAX_BLANK_LINES = 1;

/** One level deeper on a new line, keeping up to MAX_BLANK_LINES blank lines the user put there. */
function indentKeepingBlankLines(): FormattingAction {
    return { options: {}, moves: lineMoves(1) };
}

/** A new line at the current level, keeping up to MAX_BLANK_LINES blank lines the user put there. */
function newLineKeepingBlankLines(): FormattingAction {
    return { options: {}, moves: lineMoves(0) };
}

function lineMoves(tabs: number): FormattingAction['moves'] {
    // `findFittingMove` takes the first move with at least as many lines as there are, else the last one.
    return Array.from({ length: MAX_BLANK_LINES + 1 }, (_, blank) => ({ tabs, lines: blank + 1 }));
}

/** One space, or (where the user broke the line) a continuation line one level deeper. */
function spaceOrContinuation(): FormattingAction {
    return Formatting.fit(Formatting.oneSpace(), Formatting.indent());
}

/** One level of indentation as the editor asks for it. */
function indentUnit(context: FormattingContext): string {
    return context.options.insertSpaces ? ' '.repeat(context.options.tabSize) : '\t';
}

function isKeywordNode(node: CstNode | undefined, value?: string): boolean {
    return node !== undefined && !node.hidden && GrammarAST.isKeyword(node.grammarSource)
        && (value === undefined || node.grammarSource.value === value);
}

/**
 * The CST node of a node's own rule. A node reached through an unassigned rule call (`Socket: Server | Client
 * | Connection`) has the caller's node as its `$cstNode`, with the callee's node as its only child.
 */
function ownCst(node: AstNode): CompositeCstNode | undefined {
    const start = node.$cstNode;
    if (!isCompositeCstNode(start)) {
        return undefined;
    }
    let cst: CompositeCstNode = start;
    for (;;) {
        const visible: CstNode[] = cst.content.filter((child) => !child.hidden);
        const only: CstNode | undefined = visible[0];
        if (visible.length !== 1 || !isCompositeCstNode(only) || only.astNode !== node) {
            return cst;
        }
        cst = only;
    }
}

/** The tokens and sub-nodes a node's own rule consumed, in order, without comments. */
function ownParts(cst: CompositeCstNode | undefined): CstNode[] {
    return cst ? cst.content.filter((child) => !child.hidden && child.length > 0) : [];
}

/**
 * The Reactor FSM formatter.
 *
 * - Members of a `{ … }` block (machine, state, region, socket) go on their own line, one level deeper; `}` on a
 *   line of its own at the level of its opening line. Nested blocks (states in a state, regions in a parallel state,
 *   states in a region) go one level deeper each. A body-less `state X` stays as it is.
 * - Between the tokens of one member: one space; none before `,`, inside `[…]`, after `!` and around `..`.
 * - Blank lines the user put between members, machines or comments are kept, at most one.
 * - An `events` list may be wrapped after `events` or a comma: continuation lines are indented one level deeper.
 * - Comments are kept as they are; a comment on a line of its own is indented like the members around it
 *   (the lines of a `/* … *\/` comment move with its first line). Trailing comments keep their alignment.
 * - Only whitespace changes. In a document with syntax errors only the complete machines before the first
 *   error are formatted.
 */
export class ReactorFsmFormatter extends AbstractFormatter {

    /** Offsets of the `{` and `}` tokens of the document being formatted, to indent comments by depth. */
    private openBraces: number[] = [];
    private closeBraces: number[] = [];
    /** The line break of the document being formatted. */
    private eol = '\n';

    override formatDocument(document: LangiumDocument, params: DocumentFormattingParams): TextEdit[] {
        const limit = this.errorFreeLimit(document);
        if (limit === 0) {
            return [];
        }
        const edits = this.doDocumentFormat(document, params.options);
        if (limit === undefined) {
            return [...edits, ...this.finalNewLine(document)];
        }
        const textDocument = document.textDocument;
        return edits.filter((edit) => textDocument.offsetAt(edit.range.end) <= limit);
    }

    /** A range is formatted under the same rule as the whole document: nothing past the last complete machine. */
    override formatDocumentRange(document: LangiumDocument, params: DocumentRangeFormattingParams): TextEdit[] {
        const limit = this.errorFreeLimit(document);
        if (limit === 0) {
            return [];
        }
        const edits = this.doDocumentFormat(document, params.options, params.range);
        const textDocument = document.textDocument;
        return limit === undefined ? edits : edits.filter((edit) => textDocument.offsetAt(edit.range.end) <= limit);
    }

    protected override doDocumentFormat(document: LangiumDocument, options: FormattingOptions, range?: Range): TextEdit[] {
        this.collectBraces(document);
        this.eol = document.textDocument.getText().includes('\r\n') ? '\r\n' : '\n';
        try {
            return super.doDocumentFormat(document, options, range);
        } catch {
            // A tree recovered from syntax errors may hold surprises: leave the text alone rather than fail.
            return [];
        }
    }

    /** Line breaks as the document writes them (Langium's own edits always use `\n`). */
    protected override createLineTextEdit(range: Range, lines: number, context: FormattingContext, options: FormattingActionOptions): TextEdit {
        const edit = super.createLineTextEdit(range, lines, context, options);
        return { ...edit, newText: edit.newText.replace(/\n/g, this.eol) };
    }

    /**
     * A token that should follow the previous one on the same line, but comes after a comment on an earlier line
     * (after a `//` comment it has to): it starts a continuation line, one level deeper than its member.
     */
    protected override createTextEdit(a: CstNode | undefined, b: CstNode, formatting: FormattingAction, context: FormattingContext): TextEdit[] {
        if (a?.hidden && !b.hidden) {
            const between = { start: a.range.end, end: b.range.start };
            const move = this.findFittingMove(between, formatting.moves, context);
            if (between.start.line < between.end.line && move?.characters !== undefined && move.lines === undefined) {
                return [{ range: between, newText: this.eol + indentUnit(context).repeat(context.indentation + 1) }];
            }
        }
        return super.createTextEdit(a, b, formatting, context);
    }

    protected override isNecessary(edit: TextEdit, document: TextDocument): boolean {
        return edit.newText !== document.getText(edit.range);
    }

    protected override format(node: AstNode): void {
        if (isModel(node)) {
            this.formatModel(node);
            return;
        }
        const formatter = this.getNodeFormatter(node);
        const cst = ownCst(node);
        const parts = ownParts(cst);
        if (!cst || parts.length === 0) {
            return;
        }

        // One space between the tokens of a member...
        formatter.cst(parts.slice(1)).prepend(Formatting.oneSpace());
        // ...but tight punctuation: `a, b`, `[!ready]`, `100ms..5s`, `Line(string)`, `raise E(payload)`.
        formatter.keywords(',').prepend(Formatting.noSpace());
        formatter.keywords(']').prepend(Formatting.noSpace());
        formatter.keywords('(', ')').prepend(Formatting.noSpace());
        for (let i = 1; i < parts.length; i++) {
            if (isKeywordNode(parts[i - 1], '[') || isKeywordNode(parts[i - 1], '(')) {
                formatter.cst([parts[i]!]).prepend(Formatting.noSpace());
            }
        }
        if (isGuard(node) && node.negated) {
            formatter.property('name').prepend(Formatting.noSpace());
        }
        if (isReconnectOption(node)) {
            formatter.keyword('..').prepend(Formatting.noSpace());
            formatter.property('max').prepend(Formatting.noSpace());
        }
        if (isEventList(node)) {
            // `events A, B` on one line, or wrapped where the user broke the line.
            formatter.properties('events').prepend(spaceOrContinuation());
        }

        // Blocks: machine, state, region, server, client, connection.
        const open = parts.find((part) => isKeywordNode(part, '{'));
        const close = parts.find((part) => isKeywordNode(part, '}'));
        if (open && close) {
            const inside = formatter.interior(formatter.cst([open]), formatter.cst([close])).nodes;
            const members = inside.filter((member) => !member.hidden);
            for (const member of members) {
                const before = cst.content[cst.content.indexOf(member) - 1];
                // No blank line right after `{`; between members (or after a comment) the user's blank line stays.
                formatter.cst([member]).prepend(isKeywordNode(before, '{') ? Formatting.indent() : indentKeepingBlankLines());
            }
            // An empty block stays `{}`; otherwise `}` goes on a line of its own.
            formatter.cst([close]).prepend(inside.length === 0 ? Formatting.noSpace() : Formatting.newLine());
        }
    }

    /** Machines start at the left margin, each on its own line; the first one at the top unless a comment precedes it. */
    private formatModel(model: Model): void {
        const formatter = this.getNodeFormatter(model);
        for (const machine of model.machines) {
            const cst = machine.$cstNode;
            if (!cst) {
                continue;
            }
            const textBefore = cst.root.fullText.substring(0, cst.offset);
            formatter.node(machine).prepend(textBefore.trim() === '' ? Formatting.noSpace() : newLineKeepingBlankLines());
        }
    }

    /**
     * A comment on a line of its own: indented by the number of blocks around it, with at most one blank line
     * before it (none at the top of the file or right after `{`). Comments after a token on the same line stay.
     */
    protected override createHiddenTextEdits(previous: CstNode | undefined, hidden: CstNode, _formatting: FormattingAction | undefined, context: FormattingContext): TextEdit[] {
        const textDocument = context.document;
        const start = hidden.range.start;
        if (previous && previous.range.end.line === start.line) {
            return [];
        }
        if (!isMultiLineComment(hidden) && !isSingleLineComment(hidden)) {
            return [];
        }
        const from = previous ? previous.range.end : { line: 0, character: 0 };
        const between = textDocument.getText({ start: from, end: start });
        if (between.trim() !== '') {
            return [];
        }
        // LSP lines end at \r\n, \n and a lone \r alike: count and split as the document's positions do.
        const lineBreaks = between.split(LINE_BREAK).length - 1;
        const maxLines = isKeywordNode(previous, '{') ? 1 : MAX_BLANK_LINES + 1;
        const lines = previous ? Math.min(Math.max(lineBreaks, 1), maxLines) : 0;
        const indentation = indentUnit(context).repeat(this.depthAt(hidden.offset));
        const edits: TextEdit[] = [{ range: { start: from, end: start }, newText: this.eol.repeat(lines) + indentation }];

        // The further lines of a block comment move by as many columns as its first line.
        const commentLines = hidden.text.split(LINE_BREAK);
        if (commentLines.length > 1) {
            const oldColumn = this.width(between.split(LINE_BREAK).pop()!, context);
            const shift = this.width(indentation, context) - oldColumn;
            for (let i = 1; i < commentLines.length && shift !== 0; i++) {
                const line = start.line + i;
                const text = commentLines[i]!;
                if (shift > 0) {
                    if (text.trim() !== '') {
                        edits.push({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: ' '.repeat(shift) });
                    }
                } else if (text.trim() !== '') {
                    // Lines holding only blanks stay as they are, as when moving right: emptying one could join a
                    // lone \r before it with the \n after it into one \r\n line break, and the comment would lose a line.
                    let removed = 0;
                    let characters = 0;
                    while (characters < text.length && removed < -shift && (text[characters] === ' ' || text[characters] === '\t')) {
                        removed += text[characters] === '\t' ? context.options.tabSize : 1;
                        characters++;
                    }
                    if (characters > 0) {
                        edits.push({ range: { start: { line, character: 0 }, end: { line, character: characters } }, newText: '' });
                    }
                }
            }
        }
        return edits;
    }

    /** Columns a run of indentation takes. */
    private width(indentation: string, context: FormattingContext): number {
        let columns = 0;
        for (const char of indentation) {
            columns += char === '\t' ? context.options.tabSize : 1;
        }
        return columns;
    }

    private collectBraces(document: LangiumDocument): void {
        this.openBraces = [];
        this.closeBraces = [];
        const root = document.parseResult.value.$cstNode;
        if (!root) {
            return;
        }
        for (const node of CstUtils.streamCst(root)) {
            if (isLeafCstNode(node) && isKeywordNode(node)) {
                if (node.text === '{') {
                    this.openBraces.push(node.offset);
                } else if (node.text === '}') {
                    this.closeBraces.push(node.offset);
                }
            }
        }
    }

    /** How many blocks are open at `offset` (the brace offsets are sorted: two binary searches). */
    private depthAt(offset: number): number {
        return Math.max(0, countBefore(this.openBraces, offset) - countBefore(this.closeBraces, offset));
    }

    /**
     * `undefined` when the document has no syntax error; otherwise the offset up to which it may be formatted:
     * the end of the last complete machine before the first error (0: nothing may be formatted).
     */
    private errorFreeLimit(document: LangiumDocument): number | undefined {
        const { lexerErrors, parserErrors, value } = document.parseResult;
        if (lexerErrors.length === 0 && parserErrors.length === 0) {
            return undefined;
        }
        const textLength = document.textDocument.getText().length;
        const errorOffsets = [
            ...lexerErrors.map((error) => error.offset),
            ...parserErrors.map((error) => error.token.startOffset)
        ].map((offset) => (Number.isFinite(offset) && offset >= 0 ? offset : textLength)); // the end of the file: NaN or -1
        const firstError = Math.min(...errorOffsets);
        let limit = 0;
        const machines = isModel(value) ? value.machines : [];
        for (const machine of machines) {
            const parts = ownParts(ownCst(machine));
            const last = parts[parts.length - 1];
            const cst = machine.$cstNode;
            if (!cst || !isKeywordNode(last, '}') || cst.end > firstError) {
                break;
            }
            limit = cst.end;
        }
        return limit;
    }

    /** Whitespace after the last token (or comment) becomes one line break (after `doDocumentFormat` set `eol`). */
    private finalNewLine(document: LangiumDocument): TextEdit[] {
        const root = document.parseResult.value.$cstNode;
        const text = document.textDocument.getText();
        let end = 0;
        if (root) {
            for (const node of CstUtils.streamCst(root)) {
                if (isLeafCstNode(node) && node.end > end) {
                    end = node.end;
                }
            }
        }
        const trailing = text.substring(end);
        const model = document.parseResult.value;
        if (end === 0 || (isModel(model) && model.unclosedComment !== undefined) || trailing.trim() !== '' || trailing === '\n' || trailing === '\r\n') {
            return [];
        }
        const textDocument = document.textDocument;
        return [{ range: { start: textDocument.positionAt(end), end: textDocument.positionAt(text.length) }, newText: this.eol }];
    }
}

/** How many of the sorted `offsets` lie before `offset`. */
function countBefore(offsets: readonly number[], offset: number): number {
    let low = 0;
    let high = offsets.length;
    while (low < high) {
        const middle = (low + high) >>> 1;
        if (offsets[middle]! < offset) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    return low;
}

function isMultiLineComment(node: CstNode): boolean {
    return node.text.startsWith('/*');
}

function isSingleLineComment(node: CstNode): boolean {
    return node.text.startsWith('//');
}
