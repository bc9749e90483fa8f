// The search's options and guarantees: deterministic results, sessions of a server merged by symmetry, the bound on
// live sessions, the bound on states (an incomplete search reports nothing false), and the seeded random walk.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSystem, type SystemCheck } from '../../language/system/check-system.js';
import { explore } from '../../language/system/explore.js';
import { World } from '../../language/system/world.js';
import { successors } from './brute-force.js';
import { CODES, contextOf, inlineFiles, ROOT, withFixture, withSystem } from './system-helpers.js';

/** Everything a check reports but the time it took. */
function reported(check: SystemCheck): unknown {
    const stats = Object.fromEntries(Object.entries(check.stats).filter(([key]) => key !== 'ms' && key !== 'bytesPerState'));
    return { stats, findings: check.findings.map((finding) => ({ ...finding })) };
}

const places = (check: SystemCheck): string[] => check.findings.map((finding) => `${finding.code} ${finding.spot.file}:${finding.spot.line}`);

/** A server its environment connects to, whose sessions are in one of two states (Fresh, Talked) until their peer closes. */
const TALK = `// A server for the environment; each session remembers whether its peer has said something.
machine TalkServer {
    events ListenFailed
    initial state Serving {
        on ListenFailed -> Stopped
    }
    final state Stopped

    server listener listen 0.0.0.0:7600 {
        session TalkSession
        error -> ListenFailed
    }
}

machine TalkSession {
    events Line, Gone
    initial state Fresh {
        on Line -> Talked
        on Gone -> Done
    }
    state Talked {
        on Line -> Talked
        on Gone -> Done
    }
    final state Done

    connection peer {
        framing lines
        read -> Line
        close -> Gone
        error -> Gone
    }
}
`;

/**
 * What tells two worlds apart here: each live instance's machine, state and sockets, in creation order (names left out),
 * and whether listens can still fail (only at the start).
 */
function parts(world: World): { top: string[]; sessions: string[] } {
    const describe = (instance: World['simulation']['instances'][number]): string =>
        `${instance.spec.name}:${instance.finished ? 'F' : instance.stateName}:${[...instance.sockets.values()]
            .map((socket) => (socket.kind === 'server' ? `${socket.status}/${socket.sessions.length}` : `${socket.status}/${socket.paused ? 'p' : ''}${socket.held.length}${world.envEnded.has(`${instance.name}.${socket.spec.name}@${socket.generation}`) ? 'e' : ''}`))
            .join(',')}`;
    const live = world.simulation.instances.filter((instance) => !(instance.server && instance.finished));
    return { top: [world.settled ? 'settled' : 'start', ...live.filter((instance) => !instance.server).map(describe)], sessions: live.filter((instance) => instance.server).map(describe) };
}

/** The number of distinct worlds reachable from the start, breadth-first, told apart by `key`. */
function countWorlds(start: World, key: (world: World) => string, limit = 100_000): number {
    const seen = new Set([key(start)]);
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
        for (const taken of successors(queue[head]!)) {
            const next = key(taken.outcome.world);
            if (!seen.has(next)) {
                seen.add(next);
                queue.push(taken.outcome.world);
                expect(seen.size, 'the system is small').toBeLessThan(limit);
            }
        }
    }
    return seen.size;
}

describe('the search', () => {
    for (const code of CODES) {
        it(`is deterministic: ${code} (bug and fixed) twice gives the same findings, traces, charts and state counts`, async () => {
            for (const variant of ['bug', 'fixed'] as const) {
                await withFixture(code, variant, ({ program }) => {
                    const first = checkSystem(program);
                    const second = checkSystem(program);
                    expect(reported(second)).toEqual(reported(first));
                    expect(first.stats.states).toBeGreaterThan(1);
                });
            }
        });
    }

    it('merges interchangeable sessions: fewer states than worlds told apart by session order, as many as worlds with sessions sorted', async () => {
        await withSystem(inlineFiles({ 'talk.fsm': TALK }), ({ program }) => {
            const exploration = explore(program, { sessions: 2 });
            expect(exploration.stats.complete).toBe(true);
            const start = World.start(contextOf(program, 2));
            const ordered = countWorlds(start, (world) => {
                const { top, sessions } = parts(world);
                return JSON.stringify([top, sessions]);
            });
            const sorted = countWorlds(start, (world) => {
                const { top, sessions } = parts(world);
                return JSON.stringify([top, [...sessions].sort()]);
            });
            expect(ordered).toBeGreaterThan(sorted);
            expect(exploration.stats.states).toBe(sorted);
            // With one session per server there is nothing to merge.
            const single = explore(program, { sessions: 1 });
            expect(single.stats.states).toBe(countWorlds(World.start(contextOf(program, 1)), (world) => JSON.stringify(parts(world))));
        });
    });

    it('bounds live sessions per server (--sessions): unbounded-sessions at K = 1 and K = 3, with K sessions at the end', async () => {
        await withFixture('unbounded-sessions', 'bug', ({ program }) => {
            const counts: number[] = [];
            for (const sessions of [1, 3]) {
                const check = checkSystem(program, { sessions });
                counts.push(check.stats.states);
                const finding = check.findings.find((candidate) => candidate.code === 'unbounded-sessions');
                expect(finding, `found with ${sessions} sessions`).toBeDefined();
                expect(finding!.steps).toHaveLength(sessions);
                expect(finding!.machines.filter((machine) => machine.startsWith('ChatSession#'))).toHaveLength(sessions);
                expect(finding!.message).toContain(sessions === 1 ? '1 accepted connection whose session (ChatSession#1 in ' : `${sessions} accepted connections whose sessions (`);
            }
            expect(counts[0]).toBeLessThan(counts[1]!);
        });
        await withFixture('unbounded-sessions', 'fixed', ({ program }) => {
            for (const sessions of [1, 3]) {
                expect(places(checkSystem(program, { sessions }))).toEqual([]);
            }
        });
    });

    it('stops at --max-states on a big graph with a note, and a graph cut short reports nothing false', async () => {
        await withFixture('stuck-after-fault', 'fixed', ({ program }) => {
            const full = checkSystem(program, { sessions: 5 });
            expect(full.stats.complete).toBe(true);
            expect(full.stats.states).toBeGreaterThan(300);
            for (const maxStates of [100, Math.floor(full.stats.states / 3), Math.floor((full.stats.states * 2) / 3)]) {
                const cut = checkSystem(program, { sessions: 5, maxStates });
                expect(cut.stats.complete).toBe(false);
                expect(cut.stats.states).toBeLessThan(full.stats.states);
                expect(cut.stats.bound).toContain(`--max-states ${maxStates}`);
                expect(places(cut)).toEqual([]);
            }
        });
        await withFixture('stuck-after-fault', 'bug', ({ program }) => {
            const whole = checkSystem(program, { sessions: 5 });
            const full = places(whole);
            for (const maxStates of [100, Math.floor(whole.stats.states / 3), Math.floor((whole.stats.states * 2) / 3)]) {
                const cut = checkSystem(program, { sessions: 5, maxStates });
                expect(cut.stats.complete).toBe(false);
                for (const place of places(cut)) {
                    expect(full).toContain(place);
                }
            }
        });
    });

    it('stops at --max-states on a small graph too', async () => {
        await withFixture('stuck-after-fault', 'fixed', ({ program }) => {
            const full = checkSystem(program);
            expect(full.stats.states).toBeGreaterThan(20);
            const cut = checkSystem(program, { maxStates: 10 });
            expect(cut.stats.states).toBeLessThan(full.stats.states);
            expect(cut.stats.complete).toBe(false);
            expect(cut.stats.bound).toContain('--max-states 10');
        });
    });

    for (const code of CODES) {
        it(`a graph cut short reports nothing on the fixed ${code} fixture, and only true findings on the bug one`, async () => {
            for (const maxStates of [1, 2, 3]) {
                await withFixture(code, 'fixed', ({ program }) => {
                    const cut = checkSystem(program, { maxStates });
                    expect(places(cut)).toEqual([]);
                });
                await withFixture(code, 'bug', ({ program }) => {
                    const full = places(checkSystem(program));
                    for (const place of places(checkSystem(program, { maxStates }))) {
                        expect(full).toContain(place);
                    }
                });
            }
        });
    }

    it('random walk: seeded and deterministic, finds the deadlock fixture\'s deadlock, and says it is not complete', async () => {
        await withFixture('system-deadlock', 'bug', ({ program }) => {
            const exhaustive = checkSystem(program);
            for (const seed of [1, 2, 99]) {
                const walk = checkSystem(program, { randomWalk: 20, seed });
                expect(reported(checkSystem(program, { randomWalk: 20, seed }))).toEqual(reported(walk));
                expect(walk.stats.mode).toBe('random-walk');
                expect(walk.stats.complete).toBe(false);
                expect(walk.stats.bound).toContain(`seed ${seed}`);
                expect(places(walk)).toEqual(places(exhaustive));
                expect(walk.findings[0]!.scenario).toEqual(exhaustive.findings[0]!.scenario);
            }
        });
    });

    it('random walk: different seeds walk differently on a bigger system, and the fixed fixtures report nothing', async () => {
        await withFixture('stuck-after-fault', 'fixed', ({ program }) => {
            const states = [1, 2, 3, 4, 5].map((seed) => {
                const walk = checkSystem(program, { randomWalk: 15, seed, sessions: 3 });
                expect(places(walk)).toEqual([]);
                return JSON.stringify(walk.stats);
            });
            expect(new Set(states.map((stats) => stats.replace(/"ms":[0-9.e-]+,/, '').replace(/"bytesPerState":\d+,/, ''))).size).toBeGreaterThan(1);
        });
        for (const code of CODES) {
            await withFixture(code, 'fixed', ({ program }) => {
                expect(places(checkSystem(program, { randomWalk: 200, seed: 3 }))).toEqual([]);
            });
        }
    });

    it('random walk: starting over where it has not been yet, it sees what it can reach of the echo pair in 2,000 steps, whichever the seed', async () => {
        const files = ['echo-client.fsm', 'echo-server.fsm'].map((name) => path.join(ROOT, 'examples', name));
        await withSystem(new Map(files.map((file) => [file, readFileSync(file, 'utf8')])), ({ program }) => {
            const exhaustive = explore(program).stats.states;
            for (const seed of [1, 2, 3, 4]) {
                // A walk does not take the signals of a state where nothing else can happen (a deadlock ends it):
                // the states only such a signal leads to stay unseen. Walks that always started over at the start
                // saw about half (a signal ends most walks after a few moves).
                const seen = explore(program, { randomWalk: 2_000, seed }).stats.states;
                expect(seen, `seed ${seed}`).toBeGreaterThanOrEqual(Math.floor(exhaustive * 0.75));
                expect(seen).toBeLessThan(exhaustive);
            }
        });
    });

    it('random walk: what it records follows the stored traces, also where it reaches a known state through another world (pipe-relay)', async () => {
        const file = path.join(ROOT, 'examples', 'pipe-relay.fsm');
        await withSystem(new Map([[file, readFileSync(file, 'utf8')]]), ({ program }) => {
            for (const seed of [1, 2, 3, 4, 5]) {
                // checkSystem replays every finding's trace and throws if a step does not replay as recorded.
                const walk = checkSystem(program, { randomWalk: 3_000, seed });
                expect(walk.stats.refused).toBe(0);
                expect(walk.findings.every((finding) => finding.code === 'unbounded-sessions')).toBe(true);
            }
        });
    });

    for (const code of CODES) {
        it(`a depth bound (maxDepth) cuts the search with a note; the fixed ${code} fixture reports nothing, the bug one only true findings`, async () => {
            for (const maxDepth of [0, 1, 2, 3]) {
                await withFixture(code, 'fixed', ({ program }) => {
                    const cut = checkSystem(program, { maxDepth });
                    expect(places(cut)).toEqual([]);
                    expect(cut.stats.states).toBeLessThanOrEqual(checkSystem(program).stats.states);
                });
                await withFixture(code, 'bug', ({ program }) => {
                    const full = checkSystem(program);
                    const cut = checkSystem(program, { maxDepth });
                    for (const place of places(cut)) {
                        expect(full.findings.map((finding) => `${finding.code} ${finding.spot.file}:${finding.spot.line}`)).toContain(place);
                    }
                    // A finding whose trace the depth allows is found (a deadlock needs its state expanded: one more).
                    for (const finding of full.findings.filter((candidate) => candidate.code === 'system-deadlock' && candidate.steps.length < maxDepth)) {
                        expect(places(cut)).toContain(`${finding.code} ${finding.spot.file}:${finding.spot.line}`);
                    }
                    if (cut.stats.states < full.stats.states) {
                        expect(cut.stats.complete).toBe(false);
                        expect(cut.stats.bound).toContain(`depth bound ${maxDepth}`);
                    }
                });
            }
        });
    }

    it('a cancelled search stops at once, says so, and reports nothing', async () => {
        await withFixture('system-deadlock', 'bug', ({ program }) => {
            const cut = checkSystem(program, { cancelled: () => true });
            expect(cut.stats.complete).toBe(false);
            expect(cut.stats.bound).toMatch(/^cancelled after 1 state$/);
            expect(cut.findings).toEqual([]);
        });
    });
});
