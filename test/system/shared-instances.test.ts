// A world's successors share the instances a move does not touch (a simulation copies an instance only before it
// changes it), and the state key keeps what it made of an unchanged instance. Both are held here to what they stand
// for, on every world the search reaches in every example, fixture and probe: a step never changes the world it was
// taken from (its key, made anew, is the same after every move was tried on it), and the key made from what
// instances kept equals the key made anew. The search's table of states numbers keys (state-code.ts): on every
// world, its code made from what was kept equals the code made anew, codes are equal for exactly the equal keys, and
// the table finds the state stored with a code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StateTable, worldCode } from '../../language/system/state-code.js';
import { worldKey } from '../../language/system/state-key.js';
import { RefusedMove, SystemContext, World } from '../../language/system/world.js';
import { wire } from '../../language/system/wiring.js';
import { everySystem, withSystem } from './system-helpers.js';

/** Worlds looked at per system at most (the biggest example has about 1,500 states). */
const MAX_WORLDS = 5_000;

describe('worlds share unchanged instances, and keys what they made of them', () => {
    for (const [name, files] of everySystem()) {
        for (const exactTime of [false, true]) {
            it(`${name}${exactTime ? ' (exact time)' : ''}`, async () => {
                await withSystem(new Map(files.map((file) => [file, readFileSync(file, 'utf8')])), ({ program }) => {
                    const context = new SystemContext(program, wire(program), { sessions: 2, exactTime });
                    const start = World.start(context);
                    const known = new Set<string>([worldKey(start)]);
                    // The search's table numbers keys (state-code.ts): equal codes for exactly the equal keys.
                    const table = new StateTable();
                    const codeOfKey = new Map<string, string>();
                    const keyOfCode = new Map<string, string>();
                    const indexOfCode = new Map<string, number>();
                    expect(worldKey(start)).toBe(worldKey(start, true));
                    const worlds = [start];
                    for (let index = 0; index < worlds.length && index < MAX_WORLDS; index++) {
                        const world = worlds[index]!;
                        const before = worldKey(world, true);
                        for (const move of world.moves()) {
                            let outcomes;
                            try {
                                outcomes = world.outcomes(move);
                            } catch (error) {
                                if (error instanceof RefusedMove) {
                                    continue;
                                }
                                throw error;
                            }
                            for (const outcome of outcomes) {
                                const key = worldKey(outcome.world);
                                expect(key, `after ${JSON.stringify(move)} from world ${index}`).toBe(worldKey(outcome.world, true));
                                const code = worldCode(outcome.world, table).join(',');
                                expect(code, `code after ${JSON.stringify(move)} from world ${index}`).toBe(worldCode(outcome.world, table, true).join(','));
                                expect(codeOfKey.get(key) ?? code, `one key, two codes: ${key}`).toBe(code);
                                expect(keyOfCode.get(code) ?? key, `one code, two keys: ${code}`).toBe(key);
                                codeOfKey.set(key, code);
                                keyOfCode.set(code, key);
                                // The table finds a code's state by its hash and the stored numbers.
                                const stored = table.lookup(outcome.world);
                                expect(stored, `the table's state for ${key}`).toBe(indexOfCode.get(code) ?? -1);
                                if (stored < 0) {
                                    table.keep(indexOfCode.size);
                                    indexOfCode.set(code, indexOfCode.size);
                                }
                                if (!known.has(key)) {
                                    known.add(key);
                                    worlds.push(outcome.world);
                                }
                            }
                        }
                        expect(worldKey(world, true), `world ${index} changed while its moves were tried`).toBe(before);
                    }
                });
            }, 60_000);
        }
    }
});
