// The built-in `stop` in a generated program, as a real process: the step that ran it completes (the actions after
// it, the transition, the next state's entry actions), then every top-level machine still running finishes in the
// order they started, each in the state it was in; what the step raised is dropped, and no timer keeps the process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, interpreterTrace, removePrograms, startProgram, untimed } from './program-helpers.js';
import { Cleanup } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

const MODEL = `
machine Stopper {
    events Go, Later
    initial state Idle {
        on Go -> Next / first, stop, second, raise Later
    }
    state Next {
        entry delete
        after 10s -> Idle
        on Later / never
    }
    signal SIGUSR2 -> Go
}

machine Bystander {
    events Nothing
    initial state Waiting { on Nothing -> Waiting }
}`;

/** A stub that prints its name; `delete` and `never` are TypeScript words, so their members are `delete_` and `never_`. */
const print = (member: string): string => `    ${member}() {\n        writeSync(1, '${member.replace(/_$/, '').toUpperCase()}\\n');\n    },`;

const ACTIONS = {
    'stopper.actions.ts': [
        `import { writeSync } from 'node:fs';`,
        `import type { StopperActions } from './stopper.events.js';`,
        '',
        'export const stopperActions: StopperActions = {',
        ...['first', 'second', 'delete_', 'never_'].map(print),
        '};',
        ''
    ].join('\n')
};

let dir = '';

beforeAll(async () => {
    dir = await buildProgramFrom(MODEL, ACTIONS);
}, 120_000);

describe('stop in the middle of an action list', () => {
    it('completes the step, then finishes every top-level machine in start order; the raised event and the timer are dropped', async () => {
        const program = startProgram(dir, {}, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        await program.untilStderr((lines) => (lines.filter((line) => line.includes('"kind":"start"')).length === 2 ? true : undefined), 5_000, 'both machines to start');
        program.child.kill('SIGUSR2');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.lines).toEqual(['FIRST', 'SECOND', 'DELETE']);
        expect(program.jsonTrace).toEqual([
            { t: 0, kind: 'start', machine: 'Stopper', state: 'Idle' },
            { t: 0, kind: 'start', machine: 'Bystander', state: 'Waiting' },
            { t: 0, kind: 'action', machine: 'Stopper', name: 'first', state: 'Idle', phase: 'transition' },
            { t: 0, kind: 'action', machine: 'Stopper', name: 'stop', state: 'Idle', phase: 'transition' },
            { t: 0, kind: 'action', machine: 'Stopper', name: 'second', state: 'Idle', phase: 'transition' },
            { t: 0, kind: 'action', machine: 'Stopper', name: 'raise Later', state: 'Idle', phase: 'transition' },
            { t: 0, kind: 'transition', machine: 'Stopper', from: 'Idle', event: 'Go', to: 'Next' },
            { t: 0, kind: 'action', machine: 'Stopper', name: 'delete', state: 'Next', phase: 'entry' },
            { t: 0, kind: 'finish', machine: 'Stopper', state: 'Next' },
            { t: 0, kind: 'finish', machine: 'Bystander', state: 'Waiting' }
        ]);
        expect(untimed(program.jsonTrace)).toEqual(untimed(await interpreterTrace(MODEL, 'signal SIGUSR2')));
    });

    it('on the real clock too: the `after 10s` armed in the step is cleared when the machine finishes, so the program exits at once', async () => {
        const program = startProgram(dir, {}, cleanup);
        await program.line(/Bystander {2}starts in Waiting$/, 5_000);
        const signalled = performance.now();
        program.child.kill('SIGUSR2');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(exit.at - signalled).toBeLessThan(3_000);
        expect(program.textTrace.slice(-4)).toEqual(['Stopper  Idle --Go--> Next', 'Stopper    entry delete', 'Stopper  finished in Next', 'Bystander  finished in Waiting']);
    });
});
