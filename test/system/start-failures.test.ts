// A listen that fails (EADDRINUSE) and a process that cannot start (ENOENT) in the system check: faults the environment
// may inject only before anything else happens (a listen at the start; a spawn before its machine hears of anything
// else); a machine that waits for good after one is stuck-after-fault, one that stops or retries is not.
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import { World } from '../../language/system/world.js';
import { contextOf, inlineFiles, withSystem } from './system-helpers.js';

/** A server whose listen error goes to `onError`: `Waiting` (nothing leaves it: the bug) or `Stopped` (final). */
const SERVER = (onError: string, mapped = true): string => `machine Hub {
    events ListenFailed
    initial state Serving {
        on ListenFailed -> ${onError}
    }
    state Waiting {
    }
    final state Stopped

    server listener listen 0.0.0.0:7600 {
        session HubSession
        ${mapped ? 'error -> ListenFailed' : ''}
    }
}

machine HubSession {
    events Gone
    initial state Open {
        on Gone -> Done
    }
    final state Done

    connection peer {
        framing lines
        idle 5s -> Gone
        close -> Gone
    }
}
`;

describe('listen errors in the system check', () => {
    it('a server that waits for good after its listen failed is stuck after a fault, with the error as its trace', async () => {
        await withSystem(inlineFiles({ 'hub.fsm': SERVER('Waiting') }), ({ program }) => {
            const stuck = checkSystem(program).findings.filter((finding) => finding.code === 'stuck-after-fault');
            expect(stuck).toHaveLength(1);
            expect(stuck[0]!.scenario).toEqual(['Hub.listener error EADDRINUSE']);
            expect(stuck[0]!.message).toContain('Hub.listener cannot listen (EADDRINUSE)');
            expect(stuck[0]!.chart).toContain('listener: cannot listen (EADDRINUSE)');
        });
    });

    it('one that stops, or maps no error (the program exits 1), has no finding', async () => {
        for (const text of [SERVER('Stopped'), SERVER('Waiting', false)]) {
            await withSystem(inlineFiles({ 'hub.fsm': text }), ({ program }) => {
                const check = checkSystem(program);
                expect(check.stats.complete).toBe(true);
                expect(check.findings).toEqual([]);
            });
        }
    });

    it('is offered only at the start: once anything else has happened, servers listen for good', async () => {
        await withSystem(inlineFiles({ 'hub.fsm': SERVER('Waiting') }), ({ program }) => {
            const context = contextOf(program);
            const listenError = (world: World): boolean => world.moves().some((move) => move.kind === 'env' && move.what === 'listen-error');
            const start = World.start(context);
            expect(listenError(start)).toBe(true);
            const accept = start.moves().find((move) => move.kind === 'env' && move.what === 'accept')!;
            const accepted = start.replay(accept, []).world;
            expect(accepted.settled).toBe(true);
            expect(listenError(accepted)).toBe(false);
            expect(listenError(accepted.replay(accepted.moves().find((move) => move.kind === 'advance')!, []).world)).toBe(false);
        });
    });

    it('a process that cannot start, and a machine that then waits for its exit for good: stuck after the fault', async () => {
        await withSystem(inlineFiles({ 'runner.fsm': RUNNER('Waiting') }), ({ program }) => {
            const stuck = checkSystem(program).findings.filter((finding) => finding.code === 'stuck-after-fault');
            expect(stuck.map((finding) => finding.scenario)).toEqual([['Runner.job error ENOENT']]);
            expect(stuck[0]!.message).toContain('Runner.job cannot start (ENOENT)');
            expect(stuck[0]!.chart).toContain('job: cannot start (ENOENT)');
        });
        await withSystem(inlineFiles({ 'runner.fsm': RUNNER('GaveUp') }), ({ program }) => {
            expect(checkSystem(program).findings).toEqual([]);
        });
    });

    it('a spawn fails before its machine hears of anything else, and again after each new spawn', async () => {
        await withSystem(inlineFiles({ 'runner.fsm': RUNNER('GaveUp') }), ({ program }) => {
            const context = contextOf(program);
            const spawnError = (world: World): boolean => world.moves().some((move) => move.kind === 'env' && move.what === 'spawn-error');
            const take = (world: World, what: string): World => world.replay(world.moves().find((move) => move.kind === 'env' && move.what === what)!, []).world;
            const start = World.start(context);
            expect(spawnError(start)).toBe(true);
            const line = take(start, 'data');
            expect(spawnError(line)).toBe(false);
            const exited = take(line, 'exit'); // -> Restarting, whose timer spawns it again
            expect(spawnError(exited)).toBe(false);
            const respawned = exited.replay(exited.moves().find((move) => move.kind === 'advance')!, []).world;
            expect(respawned.simulation.instance('Runner')!.stateName).toBe('Running');
            expect(spawnError(respawned)).toBe(true);
        });
    });
});

/** Runs a job, restarts it 1 s after it exits; when it cannot start: `onError` (Waiting: nothing leaves it). */
const RUNNER = (onError: string): string => `machine Runner {
    events Line(string), Exited(number), Failed(Error)
    initial state Running {
        entry spawn job
        on Line
        on Exited -> Restarting
        on Failed -> ${onError}
    }
    state Restarting {
        after 1s -> Running
    }
    state Waiting {
        on Exited -> Running
    }
    final state GaveUp

    process job spawn "node" "job.mjs" {
        framing lines
        stdout -> Line
        exit -> Exited
        error -> Failed
    }
}
`;
