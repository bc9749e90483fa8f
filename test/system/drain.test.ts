// Backpressure in the system check: a socket that maps `drain` may drain after each write (any write may be the one
// that fills the buffer), never before one, and never once it has closed; a state only a drain leads to is explored.
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import { World } from '../../language/system/world.js';
import { contextOf, inlineFiles, withSystem } from './system-helpers.js';

/** Writes once on connect; a drain takes it to `Idle`, where it waits for good once the peer has closed. */
const WRITER = (drainTo: string): string => `machine Writer {
    events Up, Writable, Gone, Failed
    initial state Connecting {
        on Up -> Sending / send upstream "hello"
        on Failed -> GaveUp
    }
    state Sending {
        on Writable -> ${drainTo}
        on Gone -> Done
    }
    state Idle {
        on Writable -> Done
    }
    final state Done
    final state GaveUp

    client upstream connect 127.0.0.1:7400 {
        framing lines
        connect -> Up
        drain -> Writable
        close -> Gone
        error -> Failed
    }
}
`;

describe('drain in the system check', () => {
    it('a state only a drain leads to is reached, and its deadlock has the drain in its trace', async () => {
        await withSystem(inlineFiles({ 'writer.fsm': WRITER('Idle') }), ({ program }) => {
            const check = checkSystem(program);
            expect(check.stats.complete).toBe(true);
            const deadlock = check.findings.find((finding) => finding.code === 'system-deadlock');
            expect(deadlock?.message).toContain('Writer waits in Idle');
            expect(deadlock!.scenario).toEqual(['Writer.upstream connected', 'Writer.upstream drained', 'Writer.upstream closed']);
            expect(deadlock!.chart).toContain('upstream: write buffer drained');
        });
    });

    it('no drain is offered before a write, nor twice for one write, nor on a closed socket', async () => {
        await withSystem(inlineFiles({ 'writer.fsm': WRITER('Done') }), ({ program }) => {
            const context = contextOf(program);
            const drained = (world: World): boolean => world.moves().some((move) => move.kind === 'env' && move.what === 'drained');
            const take = (world: World, what: string): World => {
                const move = world.moves().find((candidate) => candidate.kind === 'env' && candidate.what === what);
                expect(move, `${what} among ${JSON.stringify(world.moves())}`).toBeDefined();
                return world.replay(move!, []).world;
            };
            const start = World.start(context);
            expect(drained(start)).toBe(false); // connecting, nothing written
            const connected = take(start, 'connected'); // `send upstream "hello"` on Up
            expect(drained(connected)).toBe(true);
            expect(drained(take(connected, 'drained'))).toBe(false);
            expect(drained(take(connected, 'closed'))).toBe(false);
            expect(checkSystem(program).findings).toEqual([]);
        });
    });
});
