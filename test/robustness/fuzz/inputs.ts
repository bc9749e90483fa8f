// The inputs of the language fuzzer, as fast-check arbitraries: token soup, near-valid models, mutations of the
// examples, truncations, huge tokens, deep nesting, invalid UTF-8 and NUL bytes, and one 5 MB workspace file.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ADDRESSES, BAD_NAMES, COMMENTS, CONTROL, COUNTS, DURATIONS, KEYWORDS, NAMES, NEAR_KEYWORDS, PUNCTUATION, SEPARATORS, SIGNALS, UNICODE } from './vocabulary.js';

const EXAMPLES_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

/** One input: the text the editor sees and, for inputs born as bytes, the bytes a file holds (for the CLI). */
export interface FuzzInput {
    /** Where the input comes from, e.g. `soup`, `mutation of chat-room.fsm`, `huge name`. */
    readonly origin: string;
    readonly text: string;
    /** The file's bytes when they are not simply the UTF-8 encoding of `text` (invalid UTF-8, NUL). */
    readonly bytes?: Uint8Array;
    /** Valid by construction (fuzz/models.ts): no diagnostic may be an error. */
    readonly valid?: boolean;
}

export const EXAMPLES: ReadonlyArray<{ name: string; text: string }> = readdirSync(EXAMPLES_FOLDER)
    .filter((name) => name.endsWith('.fsm'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(EXAMPLES_FOLDER, name), 'utf8') }));

/** 100 KB: the size of a huge identifier, quantity, string or comment. */
export const HUGE = 100 * 1024;

/** Decodes bytes the way an editor does: invalid sequences become U+FFFD, nothing throws. */
export function decodeLeniently(bytes: Uint8Array): string {
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

/** The bytes a file holding `input` contains. */
export function bytesOf(input: FuzzInput): Uint8Array {
    return input.bytes ?? Buffer.from(input.text, 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// Token soup

const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
    { weight: 2, arbitrary: fc.stringMatching(/^[_a-zA-Z][_a-zA-Z0-9]{0,12}$/) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_NAMES) }
);

/** One token of any kind, with the keywords most likely. */
export const token: fc.Arbitrary<string> = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...KEYWORDS) },
    { weight: 1, arbitrary: fc.constantFrom(...NEAR_KEYWORDS) },
    { weight: 8, arbitrary: name },
    { weight: 3, arbitrary: fc.constantFrom(...DURATIONS) },
    { weight: 1, arbitrary: fc.constantFrom(...COUNTS) },
    { weight: 2, arbitrary: fc.constantFrom(...ADDRESSES) },
    { weight: 1, arbitrary: fc.constantFrom(...SIGNALS) },
    { weight: 8, arbitrary: fc.constantFrom(...PUNCTUATION) },
    { weight: 2, arbitrary: fc.constantFrom(...COMMENTS) },
    { weight: 1, arbitrary: fc.constantFrom(...UNICODE) },
    { weight: 1, arbitrary: fc.constantFrom(...CONTROL) },
    // Any code points (lone surrogates included). Not fc.string({ unit: 'binary' }), which takes a second to set up.
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 4 }).map((points) => String.fromCodePoint(...points)) },
    { weight: 1, arbitrary: fc.integer({ min: -1e6, max: 1e9 }).map(String) }
);

const separator = fc.constantFrom(...SEPARATORS);

/** Random tokens with random separators: mostly syntax errors, sometimes a machine (up to 200 tokens, not just a few). */
export const tokenSoup: fc.Arbitrary<FuzzInput> = fc
    .array(fc.tuple(token, separator), { maxLength: 200, size: 'medium' })
    .map((pairs) => ({ origin: 'token soup', text: pairs.map(([t, s]) => t + s).join('') }));

// ---------------------------------------------------------------------------------------------------------------
// Near-valid models: the grammar's shapes with names from small pools, so references resolve about half the time.

const eventName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('Go', 'Stop', 'Data', 'read', 'close', 'Tick') }, { weight: 1, arbitrary: name });
const stateName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('Idle', 'Busy', 'Done', 'S', 'Closed', 'timeout') }, { weight: 1, arbitrary: name });
const socketName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('up', 'down', 'conn', 'connect', 'listener') }, { weight: 1, arbitrary: name });
const machineName = fc.constantFrom('Main', 'Session', 'Other', 'session', 'Worker');
const duration = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('100ms', '3s', '1.5s', '2m') }, { weight: 1, arbitrary: fc.constantFrom(...DURATIONS) });

const action = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('log', 'sendAll', 'echo', 'read', 'timeout', 'Close', 'payload') },
    { weight: 1, arbitrary: socketName.map((s) => `send ${s} "hi\\n"`) },
    { weight: 1, arbitrary: socketName.map((s) => `send ${s} payload`) },
    { weight: 1, arbitrary: socketName.map((s) => `pause ${s}`) },
    { weight: 1, arbitrary: socketName.map((s) => `resume ${s}`) },
    { weight: 1, arbitrary: socketName.map((s) => `close ${s}`) },
    { weight: 1, arbitrary: socketName.map((s) => `connect ${s}`) },
    { weight: 1, arbitrary: eventName.map((e) => `raise ${e}`) },
    { weight: 1, arbitrary: fc.constant('stop') }
);
const actions = fc.array(action, { minLength: 1, maxLength: 3 }).map((list) => list.join(', '));

const stateMember = fc.oneof(
    fc.tuple(eventName, fc.option(fc.tuple(fc.boolean(), name)), fc.option(stateName), fc.option(actions)).map(
        ([event, guard, target, acts]) =>
            `on ${event}${guard ? ` [${guard[0] ? '!' : ''}${guard[1]}]` : ''}${target ? ` -> ${target}` : ''}${acts ? ` / ${acts}` : ''}`
    ),
    fc.tuple(duration, stateName, fc.option(actions)).map(([d, target, acts]) => `after ${d} -> ${target}${acts ? ` / ${acts}` : ''}`),
    actions.map((acts) => `entry ${acts}`),
    actions.map((acts) => `exit ${acts}`)
);

const state = fc
    .tuple(fc.boolean(), fc.boolean(), stateName, fc.option(fc.array(stateMember, { maxLength: 5 })))
    .map(([initial, final, n, members]) => `${initial ? 'initial ' : ''}${final ? 'final ' : ''}state ${n}${members ? ` {\n        ${members.join('\n        ')}\n    }` : ''}`);

const socketMember = fc.oneof(
    fc.tuple(fc.constantFrom('accept', 'connect', 'read', 'drain', 'close', 'error', 'timeout'), eventName).map(([e, v]) => `${e} -> ${v}`),
    fc.constantFrom('reuseaddr', 'nodelay', 'keepalive'),
    duration.map((d) => `keepalive ${d}`),
    fc.constantFrom(...COUNTS).map((c) => `backlog ${c}`),
    duration.map((d) => `timeout ${d}`),
    fc.tuple(duration, duration).map(([a, b]) => `reconnect ${a}..${b}`),
    fc.tuple(duration, duration, eventName).map(([a, b, e]) => `heartbeat ${a} timeout ${b} -> ${e}`),
    fc.tuple(duration, eventName).map(([d, e]) => `idle ${d} -> ${e}`),
    machineName.map((m) => `session ${m}`)
);
const socketBody = fc.option(fc.array(socketMember, { maxLength: 4 }).map((members) => ` { ${members.join('  ')} }`)).map((body) => body ?? '');
const address = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('127.0.0.1:7000', '[::1]:7001', 'localhost:80') }, { weight: 1, arbitrary: fc.constantFrom(...ADDRESSES) });
const socket = fc.oneof(
    fc.tuple(socketName, address, socketBody).map(([n, a, b]) => `server ${n} listen ${a}${b}`),
    fc.tuple(socketName, address, socketBody).map(([n, a, b]) => `client ${n} connect ${a}${b}`),
    fc.tuple(socketName, socketBody).map(([n, b]) => `connection ${n}${b}`)
);
const signal = fc.tuple(fc.constantFrom(...SIGNALS), eventName).map(([s, e]) => `signal ${s} -> ${e}`);
const eventList = fc.array(eventName, { minLength: 1, maxLength: 4 }).map((names) => `events ${names.join(', ')}`);

const machineMember = fc.oneof({ weight: 2, arbitrary: eventList }, { weight: 4, arbitrary: state }, { weight: 1, arbitrary: socket }, { weight: 1, arbitrary: signal });

/** One machine built from the grammar's pieces: often valid, often with unresolved names or check failures. */
export const machineText: fc.Arbitrary<string> = fc
    .tuple(machineName, fc.array(machineMember, { maxLength: 10 }), fc.option(fc.constantFrom(...COMMENTS.slice(0, 4))))
    .map(([n, members, comment]) => `${comment ? `${comment}\n` : ''}machine ${n} {\n    ${members.join('\n    ')}\n}\n`);

export const modelText: fc.Arbitrary<string> = fc.array(machineText, { minLength: 1, maxLength: 3 }).map((machines) => machines.join('\n'));

export const generatedModel: fc.Arbitrary<FuzzInput> = modelText.map((text) => ({ origin: 'generated model', text }));

// ---------------------------------------------------------------------------------------------------------------
// Mutations of the examples (and of generated models)

export type Mutation =
    | { kind: 'delete-line' | 'duplicate-line' | 'delete-char' | 'duplicate-char' | 'truncate'; at: number }
    | { kind: 'swap-lines' | 'swap-chars' | 'delete-range'; at: number; to: number }
    | { kind: 'insert' | 'replace-char'; at: number; text: string };

const position = fc.nat({ max: 1 << 20 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constantFrom('delete-line', 'duplicate-line', 'delete-char', 'duplicate-char', 'truncate'), at: position }) as fc.Arbitrary<Mutation>,
    fc.record({ kind: fc.constantFrom('swap-lines', 'swap-chars', 'delete-range'), at: position, to: position }) as fc.Arbitrary<Mutation>,
    fc.record({ kind: fc.constantFrom('insert', 'replace-char'), at: position, text: token }) as fc.Arbitrary<Mutation>
);

/** Applies one mutation; positions wrap around the text's length so every drawn number means something. */
export function mutate(text: string, m: Mutation): string {
    const lines = text.split('\n');
    const line = (n: number): number => n % lines.length;
    const char = (n: number): number => (text.length === 0 ? 0 : n % text.length);
    switch (m.kind) {
        case 'delete-line':
            lines.splice(line(m.at), 1);
            return lines.join('\n');
        case 'duplicate-line':
            lines.splice(line(m.at), 0, lines[line(m.at)]!);
            return lines.join('\n');
        case 'swap-lines': {
            const [a, b] = [line(m.at), line(m.to)];
            [lines[a], lines[b]] = [lines[b]!, lines[a]!];
            return lines.join('\n');
        }
        case 'delete-char':
            return text.slice(0, char(m.at)) + text.slice(char(m.at) + 1);
        case 'duplicate-char':
            return text.slice(0, char(m.at) + 1) + text.slice(char(m.at));
        case 'swap-chars': {
            const [a, b] = [char(m.at), char(m.to)].sort((x, y) => x - y) as [number, number];
            return a === b ? text : text.slice(0, a) + text[b]! + text.slice(a + 1, b) + text[a]! + text.slice(b + 1);
        }
        case 'delete-range': {
            const [a, b] = [char(m.at), char(m.to)].sort((x, y) => x - y) as [number, number];
            return text.slice(0, a) + text.slice(b);
        }
        case 'truncate':
            return text.slice(0, m.at % (text.length + 1));
        case 'insert':
            return text.slice(0, m.at % (text.length + 1)) + m.text + text.slice(m.at % (text.length + 1));
        case 'replace-char':
            return text.slice(0, char(m.at)) + m.text + text.slice(char(m.at) + 1);
    }
}

const example = fc.constantFrom(...EXAMPLES);

/** An example (or a generated model) with one to six mutations. */
export const mutatedExample: fc.Arbitrary<FuzzInput> = fc
    .tuple(
        fc.oneof({ weight: 3, arbitrary: example }, { weight: 1, arbitrary: modelText.map((text) => ({ name: 'a generated model', text })) }),
        fc.array(mutation, { minLength: 1, maxLength: 6 })
    )
    .map(([source, mutations]) => ({
        origin: `mutation of ${source.name} (${mutations.map((m) => m.kind).join(', ')})`,
        text: mutations.reduce(mutate, source.text)
    }));

/** An example cut at any position (every position is reachable; a run samples some). */
export const truncatedExample: fc.Arbitrary<FuzzInput> = fc
    .tuple(example, fc.nat({ max: 1 << 20 }))
    .map(([source, at]) => ({ origin: `${source.name} truncated at ${at % (source.text.length + 1)}`, text: source.text.slice(0, at % (source.text.length + 1)) }));

// ---------------------------------------------------------------------------------------------------------------
// Huge tokens (100 KB) and deep nesting (thousands of brackets)

const NAME_PATTERN = /\b[_a-zA-Z][_a-zA-Z0-9]*\b/g;

/** The `index`-th (wrapping) word of `text`, with its offset. */
function nthWord(text: string, index: number): { word: string; at: number } | undefined {
    const words = [...text.matchAll(NAME_PATTERN)];
    const found = words[index % Math.max(1, words.length)];
    return found ? { word: found[0], at: found.index } : undefined;
}

export type HugeKind =
    | 'rename-everywhere'
    | 'replace-one-word'
    | 'huge-quantity'
    | 'huge-string'
    | 'huge-line-comment'
    | 'huge-block-comment'
    | 'huge-unclosed-comment'
    | 'huge-whitespace'
    | 'huge-unicode-name'
    | 'huge-bad-characters'
    | 'huge-nul-run'
    | 'huge-event-list'
    | 'huge-one-line'
    | 'huge-name-with-typo';

const HUGE_KINDS: HugeKind[] = [
    'rename-everywhere', 'replace-one-word', 'huge-quantity', 'huge-string', 'huge-line-comment', 'huge-block-comment',
    'huge-unclosed-comment', 'huge-whitespace', 'huge-unicode-name', 'huge-bad-characters', 'huge-nul-run', 'huge-event-list',
    'huge-one-line', 'huge-name-with-typo'
];

/** A 100 KB identifier made of `letter` (repeated) with a varying tail so two of them differ. */
export function hugeName(letter: string, tail = ''): string {
    const length = HUGE - tail.length;
    return letter.repeat(Math.ceil(length / letter.length)).slice(0, length) + tail;
}

/** Builds a huge-token input from an example: `at` picks the word or position, `letter` the identifier's letter. */
export function hugeInput(kind: HugeKind, source: string, at: number, letter: string): string {
    const insertAt = at % (source.length + 1);
    const insert = (piece: string): string => source.slice(0, insertAt) + piece + source.slice(insertAt);
    const word = nthWord(source, at);
    switch (kind) {
        case 'rename-everywhere':
            return word ? source.replace(new RegExp(`\\b${word.word}\\b`, 'g'), hugeName(letter)) : source;
        case 'replace-one-word':
            return word ? source.slice(0, word.at) + hugeName(letter) + source.slice(word.at + word.word.length) : source;
        case 'huge-quantity':
            return insert(` after ${'9'.repeat(HUGE)}s -> ${word?.word ?? 'S'} backlog ${'1'.repeat(HUGE)} `);
        case 'huge-string':
            return insert(` "${letter.repeat(HUGE)}:1" "${letter.repeat(HUGE)}`);
        case 'huge-line-comment':
            return insert(`// ${letter.repeat(HUGE)}\n`);
        case 'huge-block-comment':
            return insert(`/* ${`${letter.repeat(79)}\n`.repeat(HUGE / 80)} */`);
        case 'huge-unclosed-comment':
            return insert(`/* ${letter.repeat(HUGE)}`);
        case 'huge-whitespace':
            return insert(' \t\n\r\n'.repeat(HUGE / 5));
        case 'huge-unicode-name':
            return insert(` ${'é'.repeat(HUGE / 2)}${'😀'.repeat(HUGE / 4)} `);
        case 'huge-bad-characters':
            return insert('%'.repeat(HUGE));
        case 'huge-nul-run':
            return insert('\0'.repeat(HUGE));
        case 'huge-event-list':
            return insert(` events ${Array.from({ length: HUGE / 8 }, (_, i) => `E${i}`).join(', ')} `);
        case 'huge-one-line':
            return source.replace(/\s+/g, ' ').repeat(Math.ceil(HUGE / Math.max(1, source.length)));
        case 'huge-name-with-typo': {
            if (!word) {
                return source;
            }
            // Every occurrence becomes the same 100 KB name, except one, which differs in its last letter.
            let count = 0;
            return source.replace(new RegExp(`\\b${word.word}\\b`, 'g'), () => hugeName(letter, count++ === 1 ? 'Y' : 'X'));
        }
    }
}

export const hugeToken: fc.Arbitrary<FuzzInput> = fc
    .tuple(fc.constantFrom(...HUGE_KINDS), example, fc.nat({ max: 1 << 20 }), fc.constantFrom('a', 'Z', '_', 'read'))
    .map(([kind, source, at, letter]) => ({ origin: `${kind} in ${source.name}`, text: hugeInput(kind, source.text, at, letter) }));

export type NestingKind = 'open-braces' | 'balanced-braces' | 'nested-states' | 'nested-machines' | 'brackets' | 'comment-openers' | 'arrows';

/** Thousands of openers (balanced or not) at a position of an example. */
export function deepInput(kind: NestingKind, source: string, at: number, depth: number): string {
    const insertAt = at % (source.length + 1);
    const piece = {
        'open-braces': '{'.repeat(depth),
        'balanced-braces': '{'.repeat(depth) + '}'.repeat(depth),
        'nested-states': 'state S {'.repeat(depth) + '}'.repeat(depth),
        'nested-machines': 'machine M {'.repeat(depth) + '}'.repeat(depth),
        brackets: '['.repeat(depth) + '!'.repeat(depth) + ']'.repeat(depth),
        'comment-openers': '/*'.repeat(depth) + '*/'.repeat(depth),
        arrows: '->'.repeat(depth)
    }[kind];
    return source.slice(0, insertAt) + piece + source.slice(insertAt);
}

export const deepNesting: fc.Arbitrary<FuzzInput> = fc
    .tuple(
        fc.constantFrom<NestingKind>('open-braces', 'balanced-braces', 'nested-states', 'nested-machines', 'brackets', 'comment-openers', 'arrows'),
        fc.oneof(example, fc.constant({ name: 'an empty file', text: '' })),
        fc.nat({ max: 1 << 20 }),
        fc.integer({ min: 1000, max: 10_000 })
    )
    .map(([kind, source, at, depth]) => ({ origin: `${depth} × ${kind} in ${source.name}`, text: deepInput(kind, source.text, at, depth) }));

// ---------------------------------------------------------------------------------------------------------------
// Bytes: invalid UTF-8 and NUL, decoded leniently for the editor, written raw for the CLI

const badBytes = fc.oneof(
    fc.constantFrom(
        [0x80], [0xbf], [0xff], [0xfe], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
        [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00], [0x00, 0x00], [0xef, 0xbb, 0xbf]
    ),
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 })
);

/** An example's bytes with invalid UTF-8 sequences and NUL bytes inserted (possibly inside multi-byte characters). */
export const invalidBytes: fc.Arbitrary<FuzzInput> = fc
    .tuple(example, fc.array(fc.tuple(fc.nat({ max: 1 << 20 }), badBytes), { minLength: 1, maxLength: 8 }))
    .map(([source, inserts]) => {
        let bytes = Buffer.from(source.text, 'utf8');
        for (const [at, piece] of inserts) {
            const where = at % (bytes.length + 1);
            bytes = Buffer.concat([bytes.subarray(0, where), Buffer.from(piece), bytes.subarray(where)]);
        }
        return { origin: `${source.name} with ${inserts.length} bad byte sequence(s)`, text: decodeLeniently(bytes), bytes: new Uint8Array(bytes) };
    });

// ---------------------------------------------------------------------------------------------------------------
// The 5 MB file

/** 5 MiB. */
export const FIVE_MB = 5 * 1024 * 1024;

/**
 * A file of at least `bytes` bytes of machines: the examples and generated machines (those `parses` accepts) in turn,
 * every machine (and every `session` naming one) renamed with a serial number so the names stay unique across the file.
 */
export function largeFile(bytes: number, seed: number, parses: (text: string) => boolean): { text: string; machines: number } {
    const generated = fc.sample(machineText, { seed, numRuns: 400 }).filter(parses);
    const parts: string[] = [];
    let size = 0;
    let machines = 0;
    for (let round = 0; size < bytes; round++) {
        const source = round % 3 === 2 ? generated[round % generated.length]! : EXAMPLES[round % EXAMPLES.length]!.text;
        const renamed = source
            .replace(/\bmachine (\w+)/g, (_, n: string) => {
                machines++;
                return `machine ${n}_${round}`;
            })
            .replace(/\bsession (\w+)/g, (_, n: string) => `session ${n}_${round}`);
        parts.push(renamed);
        size += Buffer.byteLength(renamed, 'utf8') + 1;
    }
    return { text: parts.join('\n'), machines };
}
