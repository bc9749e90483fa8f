// A listen that fails (EADDRINUSE) in the system check: a fault the environment may inject, only as a first move (a
// listen fails at once or not at all); a server that waits for good after it is stuck-after-fault, one that stops is not.
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import { wire } from '../../language/system/wiring.js';
import { SystemContext, World } from '../../language/system/world.js';
import { inlineFiles, withSystem } from './system-helpers.js';

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
            const context = new SystemContext(program, wire(program), { sessions: 2 });
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
});
