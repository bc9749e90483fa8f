// `workers N`: the program in several processes (templates/runtime/cluster.ts, Node's cluster). First runWorkers on a
// tiny node:net echo program (workers-fixtures/net-echo.ts), then a program generated from a model with `workers 2`:
// real processes and sockets on 127.0.0.1, every wait bounded.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { connect as netConnect, type Socket } from 'node:net';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerCount } from '../../templates/runtime/cluster.js';
import { generateFrom } from '../generator/generate-helpers.js';
import { Program, ROOT, buildProgramFrom, removePrograms, startProgram } from './program-helpers.js';
import { Cleanup, closedPort, listen, within } from './runtime-helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'runtime', 'workers-fixtures', 'net-echo.ts');

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

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

/** The model of the generated program: a line echo with `workers 2` (no user code) that drains on SIGTERM. */
const MODEL = readFileSync(path.join(ROOT, 'test', 'runtime', 'workers-fixtures', 'line-echo-workers.fsm'), 'utf8');
const LISTENER = 'LINE_ECHO_SERVER_LISTENER';

/** Inodes of the established TCP sockets whose local port is `port` (Linux /proc/net/tcp). */
function establishedInodes(port: number): Set<string> {
    const inodes = new Set<string>();
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
        let text: string;
        try {
            text = readFileSync(file, 'utf8');
        } catch {
            continue;
        }
        for (const line of text.split('\n').slice(1)) {
            const fields = line.trim().split(/\s+/);
            // local_address is fields[1] (ADDR:PORT), st fields[3] ('01': established), inode fields[9].
            if (fields.length > 9 && fields[1]!.endsWith(`:${hexPort}`) && fields[3] === '01') {
                inodes.add(fields[9]!);
            }
        }
    }
    return inodes;
}

/** How many of the server's established connections on `port` process `pid` holds open (its fds, from /proc). */
function connectionsHeldBy(pid: number, port: number): number {
    const inodes = establishedInodes(port);
    let held = 0;
    let fds: string[];
    try {
        fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
        return 0;
    }
    for (const fd of fds) {
        try {
            const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
            if (match && inodes.has(match[1]!)) {
                held++;
            }
        } catch {
            // closed meanwhile
        }
    }
    return held;
}

/** A client of the line echo: sends lines, keeps count of what came back. */
class LineClient {
    readonly socket: Socket;
    received = '';
    sent = '';
    readonly closed: Promise<void>;

    private constructor(socket: Socket) {
        this.socket = socket;
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => {
            this.received += text;
        });
        this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    }

    static connect(port: number): Promise<LineClient> {
        return within(
            new Promise<LineClient>((resolve, reject) => {
                const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
                socket.once('connect', () => {
                    socket.off('error', reject);
                    resolve(new LineClient(socket));
                });
                socket.once('error', reject);
            }),
            10_000,
            `a connection to 127.0.0.1:${port}`
        );
    }

    /** Sends `line` (with LF) and waits until everything sent so far has come back. */
    async echo(line: string): Promise<void> {
        this.sent += `${line}\n`;
        this.socket.write(`${line}\n`);
        await within(
            new Promise<void>((resolve, reject) => {
                const closed = (): void => {
                    this.socket.off('data', check);
                    reject(new Error(`closed before the echo of ${JSON.stringify(line)}`));
                };
                const check = (): void => {
                    if (this.received.length >= this.sent.length) {
                        this.socket.off('data', check);
                        this.socket.off('close', closed);
                        if (this.received === this.sent) {
                            resolve();
                        } else {
                            reject(new Error(`echoed ${JSON.stringify(this.received.slice(-200))}, sent ${JSON.stringify(this.sent.slice(-200))}`));
                        }
                    }
                };
                this.socket.on('data', check);
                this.socket.once('close', closed);
                check();
            }),
            10_000,
            `the echo of ${JSON.stringify(line)}`
        );
    }
}

/** Waits until the server answers on `port` (a line echoed). */
async function serving(port: number, program: Program): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
        if (program.child.exitCode !== null) {
            throw new Error(`the program exited (${program.child.exitCode}):\n${program.output}`);
        }
        try {
            const client = await LineClient.connect(port);
            await client.echo('ping');
            client.socket.end();
            return;
        } catch {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }
    throw new Error(`nothing serves 127.0.0.1:${port}:\n${program.output}`);
}

/**
 * Opens connections (each echoes one line, and stays open) until every worker holds at least one, as /proc shows;
 * at most `max`. Resolves with the clients and the connections each worker holds.
 */
async function spreadOver(port: number, pids: readonly number[], max: number): Promise<{ clients: LineClient[]; held: number[] }> {
    const clients: LineClient[] = [];
    let held = pids.map(() => 0);
    while (clients.length < max) {
        const client = await LineClient.connect(port);
        await client.echo(`hello from client ${clients.length}`);
        clients.push(client);
        held = pids.map((pid) => connectionsHeldBy(pid, port));
        if (clients.length >= 2 * pids.length && held.every((count) => count > 0)) {
            break;
        }
    }
    return { clients, held };
}

describe.runIf(process.platform === 'linux')('a program generated with workers 2 (line echo, no user code)', () => {
    let dir = '';
    let oneWorkerDir = '';

    beforeAll(async () => {
        dir = await buildProgramFrom(MODEL, {});
        oneWorkerDir = await buildProgramFrom(MODEL.replace('workers 2', 'workers 1'), {});
    }, 120_000);

    function start(port: number, env: Record<string, string> = {}, args: readonly string[] = ['--trace=json'], project = dir): Program {
        const program = startProgram(project, { [LISTENER]: `127.0.0.1:${port}`, ...env }, cleanup, [], { args });
        killWorkersAfter(program);
        return program;
    }

    it('runs main.ts through runWorkers, and the one-process main.ts without it', async () => {
        const single = (await generateFrom(MODEL.replace(/^\s*workers 2\n/m, ''))).find((file) => file.path === 'src/main.ts')!.content;
        expect(single).not.toContain('runWorkers');
        expect(single).toContain('process.exitCode = await reactor.run();');
        const main = readFileSync(path.join(dir, 'src', 'main.ts'), 'utf8');
        expect(main).toMatch(/^import \{ [^}]*\brunWorkers\b[^}]* \} from '\.\/runtime\/index\.js';$/m);
        expect(main).toContain('await runWorkers(2, runProgram, { beforeStart })');
    });

    it('a stale Unix socket file (its server was killed) is removed once by the primary, and both workers listen there', async () => {
        const socketPath = path.join(await mkdtemp(path.join(tmpdir(), 'workers-unix-')), 'echo.sock');
        cleanup.add(() => rm(path.dirname(socketPath), { recursive: true, force: true }));
        // A server that dies without closing leaves its socket file behind.
        const stale = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.stdout.write('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((resolve) => stale.stdout.once('data', () => resolve()));
        stale.kill('SIGKILL');
        await new Promise<void>((resolve) => stale.once('exit', () => resolve()));
        expect((await lstat(socketPath)).isSocket()).toBe(true);

        const program = start(0, { [LISTENER]: `unix:${socketPath}` });
        let echoed = '';
        for (let attempt = 0; attempt < 200 && echoed !== 'ping\n'; attempt++) {
            echoed = await new Promise<string>((resolve) => {
                const socket = cleanup.socket(netConnect({ path: socketPath }));
                let text = '';
                socket.setEncoding('utf8');
                socket.on('data', (chunk: string) => {
                    text += chunk;
                    if (text.endsWith('\n')) {
                        socket.end();
                    }
                });
                socket.once('connect', () => socket.write('ping\n'));
                socket.once('close', () => resolve(text));
                socket.once('error', () => undefined);
            });
            if (echoed !== 'ping\n') {
                expect(program.child.exitCode, program.output).toBeNull();
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        }
        expect(echoed, program.output).toBe('ping\n');
        // Both workers run their machines (each traces its own start) before SIGTERM: one still starting would die of it.
        const started = (): number => program.stderrLines.filter((line) => line.includes('"kind":"start","machine":"LineEchoServer"')).length;
        for (let attempt = 0; attempt < 200 && started() < 2; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(started(), program.output).toBe(2);
        expect(program.stderrLines.filter((line) => /restarting|giving up/.test(line)), program.output).toEqual([]);
        program.child.kill('SIGTERM');
        expect(await program.exit(15_000), program.output).toMatchObject({ code: 0 });
    });

    it('both workers serve connections; SIGTERM to the primary drains every session: all bytes echoed, exit 0', async () => {
        const port = await closedPort();
        const program = start(port);
        await program.untilStderr(() => (startedWorkers(program).length === 2 ? true : undefined), 30_000, 'two workers started');
        await serving(port, program);
        const pids = startedWorkers(program).map((worker) => worker.pid);
        const { clients, held } = await spreadOver(port, pids, 200);
        expect(held.every((count) => count > 0), `connections held by workers ${pids.join(', ')}: ${held.join(', ')}`).toBe(true);
        expect(connectionsHeldBy(program.child.pid!, port)).toBe(0);

        program.child.kill('SIGTERM');
        // The server stops accepting (the model's Draining); the open sessions keep echoing until their peers close.
        await program.untilStderr(
            () => (program.jsonTrace.filter((line) => line.kind === 'transition' && line.machine === 'LineEchoServer' && line.event === 'Shutdown').length === 2 ? true : undefined),
            15_000,
            'both workers’ servers shut down'
        );
        for (const [i, client] of clients.entries()) {
            for (let k = 0; k < 5; k++) {
                await client.echo(`client ${i} line ${k} after SIGTERM`);
            }
        }
        expect(program.child.exitCode).toBeNull();
        for (const client of clients) {
            client.socket.end();
        }
        await Promise.all(clients.map((client) => within(client.closed, 10_000, 'a client closed')));
        expect(clients.every((client) => client.received === client.sent)).toBe(true);
        expect(await program.exit(15_000)).toMatchObject({ code: 0, signal: null });
        for (const pid of pids) {
            expect(() => process.kill(pid, 0), `worker pid ${pid} still alive`).toThrow();
        }
    });

    it('a worker killed with SIGKILL is restarted and serves again; the other keeps its connections', async () => {
        const port = await closedPort();
        const program = start(port);
        await program.untilStderr(() => (startedWorkers(program).length === 2 ? true : undefined), 30_000, 'two workers started');
        await serving(port, program);
        const [first, second] = startedWorkers(program);
        const { clients } = await spreadOver(port, [first!.pid, second!.pid], 200);
        const onSecond = connectionsHeldBy(second!.pid, port);
        process.kill(first!.pid, 'SIGKILL');
        const restarted = await program.untilStderr(() => startedWorkers(program).find((worker) => worker.id === 1 && worker.pid !== first!.pid), 20_000, 'worker 1 restarted');
        expect(program.stderrLines).toContainEqual(expect.stringMatching(new RegExp(`^reactor: worker 1 \\(pid ${first!.pid}\\) died of SIGKILL( at start)?; restarting it in \\d+ ms$`)));
        expect(connectionsHeldBy(second!.pid, port)).toBe(onSecond);
        // New connections until the new worker holds one (bounded): it listens on the shared socket again.
        let fresh: LineClient[] = [];
        for (let i = 0; i < 200 && connectionsHeldBy(restarted.pid, port) === 0; i++) {
            const client = await LineClient.connect(port);
            await client.echo(`fresh ${i}`);
            fresh = [...fresh, client];
        }
        expect(connectionsHeldBy(restarted.pid, port)).toBeGreaterThan(0);
        for (const client of [...clients, ...fresh]) {
            client.socket.end();
        }
        program.child.kill('SIGTERM');
        expect(await program.exit(15_000)).toMatchObject({ code: 0 });
    });

    it('exits 1 promptly with the listen error when the address is in use (EADDRINUSE), restarting nothing forever', async () => {
        const { port } = await listen(cleanup, () => undefined);
        const program = start(port, {}, []);
        const exit = await program.exit(20_000);
        expect(exit).toMatchObject({ code: 1, signal: null });
        expect(program.stderr).toContain('EADDRINUSE');
        expect(program.stderrLines).toContainEqual(expect.stringMatching(/^reactor: worker \d \(pid \d+\) .* at start; .*giving up$/));
    });

    it('REACTOR_WORKERS=1 runs one worker; a bad REACTOR_WORKERS exits 2 with a message before any worker starts', async () => {
        const port = await closedPort();
        const one = start(port, { REACTOR_WORKERS: '1' });
        await serving(port, one);
        expect(startedWorkers(one).map((worker) => worker.id)).toEqual([1]);
        one.child.kill('SIGTERM');
        expect(await one.exit(15_000)).toMatchObject({ code: 0 });

        const bad = start(port, { REACTOR_WORKERS: '0' });
        expect(await bad.exit(15_000)).toMatchObject({ code: 2 });
        expect(bad.stderrLines).toEqual(['REACTOR_WORKERS="0" is not a number of workers: expected an integer from 1 to 256, or auto']);
    });

    it('workers 1: one worker process under the primary, serving and stopping on SIGTERM', async () => {
        const port = await closedPort();
        const program = start(port, {}, ['--trace=json'], oneWorkerDir);
        await serving(port, program);
        const workers = startedWorkers(program);
        expect(workers.map((worker) => worker.id)).toEqual([1]);
        const { clients, held } = await spreadOver(port, [workers[0]!.pid], 4);
        expect(held).toEqual([clients.length]);
        for (const client of clients) {
            client.socket.end();
        }
        program.child.kill('SIGTERM');
        expect(await program.exit(15_000)).toMatchObject({ code: 0 });
    });

    it('--clock=manual runs the program in this one process (no worker: time moves by the lines on stdin)', async () => {
        const port = await closedPort();
        const program = startProgram(dir, { [LISTENER]: `127.0.0.1:${port}` }, cleanup, [], { args: ['--clock=manual'], stdin: 'pipe' });
        await serving(port, program);
        const client = await LineClient.connect(port);
        await client.echo('served by the process itself');
        expect(connectionsHeldBy(program.child.pid!, port)).toBeGreaterThan(0);
        expect(startedWorkers(program)).toEqual([]);
        client.socket.end();
        program.child.kill('SIGTERM');
        expect(await program.exit(15_000)).toMatchObject({ code: 0 });
    });

    it('--trace: the workers write whole trace lines, never one inside another (text on stdout, JSON on stderr)', async () => {
        for (const args of [['--trace'], ['--trace=json']]) {
            const port = await closedPort();
            const program = start(port, {}, args);
            await program.untilStderr(() => (startedWorkers(program).length === 2 ? true : undefined), 30_000, 'two workers started');
            await serving(port, program);
            const pids = startedWorkers(program).map((worker) => worker.pid);
            const { clients } = await spreadOver(port, pids, 200);
            await Promise.all(clients.map(async (client, i) => {
                for (let k = 0; k < 20; k++) {
                    await client.echo(`client ${i} line ${k}`);
                }
                client.socket.end();
            }));
            program.child.kill('SIGTERM');
            expect(await program.exit(15_000)).toMatchObject({ code: 0 });
            if (args[0] === '--trace') {
                expect(program.lines.length).toBeGreaterThan(clients.length * 20);
                expect(program.lines.filter((line) => !/^ *\d+ ms {2}\S/.test(line))).toEqual([]);
            } else {
                const other = program.stderrLines.filter((line) => !line.startsWith('reactor: '));
                expect(other.length).toBeGreaterThan(clients.length * 20);
                expect(other.filter((line) => { try { return typeof JSON.parse(line) !== 'object'; } catch { return true; } })).toEqual([]);
            }
        }
    });
});
