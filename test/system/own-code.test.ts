// What an instance's key says of it alone, as the search numbers it (own-code.ts), held to the text that defines it
// (ownKey in state-key.ts) on instances that differ in one field each: every instance of the first worlds of every
// system, and copies of it with one field of it or of one of its sockets changed. Within one table, equal texts must
// get equal atoms and different texts different atoms. (test/system/shared-instances.test.ts holds whole codes to
// whole keys, but only on worlds the search reaches, where many fields change together.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../templates/runtime/framing.js';
import type { Instance, SocketState, StreamSocket, StreamStatus } from '../../language/semantics/instance.js';
import { copyInstance } from '../../language/semantics/simulation-copy.js';
import { StateTable } from '../../language/system/state-code.js';
import { ownKey } from '../../language/system/state-key.js';
import { RefusedMove, SystemContext, World } from '../../language/system/world.js';
import { wire } from '../../language/system/wiring.js';
import { everySystem, withSystem } from './system-helpers.js';

/** Worlds looked at per system: their instances and the variants of each. */
const WORLDS = 150;

const STREAM_STATUSES: readonly StreamStatus[] = ['idle', 'connecting', 'connected', 'closing', 'closed'];

/** `instance` with one change made by `change` to a copy of it (its sockets are the copy's own). */
function variant(instance: Instance, change: (copy: Instance) => void): Instance {
    const copy = copyInstance(instance, {});
    change(copy);
    return copy;
}

function streamOf(instance: Instance, name: string): StreamSocket {
    return instance.sockets.get(name) as StreamSocket;
}

/** Copies of `instance`, each with one field of it or of one socket changed. */
function variants(instance: Instance): Instance[] {
    const made: Instance[] = [
        variant(instance, (copy) => {
            copy.finished = !copy.finished;
        })
    ];
    const nodes = [...instance.active];
    if (nodes.length > 0) {
        made.push(variant(instance, (copy) => copy.remember('H', nodes)));
        made.push(variant(instance, (copy) => copy.remember('H', nodes.slice(0, 1))));
        made.push(variant(instance, (copy) => copy.leaveState(nodes[0]!)));
    }
    for (const socket of instance.sockets.values() as Iterable<SocketState>) {
        const name = socket.spec.name;
        if (socket.kind === 'server') {
            for (const status of ['idle', 'listening', 'closing', 'closed'] as const) {
                made.push(
                    variant(instance, (copy) => {
                        (copy.sockets.get(name) as { status: string }).status = status;
                    })
                );
            }
            continue;
        }
        const changes: Array<(stream: StreamSocket) => void> = [
            ...STREAM_STATUSES.map((status) => (stream: StreamSocket) => (stream.status = status)),
            (stream) => (stream.closeRequested = !stream.closeRequested),
            (stream) => (stream.paused = !stream.paused),
            (stream) => (stream.unsentWhileConnecting = stream.unsentWhileConnecting > 0 ? 0 : 3),
            (stream) => (stream.attempt += 1),
            (stream) => (stream.lingering += 1),
            (stream) => (stream.generation += 1), // the world's marks name a socket's connection
            (stream) => stream.held.push({ what: 'data', data: Buffer.from('ab') }),
            (stream) => stream.held.push({ what: 'data', data: Buffer.from('cd') }),
            (stream) => stream.held.push({ what: 'exit', status: 3 }),
            (stream) => stream.held.push({ what: 'closed' }),
            (stream) => stream.held.push({ what: 'reset' }),
            (stream) => (stream.lastReceived -= 20_000), // the heartbeat's ticks left, when one is armed
            (stream) => {
                const frames = new FrameDecoder({ kind: 'lines', maxLength: 100 });
                frames.push(Buffer.from('partial'));
                stream.frames = frames;
            },
            (stream) => {
                const frames = new FrameDecoder({ kind: 'lines', maxLength: 100 });
                frames.push(Buffer.from('other'));
                stream.frames = frames;
            }
        ];
        for (const change of changes) {
            made.push(variant(instance, (copy) => change(streamOf(copy, name))));
        }
    }
    return made;
}

describe("an instance's own code equals for exactly the equal own keys", () => {
    for (const [name, files] of everySystem()) {
        it(name, async () => {
            await withSystem(new Map(files.map((file) => [file, readFileSync(file, 'utf8')])), ({ program }) => {
                const context = new SystemContext(program, wire(program), { sessions: 2 });
                const table = new StateTable();
                const atomOfText = new Map<string, number>();
                const textOfAtom = new Map<number, string>();
                const worlds = [World.start(context)];
                for (let index = 0; index < worlds.length && index < WORLDS; index++) {
                    const world = worlds[index]!;
                    const marked = world.listenFailed.size > 0 || world.envEnded.size > 0 || world.owesDrain.size > 0 || world.spawnSettled.size > 0;
                    for (const instance of world.simulation.instances) {
                        for (const each of [instance, ...variants(instance)]) {
                            const text = ownKey(world, each, marked, true);
                            const atom = table.ownAtom(world, each, marked);
                            expect(atomOfText.get(text) ?? atom, `one own key, two atoms: ${text}`).toBe(atom);
                            expect(textOfAtom.get(atom) ?? text, `one atom, two own keys: ${text}`).toBe(text);
                            atomOfText.set(text, atom);
                            textOfAtom.set(atom, text);
                        }
                    }
                    for (const move of world.moves()) {
                        try {
                            worlds.push(...world.outcomes(move).map((outcome) => outcome.world));
                        } catch (error) {
                            if (!(error instanceof RefusedMove)) {
                                throw error;
                            }
                        }
                    }
                }
            });
        }, 60_000);
    }
});
