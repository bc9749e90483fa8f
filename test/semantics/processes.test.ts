// The interpreter on child processes (docs/language.md "Processes"): spawn, stdout framed as a socket's reads, the exit
// after the last message, failed spawns, sends while not running, pause holding the exit, close and the kill after it.
import { describe, expect, it } from 'vitest';
import { ScenarioStepError } from '../../language/semantics/run-scenario.js';
import { simulate } from './simulate-helpers.js';

/** A machine with one process; `states` are its states. */
function machine(states: string, framing = 'framing lines'): string {
    return `machine P {
        events Line(string), Exited(number), Failed(Error), Hold, Go, Quit
        ${states}
        process worker spawn "node" "worker.mjs" {
            ${framing}
            stdout -> Line
            exit -> Exited
            error -> Failed
        }
    }`;
}

const RUN = `initial state Running {
            entry spawn worker
            on Line / got
            on Hold / pause worker
            on Go / resume worker
            on Failed / failed
            on Quit / close worker
            on Exited -> Done
        }
        final state Done`;

describe('processes in the interpreter', () => {
    it('reads stdout framed (a line split across chunks is one event), then the last line without LF at the exit, then exit with the status', async () => {
        const { lines } = await simulate(machine(RUN), 'worker stdout "a\\nb"\nworker stdout "c\\nd"\nworker exit 3');
        expect(lines).toEqual([
            'P start Running',
            'P entry spawn worker@Running',
            'P io worker data 3B',
            'P Running internal Line',
            'P transition got@Running',
            'P io worker data 3B',
            'P Running internal Line',
            'P transition got@Running',
            'P Running internal Line',
            'P transition got@Running',
            'P io worker exit 3',
            'P Running -Exited-> Done',
            'P finish Done'
        ]);
    });

    it('spawn is ignored while the process runs; after its exit it spawns again', async () => {
        const model = machine(`initial state A {
            entry spawn worker
            on Line / spawn worker
            on Exited -> B
        }
        state B {
            entry spawn worker
            on Exited -> Done
        }
        final state Done`);
        const { lines } = await simulate(model, 'worker stdout "x\\n"\nworker exit 0\nworker stdout "y\\n"\nworker exit 1');
        expect(lines.filter((line) => line.includes(' io '))).toEqual(['P io worker data 2B', 'P io worker exit 0', 'P io worker data 2B', 'P io worker exit 1']);
        expect(lines.at(-1)).toBe('P finish Done');
    });

    it('a process that cannot start is an error (no exit), and can be spawned again', async () => {
        const model = machine(`initial state A {
            entry spawn worker
            on Failed -> B
        }
        state B {
            entry spawn worker
            on Exited -> Done
        }
        final state Done`);
        const { lines } = await simulate(model, 'worker error ENOENT\nworker exit 0');
        expect(lines).toEqual([
            'P start A',
            'P entry spawn worker@A',
            'P io worker error ENOENT',
            'P A -Failed-> B',
            'P entry spawn worker@B',
            'P io worker exit 0',
            'P B -Exited-> Done',
            'P finish Done'
        ]);
    });

    it('an EPIPE leaves the process running; steps of a process that does not run are errors with a clear message', async () => {
        const { lines } = await simulate(machine(RUN), 'worker error EPIPE\nworker stdout "still\\n"');
        expect(lines.slice(2)).toEqual(['P io worker error EPIPE', 'P Running internal Failed', 'P transition failed@Running', 'P io worker data 6B', 'P Running internal Line', 'P transition got@Running']);
        const staying = machine(RUN.replace('on Exited -> Done', 'on Exited / exited'));
        await expect(simulate(staying, 'worker exit 0\nworker stdout "late\\n"')).rejects.toThrow(ScenarioStepError);
        await expect(simulate(staying, 'worker exit 0\nworker stdout "late\\n"')).rejects.toThrow(/P\.worker is not running: 'data' can happen only after 'spawn worker'/);
        await expect(simulate(machine(RUN), 'worker closed')).rejects.toThrow(/does not happen to a process/);
    });

    it('send while the process does not run (never spawned, exited, or stdin ended by close) is ERR_PROCESS_NOT_RUNNING', async () => {
        const model = machine(`initial state A {
            on Hold / send worker "x"
            on Go / spawn worker
            on Quit / close worker, send worker "too late"
            on Failed / failed
            on Exited -> Done
        }
        final state Done`);
        const { lines } = await simulate(model, 'send Hold\nsend Go\nsend Quit\nworker exit 0');
        expect(lines.filter((line) => line.includes(' io '))).toEqual(['P io worker error ERR_PROCESS_NOT_RUNNING', 'P io worker error ERR_PROCESS_NOT_RUNNING', 'P io worker exit 0']);
    });

    it('pause holds stdout and the exit behind it; resume delivers them in order', async () => {
        const { lines } = await simulate(machine(RUN), 'send Hold\nworker stdout "a\\n"\nworker exit 0\nsend Go');
        expect(lines.slice(-8)).toEqual([
            'P Running internal Go',
            'P transition resume worker@Running',
            'P io worker data 2B',
            'P Running internal Line',
            'P transition got@Running',
            'P io worker exit 0',
            'P Running -Exited-> Done',
            'P finish Done'
        ]);
        expect(lines.filter((line) => line.includes(' io ')).length).toBe(2);
        // A child that has exited takes nothing, even while its exit waits behind what it wrote.
        const sendAfterExit = await simulate(machine(RUN.replace('on Quit / close worker', 'on Quit / send worker "x"')), 'send Hold\nworker exit 0\nsend Quit');
        expect(sendAfterExit.lines.filter((line) => line.includes(' io '))).toEqual(['P io worker error ERR_PROCESS_NOT_RUNNING']);
    });

    it('close ends stdin: the process may exit by itself (here with 143 after the SIGTERM); one that does not is killed (137) two lingers after close', async () => {
        const exitsItself = await simulate(machine(RUN), 'send Quit\nadvance 2s\nworker exit 143', { timed: true });
        expect(exitsItself.lines.slice(-3)).toEqual(['2000 P io worker exit 143', '2000 P Running -Exited-> Done', '2000 P finish Done']);
        const killed = await simulate(machine(RUN), 'send Quit\nadvance 5s', { timed: true });
        expect(killed.lines.slice(-3)).toEqual(['4000 P io worker exit 137', '4000 P Running -Exited-> Done', '4000 P finish Done']);
    });

    it('a stdout message longer than max is an error; the rest of stdout is discarded unheard and the process is killed a linger later', async () => {
        const { lines } = await simulate(machine(RUN, 'framing lines max 4B'), 'worker stdout "toolong"\nworker stdout "more\\n"\nadvance 3s', { timed: true });
        expect(lines.slice(2)).toEqual(['0 P io worker data 7B', '0 P io worker error ERR_FRAME_TOO_LONG', '0 P Running internal Failed', '0 P transition failed@Running', '2000 P io worker exit 137', '2000 P Running -Exited-> Done', '2000 P finish Done']);
    });

    it('a message too long while the exit already waits behind it (reading paused): the error, then that exit, not a kill', async () => {
        const { lines } = await simulate(machine(RUN, 'framing lines max 4B'), 'send Hold\nworker stdout "toolong"\nworker exit 0\nsend Go', { timed: true });
        expect(lines.filter((line) => line.includes(' io '))).toEqual(['0 P io worker data 7B', '0 P io worker error ERR_FRAME_TOO_LONG', '0 P io worker exit 0']);
        expect(lines.at(-1)).toBe('0 P finish Done');
    });

    it('a machine that finishes closes its process; the process is never heard of again', async () => {
        const model = machine(`initial state A {
            entry spawn worker
            on Quit -> Done
        }
        final state Done`);
        const { lines } = await simulate(model, 'send Quit\nworker stdout "after\\n"\nadvance 10s');
        expect(lines).toEqual(['P start A', 'P entry spawn worker@A', 'P A -Quit-> Done', 'P finish Done']);
    });
});

describe('scenario payloads against declared types', () => {
    const model = `machine T {
        events Tick(number), Name(string), Flag(boolean), Raw(Buffer), Oops(Error), Any(json), Plain
        initial state A {
            on Tick / t
            on Name / n
            on Flag / f
            on Raw / r
            on Oops / o
            on Any / a
            on Plain / p
        }
    }`;

    it('takes a payload of the declared type (a Buffer from a JSON string, an Error as its code), and anything for an undeclared one', async () => {
        const { run } = await simulate(model, 'send Tick 3\nsend Name "x"\nsend Flag false\nsend Raw "ab"\nsend Oops "ECONNRESET"\nsend Any [1, 2]\nsend Plain {"free": true}');
        expect(run.trace.filter((line) => line.kind === 'internal')).toHaveLength(7);
    });

    it.each([
        ['send Tick "3"', /'Tick' carries a number, not "3": write 'send Tick 3'/],
        ['send Tick', /'Tick' carries a number, and none is given/],
        ['send Name 3', /'Name' carries a string/],
        ['send Flag "yes"', /'Flag' carries a boolean/],
        ['send Raw 7', /'Raw' carries bytes/],
        ['send Oops {"code": 1}', /'Oops' carries an Error/],
        ['send Any', /'Any' carries a JSON value, and none is given/]
    ])('refuses %s with the line and what to write', async (step, message) => {
        const attempt = simulate(model, `send Plain\n${step}`);
        await expect(attempt).rejects.toThrow(message);
        await expect(attempt).rejects.toMatchObject({ line: 2 });
    });
});
