// Helpers for the system-check tests: the fixture systems loaded as one program (real file names and lines), the
// instances of a world or a simulation as the findings print them, and model texts written in the tests.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { URI } from 'langium';
import { expect } from 'vitest';
import type { Model } from '../../language/generated/ast.js';
import type { Simulation } from '../../language/semantics/interpreter.js';
import { programOfModels, type ProgramSpec } from '../../language/semantics/program.js';
import { wire } from '../../language/system/wiring.js';
import { SystemContext } from '../../language/system/world.js';
import { services } from '../helpers.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SYSTEM_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'system');

export const CODES = ['system-deadlock', 'orphan-session', 'stuck-after-fault', 'lost-signal', 'unbounded-sessions', 'address-in-use'] as const;
export type Code = (typeof CODES)[number];

/** The model files of one fixture folder (`orphan-session`, `bug`), absolute, sorted. */
export function fixtureFiles(code: Code, variant: 'bug' | 'fixed'): string[] {
    const folder = path.join(SYSTEM_FIXTURES, code, variant);
    return readdirSync(folder)
        .filter((name) => name.endsWith('.fsm'))
        .sort()
        .map((name) => path.join(folder, name));
}

const modelFiles = (folder: string): string[] =>
    readdirSync(folder)
        .filter((name) => name.endsWith('.fsm'))
        .sort()
        .map((name) => path.join(folder, name));

/**
 * Every system the system-check tests hold the search to, by a name that says where its files are, with the files:
 * each example alone and the wired pairs, each fixture (bug and fixed), each probe.
 */
export function everySystem(): Array<[string, string[]]> {
    const examples = path.join(ROOT, 'examples');
    return [
        ...modelFiles(examples).map((file): [string, string[]] => [`examples/${path.basename(file)}`, [file]]),
        ['examples/echo-client.fsm + echo-server.fsm', [path.join(examples, 'echo-client.fsm'), path.join(examples, 'echo-server.fsm')]],
        ['examples/chat-client.fsm + chat-room.fsm', [path.join(examples, 'chat-client.fsm'), path.join(examples, 'chat-room.fsm')]],
        ['examples/edge-gateway.fsm + rpc-server.fsm', [path.join(examples, 'edge-gateway.fsm'), path.join(examples, 'rpc-server.fsm')]],
        ...CODES.flatMap((code) => (['bug', 'fixed'] as const).map((variant): [string, string[]] => [`fixtures/${code}/${variant}`, fixtureFiles(code, variant)])),
        ...modelFiles(path.join(SYSTEM_FIXTURES, 'probes')).map((file): [string, string[]] => [`probes/${path.basename(file)}`, [file]])
    ];
}

/** A loaded system: its program, and the texts of its files by absolute path. */
export interface LoadedSystem {
    readonly program: ProgramSpec;
    readonly texts: ReadonlyMap<string, string>;
}

/**
 * Parses, links and validates `files` (absolute path → text) as documents of one workspace with file URIs, asserts they
 * have no errors, and runs `use` on the program they make together; the documents are removed afterwards.
 */
export async function withSystem<T>(files: ReadonlyMap<string, string>, use: (system: LoadedSystem) => T | Promise<T>): Promise<T> {
    const workspace = services.shared.workspace;
    const documents = [...files].map(([file, text]) => {
        const document = workspace.LangiumDocumentFactory.fromString<Model>(text, URI.file(file));
        workspace.LangiumDocuments.addDocument(document);
        return document;
    });
    try {
        await workspace.DocumentBuilder.build(documents, { validation: true });
        for (const document of documents) {
            const errors = (document.diagnostics ?? []).filter((diagnostic) => diagnostic.severity === 1);
            expect(errors.map((error) => `${document.uri.path}:${error.range.start.line + 1} ${error.message}`)).toEqual([]);
        }
        const program = programOfModels(documents.map((document) => document.parseResult.value));
        return await use({ program, texts: files });
    } finally {
        await workspace.DocumentBuilder.update([], documents.map((document) => document.uri));
    }
}

/** The fixture system `code`/`variant`, loaded from disk. */
export function withFixture<T>(code: Code, variant: 'bug' | 'fixed', use: (system: LoadedSystem) => T | Promise<T>): Promise<T> {
    return withSystem(new Map(fixtureFiles(code, variant).map((file) => [file, readFileSync(file, 'utf8')])), use);
}

/** Model texts written in a test, as files of a made-up folder. */
export function inlineFiles(texts: Record<string, string>): Map<string, string> {
    return new Map(Object.entries(texts).map(([name, text]) => [path.join(ROOT, 'test', 'system', 'inline', name), text]));
}

/** The context a World needs, as `explore` makes it. */
export function contextOf(program: ProgramSpec, sessions = 2): SystemContext {
    return new SystemContext(program, wire(program), { sessions });
}

/**
 * The instances of a simulation as `Name: State` (`(finished)` appended, or `(exited)` for one still running when the
 * program exited), finished sessions left out: written here from the interpreter's instances, to compare with what a
 * finding says it ends with.
 */
export function instancesOf(simulation: Simulation): string[] {
    const gone = simulation.exitCode === undefined ? '' : ' (exited)';
    return simulation.instances.filter((instance) => !(instance.server && instance.finished)).map((instance) => `${instance.name}: ${instance.stateName}${instance.finished ? ' (finished)' : gone}`);
}

/** The 1-based line of the one place `needle` occurs in `text`. */
export function lineOf(text: string, needle: string): number {
    const at = text.indexOf(needle);
    expect(at, `'${needle}' occurs`).toBeGreaterThanOrEqual(0);
    expect(text.lastIndexOf(needle), `'${needle}' occurs once`).toBe(at);
    return text.slice(0, at).split('\n').length;
}
