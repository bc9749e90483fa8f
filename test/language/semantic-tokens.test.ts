// Semantic tokens through the real services: each word is coloured by its role where it stands.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LangiumDocument } from 'langium';
import type { Range, SemanticTokens } from 'vscode-languageserver';
import { describe, expect, test } from 'vitest';
import { ReactorFsmSemanticTokenProvider } from '../../language/lsp/semantic-tokens.js';
import { services, withDocuments } from '../helpers.js';

const provider = services.lsp.SemanticTokenProvider!;

interface Token {
    line: number;
    char: number;
    length: number;
    offset: number;
    text: string;
    type: string;
    modifiers: string[];
}

/** Decodes the LSP integer array: five numbers per token, line and start relative to the previous token. */
function decode(result: SemanticTokens, document: LangiumDocument): Token[] {
    const types = Object.entries(provider.tokenTypes);
    const modifiers = Object.entries(provider.tokenModifiers);
    const tokens: Token[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < result.data.length; i += 5) {
        const [deltaLine, deltaChar, length, type, bits] = result.data.slice(i, i + 5) as [number, number, number, number, number];
        line += deltaLine;
        char = deltaLine === 0 ? char + deltaChar : deltaChar;
        const offset = document.textDocument.offsetAt({ line, character: char });
        tokens.push({
            line,
            char,
            length,
            offset,
            text: document.textDocument.getText().slice(offset, offset + length),
            type: types.find(([, index]) => index === type)![0],
            modifiers: modifiers.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name).sort()
        });
    }
    return tokens;
}

/** The semantic tokens of `text` (or of its `range`), from a document built and then removed again. */
function highlight(text: string, range?: Range): Promise<Token[]> {
    return withDocuments([text], async ([document]) => {
        const params = { textDocument: { uri: document!.uri.toString() } };
        const result = range ? await provider.semanticHighlightRange(document!, { ...params, range }) : await provider.semanticHighlight(document!, params);
        return decode(result, document!);
    });
}

/** `type` or `type[modifier,…]` of the `occurrence`-th token (0-based) whose text is `text` on line `line`. */
function role(tokens: Token[], line: number, text: string, occurrence = 0): string {
    const token = tokens.filter((t) => t.line === line && t.text === text)[occurrence];
    if (!token) {
        return `no token ${JSON.stringify(text)} #${occurrence} on line ${line}`;
    }
    return token.modifiers.length > 0 ? `${token.type}[${token.modifiers.join(',')}]` : token.type;
}

/** The model from docs/language.md where keywords are names. */
const keywordNames = `machine session {
    events read, close
    initial state S {
        on read / close connect      // built-in close of the socket \`connect\`
        on close -> D
    }
    final state D
    client connect connect a:1 { read -> read  close -> close }
}
`;

describe('keywords used as names are coloured as names', () => {
    test('machine, event and socket declarations', async () => {
        const tokens = await highlight(keywordNames);
        expect(role(tokens, 0, 'machine')).toBe('keyword');
        expect(role(tokens, 0, 'session')).toBe('class[declaration]');
        expect(role(tokens, 1, 'events')).toBe('keyword');
        expect(role(tokens, 1, 'read')).toBe('event[declaration]');
        expect(role(tokens, 1, 'close')).toBe('event[declaration]');
        expect(role(tokens, 7, 'client')).toBe('keyword');
        expect(role(tokens, 7, 'connect', 0)).toBe('variable[declaration,readonly]');
        expect(role(tokens, 7, 'connect', 1)).toBe('keyword');
        expect(role(tokens, 7, 'a:1')).toBe('string');
    });

    test('transitions: event references, built-in actions and socket references', async () => {
        const tokens = await highlight(keywordNames);
        expect(role(tokens, 3, 'on')).toBe('keyword');
        expect(role(tokens, 3, 'read')).toBe('event');
        expect(role(tokens, 3, 'close')).toBe('function[defaultLibrary]');
        expect(role(tokens, 3, 'connect')).toBe('variable[readonly]');
        expect(role(tokens, 4, 'close')).toBe('event');
        expect(role(tokens, 4, 'D')).toBe('enumMember');
    });

    test('socket event mappings: the socket event before the arrow, the machine event after it', async () => {
        const tokens = await highlight(keywordNames);
        expect(role(tokens, 7, 'read', 0)).toBe('event[defaultLibrary]');
        expect(role(tokens, 7, 'read', 1)).toBe('event');
        expect(role(tokens, 7, 'close', 0)).toBe('event[defaultLibrary]');
        expect(role(tokens, 7, 'close', 1)).toBe('event');
    });

    test('states, user actions and guards named by keywords', async () => {
        const tokens = await highlight(`machine M {
    events read, Go
    initial state S {
        on Go [!timeout] -> read / read, session, stop
        after 5s -> read / raise read
    }
    state read { entry idle exit Close, close c }
    connection c
}
`);
        expect(role(tokens, 3, '!')).toBe('operator');
        expect(role(tokens, 3, 'timeout')).toBe('function[readonly]');
        expect(role(tokens, 3, 'read', 0)).toBe('enumMember');
        expect(role(tokens, 3, 'read', 1)).toBe('function');
        expect(role(tokens, 3, 'session')).toBe('function');
        expect(role(tokens, 3, 'stop')).toBe('function[defaultLibrary]');
        expect(role(tokens, 4, 'after')).toBe('keyword');
        expect(role(tokens, 4, '5s')).toBe('number');
        expect(role(tokens, 4, 'read', 0)).toBe('enumMember');
        expect(role(tokens, 4, 'raise')).toBe('function[defaultLibrary]');
        expect(role(tokens, 4, 'read', 1)).toBe('event');
        expect(role(tokens, 6, 'state')).toBe('keyword');
        expect(role(tokens, 6, 'read')).toBe('enumMember[declaration]');
        expect(role(tokens, 6, 'entry')).toBe('keyword');
        expect(role(tokens, 6, 'idle')).toBe('function');
        expect(role(tokens, 6, 'exit')).toBe('keyword');
        expect(role(tokens, 6, 'Close')).toBe('function');
        expect(role(tokens, 6, 'close')).toBe('function[defaultLibrary]');
        expect(role(tokens, 6, 'c')).toBe('variable[readonly]');
        expect(role(tokens, 7, 'connection')).toBe('keyword');
        expect(role(tokens, 7, 'c')).toBe('variable[declaration,readonly]');
    });
});

describe('sockets, options and signals', () => {
    test('options are properties, durations and counts numbers, addresses strings', async () => {
        const tokens = await highlight(`machine Gate {
    events Up, Lost, Quit, Idle
    initial state Run { on Up on Lost on Idle on Quit -> Done }
    final state Done
    client api connect "db-1.internal:5432" {
        timeout 3s
        reconnect 100ms..5s
        nodelay
        keepalive 10s
        heartbeat 5s timeout 15s -> Lost
        timeout -> Lost
        idle 30s -> Idle
    }
    server web listen [::]:6667 { reuseaddr backlog 511 session Peer accept -> Up }
    signal SIGTERM -> Quit
}
machine Peer { events E initial state S { on E } connection c { read -> E } }
`);
        expect(role(tokens, 4, 'api')).toBe('variable[declaration,readonly]');
        expect(role(tokens, 4, '"db-1.internal:5432"')).toBe('string');
        expect(role(tokens, 5, 'timeout')).toBe('property');
        expect(role(tokens, 5, '3s')).toBe('number');
        expect(role(tokens, 6, 'reconnect')).toBe('property');
        expect(role(tokens, 6, '100ms')).toBe('number');
        expect(role(tokens, 6, '5s')).toBe('number');
        expect(role(tokens, 7, 'nodelay')).toBe('property');
        expect(role(tokens, 8, 'keepalive')).toBe('property');
        expect(role(tokens, 8, '10s')).toBe('number');
        expect(role(tokens, 9, 'heartbeat')).toBe('property');
        expect(role(tokens, 9, '5s')).toBe('number');
        expect(role(tokens, 9, 'timeout')).toBe('property');
        expect(role(tokens, 9, '15s')).toBe('number');
        expect(role(tokens, 9, 'Lost')).toBe('event');
        expect(role(tokens, 10, 'timeout')).toBe('event[defaultLibrary]');
        expect(role(tokens, 11, 'idle')).toBe('property');
        expect(role(tokens, 11, 'Idle')).toBe('event');
        expect(role(tokens, 13, 'server')).toBe('keyword');
        expect(role(tokens, 13, 'listen')).toBe('keyword');
        expect(role(tokens, 13, '[::]:6667')).toBe('string');
        expect(role(tokens, 13, 'reuseaddr')).toBe('property');
        expect(role(tokens, 13, 'backlog')).toBe('property');
        expect(role(tokens, 13, '511')).toBe('number');
        expect(role(tokens, 13, 'session')).toBe('property');
        expect(role(tokens, 13, 'Peer')).toBe('class');
        expect(role(tokens, 13, 'accept')).toBe('event[defaultLibrary]');
        expect(role(tokens, 14, 'signal')).toBe('keyword');
        expect(role(tokens, 14, 'SIGTERM')).toBe('macro');
        expect(role(tokens, 14, 'Quit')).toBe('event');
    });

    test('initial and final are keywords', async () => {
        const tokens = await highlight('machine M { events E initial final state S }');
        expect(role(tokens, 0, 'initial')).toBe('keyword');
        expect(role(tokens, 0, 'final')).toBe('keyword');
        expect(role(tokens, 0, 'S')).toBe('enumMember[declaration]');
    });
});

describe('hierarchy', () => {
    const player = `machine Player {
    events Play, Pause, Mute
    initial state Stopped { on Play -> Resume }
    state Active {
        deep history Resume -> Paused
        initial state Playing { on Pause -> Paused }
        state Paused { after 1s -> Resume }
        on done -> Stopped
    }
    parallel state Settings {
        region Sound {
            initial state Loud { on Mute -> Stopped }
        }
    }
}
`;

    test('regions and histories are coloured where declared and where a transition or timer targets them', async () => {
        const tokens = await highlight(player);
        expect(role(tokens, 2, 'Resume')).toBe('enumMember[abstract]');
        expect(role(tokens, 4, 'deep')).toBe('keyword');
        expect(role(tokens, 4, 'history')).toBe('keyword');
        expect(role(tokens, 4, 'Resume')).toBe('enumMember[abstract,declaration]');
        expect(role(tokens, 4, 'Paused')).toBe('enumMember');
        expect(role(tokens, 6, 'Resume')).toBe('enumMember[abstract]');
        expect(role(tokens, 10, 'region')).toBe('keyword');
        expect(role(tokens, 10, 'Sound')).toBe('namespace[declaration]');
    });

    test('parallel is a keyword, `done` a built-in event, nested states are states', async () => {
        const tokens = await highlight(player);
        expect(role(tokens, 9, 'parallel')).toBe('keyword');
        expect(role(tokens, 9, 'state')).toBe('keyword');
        expect(role(tokens, 9, 'Settings')).toMatch(/^enumMember\[declaration/);
        expect(role(tokens, 7, 'on')).toBe('keyword');
        expect(role(tokens, 7, 'done')).toBe('event[defaultLibrary]');
        expect(role(tokens, 7, 'Stopped')).toBe('enumMember');
        expect(role(tokens, 5, 'Playing')).toMatch(/^enumMember\[declaration/);
        expect(role(tokens, 11, 'Loud')).toMatch(/^enumMember\[declaration/);
        expect(role(tokens, 11, 'Stopped')).toBe('enumMember');
    });

    test('every word of a hierarchical model has exactly one token', async () => {
        const tokens = await highlight(player);
        const words = [...player.matchAll(/[A-Za-z0-9]+/g)].map((match) => match.index);
        expect(tokens.map((token) => token.offset).filter((offset) => words.includes(offset)).sort((a, b) => a - b)).toEqual(words);
        expect(new Set(tokens.map((token) => token.offset)).size).toBe(tokens.length);
    });
});

describe('unreachable states and comments', () => {
    test('a state no path reaches is deprecated', async () => {
        const tokens = await highlight(`machine M {
    events Go
    initial state A { on Go -> B }
    state B
    state Orphan { on Go -> B }
}
`);
        expect(role(tokens, 2, 'A')).toBe('enumMember[declaration]');
        expect(role(tokens, 3, 'B')).toBe('enumMember[declaration]');
        expect(role(tokens, 4, 'Orphan')).toBe('enumMember[declaration,deprecated]');
        expect(role(tokens, 4, 'B')).toBe('enumMember');
    });

    test('without an initial state no state is marked unreachable', async () => {
        const tokens = await highlight('machine M { events Go state A { on Go -> B } state B }');
        expect(role(tokens, 0, 'A')).toBe('enumMember[declaration]');
        expect(role(tokens, 0, 'B', 1)).toBe('enumMember[declaration]');
    });

    test('in a nested machine, only once every composite state has its initial child', async () => {
        const nested = (initial: string): string => `machine M {
    events Go
    initial state A { on Go -> Outer }
    state Outer {
        ${initial}state Inner { on Go -> Other }
        state Other
    }
    state Orphan
}
`;
        // Outer has no initial child: where the machine goes inside it is undecided, and so is what is unreachable.
        const undecided = await highlight(nested(''));
        expect([role(undecided, 4, 'Inner'), role(undecided, 5, 'Other'), role(undecided, 7, 'Orphan')]).toEqual(Array(3).fill('enumMember[declaration]'));
        expect(undecided.some((token) => token.modifiers.includes('deprecated'))).toBe(false);
        const decided = await highlight(nested('initial '));
        expect(role(decided, 4, 'Inner')).toBe('enumMember[declaration]');
        expect(role(decided, 5, 'Other')).toBe('enumMember[declaration]');
        expect(role(decided, 7, 'Orphan')).toBe('enumMember[declaration,deprecated]');
    });

    test('line, block and unclosed comments', async () => {
        const tokens = await highlight('// head\nmachine M { /* inner */ events E initial state S }\n/* never closed\nmachine');
        expect(role(tokens, 0, '// head')).toBe('comment');
        expect(role(tokens, 1, '/* inner */')).toBe('comment');
        expect(role(tokens, 2, '/* never closed')).toBe('comment');
        expect(role(tokens, 3, 'machine')).toBe('comment');
    });

    test('a block comment over several lines below the first gets one token per line, ending where it ends', async () => {
        const tokens = await highlight('machine A { events E initial state S }\n/* one\n   two */ machine B { events E initial state S }\n');
        expect(role(tokens, 1, '/* one')).toBe('comment');
        expect(role(tokens, 2, '   two */')).toBe('comment');
        expect(role(tokens, 2, 'machine')).toBe('keyword');
        expect(role(tokens, 2, 'B')).toBe('class[declaration]');
    });
});

describe('coverage and robustness', () => {
    const examples = join(import.meta.dirname, '../../examples');
    const files = readdirSync(examples).filter((name) => name.endsWith('.fsm'));

    test.each(files)('every word of examples/%s gets exactly one token', async (name) => {
        const text = readFileSync(join(examples, name), 'utf8');
        const tokens = await highlight(text);
        const covered = (offset: number) => tokens.filter((t) => t.offset <= offset && offset < t.offset + t.length).length;
        const uncovered: string[] = [];
        const doubled: string[] = [];
        for (const match of text.matchAll(/[A-Za-z_][\w]*/g)) {
            const count = covered(match.index);
            if (count === 0) uncovered.push(match[0]);
            if (count > 1) doubled.push(match[0]);
        }
        expect(uncovered).toEqual([]);
        expect(doubled).toEqual([]);
        // Tokens come sorted and never overlap (the LSP encoding requires it).
        for (let i = 1; i < tokens.length; i++) {
            expect(tokens[i]!.offset).toBeGreaterThanOrEqual(tokens[i - 1]!.offset + tokens[i - 1]!.length);
        }
    });

    test('a range request returns only the tokens inside the range', async () => {
        const range = { start: { line: 3, character: 0 }, end: { line: 5, character: 0 } };
        const tokens = await highlight(keywordNames, range);
        expect(tokens.length).toBeGreaterThan(0);
        expect(tokens.every((t) => t.line >= 3 && t.line < 5)).toBe(true);
        expect(role(tokens, 3, 'close')).toBe('function[defaultLibrary]');
    });

    test('incomplete models are highlighted without throwing', async () => {
        for (const text of ['machine', 'machine M {', 'machine M { events', 'machine M { initial state S { on -> / close', 'machine { state', 'machine M { client c connect { read -> } signal -> }']) {
            await expect(highlight(text)).resolves.toBeInstanceOf(Array);
        }
        const tokens = await highlight('machine M { events read initial state S { on read -> ');
        expect(role(tokens, 0, 'read', 0)).toBe('event[declaration]');
        expect(role(tokens, 0, 'read', 1)).toBe('event');
    });

    test('the provider is the one the language module registers', () => {
        expect(provider).toBeInstanceOf(ReactorFsmSemanticTokenProvider);
    });

    test('the legend names every token type and modifier the provider uses', () => {
        const legend = provider.semanticTokensOptions.legend;
        for (const type of ['class', 'enumMember', 'namespace', 'event', 'variable', 'function', 'property', 'macro', 'number', 'string', 'operator', 'keyword', 'comment']) {
            expect(legend.tokenTypes).toContain(type);
        }
        for (const modifier of ['declaration', 'readonly', 'defaultLibrary', 'deprecated', 'abstract']) {
            expect(legend.tokenModifiers).toContain(modifier);
        }
    });
});
