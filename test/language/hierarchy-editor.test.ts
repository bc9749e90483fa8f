// The editor on hierarchical models through the real services: completion, hover, navigation, rename, folding, quick fixes.
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LangiumDocument } from 'langium';
import type { Location, Position, Range, TextEdit } from 'vscode-languageserver';
import type { Model } from '../../language/generated/ast.js';
import { services, validate, withDocuments } from '../helpers.js';

const CURSOR = '<|>';

/** A player: a composite state with a shallow history, a nested composite with a deep one, a parallel state. */
const PLAYER = `machine Player {
    events Play, Pause, Stop, Mute, Unmute, Eject
    initial state Stopped {
        on Play -> Active
        on Eject -> Resume
    }
    state Active {
        on Stop -> Stopped
        history Resume -> Paused
        initial state Playing {
            deep history Again
            initial state Fast {
                on Pause -> Slow
            }
            final state Slow {
                on Play -> Again
            }
            on done -> Paused
        }
        state Paused {
            on Play -> Playing
            after 5s -> Settings
        }
    }
    parallel state Settings {
        region Sound {
            initial state Loud {
                on Mute -> Quiet
            }
            state Quiet {
                on Unmute -> Loud
                on Stop -> Resume
            }
        }
        region Clock {
            initial state Running
            state Slowed
            history Last
        }
        on Stop -> Stopped
    }
}
`;

/** `PLAYER` with the cursor marker inserted at the `occurrence`-th `text`, `shift` characters into it. */
function withCursor(text: string, occurrence = 0, shift = 1, model = PLAYER): string {
    let at = -1;
    for (let i = 0; i <= occurrence; i++) {
        at = model.indexOf(text, at + 1);
        expect(at, `occurrence ${occurrence} of ${JSON.stringify(text)}`).toBeGreaterThanOrEqual(0);
    }
    return model.slice(0, at + shift) + CURSOR + model.slice(at + shift);
}

async function atCursor<T>(textWithCursor: string, use: (document: LangiumDocument<Model>, position: Position) => Promise<T>): Promise<T> {
    const offset = textWithCursor.indexOf(CURSOR);
    return withDocuments([textWithCursor.replace(CURSOR, '')], ([document]) => use(document!, document!.textDocument.positionAt(offset)));
}

function completions(textWithCursor: string): Promise<Map<string, string | undefined>> {
    return atCursor(textWithCursor, async (document, position) => {
        const list = await services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri: document.textDocument.uri }, position });
        return new Map((list?.items ?? []).map((item) => [item.label, item.detail]));
    });
}

function hover(textWithCursor: string): Promise<string> {
    return atCursor(textWithCursor, async (document, position) => {
        const result = await services.lsp.HoverProvider!.getHoverContent(document, { textDocument: { uri: document.textDocument.uri }, position });
        const contents = result?.contents;
        return contents && typeof contents === 'object' && 'value' in contents ? contents.value : '';
    });
}

/** `line:character text` of each location, in document order. */
function describeRanges(document: LangiumDocument, ranges: Range[]): string[] {
    return [...ranges]
        .sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character)
        .map((range) => `${range.start.line}:${range.start.character} ${document.textDocument.getText(range)}`);
}

function rename(textWithCursor: string, newName: string): Promise<string> {
    return atCursor(textWithCursor, async (document, position) => {
        const edit = await services.lsp.RenameProvider!.rename(document, { textDocument: { uri: document.textDocument.uri }, position, newName });
        const edits: TextEdit[] = edit?.changes?.[document.textDocument.uri] ?? [];
        return TextDocument.applyEdits(document.textDocument, edits);
    });
}

describe('completion in a hierarchy', () => {
    it('offers states at any depth and histories after `->`, saying what and where each is', async () => {
        const items = await completions(withCursor('-> Active', 0, 3));
        expect(items.get('Active')).toMatch(/^composite state/);
        expect(items.get('Playing')).toMatch(/^initial composite state in Active/);
        expect(items.get('Fast')).toMatch(/^initial state in Playing/);
        expect(items.get('Settings')).toMatch(/^parallel state/);
        expect(items.get('Loud')).toMatch(/^initial state in Settings/);
        expect(items.get('Resume')).toBe('history of Active');
        expect(items.get('Again')).toBe('deep history of Playing');
        expect(items.get('Last')).toBe('history of Clock');
        expect(items.has('Sound')).toBe(false); // a region is no target
        expect(items.has('Play')).toBe(false);
    });

    it('offers only the states inside its composite as a history\'s default', async () => {
        const items = await completions(withCursor('Resume -> Paused', 0, 10));
        expect([...items.keys()].sort()).toEqual(['Fast', 'Paused', 'Playing', 'Slow']);
        expect(items.get('Fast')).toMatch(/^initial state in Playing/);
    });

    it('offers the states of its region as the default of a history in a region', async () => {
        const items = await completions(withCursor('history Last', 0, 12).replace('Last<|>', 'Last -> <|>'));
        expect([...items.keys()].sort()).toEqual(['Running', 'Slowed']);
    });

    it('offers histories as timer targets too', async () => {
        const items = await completions(withCursor('-> Settings', 0, 3));
        expect(items.get('Resume')).toBe('history of Active');
        expect(items.get('Paused')).toMatch(/state in Active/);
    });

    it('offers `region` only inside a parallel state, where no state may go', async () => {
        const inParallel = await completions(withCursor('        on Stop -> Stopped\n    }\n}', 0, 0));
        expect(inParallel.get('region')).toMatch(/side-by-side parts of a parallel state/);
        expect(inParallel.has('state')).toBe(false);
        expect(inParallel.has('initial')).toBe(false);
        expect(inParallel.has('parallel')).toBe(false);
        expect(inParallel.has('history')).toBe(false);
        expect(inParallel.has('on')).toBe(true);

        const inComposite = await completions(withCursor('        state Paused {', 0, 0));
        expect(inComposite.has('region')).toBe(false);
        expect(inComposite.has('state')).toBe(true);
        expect(inComposite.get('parallel')).toMatch(/regions run side by side/);
    });

    it('offers `history` and `deep` inside composite states and regions, not in atomic states or the machine', async () => {
        const inComposite = await completions(withCursor('        state Paused {', 0, 0));
        expect(inComposite.get('history')).toMatch(/re-enters the child/);
        expect(inComposite.get('deep')).toMatch(/every active state inside/);
        const inRegion = await completions(withCursor('            state Quiet {', 0, 0));
        expect(inRegion.has('history')).toBe(true);
        expect(inRegion.has('region')).toBe(false);
        const inAtomic = await completions(withCursor('on Play -> Playing', 0, 0));
        expect(inAtomic.has('history')).toBe(false);
        expect(inAtomic.has('deep')).toBe(false);
        expect(inAtomic.has('on')).toBe(true);
        const inMachine = await completions(withCursor('    parallel state Settings', 0, 0));
        expect(inMachine.has('history')).toBe(false);
        expect(inMachine.has('state')).toBe(true);
        expect(inMachine.has('parallel')).toBe(true);
    });

    it('offers `done` after `on` only in a state that can complete (one with states or regions)', async () => {
        const composite = await completions(withCursor('on Stop -> Stopped\n        history', 0, 3));
        expect(composite.get('done')).toMatch(/completion of this state/);
        expect(composite.has('Stop')).toBe(true);
        const parallel = await completions(withCursor('on Stop -> Stopped\n    }\n}', 0, 3));
        expect(parallel.has('done')).toBe(true);
        const atomic = await completions(withCursor('on Pause -> Slow', 0, 3));
        expect(atomic.has('done')).toBe(false);
        expect(atomic.has('Pause')).toBe(true);
    });

    it('reads the block from the braces while the model is still being typed (no closing braces yet)', async () => {
        const parallel = await completions('machine M {\n    events E\n    parallel state P {\n        <|>');
        expect(parallel.has('region')).toBe(true);
        expect(parallel.has('state')).toBe(false);
        const region = await completions('machine M {\n    events E\n    parallel state P {\n        region R {\n            initial state S\n            <|>');
        expect(region.has('history')).toBe(true);
        expect(region.has('state')).toBe(true);
        expect(region.has('region')).toBe(false);
        const composite = await completions('machine M {\n    events E\n    initial state A {\n        initial state B { on E -> A }\n        on <|>');
        expect(composite.has('done')).toBe(true);
        expect(composite.has('E')).toBe(true);
        const history = await completions('machine M {\n    events E\n    initial state A {\n        initial state B\n        state C\n        history H -> <|>');
        expect([...history.keys()].sort()).toEqual(['B', 'C']);
        const afterBlock = await completions('machine M {\n    events E\n    parallel state P {\n        region R { initial state S }\n    }\n    <|>');
        expect(afterBlock.has('region')).toBe(false);
        expect(afterBlock.has('state')).toBe(true);
    });

    it('keeps the keywords a flat model had', async () => {
        const items = await completions('machine M {\n    events E\n    initial state A {\n        <|>\n    }\n}\n');
        for (const keyword of ['on', 'after', 'entry', 'exit', 'state', 'initial', 'final']) {
            expect(items.has(keyword), keyword).toBe(true);
        }
        expect(items.has('region')).toBe(false);
        expect(items.has('history')).toBe(false);
    });
});

describe('hover in a hierarchy', () => {
    it('says what kind of state a state is and where it sits', async () => {
        const loud = await hover(withCursor('state Loud', 0, 7));
        expect(loud).toContain('**initial atomic state** `Loud` of `Player` · in Settings › Sound ·');
        const playing = await hover(withCursor('state Playing', 0, 7));
        expect(playing).toContain('**initial composite state** `Playing` of `Player` · in Active ·');
        expect(playing).toContain('states: `Fast` (initial) · `Slow` (final)');
        expect(playing).toContain('histories: `Again` (deep)');
        expect(playing).toContain('—done→ `Paused`'); // an `on done` transition, shown with its trigger
        const quiet = await hover(withCursor('state Quiet', 0, 7));
        expect(quiet).toContain('**atomic state** `Quiet` of `Player` · in Settings › Sound ·');
        expect(quiet).toContain('—Stop→ `Resume`'); // the target as written, a history
        const settings = await hover(withCursor('state Settings', 0, 7));
        expect(settings).toContain('**parallel state** `Settings` of `Player` ·');
        expect(settings).not.toContain('· in ');
        expect(settings).toContain('regions: `Sound` · `Clock`');
        const stopped = await hover(withCursor('state Stopped', 0, 7));
        expect(stopped).toContain('**initial atomic state** `Stopped` of `Player` ·');
    });

    it('shows a history: shallow or deep, its composite, its default and who targets it, also from `-> H`', async () => {
        const resume = await hover(withCursor('history Resume', 0, 10));
        expect(resume).toContain('**shallow history** `Resume` of `Active` · in Active');
        expect(resume).toContain('re-enters the child of `Active` that was active when it was last left');
        expect(resume).toContain('default: `Paused` (the first time)');
        expect(resume).toContain('targeted by: `Stopped` —Eject→ · `Quiet` —Stop→');
        expect(await hover(withCursor('-> Resume', 0, 5))).toBe(resume);

        const again = await hover(withCursor('-> Again', 0, 5));
        expect(again).toContain('**deep history** `Again` of `Playing` · in Active › Playing');
        expect(again).toContain('re-enters every state inside `Playing`');
        expect(again).toContain('default: the initial child `Fast` (the first time)');
        expect(again).toContain('targeted by: `Slow` —Play→');
    });

    it('shows a history in a region as the region\'s', async () => {
        const last = await hover(withCursor('history Last', 0, 10));
        expect(last).toContain('**shallow history** `Last` of region `Clock` · in Settings › Clock');
        expect(last).toContain('default: the initial child `Running` (the first time)');
        expect(last).toContain('targeted by: —');
    });

    it('shows a region: its parallel state and its states', async () => {
        const sound = await hover(withCursor('region Sound', 0, 9));
        expect(sound).toContain('**region** `Sound` of parallel state `Settings` · in Settings');
        expect(sound).toContain('states: `Loud` (initial) · `Quiet`');
    });

    it('explains the new keywords', async () => {
        expect(await hover(withCursor('parallel state', 0, 2))).toMatch(/^\*\*parallel\*\* — A state whose regions run side by side/);
        expect(await hover(withCursor('region Sound', 0, 2))).toMatch(/^\*\*region\*\* — /);
        expect(await hover(withCursor('deep history', 0, 2))).toMatch(/^\*\*deep\*\* — A deep history remembers/);
        expect(await hover(withCursor('history Resume', 0, 2))).toMatch(/^\*\*history\*\* — /);
        expect(await hover(withCursor('on done', 0, 5))).toMatch(/^\*\*done\*\* — The completion of this state[\s\S]*on done -> Finished/);
    });

    it('reads `on done` as the event `done` wherever it shows a transition: out, in, internal, targeting a history', async () => {
        const job = `machine Job {
    events Go
    initial state Work {
        history Back
        initial state Step { on Go -> Last }
        final state Last
        on done -> Report
    }
    state Report {
        initial state Write { on Go -> Sent }
        final state Sent
        on done [retry] -> Back
        on done / archive
    }
}
`;
        const work = await hover(withCursor('state Work', 0, 7, job));
        expect(work).toContain('in: `Report` —done→');
        expect(work).toContain('out: —done→ `Report`');
        const report = await hover(withCursor('state Report', 0, 7, job));
        expect(report).toContain('in: `Work` —done→');
        expect(report).toContain('out: —done→ `Back` · done / archive (internal)');
        expect(await hover(withCursor('-> Report', 0, 5, job))).toBe(report);
        expect(await hover(withCursor('history Back', 0, 10, job))).toContain('targeted by: `Report` —done→');
        expect(await hover(withCursor('-> Back', 0, 5, job))).toContain('targeted by: `Report` —done→');
        for (const text of [work, report]) {
            expect(text).not.toMatch(/—→|—\?→|—undefined→/);
        }
    });

    it('says reachability is undecided while a composite state lacks its initial child, as the checks do', async () => {
        const undecided = `machine M {
    events Go
    initial state A { on Go -> Outer }
    state Outer {
        state Inner
    }
    state Orphan
}
`;
        const decided = undecided.replace('state Inner', 'initial state Inner');
        expect(await hover(withCursor('state Orphan', 0, 7, undecided))).toContain('· reachability undecided: a composite state or region lacks its one initial child');
        expect(await hover(withCursor('state Inner', 0, 7, undecided))).toContain('· in Outer · reachability undecided');
        expect(await hover(withCursor('state Orphan', 0, 7, decided))).toContain('· **unreachable** from `A`');
        const targets = (model: string): Promise<Map<string, string | undefined>> => completions(withCursor('-> Outer', 0, 3, model).replace('Outer }', ' }'));
        expect((await targets(undecided)).get('Orphan')).toBe('state');
        expect((await targets(decided)).get('Orphan')).toBe('state (unreachable)');
    });

    it('keeps a flat state\'s hover as it was: no structure word, no place', async () => {
        const text = await hover('machine M {\n    events E\n    initial state A { on E -> B }\n    final state <|>B\n}\n');
        expect(text).toContain('**final state** `B` of `M` · reachable');
    });
});

describe('navigation in a hierarchy', () => {
    async function references(textWithCursor: string, includeDeclaration: boolean): Promise<string[]> {
        return atCursor(textWithCursor, async (document, position) => {
            const locations: Location[] = await services.lsp.ReferencesProvider!.findReferences(document, { textDocument: { uri: document.textDocument.uri }, position, context: { includeDeclaration } });
            return describeRanges(document, locations.map((location) => location.range));
        });
    }

    async function definition(textWithCursor: string): Promise<string[]> {
        return atCursor(textWithCursor, async (document, position) => {
            const links = (await services.lsp.DefinitionProvider!.getDefinition(document, { textDocument: { uri: document.textDocument.uri }, position })) ?? [];
            return describeRanges(document, links.map((link) => link.targetSelectionRange));
        });
    }

    it('goes from `-> H` to the history, and from a history\'s default and a nested target to the state', async () => {
        expect(await definition(withCursor('-> Resume', 0, 4))).toEqual(['8:16 Resume']);
        expect(await definition(withCursor('-> Again', 0, 4))).toEqual(['10:25 Again']);
        expect(await definition(withCursor('Resume -> Paused', 0, 12))).toEqual(['19:14 Paused']);
        expect(await definition(withCursor('-> Quiet', 0, 4))).toEqual(['29:18 Quiet']);
        expect(await definition(withCursor('-> Settings', 0, 4))).toEqual(['24:19 Settings']);
    });

    it('finds every reference to a history and to a state inside a region, across nesting', async () => {
        expect(await references(withCursor('history Resume', 0, 10), true)).toEqual(['4:20 Resume', '8:16 Resume', '31:27 Resume']);
        expect(await references(withCursor('history Resume', 0, 10), false)).toEqual(['4:20 Resume', '31:27 Resume']);
        expect(await references(withCursor('state Loud', 0, 7), true)).toEqual(['26:26 Loud', '30:29 Loud']);
        expect(await references(withCursor('state Paused', 0, 7), false)).toEqual(['8:26 Paused', '17:23 Paused']);
    });

    it('renames a history at its declaration and every `-> H`, from either end', async () => {
        const fromDeclaration = await rename(withCursor('history Resume', 0, 10), 'Back');
        expect(fromDeclaration).toContain('on Eject -> Back');
        expect(fromDeclaration).toContain('history Back -> Paused');
        expect(fromDeclaration).toContain('on Stop -> Back');
        expect(fromDeclaration).not.toContain('Resume');
        expect(await rename(withCursor('-> Resume', 1, 4), 'Back')).toBe(fromDeclaration);
    });

    it('renames a state inside a region, a nested state used as a history default, and a region', async () => {
        const quiet = await rename(withCursor('-> Quiet', 0, 4), 'Silent');
        expect(quiet).toContain('on Mute -> Silent');
        expect(quiet).toContain('state Silent {');
        expect(quiet).not.toContain('Quiet');
        const paused = await rename(withCursor('state Paused', 0, 7), 'Held');
        expect(paused).toContain('history Resume -> Held');
        expect(paused).toContain('on done -> Held');
        expect(paused).toContain('state Held {');
        expect(paused).not.toContain('Paused');
        const sound = await rename(withCursor('region Sound', 0, 8), 'Audio');
        expect(sound).toContain('region Audio {');
        expect(sound.replace('Audio', 'Sound')).toBe(PLAYER);
    });
});

describe('folding in a hierarchy', () => {
    it('folds every nested block: composite states, parallel states, regions and states inside them', async () => {
        const { document } = await validate(PLAYER);
        const ranges = await services.lsp.FoldingRangeProvider!.getFoldingRanges(document, { textDocument: { uri: document.textDocument.uri } });
        const lines = PLAYER.split('\n');
        const folded = ranges.map((range) => lines[range.startLine]!.trim()).sort();
        expect(folded).toEqual([
            'final state Slow {',
            'initial state Fast {',
            'initial state Loud {',
            'initial state Playing {',
            'initial state Stopped {',
            'machine Player {',
            'parallel state Settings {',
            'region Clock {',
            'region Sound {',
            'state Active {',
            'state Paused {',
            'state Quiet {'
        ]);
        // Each fold ends on the line before its `}`, at the `}` of its own block.
        for (const range of ranges) {
            const opening = lines[range.startLine]!;
            const closing = lines[range.endLine + 1]!;
            expect(closing, opening).toBe(`${opening.match(/^\s*/)![0]}}`);
        }
    });
});

describe('quick fixes in a hierarchy', () => {
    it('are still keyed by codes: marking a stuck nested state final inserts `final` before its `state`', async () => {
        const model = `machine M {
    events Go
    initial state Outer {
        initial state Inner {
            on Go -> Stuck
        }
        state Stuck {
            entry log
        }
    }
}
`;
        const { document, diagnostics } = await validate(model);
        const terminal = diagnostics.find((diagnostic) => diagnostic.code === 'terminal-state' && document.textDocument.getText(diagnostic.range) === 'Stuck');
        expect(terminal, JSON.stringify(diagnostics.map((diagnostic) => diagnostic.code))).toBeDefined();
        const actions = await services.lsp.CodeActionProvider!.getCodeActions(document, { textDocument: { uri: document.textDocument.uri }, range: terminal!.range, context: { diagnostics: [terminal!] } });
        const mark = (actions ?? []).find((action) => 'title' in action && action.title === "Mark 'Stuck' final");
        expect(mark && 'edit' in mark ? TextDocument.applyEdits(document.textDocument, mark.edit?.changes?.[document.textDocument.uri] ?? []) : '').toContain('        final state Stuck {');
    });

    it('replace a misspelt history target with the history the linker suggests', async () => {
        const { document, diagnostics } = await validate(PLAYER.replace('on Eject -> Resume', 'on Eject -> Resme'));
        const unresolved = diagnostics.find((diagnostic) => diagnostic.code === 'unresolved-reference');
        expect(unresolved, JSON.stringify(diagnostics.map((diagnostic) => diagnostic.code))).toBeDefined();
        const actions = await services.lsp.CodeActionProvider!.getCodeActions(document, { textDocument: { uri: document.textDocument.uri }, range: unresolved!.range, context: { diagnostics: [unresolved!] } });
        const change = (actions ?? []).find((action) => 'title' in action && action.title === "Change to 'Resume'");
        expect(change && 'edit' in change ? TextDocument.applyEdits(document.textDocument, change.edit?.changes?.[document.textDocument.uri] ?? []) : '').toBe(PLAYER);
    });
});
