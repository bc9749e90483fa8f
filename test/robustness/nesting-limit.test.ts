// Deep nesting: since states nest (composite states, regions), `state S {` a thousand times deep would run the
// recursive-descent parser out of stack, and the parser then kept nodes of that document for the next one (the fuzzer
// saw another file's state named in a diagnostic). Blocks beyond MAX_NESTING are cut by the lexer and reported.
import { URI } from 'langium';
import { describe, expect, it } from 'vitest';
import { cutDeepNesting, MAX_NESTING, TOO_DEEP_MESSAGE } from '../../language/syntax-errors/nesting-limit.js';
import { services, validate } from '../helpers.js';

const SMALL = 'machine A {\n    events E\n    initial state X { on E -> Y }\n    state Y {}\n}\n';

function nestedStates(depth: number): string {
    return `machine B {\n    events E\n    initial state Q {}\n    ${'state S {'.repeat(depth)}${'}'.repeat(depth)}\n}\n`;
}

function nestedRegions(depth: number): string {
    return `machine C {\n    events E\n    initial state Q {}\n    ${'parallel state P { region R {'.repeat(depth)}${'}}'.repeat(depth)}\n}\n`;
}

describe('blocks nested deeper than the limit', () => {
    it.each([
        ['10,000 nested states', nestedStates(10_000)],
        ['1,000 nested parallel states and regions', nestedRegions(1_000)],
        ['3,000 unclosed braces', `machine D {${'{'.repeat(3_000)}`]
    ])('%s: one syntax error where the limit is passed, no crash, and the next document sees nothing of it', async (_name, deep) => {
        const before = (await validate(SMALL)).diagnostics;
        const { diagnostics } = await validate(deep);
        const tooDeep = diagnostics.filter((d) => d.message === TOO_DEEP_MESSAGE);
        expect(tooDeep).toHaveLength(1);
        expect(tooDeep[0]!.code).toBe('syntax-error');
        const cutAt = cutDeepNesting(deep).cuts[0]!;
        const document = services.shared.workspace.LangiumDocumentFactory.fromString(deep, URI.parse('memory:///deep-position.fsm'));
        expect(document.textDocument.offsetAt(tooDeep[0]!.range.start)).toBe(cutAt);

        const after = await validate(SMALL);
        expect(after.diagnostics).toEqual(before);
        expect(after.document.parseResult.value.machines[0]!.states.map((state) => state.name)).toEqual(['X', 'Y']);
    });

    it('completion at the end of a too-deep document answers', async () => {
        const text = nestedStates(5_000);
        const document = services.shared.workspace.LangiumDocumentFactory.fromString(text, URI.parse('memory:///deep-completion.fsm'));
        services.shared.workspace.LangiumDocuments.addDocument(document);
        try {
            await services.shared.workspace.DocumentBuilder.build([document], { validation: true });
            const position = document.textDocument.positionAt(text.length);
            await expect(services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri: document.uri.toString() }, position })).resolves.toBeDefined();
        } finally {
            await services.shared.workspace.DocumentBuilder.update([], [document.uri]);
        }
    });
});

describe('cutDeepNesting', () => {
    it(`keeps text that nests ${MAX_NESTING} levels as it is`, () => {
        const text = '{'.repeat(MAX_NESTING) + '}'.repeat(MAX_NESTING);
        expect(cutDeepNesting(text)).toEqual({ text, cuts: [] });
    });

    it('blanks the block past the limit up to its closing brace, keeping length and line breaks', () => {
        const inner = '{ a\r\n { b }\n c }';
        const text = `${'{'.repeat(MAX_NESTING)}${inner} after${'}'.repeat(MAX_NESTING)} tail`;
        const cut = cutDeepNesting(text);
        expect(cut.cuts).toEqual([MAX_NESTING]);
        expect(cut.text).toHaveLength(text.length);
        expect(cut.text).toBe(`${'{'.repeat(MAX_NESTING)}${'   \r\n      \n    '} after${'}'.repeat(MAX_NESTING)} tail`);
    });

    it('counts no brace inside comments or strings, and counts those after a quote the lexer cannot close', () => {
        const deep = '{'.repeat(MAX_NESTING);
        expect(cutDeepNesting(`${deep} // {\n /* { */ "{" "\\"{" ${'}'.repeat(MAX_NESTING)}`).cuts).toEqual([]);
        expect(cutDeepNesting(`${deep} // {\r{ }`).cuts).toEqual([MAX_NESTING + 6]);
        expect(cutDeepNesting(`${deep} "unclosed { }`).cuts).toEqual([MAX_NESTING + 11]);
    });
});
