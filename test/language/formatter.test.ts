// The formatter: the house style of examples/, idempotence, only whitespace changes, comments, broken documents.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { URI, type LangiumDocument } from 'langium';
import { expectFormatting } from 'langium/test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FormattingOptions, Range } from 'vscode-languageserver';
import { ReactorFsmFormatter } from '../../language/lsp/formatter.js';
import { services } from '../helpers.js';

const formatter = services.lsp.Formatter!;
const expectFormat = expectFormatting(services);
const options: FormattingOptions = { insertSpaces: true, tabSize: 4 };

let counter = 0;

function parse(text: string): LangiumDocument {
    return services.shared.workspace.LangiumDocumentFactory.fromString(text, URI.parse(`memory:///format-${++counter}.fsm`));
}

/** Formats `text` as a whole document and returns the result. */
async function format(text: string): Promise<string> {
    const document = parse(text);
    const edits = await formatter.formatDocument(document, { textDocument: { uri: document.uri.toString() }, options });
    return TextDocument.applyEdits(document.textDocument, edits);
}

/** Formats only `range` of `text`. */
async function formatRange(text: string, range: Range): Promise<string> {
    const document = parse(text);
    const edits = await formatter.formatDocumentRange(document, { textDocument: { uri: document.uri.toString() }, options, range });
    return TextDocument.applyEdits(document.textDocument, edits);
}

interface Token { type: string; image: string; offset: number; endOffset: number; startLine: number; endLine: number }

/** Every token of `text`, comments included, in order. */
function tokens(text: string): Token[] {
    const result = services.parser.Lexer.tokenize(text);
    expect(result.errors).toEqual([]);
    return [...result.tokens, ...result.hidden]
        .sort((a, b) => a.startOffset - b.startOffset)
        .map((token) => ({
            type: token.tokenType.name,
            image: token.image,
            offset: token.startOffset,
            endOffset: token.endOffset ?? token.startOffset + token.image.length - 1,
            startLine: (token.startLine ?? 1) - 1,
            endLine: (token.endLine ?? 1) - 1
        }));
}

/** The token sequence, with the whitespace inside comments normalized (a block comment's lines move with it). */
function tokenSequence(text: string): string[] {
    return tokens(text).map((token) => `${token.type} ${token.type.endsWith('COMMENT') ? token.image.replace(/\s+/g, ' ') : token.image}`);
}

/** The lines of `text` that lie inside a block comment (after its first line): re-indenting them would change the comment. */
function linesInsideBlockComments(text: string): Set<number> {
    const lines = new Set<number>();
    for (const token of tokens(text)) {
        if (token.type === 'ML_COMMENT' || token.type === 'UNCLOSED_COMMENT') {
            for (let line = token.startLine + 1; line <= token.endLine; line++) {
                lines.add(line);
            }
        }
    }
    return lines;
}

/** Removes all indentation, except from the lines of block comments (the first line of one keeps its column). */
function stripIndentation(text: string): string {
    const inside = linesInsideBlockComments(text);
    const startsComment = new Set(tokens(text).filter((token) => token.type === 'ML_COMMENT').map((token) => token.startLine));
    return text.split('\n').map((line, index) => (inside.has(index) || (startsComment.has(index) && /^\s*\/\*/.test(line)) ? line : line.trimStart())).join('\n');
}

/** A small deterministic random number generator, so the scrambled texts are the same on every run. */
function random(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state / 2147483648;
    };
}

/**
 * Rebuilds `text` from its tokens with other whitespace between them: a single space wherever that is allowed
 * (`pick` undefined: everything on as few lines as possible) or a random choice of spaces, tabs and line breaks.
 * After a `//` comment there is always a line break.
 */
function rejoin(text: string, pick?: () => number): string {
    const separators = [' ', '  ', '\t', '\n', '\n\n\n', ' \n    \t', '\n\n        '];
    let result = '';
    let previous: Token | undefined;
    for (const token of tokens(text)) {
        if (previous) {
            const separator = pick ? separators[Math.floor(pick() * separators.length)]! : ' ';
            // A `//` comment runs to the end of the line: spaces after it would become part of it.
            result += previous.type === 'SL_COMMENT' ? `\n${separator.replace(/^[ \t]*\n?/, '')}` : separator;
        }
        result += token.image;
        previous = token;
    }
    return result + '\n';
}

/** Line-by-line differences, for a readable failure message. */
function differingLines(expected: string, actual: string): string[] {
    const want = expected.split('\n');
    const got = actual.split('\n');
    const differences: string[] = [];
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
        if (want[i] !== got[i]) {
            differences.push(`line ${i + 1}: ${JSON.stringify(want[i])} became ${JSON.stringify(got[i])}`);
        }
    }
    return differences;
}

const exampleFolder = new URL('../../examples/', import.meta.url);
const examples = readdirSync(exampleFolder).filter((name) => name.endsWith('.fsm')).sort();

describe('house style', () => {
    it('is the formatter the language module registers', () => {
        expect(formatter).toBeInstanceOf(ReactorFsmFormatter);
    });

    it('keeps payload types and raise E(payload) tight, and puts a tls block on lines of its own', async () => {
        await expectFormat({
            before: 'machine M { events Line ( string ) , Exited(  number) initial state A { on Line / raise Exited ( payload )  on Exited -> A } client c connect h:1 { tls { ca "a.pem"  servername "h" } read -> Line } }',
            after: `machine M {
    events Line(string), Exited(number)
    initial state A {
        on Line / raise Exited(payload)
        on Exited -> A
    }
    client c connect h:1 {
        tls {
            ca "a.pem"
            servername "h"
        }
        read -> Line
    }
}
`
        });
    });

    it('formats a messy one-line machine', async () => {
        await expectFormat({
            before: 'machine   Lamp{events Toggle ,PowerCut,  Tick initial   state Off{on Toggle->On/a,b   on Tick [ ! ready ]  ->  Off after 1s->On / x}'
                + ' state On {entry lightUp exit  off ,  bye on Toggle[ready]->Off on PowerCut -> Dead/close c,raise Tick,stop}final state Dead'
                + ' client c connect 127.0.0.1:7000{timeout 3s reconnect 100ms .. 5s heartbeat 5s timeout 15s->Tick connect->Toggle read->Tick}'
                + ' server s listen [::]:80 { reuseaddr backlog 5 session Lamp accept -> Tick } connection k {idle 5m->Tick} signal SIGTERM->PowerCut   signal   SIGINT -> PowerCut}',
            after: `machine Lamp {
    events Toggle, PowerCut, Tick
    initial state Off {
        on Toggle -> On / a, b
        on Tick [!ready] -> Off
        after 1s -> On / x
    }
    state On {
        entry lightUp
        exit off, bye
        on Toggle [ready] -> Off
        on PowerCut -> Dead / close c, raise Tick, stop
    }
    final state Dead
    client c connect 127.0.0.1:7000 {
        timeout 3s
        reconnect 100ms..5s
        heartbeat 5s timeout 15s -> Tick
        connect -> Toggle
        read -> Tick
    }
    server s listen [::]:80 {
        reuseaddr
        backlog 5
        session Lamp
        accept -> Tick
    }
    connection k {
        idle 5m -> Tick
    }
    signal SIGTERM -> PowerCut
    signal SIGINT -> PowerCut
}
`,
            disposeAfterCheck: true
        });
    });

    it('re-indents, keeps at most one blank line between members and none after `{` or before `}`', async () => {
        expect(await format(`

machine A {

events E, F



initial state S {


on E -> S



on F [ok] / act


}
        final state Done
  }



machine B {
 initial final state X
}
`)).toBe(`machine A {
    events E, F

    initial state S {
        on E -> S

        on F [ok] / act
    }
    final state Done
}

machine B {
    initial final state X
}
`);
    });

    it('leaves states without a body, empty blocks and tight tokens as they are', async () => {
        const text = 'machine M {\n    events E\n    initial state A\n    final state B\n    initial final state C\n    state D {}\n    connection c {}\n}\n';
        expect(await format(text)).toBe(text);
        expect(await format('machine M{events E initial state A final   state B initial final state C state D{ }connection c{}}')).toBe(text);
    });

    it('keeps a wrapped events list, one level deeper, and joins what the user did not wrap', async () => {
        expect(await format('machine M {\nevents\nA, B,\n  C\n  , D\n    initial state S { on A -> S }\n}\n')).toBe(`machine M {
    events
        A, B,
        C, D
    initial state S {
        on A -> S
    }
}
`);
    });

    it('joins a transition written over several lines', async () => {
        expect(await format('machine M {\n    events E\n    initial state S {\n        on E\n        [\n        !ok\n        ]\n        -> S\n        /\n        a\n        ,\n        b\n    }\n}\n'))
            .toBe('machine M {\n    events E\n    initial state S {\n        on E [!ok] -> S / a, b\n    }\n}\n');
    });

    it('indents with tabs when asked to', async () => {
        const document = parse('machine M { events E initial state S { on E -> S } }');
        const edits = await formatter.formatDocument(document, { textDocument: { uri: document.uri.toString() }, options: { insertSpaces: false, tabSize: 4 } });
        expect(TextDocument.applyEdits(document.textDocument, edits)).toBe('machine M {\n\tevents E\n\tinitial state S {\n\t\ton E -> S\n\t}\n}\n');
    });

    it('keeps Windows line breaks', async () => {
        expect(await format('machine M {\r\n  events E\r\n\r\n\r\n initial state S { on E -> S }\r\n}\r\n'))
            .toBe('machine M {\r\n    events E\r\n\r\n    initial state S {\r\n        on E -> S\r\n    }\r\n}\r\n');
    });

    it('re-indents a block comment whose lines end with a lone CR without touching its text (found by the fuzzer)', async () => {
        expect(await format('machine A {\n        /*\rxyzw\n        */\n    initial state S\n}\n')).toBe('machine A {\n    /*\rxyzw\n    */\n    initial state S\n}\n');
    });

    it('leaves a blank line of a block comment alone when moving it left, so a lone CR never joins the next LF (found by the fuzzer)', async () => {
        const once = await format(' /*\r\t\n    */ machine Main {\n    events Go\n    initial final state Idle\n}\n');
        expect(once).toBe('/*\r\t\n   */\nmachine Main {\n    events Go\n    initial final state Idle\n}\n');
        expect(await format(once)).toBe(once);
    });

    it('formats a range', async () => {
        const text = 'machine A { events E initial state S { on E->S } }\nmachine B { events E initial state S { on E->S } }\n';
        const formatted = await formatRange(text, { start: { line: 1, character: 0 }, end: { line: 1, character: 52 } });
        expect(formatted.split('\n')[0]).toBe('machine A { events E initial state S { on E->S } }');
        expect(formatted).toContain('machine B {\n    events E\n');
    });
});

describe('examples', () => {
    for (const file of examples) {
        const text = readFileSync(new URL(file, exampleFolder), 'utf8');

        it(`examples/${file} is in house style: formatting changes nothing`, async () => {
            const formatted = await format(text);
            expect(differingLines(text, formatted), `formatting examples/${file} changed these lines`).toEqual([]);
        });

        it(`examples/${file} with its indentation stripped formats back to itself`, async () => {
            const stripped = stripIndentation(text);
            expect(stripped).not.toBe(text);
            expect(differingLines(text, await format(stripped))).toEqual([]);
        });

        it(`examples/${file} rejoined on few lines keeps its tokens and formats idempotently`, async () => {
            const joined = rejoin(text);
            expect(tokenSequence(joined)).toEqual(tokenSequence(text));
            const formatted = await format(joined);
            expect(tokenSequence(formatted)).toEqual(tokenSequence(text));
            expect(differingLines(formatted, await format(formatted))).toEqual([]);
        });

        it(`examples/${file} with scrambled whitespace keeps its tokens and formats idempotently`, async () => {
            for (const seed of [1, 2, 3]) {
                const scrambled = rejoin(text, random(seed));
                const formatted = await format(scrambled);
                expect(tokenSequence(formatted)).toEqual(tokenSequence(text));
                expect(differingLines(formatted, await format(formatted))).toEqual([]);
            }
        });
    }
});

/** A hierarchical model in house style: composite, parallel and nested states, regions, histories, `on done`, comments. */
const hierarchical = `// A player with nested states.
machine Player {
    events Play, Pause, Stop, Tick, Mute, Unmute, Eject

    initial state Stopped {
        on Play -> Playing
    }

    state Active {
        on Stop -> Stopped // inherited by every state inside
        on Eject -> Ejected
        history Resume
        initial state Playing {
            deep history Again -> Slow
            /* two speeds,
               one history */
            initial state Fast {
                on Pause -> Slow
                after 1s -> Fast / tick
            }
            final state Slow
            on done -> Paused
        }
        state Paused {
            on Play -> Resume
        }
    }

    parallel state Settings {
        region Sound {
            // quiet at night
            initial state Loud {
                on Mute -> Quiet
            }
            state Quiet {
                on Unmute -> Loud
            }
        }
        region Clock {
            initial state Running {
                on Tick -> Running
            }
        }
        on Stop -> Stopped
    }
    final state Ejected
}
`;

describe('hierarchy', () => {
    it('is house style: one level deeper per block, formatting changes nothing', async () => {
        expect(differingLines(hierarchical, await format(hierarchical))).toEqual([]);
    });

    it('indents nested states, regions and histories back from the left margin', async () => {
        const stripped = stripIndentation(hierarchical);
        expect(stripped).not.toBe(hierarchical);
        expect(differingLines(hierarchical, await format(stripped))).toEqual([]);
    });

    it('formats a one-line nested machine to one member per line, with one space in `deep history H -> S` and `on done -> T`', async () => {
        const formatted = await format('machine M { events A parallel   state P { region R { initial state S { on A->S } deep  history H->S } on   done->Q } final state Q }');
        expect(formatted).toBe(`machine M {
    events A
    parallel state P {
        region R {
            initial state S {
                on A -> S
            }
            deep history H -> S
        }
        on done -> Q
    }
    final state Q
}
`);
    });

    it('keeps tokens and comments when rejoined or scrambled, and is idempotent', async () => {
        for (const input of [rejoin(hierarchical), rejoin(hierarchical, random(4)), rejoin(hierarchical, random(5)), rejoin(hierarchical, random(6))]) {
            const formatted = await format(input);
            expect(tokenSequence(formatted)).toEqual(tokenSequence(hierarchical));
            expect(differingLines(formatted, await format(formatted))).toEqual([]);
        }
    });

    it('indents an own-line comment by the blocks around it, at any depth', async () => {
        const formatted = await format('machine M {\nparallel state P {\nregion R {\n// deep inside\ninitial state S\n}\n}\n}\n');
        expect(formatted).toContain('\n        region R {\n            // deep inside\n            initial state S\n        }\n');
    });
});

describe('comments', () => {
    it('keeps every comment, indents own-line comments like their block and trailing comments where they are', async () => {
        expect(await format(`


// header



/* block
   two */
machine M { // after brace
        // first inside



  events A, /* inline */ B
events C, // wrapped after comment
     D



      state S { /* on brace */ on A -> S // trailing
   // before close
      }
/* before member */ state T
// end of machine
}



// between machines
machine N {


    // only comment
}
// at the end
`)).toBe(`// header

/* block
   two */
machine M { // after brace
    // first inside

    events A, /* inline */ B
    events C, // wrapped after comment
        D

    state S { /* on brace */
        on A -> S // trailing
        // before close
    }
    /* before member */
    state T
    // end of machine
}

// between machines
machine N {
    // only comment
}
// at the end
`);
    });

    it('moves the lines of a block comment with its first line', async () => {
        expect(await format('machine M {\n/* one\n   two\n     three */\n  state S\n        /* deep\n           deeper */\n}\n'))
            .toBe('machine M {\n    /* one\n       two\n         three */\n    state S\n    /* deep\n       deeper */\n}\n');
    });

    it('never joins a line comment with the next token', async () => {
        const text = 'machine M { events A, // first\nB initial state S { on A // why\n-> S / a, // one\nb } }';
        const formatted = await format(text);
        expect(tokenSequence(formatted)).toEqual(tokenSequence(text));
        expect(formatted).toBe('machine M {\n    events A, // first\n        B\n    initial state S {\n        on A // why\n            -> S / a, // one\n            b\n    }\n}\n');
        expect(await format(formatted)).toBe(formatted);
    });

    it('leaves an unclosed comment at the end alone', async () => {
        expect(await format('machine M {  state S }\n/* not closed\n   ')).toBe('machine M {\n    state S\n}\n/* not closed\n   ');
    });
});

describe('documents with syntax errors', () => {
    const broken = [
        'machine B { state Y { on -> } }',
        'machine B { state Y { on E -> Y }',
        'machine B { state Y # { on E -> Y } }',
        'machine B { state { ',
        '}}} machine',
        'machine',
        'machine B { client c connect { read -> } } }',
        'machine B { events A,, B on A }'
    ];
    for (const tail of broken) {
        it(`leaves ${JSON.stringify(tail)} alone, formats the machine before it and does not throw`, async () => {
            const text = `machine   A {  events E initial state X { on E->X } }\n${tail}\n`;
            const formatted = await format(text);
            // The complete machine before the error is formatted; the broken one is left as it was.
            expect(formatted).toBe(`machine A {\n    events E\n    initial state X {\n        on E -> X\n    }\n}\n${tail}\n`);
            await expect(format(tail)).resolves.toBe(tail);
            await expect(formatRange(text, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } })).resolves.toBeTypeOf('string');
        });
    }

    it('formats nothing when the first machine is broken', async () => {
        const text = 'machine A {  events E initial state X { on E-> } }\nmachine   B { state Y }\n';
        expect(await format(text)).toBe(text);
    });
});
