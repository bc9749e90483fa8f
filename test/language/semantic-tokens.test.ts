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

/** Every token of line `line`, in order, as `text type` or `text type[modifier,…]`. */
function lineRoles(tokens: Token[], line: number): string[] {
    return tokens.filter((token) => token.line === line).map((token) => `${token.text} ${token.type}${token.modifiers.length > 0 ? `[${token.modifiers.join(',')}]` : ''}`);
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
    test('machine, event and socket declarations; in a mapping the socket event before the arrow, the machine event after it', async () => {
        const tokens = await highlight(keywordNames);
        expect(lineRoles(tokens, 0)).toEqual(['machine keyword', 'session class[declaration]']);
        expect(lineRoles(tokens, 1)).toEqual(['events keyword', 'read event[declaration]', 'close event[declaration]']);
        expect(lineRoles(tokens, 7)).toEqual([
            'client keyword', 'connect variable[declaration,readonly]', 'connect keyword', 'a:1 string', 'read event[defaultLibrary]', 'read event',
            'close event[defaultLibrary]', 'close event'
        ]);
    });

    test('transitions: event references, built-in actions and socket references', async () => {
        const tokens = await highlight(keywordNames);
        expect(lineRoles(tokens, 3)).toEqual([
            'on keyword', 'read event', 'close function[defaultLibrary]', 'connect variable[readonly]',
            '// built-in close of the socket `connect` comment'
        ]);
        expect(lineRoles(tokens, 4)).toEqual(['on keyword', 'close event', 'D enumMember']);
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
        expect(lineRoles(tokens, 3)).toEqual([
            'on keyword', 'Go event', '! operator', 'timeout function[readonly]', 'read enumMember', 'read function', 'session function',
            'stop function[defaultLibrary]'
        ]);
        expect(lineRoles(tokens, 4)).toEqual(['after keyword', '5s number', 'read enumMember', 'raise function[defaultLibrary]', 'read event']);
        expect(lineRoles(tokens, 6)).toEqual([
            'state keyword', 'read enumMember[declaration]', 'entry keyword', 'idle function', 'exit keyword', 'Close function',
            'close function[defaultLibrary]', 'c variable[readonly]'
        ]);
        expect(lineRoles(tokens, 7)).toEqual(['connection keyword', 'c variable[declaration,readonly]']);
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
        expect(lineRoles(tokens, 4)).toEqual(['client keyword', 'api variable[declaration,readonly]', 'connect keyword', '"db-1.internal:5432" string']);
        expect(lineRoles(tokens, 5)).toEqual(['timeout property', '3s number']);
        expect(lineRoles(tokens, 6)).toEqual(['reconnect property', '100ms number', '5s number']);
        expect(lineRoles(tokens, 7)).toEqual(['nodelay property']);
        expect(lineRoles(tokens, 8)).toEqual(['keepalive property', '10s number']);
        expect(lineRoles(tokens, 9)).toEqual(['heartbeat property', '5s number', 'timeout property', '15s number', 'Lost event']);
        expect(lineRoles(tokens, 10)).toEqual(['timeout event[defaultLibrary]', 'Lost event']);
        expect(lineRoles(tokens, 11)).toEqual(['idle property', '30s number', 'Idle event']);
        expect(lineRoles(tokens, 13)).toEqual([
            'server keyword', 'web variable[declaration,readonly]', 'listen keyword', '[::]:6667 string', 'reuseaddr property', 'backlog property',
            '511 number', 'session property', 'Peer class', 'accept event[defaultLibrary]', 'Up event'
        ]);
        expect(lineRoles(tokens, 14)).toEqual(['signal keyword', 'SIGTERM macro', 'Quit event']);
    });

    test('processes, spawn, tls settings and workers', async () => {
        const tokens = await highlight(`machine Sup {
    events Line(string), Exited(number)
    initial state Up { entry spawn worker  on Line / send worker payload  on Exited -> Up }
    process worker spawn "node" "w.mjs" { framing lines  stdout -> Line  exit -> Exited }
    server web listen 0.0.0.0:8443 { session Sup  tls { cert "s.pem" key "k.pem" }  workers auto }
}
`);
        expect(lineRoles(tokens, 2)).toEqual([
            'initial keyword', 'state keyword', 'Up enumMember[declaration]', 'entry keyword', 'spawn function[defaultLibrary]', 'worker variable[readonly]',
            'on keyword', 'Line event', 'send function[defaultLibrary]', 'worker variable[readonly]', 'payload keyword', 'on keyword', 'Exited event', 'Up enumMember'
        ]);
        expect(lineRoles(tokens, 3)).toEqual([
            'process keyword', 'worker variable[declaration,readonly]', 'spawn keyword', '"node" string', '"w.mjs" string', 'framing property', 'lines property',
            'stdout event[defaultLibrary]', 'Line event', 'exit event[defaultLibrary]', 'Exited event'
        ]);
        expect(lineRoles(tokens, 4).slice(4)).toEqual([
            'session property', 'Sup class', 'tls property', 'cert property', '"s.pem" string', 'key property', '"k.pem" string', 'workers property', 'auto property'
        ]);
    });

    test('initial and final are keywords', async () => {
        const tokens = await highlight('machine M { events E initial final state S }');
        expect(lineRoles(tokens, 0)).toEqual([
            'machine keyword', 'M class[declaration]', 'events keyword', 'E event[declaration]', 'initial keyword', 'final keyword', 'state keyword',
            'S enumMember[declaration]'
        ]);
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
        expect(lineRoles(tokens, 2)).toEqual([
            'initial keyword', 'state keyword', 'Stopped enumMember[declaration]', 'on keyword', 'Play event', 'Resume enumMember[abstract]'
        ]);
        expect(lineRoles(tokens, 4)).toEqual(['deep keyword', 'history keyword', 'Resume enumMember[abstract,declaration]', 'Paused enumMember']);
        expect(lineRoles(tokens, 6)).toEqual(['state keyword', 'Paused enumMember[declaration]', 'after keyword', '1s number', 'Resume enumMember[abstract]']);
        expect(lineRoles(tokens, 10)).toEqual(['region keyword', 'Sound namespace[declaration]']);
    });

    test('parallel is a keyword, `done` a built-in event, nested states are states', async () => {
        const tokens = await highlight(player);
        // Nothing leads to Settings, and Active is only entered through its history, whose default is Paused: Settings,
        // Loud and Playing are unreachable.
        expect(lineRoles(tokens, 9)).toEqual(['parallel keyword', 'state keyword', 'Settings enumMember[declaration,deprecated]']);
        expect(lineRoles(tokens, 7)).toEqual(['on keyword', 'done event[defaultLibrary]', 'Stopped enumMember']);
        expect(lineRoles(tokens, 5)).toEqual([
            'initial keyword', 'state keyword', 'Playing enumMember[declaration,deprecated]', 'on keyword', 'Pause event', 'Paused enumMember'
        ]);
        expect(lineRoles(tokens, 11)).toEqual([
            'initial keyword', 'state keyword', 'Loud enumMember[declaration,deprecated]', 'on keyword', 'Mute event', 'Stopped enumMember'
        ]);
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
        expect(lineRoles(tokens, 2)).toEqual(['initial keyword', 'state keyword', 'A enumMember[declaration]', 'on keyword', 'Go event', 'B enumMember']);
        expect(lineRoles(tokens, 3)).toEqual(['state keyword', 'B enumMember[declaration]']);
        expect(lineRoles(tokens, 4)).toEqual(['state keyword', 'Orphan enumMember[declaration,deprecated]', 'on keyword', 'Go event', 'B enumMember']);
    });

    test('without an initial state no state is marked unreachable', async () => {
        const tokens = await highlight('machine M { events Go state A { on Go -> B } state B }');
        expect(lineRoles(tokens, 0)).toEqual([
            'machine keyword', 'M class[declaration]', 'events keyword', 'Go event[declaration]', 'state keyword', 'A enumMember[declaration]',
            'on keyword', 'Go event', 'B enumMember', 'state keyword', 'B enumMember[declaration]'
        ]);
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
        expect(undecided.filter((token) => token.modifiers.includes('deprecated')).map((token) => token.text)).toEqual([]);
        expect(lineRoles(undecided, 4)).toEqual(['state keyword', 'Inner enumMember[declaration]', 'on keyword', 'Go event', 'Other enumMember']);
        expect(lineRoles(undecided, 7)).toEqual(['state keyword', 'Orphan enumMember[declaration]']);
        const decided = await highlight(nested('initial '));
        expect(lineRoles(decided, 4)).toEqual(['initial keyword', 'state keyword', 'Inner enumMember[declaration]', 'on keyword', 'Go event', 'Other enumMember']);
        expect(lineRoles(decided, 5)).toEqual(['state keyword', 'Other enumMember[declaration]']);
        expect(lineRoles(decided, 7)).toEqual(['state keyword', 'Orphan enumMember[declaration,deprecated]']);
    });

    test('line, block and unclosed comments', async () => {
        const tokens = await highlight('// head\nmachine M { /* inner */ events E initial state S }\n/* never closed\nmachine');
        expect(lineRoles(tokens, 0)).toEqual(['// head comment']);
        expect(lineRoles(tokens, 1)).toEqual([
            'machine keyword', 'M class[declaration]', '/* inner */ comment', 'events keyword', 'E event[declaration]', 'initial keyword',
            'state keyword', 'S enumMember[declaration]'
        ]);
        expect(lineRoles(tokens, 2)).toEqual(['/* never closed comment']);
        expect(lineRoles(tokens, 3)).toEqual(['machine comment']);
    });

    test('a block comment over several lines below the first gets one token per line, ending where it ends', async () => {
        const tokens = await highlight('machine A { events E initial state S }\n/* one\n   two */ machine B { events E initial state S }\n');
        expect(lineRoles(tokens, 1)).toEqual(['/* one comment']);
        expect(lineRoles(tokens, 2)).toEqual([
            '   two */ comment', 'machine keyword', 'B class[declaration]', 'events keyword', 'E event[declaration]', 'initial keyword',
            'state keyword', 'S enumMember[declaration]'
        ]);
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
        expect(lineRoles(tokens, 3)).toEqual([
            'on keyword', 'read event', 'close function[defaultLibrary]', 'connect variable[readonly]',
            '// built-in close of the socket `connect` comment'
        ]);
    });

    test('incomplete models are highlighted without throwing', async () => {
        for (const text of ['machine', 'machine M {', 'machine M { events', 'machine M { initial state S { on -> / close', 'machine { state', 'machine M { client c connect { read -> } signal -> }']) {
            await expect(highlight(text)).resolves.toBeInstanceOf(Array);
        }
        const tokens = await highlight('machine M { events read initial state S { on read -> ');
        expect(lineRoles(tokens, 0)).toEqual([
            'machine keyword', 'M class[declaration]', 'events keyword', 'read event[declaration]', 'initial keyword', 'state keyword',
            'S enumMember[declaration]', 'on keyword', 'read event'
        ]);
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
