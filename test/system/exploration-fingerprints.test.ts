// What the search explores, pinned: for every example system, every fixture (bug and fixed) and every probe, the number
// of states and moves and a hash of every state the search stores, in the order it finds them (parent, move, guard
// choices, scenario lines, depth, the instances' states, stuck). Work on the explorer's speed must leave all of it as
// it was; a change of what the system check means changes it on purpose: then run
//
//   UPDATE_FINGERPRINTS=1 npx vitest run test/system/exploration-fingerprints.test.ts
//
// and say in the commit why the explorations changed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore } from '../../language/system/explore.js';
import type { StateGraph } from '../../language/system/state-graph.js';
import { wire } from '../../language/system/wiring.js';
import { everySystem, ROOT, withSystem } from './system-helpers.js';

const GOLDEN = path.join(ROOT, 'test', 'system', 'exploration-fingerprints.json');
const UPDATE = process.env['UPDATE_FINGERPRINTS'] === '1';

interface Fingerprint {
    readonly states: number;
    readonly moves: number;
    readonly sha256: string;
}

function fingerprintOf(graph: StateGraph, moves: number): Fingerprint {
    const hash = createHash('sha256');
    for (const state of graph.states) {
        hash.update(JSON.stringify([state.parent, state.move ?? null, state.choices, state.lines, state.depth, state.summary.instances, state.stuck, state.signalsLeft]));
        hash.update('\n');
    }
    return { states: graph.states.length, moves, sha256: hash.digest('hex') };
}

const golden: Record<string, Fingerprint> = existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Fingerprint>) : {};
const measured: Record<string, Fingerprint> = {};

describe('what the search explores stays as pinned', () => {
    for (const [name, files] of everySystem()) {
        it(name, async () => {
            await withSystem(new Map(files.map((file) => [file, readFileSync(file, 'utf8')])), ({ program }) => {
                const exploration = explore(program, { maxMs: 30_000 });
                expect(exploration.stats.complete).toBe(true);
                expect(exploration.stats.refused, exploration.stats.firstRefusal).toBe(0);
                const fingerprint = fingerprintOf(exploration.graph, exploration.stats.transitions);
                measured[name] = fingerprint;
                if (!UPDATE) {
                    expect(fingerprint, `${name}: the exploration changed (see the head of this file)`).toEqual(golden[name]);
                }
            });
        }, 60_000);
    }
    // With network faults, the systems with a wired connection (the others explore as above).
    for (const [name, files] of everySystem()) {
        it(`${name} (network faults)`, async ({ skip }) => {
            await withSystem(new Map(files.map((file) => [file, readFileSync(file, 'utf8')])), ({ program }) => {
                // Without a wired connection the search is the one above: nothing to pin (reported as skipped).
                skip(wire(program).clients.size === 0, 'no wired connection');
                const exploration = explore(program, { maxMs: 30_000, networkFaults: true });
                expect(exploration.stats.complete).toBe(true);
                expect(exploration.stats.refused, exploration.stats.firstRefusal).toBe(0);
                const fingerprint = fingerprintOf(exploration.graph, exploration.stats.transitions);
                const pinned = `${name} (network faults)`;
                measured[pinned] = fingerprint;
                if (!UPDATE) {
                    expect(fingerprint, `${pinned}: the exploration changed (see the head of this file)`).toEqual(golden[pinned]);
                }
            });
        }, 60_000);
    }
    afterAll(() => {
        if (UPDATE) {
            writeFileSync(GOLDEN, `${JSON.stringify(measured, undefined, 2)}\n`);
        }
    });
});
