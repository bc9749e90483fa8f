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
        return `Expected ${describeExpected(options.expected)} but found ${describeFound(options.actual)}.`;
    }

    buildNotAllInputParsedMessage(options: { firstRedundant: IToken; ruleName: string }): string {
        return `Unexpected ${describeFound(options.firstRedundant)}: a .fsm file holds 'machine NAME { … }' blocks.`;
    }

    buildNoViableAltMessage(options: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; customUserDescription: string; ruleName: string }): string {
        const expected = this.firstTokens(options.expectedPathsPerAlt.flat());
        const found = options.actual[0];
        return `Expected ${listAlternatives(expected)} but found ${found ? describeFound(found) : 'the end of the file'}.`;
    }

    buildEarlyExitMessage(options: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; customUserDescription: string; ruleName: string }): string {
        const expected = this.firstTokens(options.expectedIterationPaths);
        const found = options.actual[0];
        return `Expected at least one ${listAlternatives(expected)} but found ${found ? describeFound(found) : 'the end of the file'}.`;
    }
}

export class FriendlyLexerErrorMessages implements ILexerErrorMessageProvider {
    buildUnexpectedCharactersMessage(fullText: string, startOffset: number, length: number): string {
        const text = fullText.substring(startOffset, startOffset + Math.min(length, 20));
        if (text.startsWith('/*')) {
            return "Unclosed comment: '/*' needs a matching '*/'.";
        }
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
