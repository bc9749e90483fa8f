// `workers N`: the program in several processes (templates/runtime/cluster.ts, Node's cluster). First runWorkers on a
// tiny node:net echo program (workers-fixtures/net-echo.ts), then a program generated from a model with `workers 2`:
// real processes and sockets on 127.0.0.1, every wait bounded.
import { availableParallelism } from 'node:os';
import { connect as netConnect, type Socket } from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workerCount } from '../../templates/runtime/cluster.js';
import { Program, ROOT } from './program-helpers.js';
import { Cleanup, closedPort, listen, within } from './runtime-helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'runtime', 'workers-fixtures', 'net-echo.ts');

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** The primary's line for each worker it started: `reactor: worker ID started (pid PID)`. */
const STARTED = /^reactor: worker (\d+) started \(pid (\d+)\)$/;

function startedWorkers(program: Program): Array<{ id: number; pid: number }> {
    return program.stderrLines.flatMap((line) => {
        const match = STARTED.exec(line);
        return match ? [{ id: Number(match[1]), pid: Number(match[2]) }] : [];
    });
}

/** Kills every worker the primary started when the test ends (the primary itself is killed by Cleanup.child). */
function killWorkersAfter(program: Program): void {
    cleanup.add(() => {
        for (const { pid } of startedWorkers(program)) {
            try {
                process.kill(pid, 'SIGKILL');
            } catch {
                // already gone
            }
        }
    });
}

function startFixture(env: Record<string, string>): Program {
    const program = new Program(process.execPath, ['--import', 'tsx', FIXTURE], ROOT, env, cleanup);
    killWorkersAfter(program);
    return program;
}

/** Waits until `count` workers of the fixture listen (their own stderr line). */
function listening(program: Program, count: number): Promise<number> {
    return program.untilStderr((lines) => {
        const seen = new Set(lines.flatMap((line) => /^worker (\d+) listening/.exec(line)?.[1] ?? []));
        return seen.size >= count ? seen.size : undefined;
    }, 30_000, `${count} workers listening`);
}

interface Served {
    /** The fixture's first line: which worker served the connection. */
    worker: string;
    pid: number;
    echoed: string;
}

/** Connects, reads the fixture's `worker ID PID` line, sends `payload`, ends, and collects the echo until the server ends. */
function talk(port: number, payload: string): Promise<Served> {
    return within(
        new Promise<Served>((resolve, reject) => {
            const socket: Socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
            let text = '';
            let sent = false;
            socket.setEncoding('utf8');
            socket.on('data', (chunk: string) => {
                text += chunk;
                if (!sent && text.includes('\n')) {
                    sent = true;
                    socket.end(payload);
                }
            });
            socket.once('error', reject);
            socket.once('close', () => {
                const newline = text.indexOf('\n');
                const match = /^worker (\S+) (\d+)$/.exec(text.slice(0, newline));
                if (!match) {
                    reject(new Error(`no worker line in ${JSON.stringify(text.slice(0, 200))}`));
                    return;
                }
                resolve({ worker: match[1]!, pid: Number(match[2]), echoed: text.slice(newline + 1) });
            });
        }),
        10_000,
        `a connection to 127.0.0.1:${port}`
    );
}

describe('workerCount: the model’s count, REACTOR_WORKERS over it', () => {
    it('takes the declared count, auto as the cores, and a valid override', () => {
        expect(workerCount(3, {})).toEqual({ count: 3 });
        expect(workerCount('auto', {})).toEqual({ count: availableParallelism() });
        expect(workerCount(3, { REACTOR_WORKERS: '' })).toEqual({ count: 3 });
        expect(workerCount(3, { REACTOR_WORKERS: '5' })).toEqual({ count: 5 });
        expect(workerCount(3, { REACTOR_WORKERS: 'auto' })).toEqual({ count: availableParallelism() });
        expect(workerCount('auto', { REACTOR_WORKERS: '1' })).toEqual({ count: 1 });
    });

    it('refuses an override that is not a count from 1 to 256, naming the variable and value', () => {
        for (const value of ['0', '-1', '1.5', ' 2', 'two', '257', 'AUTO', '0x2']) {
            const result = workerCount(2, { REACTOR_WORKERS: value });
            expect(result, value).toEqual({ error: expect.stringContaining(`REACTOR_WORKERS=${JSON.stringify(value)}`) as unknown });
        }
    });
});

describe('runWorkers on a node:net echo program', () => {
    it('starts two workers that share the listening socket, both serve clients, and SIGTERM drains them all: exit 0', async () => {
        const port = await closedPort();
        const program = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2' });
        await listening(program, 2);
        const workers = startedWorkers(program);
        expect(workers.map((worker) => worker.id)).toEqual([1, 2]);
        // Connections one after another: round-robin hands them to the workers in turn.
        const served: Served[] = [];
        for (let i = 0; i < 8; i++) {
            served.push(await talk(port, `client ${i}\n`));
        }
        expect(new Set(served.map((entry) => entry.worker))).toEqual(new Set(['1', '2']));
        expect(new Set(served.map((entry) => entry.pid))).toEqual(new Set(workers.map((worker) => worker.pid)));
        expect(served.map((entry) => entry.echoed)).toEqual(served.map((_, i) => `client ${i}\n`));
        expect(served.map((entry) => entry.pid)).not.toContain(program.child.pid);

        program.child.kill('SIGTERM');
        const exit = await program.exit(15_000);
        expect(exit).toMatchObject({ code: 0, signal: null });
        for (const { pid } of workers) {
            expect(() => process.kill(pid, 0), `worker pid ${pid} still alive`).toThrow();
        }
    });

    it('restarts a worker killed with SIGKILL, says so on stderr, and the new worker serves', async () => {
        const port = await closedPort();
        const program = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2', FIXTURE_STARTUP_MS: '100' });
        await listening(program, 2);
        const [first] = startedWorkers(program);
        process.kill(first!.pid, 'SIGKILL');
        const restarted = await program.untilStderr(
            () => startedWorkers(program).find((worker) => worker.id === first!.id && worker.pid !== first!.pid),
            20_000,
            'worker 1 restarted'
        );
        expect(program.stderrLines).toContainEqual(expect.stringMatching(new RegExp(`^reactor: worker 1 \\(pid ${first!.pid}\\) died of SIGKILL( at start)?; restarting it in \\d+ ms$`)));
        await program.untilStderr((lines) => lines.find((line) => line === `worker 1 listening (pid ${restarted.pid})`), 30_000, 'the new worker listening');
        // The new worker takes its turn: connect until it has served one (bounded).
        let servedByNew = false;
        for (let i = 0; i < 40 && !servedByNew; i++) {
            const served = await talk(port, `after ${i}\n`);
            expect(served.echoed).toBe(`after ${i}\n`);
            servedByNew = served.pid === restarted.pid;
        }
        expect(servedByNew).toBe(true);
        program.child.kill('SIGTERM');
        expect(await program.exit(15_000)).toMatchObject({ code: 0 });
    });

    it('gives up with status 1 and the workers’ message when the address is in use (EADDRINUSE), without restarting', async () => {
        const { port } = await listen(cleanup, () => undefined);
        const program = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2' });
        const exit = await program.exit(20_000);
        expect(exit).toMatchObject({ code: 1, signal: null });
        expect(program.stderr).toContain('EADDRINUSE');
        expect(program.stderrLines).toContainEqual(expect.stringMatching(/^reactor: worker \d \(pid \d+\) exited with status 1 at start; .*giving up$/));
        expect(startedWorkers(program).length).toBeLessThanOrEqual(2 * 5);
    });

    it('a single worker that fails at start: gives up at once with status 1, as the one-process program would exit', async () => {
        const program = startFixture({ FIXTURE_PORT: '0', FIXTURE_WORKERS: '1', FIXTURE_EXIT: 'now', FIXTURE_STATUS: '3' });
        const exit = await program.exit(20_000);
        expect(exit).toMatchObject({ code: 1 });
        expect(program.stderrLines.filter((line) => line === 'worker 1: failing on purpose')).toHaveLength(1);
        expect(program.stderrLines).toContainEqual(expect.stringMatching(/exited with status 3 at start; no worker could start: giving up$/));
    });

    it('gives up when one worker dies at start five times in a row while another is up, and stops that one', async () => {
        const port = await closedPort();
        const program = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2', FIXTURE_EXIT: 'first', FIXTURE_STARTUP_MS: '100' });
        const exit = await program.exit(30_000);
        expect(exit).toMatchObject({ code: 1 });
        expect(program.stderrLines.filter((line) => line === 'worker 1: failing on purpose')).toHaveLength(5);
        expect(program.stderrLines.filter((line) => /^reactor: worker 1 .* restarting it in \d+ ms$/.test(line))).toHaveLength(4);
        expect(program.stderrLines).toContainEqual(expect.stringMatching(/^reactor: worker 1 \(pid \d+\) exited with status 1 at start; 5 deaths at start in a row: giving up$/));
    });

    it('ends with status 0, restarting none, when every worker finishes on its own with 0', async () => {
        const program = startFixture({ FIXTURE_PORT: '0', FIXTURE_WORKERS: '2', FIXTURE_EXIT: 'now', FIXTURE_STATUS: '0' });
        expect(await program.exit(20_000)).toMatchObject({ code: 0 });
        expect(startedWorkers(program)).toHaveLength(2);
        expect(program.stderr).not.toMatch(/restarting|giving up/);
    });

    it('REACTOR_WORKERS overrides the count; a bad value is refused with status 2 before any worker starts', async () => {
        const port = await closedPort();
        const three = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2', REACTOR_WORKERS: '3' });
        expect(await listening(three, 3)).toBe(3);
        expect(startedWorkers(three).map((worker) => worker.id)).toEqual([1, 2, 3]);
        three.child.kill('SIGTERM');
        expect(await three.exit(15_000)).toMatchObject({ code: 0 });

        const bad = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2', REACTOR_WORKERS: 'many' });
        expect(await bad.exit(15_000)).toMatchObject({ code: 2 });
        expect(bad.stderrLines).toEqual(['REACTOR_WORKERS="many" is not a number of workers: expected an integer from 1 to 256, or auto']);
    });

    it('sends SIGHUP on to the workers and lives through it; workers that die of it are not restarted: exit 128 + 1', async () => {
        const port = await closedPort();
        const program = startFixture({ FIXTURE_PORT: String(port), FIXTURE_WORKERS: '2' });
        await listening(program, 2);
        program.child.kill('SIGHUP');
        const exit = await program.exit(15_000);
        // The fixture does not handle SIGHUP: each worker dies of it (its default action); the primary caught it.
        expect(exit).toMatchObject({ code: 129, signal: null });
        expect(program.stderr).not.toMatch(/restarting|giving up/);
    });
});
