// The edit storm: small incremental edits on a generated model, as an editor sends them while someone types,
// applied to a client-side copy of the text so the test knows the exact text of every version.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { machineName, MODEL_EVENTS, type Random } from './model.js';

export type EditKind = 'add-transition' | 'remove-transition' | 'insert-char' | 'delete-char' | 'insert-raw' | 'delete-raw' | 'full-text';

/** One didChange notification: its version and its content changes (applied in order). */
export interface StormStep {
    version: number;
    kinds: EditKind[];
    contentChanges: TextDocumentContentChangeEvent[];
}

/** The model the storm edits: how generateLargeModel made it. */
export interface StormModel {
    machines: number;
    statesPerMachine: number;
    prefix?: string;
}

/** What one edit changes: `length` characters at `offset` become `text`. */
interface Splice {
    kind: EditKind;
    offset: number;
    length: number;
    text: string;
}

/**
 * Machines whose names and punctuation the storm mangles: the last two, so that a stray brace cannot hide the
 * machines before them from the parser. The others only gain and lose (well-formed) transitions.
 */
function hotMachines(model: StormModel): number[] {
    return [model.machines - 2, model.machines - 1].filter((index) => index >= 0);
}

/** Matches of `pattern` (global) in text[start, end), as [offset, match]. */
function matches(text: string, start: number, end: number, pattern: RegExp): Array<[number, RegExpExecArray]> {
    return [...text.slice(start, end).matchAll(pattern)].map((match) => [start + match.index, match]);
}

class Splicer {
    constructor(private readonly model: StormModel, private readonly random: Random) {}

    /** [start, end) of the body of machine `index`: after its `events` line, up to its final state. */
    body(text: string, index: number): [number, number] {
        const name = machineName(index, this.model.prefix);
        const header = text.indexOf(`machine ${name} {`);
        if (header < 0) {
            throw new Error(`machine ${name} is gone from the storm's text`);
        }
        const eventsLine = text.indexOf('\n', text.indexOf('events', header));
        const end = text.indexOf('\n    final state Done', eventsLine);
        if (end < 0) {
            throw new Error(`the final state of ${name} is gone from the storm's text`);
        }
        return [eventsLine + 1, end];
    }

    /** One random edit of `text`. */
    next(text: string): Splice {
        for (;;) {
            const roll = this.random.int(12);
            const splice =
                roll < 4 ? this.addTransition(text)
                : roll < 8 ? this.removeTransition(text)
                : roll < 9 ? this.insertChar(text)
                : roll < 10 ? this.deleteChar(text)
                : roll < 11 ? this.insertRaw(text)
                : this.deleteRaw(text);
            if (splice) {
                return splice;
            }
        }
    }

    private anyBody(text: string): [number, number] {
        return this.body(text, this.random.int(this.model.machines));
    }

    private hotBody(text: string): [number, number] {
        return this.body(text, this.random.pick(hotMachines(this.model)));
    }

    private addTransition(text: string): Splice | undefined {
        const [start, end] = this.anyBody(text);
        const openings = matches(text, start, end, /^ {4}(?:initial )?state S\d+ \{\n/gm);
        if (openings.length === 0) {
            return undefined;
        }
        const [offset, match] = this.random.pick(openings);
        // Targets among the declared non-final states: the new line resolves, but may make a state nondeterministic.
        const target = `S${this.random.int(this.model.statesPerMachine - 1)}`;
        return { kind: 'add-transition', offset: offset + match[0].length, length: 0, text: `        on ${this.random.pick(MODEL_EVENTS)} -> ${target}\n` };
    }

    private removeTransition(text: string): Splice | undefined {
        const [start, end] = this.anyBody(text);
        const lines = matches(text, start, end, /^ {8}on [^\n]*\n/gm);
        if (lines.length === 0) {
            return undefined;
        }
        const [offset, match] = this.random.pick(lines);
        return { kind: 'remove-transition', offset, length: match[0].length, text: '' };
    }

    /** Targets (`-> Name`) and triggers (`on Name`) in a hot machine: where a typo changes what resolves. */
    private hotNames(text: string): Array<[number, string]> {
        const [start, end] = this.hotBody(text);
        return matches(text, start, end, /(?:-> |on )([A-Za-z_]\w*)/g).map(([offset, match]) => [offset + match[0].length - match[1]!.length, match[1]!]);
    }

    private insertChar(text: string): Splice | undefined {
        const names = this.hotNames(text);
        if (names.length === 0) {
            return undefined;
        }
        const [offset, name] = this.random.pick(names);
        return { kind: 'insert-char', offset: offset + this.random.int(name.length + 1), length: 0, text: this.random.pick([...'abcxyS0123']) };
    }

    private deleteChar(text: string): Splice | undefined {
        const names = this.hotNames(text).filter(([, name]) => name.length > 1);
        if (names.length === 0) {
            return undefined;
        }
        const [offset, name] = this.random.pick(names);
        return { kind: 'delete-char', offset: offset + this.random.int(name.length), length: 1, text: '' };
    }

    private insertRaw(text: string): Splice {
        const [start, end] = this.hotBody(text);
        return { kind: 'insert-raw', offset: start + this.random.int(end - start), length: 0, text: this.random.pick(['{', '}', '-', '>', '/', ',', ' ', '\n', 'x', '[', '9']) };
    }

    private deleteRaw(text: string): Splice | undefined {
        const [start, end] = this.hotBody(text);
        return end - start > 1 ? { kind: 'delete-raw', offset: start + this.random.int(end - start - 1), length: 1, text: '' } : undefined;
    }
}

/**
 * The storm over one document: each `next()` makes the next notification (version + 1) and updates the client's copy
 * of the text. `finalEdit` types into a target of a machine the storm never mangles, with a suffix no random edit
 * can make: the diagnostics of that version differ from every earlier one.
 */
export class EditStorm {
    readonly kindCounts = new Map<EditKind, number>();
    private document: TextDocument;
    private readonly splicer: Splicer;

    constructor(document: TextDocument, random: Random, model: StormModel) {
        this.document = document;
        this.splicer = new Splicer(model, random);
    }

    get text(): string {
        return this.document.getText();
    }

    get version(): number {
        return this.document.version;
    }

    get edits(): number {
        return [...this.kindCounts.values()].reduce((sum, count) => sum + count, 0);
    }

    /**
     * The next notification: `edits` incremental changes (each computed on the text the previous one left), or, when
     * `fullText` is set, one random edit sent as a full-text change.
     */
    next(edits = 1, fullText = false): StormStep {
        const version = this.document.version + 1;
        if (fullText) {
            const text = this.text;
            const splice = this.splicer.next(text);
            const contentChanges = [{ text: text.slice(0, splice.offset) + splice.text + text.slice(splice.offset + splice.length) }];
            return this.apply(version, ['full-text'], contentChanges);
        }
        const kinds: EditKind[] = [];
        const contentChanges: TextDocumentContentChangeEvent[] = [];
        // TextDocument.update changes the document it is given: the edits of this notification go to a copy first.
        const scratch = TextDocument.create(this.document.uri, this.document.languageId, this.document.version, this.text);
        for (let i = 0; i < edits; i++) {
            const splice = this.splicer.next(scratch.getText());
            const change = { range: { start: scratch.positionAt(splice.offset), end: scratch.positionAt(splice.offset + splice.length) }, text: splice.text };
            contentChanges.push(change);
            kinds.push(splice.kind);
            TextDocument.update(scratch, [change], version);
        }
        return this.apply(version, kinds, contentChanges);
    }

    /** The final notification: `edits - 1` random edits, then `suffix` typed after a target of machine `machine`. */
    finalEdit(machine: number, suffix: string, edits = 1): StormStep {
        const step = edits > 1 ? this.next(edits - 1) : undefined;
        const version = step ? step.version : this.document.version + 1;
        const text = this.text;
        const [start, end] = this.splicer.body(text, machine);
        const targets = matches(text, start, end, /-> (S\d+)/g);
        const [offset, match] = targets[Math.floor(targets.length / 2)]!;
        const at = this.document.positionAt(offset + match[0].length);
        const change = { range: { start: at, end: at }, text: suffix };
        this.document = TextDocument.update(this.document, [change], version);
        this.count(['insert-char']);
        return { version, kinds: [...(step?.kinds ?? []), 'insert-char'], contentChanges: [...(step?.contentChanges ?? []), change] };
    }

    private apply(version: number, kinds: EditKind[], contentChanges: TextDocumentContentChangeEvent[]): StormStep {
        this.document = TextDocument.update(this.document, contentChanges, version);
        this.count(kinds);
        return { version, kinds, contentChanges };
    }

    private count(kinds: EditKind[]): void {
        for (const kind of kinds) {
            this.kindCounts.set(kind, (this.kindCounts.get(kind) ?? 0) + 1);
        }
    }
}

/**
 * `count` notifications of random edits, versions following the storm's: one edit each, except every 25th version,
 * which carries two, and every 250th, which is a full-text change.
 */
export function randomSteps(storm: EditStorm, count: number): StormStep[] {
    const steps: StormStep[] = [];
    while (steps.length < count) {
        const version = storm.version + 1;
        steps.push(version % 250 === 0 ? storm.next(1, true) : storm.next(version % 25 === 0 ? 2 : 1));
    }
    return steps;
}
