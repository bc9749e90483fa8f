// Parser and lexer messages in the user's words: "Expected a state name but found '}'" rather than token type names.
import type { ILexerErrorMessageProvider, IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';

const TERMINAL_WORDS: Record<string, string> = {
    ID: 'a name',
    QUANTITY: 'a duration or number (like 3s or 511)',
    ADDRESS: 'an address (like 127.0.0.1:7000)',
    STRING: 'a quoted string',
    EOF: 'the end of the file'
};

/** What an expected token type means to a user: a name, a duration, or a quoted keyword. */
export function describeExpected(type: TokenType): string {
    return TERMINAL_WORDS[type.name] ?? `'${type.name}'`;
}

export const UNCLOSED_COMMENT_MESSAGE = "Unclosed comment: '/*' needs a matching '*/'.";

function isUnclosedComment(token: IToken | undefined): boolean {
    return token?.tokenType.name === 'UNCLOSED_COMMENT';
}

/** What was actually found, quoted as written. */
export function describeFound(token: IToken): string {
    if (token.tokenType.name === 'EOF' || token.image === '') {
        return 'the end of the file';
    }
    const image = token.image.length > 40 ? `${token.image.slice(0, 37)}...` : token.image;
    return `'${image}'`;
}

/** Joins alternatives as "a, b or c", listing each once. */
function listAlternatives(descriptions: string[]): string {
    const unique = [...new Set(descriptions)];
    if (unique.length <= 1) {
        return unique[0] ?? 'something else';
    }
    return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

export class FriendlyParserErrorMessages implements IParserErrorMessageProvider {
    /**
     * @param nameWords keywords that are also valid names: where a name is expected they are not listed one by one.
     */
    constructor(private readonly nameWords: ReadonlySet<string>) {}

    private firstTokens(paths: TokenType[][]): string[] {
        const firsts: string[] = [];
        for (const path of paths) {
            const first = path[0];
            if (!first) {
                continue;
            }
            firsts.push(this.nameWords.has(first.name) ? TERMINAL_WORDS.ID! : describeExpected(first));
        }
        // Names first, then keywords in a stable order.
        return firsts.sort((a, b) => Number(b === TERMINAL_WORDS.ID) - Number(a === TERMINAL_WORDS.ID) || a.localeCompare(b));
    }

    buildMismatchTokenMessage(options: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
        if (isUnclosedComment(options.actual)) {
            return UNCLOSED_COMMENT_MESSAGE;
        }
        if (options.expected.name === 'EOF') {
            return this.topLevelMessage(options.actual);
        }
        const message = `Expected ${describeExpected(options.expected)} but found ${describeFound(options.actual)}.`;
        // Two names in a row: most often a list whose comma is missing (`events Go Stop`).
        return this.isName(options.actual) && this.isName(options.previous) ? `${message} Separate names in a list with commas.` : message;
    }

    buildNotAllInputParsedMessage(options: { firstRedundant: IToken; ruleName: string }): string {
        return isUnclosedComment(options.firstRedundant) ? UNCLOSED_COMMENT_MESSAGE : this.topLevelMessage(options.firstRedundant);
    }

    private topLevelMessage(found: IToken): string {
        return `Unexpected ${describeFound(found)}: a .fsm file holds 'machine NAME { … }' blocks.`;
    }

    private isName(token: IToken | undefined): boolean {
        return token !== undefined && this.nameWords.has(token.tokenType.name);
    }

    buildNoViableAltMessage(options: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; customUserDescription: string; ruleName: string }): string {
        const expected = this.firstTokens(options.expectedPathsPerAlt.flat());
        const found = options.actual[0];
        if (isUnclosedComment(found)) {
            return UNCLOSED_COMMENT_MESSAGE;
        }
        return `Expected ${listAlternatives(expected)} but found ${found ? describeFound(found) : 'the end of the file'}.`;
    }

    buildEarlyExitMessage(options: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; customUserDescription: string; ruleName: string }): string {
        const expected = this.firstTokens(options.expectedIterationPaths);
        const found = options.actual[0];
        if (isUnclosedComment(found)) {
            return UNCLOSED_COMMENT_MESSAGE;
        }
        return `Expected at least one ${listAlternatives(expected)} but found ${found ? describeFound(found) : 'the end of the file'}.`;
    }
}

export class FriendlyLexerErrorMessages implements ILexerErrorMessageProvider {
    buildUnexpectedCharactersMessage(fullText: string, startOffset: number, length: number): string {
        const text = fullText.substring(startOffset, startOffset + Math.min(length, 20));
        if (text.startsWith('"')) {
            return 'Unclosed string: a quoted string ends with " on the same line.';
        }
        const shown = JSON.stringify(text).slice(1, -1);
        return `Unexpected character${length > 1 ? 's' : ''} '${shown}'.`;
    }

    buildUnableToPopLexerModeMessage(token: IToken): string {
        return `Unexpected '${token.image}'.`;
    }
}
