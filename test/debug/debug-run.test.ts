// The debugger's run in-process: points and snapshots of composite states and sessions, rewinding, undoing a step the
// model does not allow, an endless raise cycle, breakpoint conditions and Debug Console completion.
import { describe, expect, it } from 'vitest';
import { validate } from '../helpers.js';
import { programOf, type ProgramSpec } from '../../language/semantics/program.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { DebugRun, type Input, type Point } from '../../language/debug/debug-run.js';
import { parseCondition } from '../../language/debug/condition.js';
import { completeConsoleLine, parseConsoleLine } from '../../language/debug/console-commands.js';
import { liveBody } from '../../language/debug/live-view.js';
import { BreakableLines } from '../../language/debug/breakpoints.js';

async function programFrom(text: string): Promise<ProgramSpec> {
    const { document, diagnostics } = await validate(text);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 1)).toEqual([]);
    return programOf(document.parseResult.value);
}

function input(text: string): Input {
    return { step: parseScenario(text)[0]!, text, origin: 'test' };
}

const toEnd = (): undefined => undefined;

const NESTED = `machine Player {
    events Play, Pause, Tick, Stop
    initial state Stopped {
        on Play -> Playing
    }
    state Playing {
        initial state Loading {
            after 1s -> Running
        }
        state Running {
            on Tick / beep
        }
        on Pause -> Paused
        on Stop -> Stopped
    }
    state Paused {
        on Play -> Playing
    }
}
`;

const SERVER = `machine Hub {
    events Joined
    initial state Up {
        on Joined / greet
    }
    server listener listen 127.0.0.1:7000 {
        session Peer
        accept -> Joined
    }
}
machine Peer {
    events Got, Gone
    initial state Talking {
        on Got / answer
        on Gone -> Done
    }
    final state Done
    connection link {
        read -> Got
        close -> Gone
    }
}
`;

describe('DebugRun', () => {
    it('keeps composite states with their parents, outermost first, and stops where they are entered', async () => {
        const run = new DebugRun(await programFrom(NESTED), {});
        run.forward(toEnd);
        run.inject(input('send Play'), toEnd);
        const player = run.point.snapshot.instances[0]!;
        expect(player.states.map((state) => [state.name, state.depth, state.spot.line])).toEqual([
            ['Playing', 0, 6],
            ['Loading', 1, 7]
        ]);
        expect(player.timers).toEqual([{ label: 'after 1s', dueMs: 1000, spot: expect.objectContaining({ line: 8 }) }]);
        // Back to where Loading was entered: Playing is active already, Loading too (its timer is not armed yet).
        const entered = run.backward((point) => (point.kind === 'enter' && point.label === 'enters Loading' ? 'step' : undefined));
        expect(entered.point.snapshot.instances[0]!.states.map((state) => state.name)).toEqual(['Playing', 'Loading']);
        expect(entered.point.snapshot.instances[0]!.timers).toEqual([]);
        const live = liveBody(run.program, run.history.at(-1)!.snapshot);
        expect(live.instances[0]).toMatchObject({ states: [6, 7], trail: [{ line: 4, event: 'Play' }], fireable: [{ line: 13, event: 'Pause' }, { line: 14, event: 'Stop' }] });
    });

    it('sessions are instances of their own, appearing when accepted', async () => {
        const run = new DebugRun(await programFrom(SERVER), {});
        run.forward(toEnd);
        run.inject(input('listener accept'), toEnd);
        run.inject(input('Peer#1.link data "hi"'), toEnd);
        const names = run.point.snapshot.instances.map((instance) => `${instance.name} ${instance.stateName}`);
        expect(names).toEqual(['Hub Up', 'Peer#1 Talking']);
        expect(run.point.snapshot.instances[0]!.sockets).toEqual([{ name: 'listener', kind: 'server', status: 'listening', detail: '1 session, 1 accepted', spot: expect.objectContaining({ line: 6 }) }]);
        run.inject(input('Peer#1.link closed'), toEnd);
        expect(run.point.snapshot.instances[1]).toMatchObject({ finished: true, stateName: 'Done' });
        const ioPoints = run.history.filter((point: Point) => point.kind === 'io').map((point) => `${point.instance} ${point.label} ${point.breakSpots.map((spot) => spot.line).join(',')}`);
        expect(ioPoints).toEqual(['Hub listener: accept 6,8', 'Peer#1 link: data 18,19', 'Peer#1 link: close 18,20']);
    });

    it('a command in the past runs there: later inputs are undone and run after it; a step not allowed is undone', async () => {
        const run = new DebugRun(await programFrom(NESTED), { script: [input('send Play'), input('advance 1s'), input('send Tick')] });
        run.forward(toEnd);
        expect(run.point.snapshot.instances[0]!.stateName).toBe('Running');
        const traceLength = run.trace.length;
        // Back to the start of `advance 1s`, then Pause: Loading is left before its timer fires.
        run.backward((point) => (point.kind === 'settled' && point.input === 1 ? 'step' : undefined));
        const stop = run.inject(input('send Pause'), toEnd);
        expect(stop.point.snapshot.instances[0]!.stateName).toBe('Paused');
        expect(run.pendingInputs.map((pending) => pending.text)).toEqual(['advance 1s', 'send Tick']);
        run.forward(toEnd);
        expect(run.point.snapshot.instances[0]!.stateName).toBe('Paused');
        expect(run.trace.length).toBeLessThan(traceLength + 10);
        // A step the model does not allow leaves the run as it was.
        const before = run.history.length;
        const failed = run.inject(input('send Nope'), toEnd);
        expect(failed.point.problem).toBe("test: machine Player has no event 'Nope'");
        run.undoLast();
        expect(run.history.length).toBe(before);
        expect(run.point.snapshot.instances[0]!.stateName).toBe('Paused');
        // Each trace line is handed out once: the ones written since the last call, none the second time.
        expect(run.newTrace().length).toBeGreaterThan(0);
        expect(run.newTrace()).toEqual([]);
    });

    it('a command while the cursor is in the next-to-last input, or at the start, runs there too', async () => {
        const run = new DebugRun(await programFrom(NESTED), { script: [input('send Play'), input('send Pause')] });
        run.forward(toEnd);
        expect(run.point.snapshot.instances[0]!.stateName).toBe('Paused');
        // Into `send Play` (input 1 of 2): Stop runs after it, before the Pause.
        run.backward((point) => (point.kind === 'deliver' && point.input === 1 ? 'step' : undefined));
        const stopped = run.inject(input('send Stop'), toEnd);
        expect(stopped.point.snapshot.instances[0]!.stateName).toBe('Stopped');
        expect(run.pendingInputs.map((pending) => pending.text)).toEqual(['send Pause']);
        // Back to the very start: Play runs first of all.
        run.backward(() => undefined);
        expect(run.cursor).toBe(0);
        const played = run.inject(input('send Play'), toEnd);
        expect(played.point.snapshot.instances[0]!.stateName).toBe('Loading');
        expect(run.pendingInputs.map((pending) => pending.text)).toEqual(['send Play', 'send Stop', 'send Pause']);
    });

    it('keeps at most maxPoints points, letting the oldest go', async () => {
        const run = new DebugRun(await programFrom(NESTED), { maxPoints: 50, script: Array.from({ length: 40 }, (_, i) => input(i % 2 === 0 ? 'send Play' : 'send Stop')) });
        run.forward(toEnd);
        expect(run.history.length).toBeLessThanOrEqual(50);
        expect(run.dropped).toBeGreaterThan(0);
        expect(run.point.snapshot.instances[0]!.stateName).toBe('Stopped');
        const back = run.backward(() => undefined);
        expect(back.reason).toBe('start');
        expect(back.point.input).toBeGreaterThan(0);
    });

    it('an endless raise cycle is a problem point, and the session goes on', async () => {
        const run = new DebugRun(await programFrom(`machine Loop {\n    events Again, Go\n    initial state A {\n        on Go / raise Again\n        on Again / raise Again\n    }\n}\n`), {});
        run.forward(toEnd);
        const stop = run.inject(input('send Go'), toEnd);
        expect(stop.reason).toBe('exception');
        expect(stop.point.problem).toContain('endless cycle');
    });
});

describe('breakpoint lines and conditions', () => {
    it('knows which lines hold a state, a transition, a timer, a signal or a socket', async () => {
        const program = await programFrom(SERVER);
        const lines = new BreakableLines(program);
        const file = [...program.machines.values()][0]!.spot.path;
        expect(lines.linesIn(file, 1, 30)).toEqual([3, 4, 6, 8, 13, 14, 15, 17, 18, 19, 20]);
        expect(lines.at(file, 19).map((target) => target.description)).toEqual(['read on link of Peer']);
    });

    it('tests the payload', () => {
        const test = (condition: string, payload: unknown): boolean | string => {
            const parsed = parseCondition(condition);
            return parsed.ok ? parsed.test(payload) : parsed.message;
        };
        expect(test('payload == "quit"', 'quit')).toBe(true);
        expect(test('payload == "quit"', 'stay')).toBe(false);
        expect(test('payload.n > 3', { n: 4 })).toBe(true);
        expect(test('payload.n > 3', { n: 3 })).toBe(false);
        expect(test('payload.n >= 3', { n: 3 })).toBe(true);
        expect(test('payload.n < 3', { n: '1' })).toBe(false); // no comparison of a string with a number
        expect(test('payload.items[1].id != 7', { items: [{ id: 1 }, { id: 8 }] })).toBe(true);
        expect(test('payload.user', { user: { name: 'x' } })).toBe(true);
        expect(test('payload.user', {})).toBe(false);
        expect(test('payload.n > three', { n: 1 })).toContain('is not a JSON value');
        expect(test('n > 3', { n: 1 })).toContain('is not the payload');
    });
});

describe('the Debug Console', () => {
    it('reads help, steps and mistakes', () => {
        expect(parseConsoleLine('help')).toEqual({ kind: 'help' });
        expect(parseConsoleLine(' send Go ')).toMatchObject({ kind: 'step', step: { kind: 'send', event: 'Go' } });
        expect(parseConsoleLine('advance soon')).toMatchObject({ kind: 'error', message: expect.stringContaining("'help' lists the commands") });
        expect(parseConsoleLine('')).toMatchObject({ kind: 'error' });
    });

    it('completes instance names, their sockets and their events', async () => {
        const program = await programFrom(SERVER);
        const complete = (text: string): string[] => completeConsoleLine(program, 'Hub', ['Peer#1', 'Peer#2'], text, text.length).map((completion) => completion.label);
        expect(complete('Peer')).toEqual(['Peer#1', 'Peer#2']);
        expect(complete('Peer#2.')).toEqual(['Peer#2.link']);
        expect(complete('Peer#1.link ')).toEqual(['closed', 'connected', 'data', 'drained', 'error', 'refused', 'reset', 'timeout']);
        expect(complete('Peer#1 send ')).toEqual(['Gone', 'Got']);
        expect(complete('listener ')).toEqual(['accept', 'error']);
        expect(complete('send ')).toEqual(['Joined']);
    });
});
