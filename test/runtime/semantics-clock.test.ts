// The manual clock of generated programs (`--clock=manual`) moves time as the interpreter does: after each timer,
// what it set off (a socket's close, a server's drain) happens at that timer's time, before the next timer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, interpreterTrace, removePrograms, startProgram, untimed } from './program-helpers.js';
import { Cleanup } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

// At 1 s the listener is closed (drained: no sessions, so its close event comes at once, on a later tick);
// B's own timer is due 1 ms later, in the same `advance`.
const DRAIN = `
machine Drain {
    events Closed
    initial state A { after 1s -> B / close listener }
    state B {
        on Closed -> C
        after 1ms -> D
    }
    final state C
    final state D
    server listener listen 127.0.0.1:0 {
        session Visitor
        close -> Closed
    }
}
machine Visitor {
    events Bye
    initial state Here { on Bye -> Here }
    connection peer { close -> Bye }
}`;

let drainDir = '';

beforeAll(async () => {
    drainDir = await buildProgramFrom(DRAIN, {});
}, 120_000);

describe('--clock=manual', () => {
    it('lets what a timer set off happen before the next timer of the same advance', async () => {
        const program = startProgram(drainDir, { DRAIN_LISTENER: '127.0.0.1:0' }, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        program.child.stdin!.end('advance 5s\n');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        const expected = await interpreterTrace(DRAIN, 'advance 5s');
        expect(expected.at(-2)).toMatchObject({ kind: 'transition', from: 'B', event: 'Closed', to: 'C' });
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
        expect(program.jsonTrace.map((line) => line.t)).toEqual(expected.map((line) => line.t));
    });
});
