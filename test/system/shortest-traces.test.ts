// The explorer's traces are the shortest: a brute-force search over every sequence of moves (iterative deepening,
// no hashing, no merging of sessions) finds no shorter sequence that reaches the finding's condition, and finds one
// of the explorer's length; on systems without the finding it finds none either.
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import type { Finding } from '../../language/system/findings.js';
import { World } from '../../language/system/world.js';
import { shortest, type Condition, type Taken } from './brute-force.js';
import { addressInUse, deadlocked, lostSignal, orphanForever, sessionsPileUp, stuckAfterFault } from './finding-conditions.js';
import { contextOf, inlineFiles, withFixture, withSystem, type Code, type LoadedSystem } from './system-helpers.js';

/** How deep "can never" looks ahead: every fixture's way out (if any) is shorter. */
const AHEAD = 5;

const ASKER = `// A client that waits a second after connecting, asks once, and waits for an answer.
machine Asker {
    events Up, Reply, Failed
    initial state Connecting {
        on Up -> Pause
        on Failed -> Gone
    }
    state Pause {
        after 1s -> Ask
    }
    state Ask {
        entry send upstream "Q"
        on Reply -> Done
    }
    final state Done
    final state Gone

    client upstream connect 127.0.0.1:7900 {
        framing lines
        connect -> Up
        read -> Reply
        error -> Failed
    }
}
`;

/** Sessions that answer nothing; with `answers`, they answer the first command. */
const muteServer = (answers: boolean): string => `// A server whose sessions read one command.
machine MuteServer {
    events ListenFailed
    initial state Serving {
        on ListenFailed -> Stopped
    }
    final state Stopped

    server listener listen 0.0.0.0:7900 {
        session MuteSession
        error -> ListenFailed
    }
}

machine MuteSession {
    events Command, Gone
    initial state Open {
        on Command -> Mute${answers ? ' / send peer "A"' : ''}
        on Gone -> Done
    }
    state Mute {
        on Gone -> Done
    }
    final state Done

    connection peer {
        framing lines
        read -> Command
        close -> Gone
    }
}
`;

/** A machine that handles SIGTERM in its first two states only, then ticks forever. */
const TICKER = `// Handles Stop only in its first two seconds, then ticks forever.
machine Ticker {
    events Stop
    initial state First {
        after 1s -> Second
        on Stop -> Stopped
    }
    state Second {
        after 1s -> Ticking
        on Stop -> Stopped
    }
    state Ticking {
        after 1s -> Ticking
    }
    final state Stopped
    signal SIGTERM -> Stop
}
`;

/** A client that asks until a guard says enough; gives up on SIGTERM or (a guard) on a refused connect. */
const STUBBORN = (name: string): string => `// A stubborn client: reconnects, times out its connect, asks until a guard says enough.
machine ${name} {
    events Up, Reply, Failed, Dropped, Tired
    initial state Connecting {
        on Up -> Asking / send upstream "Q"
        on Failed [patient] -> Connecting
        on Failed -> GaveUp
        on Dropped -> Connecting
    }
    state Asking {
        on Reply [enough] -> Done / close upstream
        on Reply -> Asking / send upstream "Q"
        on Dropped -> Connecting
        on Tired -> GaveUp
    }
    final state Done
    final state GaveUp

    client upstream connect 127.0.0.1:7950 {
        framing lines
        timeout 1s
        reconnect 500ms..1s
        connect -> Up
        read -> Reply
        error -> Failed
        close -> Dropped
    }
    signal SIGTERM -> Tired
}
`;

/** Sessions that pause while working and, when unlucky, neither answer nor resume. */
const FORGETFUL = `// A one-session hub whose sessions pause while working and, when unlucky, forget to resume.
machine Hub {
    events ListenFailed
    initial state Serving {
        on ListenFailed -> Stopped
    }
    final state Stopped

    server listener listen 0.0.0.0:7950 {
        session Worker
        error -> ListenFailed
    }
}

machine Worker {
    events Ask, Done, Gone
    initial state Reading {
        on Ask -> Busy / pause peer
        on Gone -> End
    }
    state Busy {
        entry raise Done
        on Done [lucky] -> Reading / send peer "A", resume peer
        on Done -> Reading
    }
    final state End

    connection peer {
        framing lines
        read -> Ask
        close -> Gone
    }
}
`;

/** The explorer's shortest trace for `code` (fewest moves over its findings of that code). */
function explorerDepth(findings: readonly Finding[], code: Code): number {
    const found = findings.filter((finding) => finding.code === code);
    expect(found.length, `the explorer finds ${code}`).toBeGreaterThan(0);
    return Math.min(...found.map((finding) => finding.steps.length));
}

/** The explorer's trace replayed on worlds, with what each move did (for the conditions that look at the last move). */
function replayed(system: LoadedSystem, finding: Finding, sessions: number): { world: World; path: Taken[] } {
    let world = World.start(contextOf(system.program, sessions));
    const path: Taken[] = [];
    for (const step of finding.steps) {
        const outcome = world.replay(step.move, step.choices);
        path.push({ before: world, move: step.move, outcome });
        world = outcome.world;
    }
    return { world, path };
}

/** The brute force agrees with the explorer: its shortest sequence has the explorer's length, and the explorer's trace meets the condition. */
function agrees(system: LoadedSystem, code: Code, condition: Condition, sessions = 2): void {
    const check = checkSystem(system.program, { sessions });
    const depth = explorerDepth(check.findings, code);
    const found = shortest(World.start(contextOf(system.program, sessions)), condition, depth);
    expect(found, `brute force finds ${code} within ${depth} moves`).toBeDefined();
    expect(found!.map((taken) => taken.outcome.lines.join(' / ')), `no shorter ${code} than the explorer's ${depth} moves`).toHaveLength(depth);
    const shortestFindings = check.findings.filter((finding) => finding.code === code && finding.steps.length === depth);
    for (const finding of shortestFindings) {
        const { world, path } = replayed(system, finding, sessions);
        expect(condition(world, path), `the explorer's trace meets the condition: ${finding.scenario.join(' / ')}`).toBe(true);
    }
}

describe('shortest traces, checked by brute force', () => {
    it('system-deadlock on its fixture (1 move)', async () => {
        await withFixture('system-deadlock', 'bug', (system) => agrees(system, 'system-deadlock', deadlocked));
    });

    it('system-deadlock on a purpose-built pair that needs an accept, a timer and a delivery (3 moves)', async () => {
        await withSystem(inlineFiles({ 'asker.fsm': ASKER, 'mute.fsm': muteServer(false) }), (system) => {
            agrees(system, 'system-deadlock', deadlocked);
            expect(explorerDepth(checkSystem(system.program).findings, 'system-deadlock')).toBe(3);
        });
    });

    it('no deadlock within 5 moves when the session answers (and the explorer finds none)', async () => {
        await withSystem(inlineFiles({ 'asker.fsm': ASKER, 'mute.fsm': muteServer(true) }), (system) => {
            expect(checkSystem(system.program).findings.filter((finding) => finding.code === 'system-deadlock')).toEqual([]);
            expect(shortest(World.start(contextOf(system.program)), deadlocked, 5)).toBeUndefined();
        });
    });

    for (const code of ['system-deadlock', 'orphan-session', 'lost-signal', 'unbounded-sessions'] as const) {
        it(`no deadlock within 4 moves on the fixed ${code} fixture (and the explorer finds none)`, async () => {
            await withFixture(code, 'fixed', (system) => {
                expect(checkSystem(system.program).findings).toEqual([]);
                expect(shortest(World.start(contextOf(system.program)), deadlocked, 4)).toBeUndefined();
            });
        });
    }

    it('lost-signal on its fixture (2 moves)', async () => {
        await withFixture('lost-signal', 'bug', (system) => agrees(system, 'lost-signal', lostSignal(AHEAD)));
    });

    it('lost-signal on a purpose-built ticker (two seconds, then the signal: 3 moves)', async () => {
        await withSystem(inlineFiles({ 'ticker.fsm': TICKER }), (system) => {
            agrees(system, 'lost-signal', lostSignal(AHEAD));
            expect(explorerDepth(checkSystem(system.program).findings, 'lost-signal')).toBe(3);
        });
    });

    it('stuck-after-fault on its fixture (2 moves)', async () => {
        await withFixture('stuck-after-fault', 'bug', (system) => agrees(system, 'stuck-after-fault', stuckAfterFault(4)));
    });

    it('address-in-use on its fixture (3 moves)', async () => {
        await withFixture('address-in-use', 'bug', (system) => {
            agrees(system, 'address-in-use', addressInUse);
            expect(explorerDepth(checkSystem(system.program).findings, 'address-in-use')).toBe(3);
        });
    });

    it('orphan-session on its fixture (3 moves)', async () => {
        await withFixture('orphan-session', 'bug', (system) => agrees(system, 'orphan-session', orphanForever(AHEAD)));
    });

    for (const sessions of [1, 2, 3]) {
        it(`unbounded-sessions on its fixture with ${sessions} sessions per server (${sessions} moves)`, async () => {
            await withFixture('unbounded-sessions', 'bug', (system) => {
                agrees(system, 'unbounded-sessions', sessionsPileUp(sessions, AHEAD), sessions);
                expect(explorerDepth(checkSystem(system.program, { sessions }).findings, 'unbounded-sessions')).toBe(sessions);
            });
        });
    }

    it('the brute force itself returns the shortest sequence: Asker reaches Ask after an accept and a second (2 moves)', async () => {
        await withSystem(inlineFiles({ 'asker.fsm': ASKER, 'mute.fsm': muteServer(false) }), (system) => {
            const found = shortest(World.start(contextOf(system.program)), (world) => world.simulation.instance('Asker')!.stateName === 'Ask', 4);
            expect(found?.map((taken) => taken.move.kind)).toEqual(['accept', 'advance']);
        });
    });

    const NONE: ReadonlyArray<[Code, Condition, number]> = [
        ['lost-signal', lostSignal(AHEAD), 4],
        ['stuck-after-fault', stuckAfterFault(4), 3],
        ['orphan-session', orphanForever(AHEAD), 4],
        ['unbounded-sessions', sessionsPileUp(2, AHEAD), 4],
        ['address-in-use', addressInUse, 4]
    ];
    for (const [code, condition, depth] of NONE) {
        it(`no ${code} within ${depth} moves on its fixed fixture, by brute force too`, async () => {
            await withFixture(code, 'fixed', (system) => {
                expect(checkSystem(system.program).findings).toEqual([]);
                expect(shortest(World.start(contextOf(system.program)), condition, depth)?.map((taken) => taken.outcome.lines.join(' / '))).toBeUndefined();
            });
        });
    }

    it('every code agrees with brute force (within 3 moves) on two clients of a one-session server with guards, pauses and timeouts', async () => {
        await withSystem(inlineFiles({ 'a.fsm': STUBBORN('Asker'), 'b.fsm': STUBBORN('Bsker'), 'hub.fsm': FORGETFUL }), ({ program }) => {
            const check = checkSystem(program, { sessions: 1 });
            expect(check.stats.complete).toBe(true);
            const conditions: ReadonlyArray<[Code, Condition]> = [
                ['system-deadlock', deadlocked],
                ['lost-signal', lostSignal(AHEAD)],
                ['stuck-after-fault', stuckAfterFault(AHEAD)],
                ['orphan-session', orphanForever(AHEAD)],
                ['unbounded-sessions', sessionsPileUp(1, AHEAD)],
                ['address-in-use', addressInUse]
            ];
            const codes = new Set(check.findings.map((finding) => finding.code));
            expect(codes.size, 'the system has findings of several codes').toBeGreaterThanOrEqual(3);
            for (const [code, condition] of conditions) {
                const found = shortest(World.start(contextOf(program, 1)), condition, 3);
                const reported = check.findings.filter((finding) => finding.code === code).map((finding) => finding.steps.length);
                expect(found?.length, `${code}: ${found?.map((taken) => taken.outcome.lines.join(' + ')).join(' / ')}`).toBe(reported.length > 0 ? Math.min(...reported) : undefined);
            }
        });
    });
});
