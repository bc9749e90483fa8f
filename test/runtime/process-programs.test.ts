// Generated programs with child processes, run for real: examples/supervisor.fsm restarting a real worker on the manual
// clock (its trace, times included, is the interpreter's for the same story), and a relay that passes a TCP session's
// lines through a child process and back (megabytes both ways at once, hashes checked; a child that dies by SIGKILL
// with unread bytes in its pipe: every byte it wrote arrives before its exit 137).
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { buildProgramFrom, interpreterTrace, Program, removePrograms, ROOT, untimed } from './program-helpers.js';
import { absenceWindow, alive, Cleanup, closedPort, connectTo, seededRandom, sha256, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const FIXTURES = path.join(ROOT, 'test', 'runtime', 'program-fixtures');
const SUPERVISOR_FILE = path.join(ROOT, 'examples', 'supervisor.fsm');

const RELAY = `
machine Relay {
    events Line, Output, Exited(number), Failed(Error), WorkerFailed(Error), Gone
    // A child that dies while we write to it: EPIPE (noted), then its exit ends the session.
    initial state Open {
        entry spawn worker
        on Line / send worker payload
        on Output / send peer payload
        on Exited -> Done
        on WorkerFailed / note
        on Failed -> Done
        on Gone -> Closing / close worker
    }
    state Closing {
        on WorkerFailed / note
        on Exited -> Done
    }
    final state Done
    process worker spawn "node" "relay-child.mjs" {
        framing lines max 1MiB
        stdout -> Output
        exit -> Exited
        error -> WorkerFailed
    }
    connection peer {
        framing lines max 1MiB
        read -> Line
        error -> Failed
        close -> Gone
    }
}

machine RelayServer {
    events Quit
    initial state Up { on Quit -> Down }
    final state Down
    server listener listen 127.0.0.1:0 { session Relay }
    signal SIGTERM -> Quit
}`;

let supervisorModel = '';
let supervisorDir = '';
let relayDir = '';
const workDirs: string[] = [];

beforeAll(async () => {
    supervisorModel = await readFile(SUPERVISOR_FILE, 'utf8');
    [supervisorDir, relayDir] = await Promise.all([buildProgramFrom(supervisorModel, {}), buildProgramFrom(RELAY, {})]);
}, 150_000);

afterAll(async () => {
    for (const dir of workDirs.splice(0)) {
        await rm(dir, { recursive: true, force: true });
    }
    await removePrograms();
});

/** A fresh working directory holding `files` (fixture name → name there). */
async function workDir(files: Record<string, string>, extra: Record<string, string> = {}): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rfsm-process-program-'));
    workDirs.push(dir);
    for (const [fixture, name] of Object.entries(files)) {
        await copyFile(path.join(FIXTURES, fixture), path.join(dir, name));
    }
    for (const [name, content] of Object.entries(extra)) {
        await writeFile(path.join(dir, name), content, 'utf8');
    }
    return dir;
}

/** Runs the program built in `project` with its working directory `cwd`. */
function start(project: string, cwd: string, args: readonly string[], env: Record<string, string> = {}, ownGroup = false): Program {
    return new Program(process.execPath, [path.join(project, 'dist', 'main.js'), ...args], cwd, env, cleanup, 'pipe', ownGroup);
}

type Fields = { kind: string; machine?: string; state?: string; to?: string; socket?: string; what?: string; status?: number; bytes?: number; code?: string };
const fields = (line: TraceLine): Fields => line as unknown as Fields;

/** How many times the trace says the machine entered `state`. */
const entered = (lines: readonly TraceLine[], state: string): number => lines.filter((line) => fields(line).kind === 'enter' && fields(line).state === state).length;

function traced(program: Program, what: string, match: (lines: TraceLine[]) => boolean): Promise<true> {
    return program.until(() => (match(program.jsonTrace) ? true : undefined), 15_000, what);
}

/** The pids a fixture wrote to pids.txt in `dir`. */
async function pidsIn(dir: string): Promise<number[]> {
    const text = await readFile(path.join(dir, 'pids.txt'), 'utf8').catch(() => '');
    return text
        .split('\n')
        .filter((line) => line !== '')
        .map(Number);
}

/** Waits (bounded) until pids.txt in `dir` lists `count` pids. */
async function pidsWritten(dir: string, count: number): Promise<number[]> {
    for (let waited = 0; ; waited += 20) {
        const pids = await pidsIn(dir);
        if (pids.length >= count) {
            return pids;
        }
        if (waited > 15_000) {
            throw new Error(`pids.txt lists ${pids.length} pids, not ${count}`);
        }
        await absenceWindow(20);
    }
}

/** A plan line of the supervisor's worker fixture: writes `text`, then exits with `status`. */
const printExit = (text: string, status: number): string => `print ${JSON.stringify(text)} ; exit ${status}`;

describe('examples/supervisor.fsm generated, with a real worker, on the manual clock', () => {
    /**
     * The story of examples/scenarios/supervisor.scenario, for real: crashes in a row, a SIGSEGV, a healthy run, then
     * `signal` to the program. Resolves with the program (exited 0) and the workers' pids.
     */
    async function supervisorStory(signal: NodeJS.Signals, trace: '--trace' | '--trace=json', toGroup = false): Promise<{ program: Program; pids: number[] }> {
        const plan = [printExit('ready\n', 1), printExit('ready\n', 1), 'signal SIGSEGV', 'wait 1', 'bye'];
        const dir = await workDir({ 'supervisor-worker.mjs': 'worker.mjs' }, { 'plan.txt': `${plan.join('\n')}\n` });
        const program = start(supervisorDir, dir, [trace, '--clock=manual'], {}, toGroup);
        // How many times the machine entered `state`, in either trace format.
        const times = (state: string): number => (trace === '--trace' ? program.lines.filter((line) => line.endsWith(`  enters ${state}`)).length : entered(program.jsonTrace, state));
        const reached = (what: string, state: string, count: number): Promise<true> => program.until(() => (times(state) === count ? true : undefined), 15_000, what);

        await reached('the first wait', 'Wait1s', 1);
        program.send('advance 1s');
        await reached('the second wait', 'Wait2s', 1);
        program.send('advance 2s');
        await reached('the third wait (after the SIGSEGV)', 'Wait4s', 1);
        program.send('advance 4s');
        await reached('the fourth run', 'Retried3', 1);
        program.send('advance 10s');
        await reached('healthy again', 'Fresh', 2);
        const fourth = (await pidsWritten(dir, 4))[3]!;
        process.kill(fourth, 'SIGUSR2'); // the fixture's cue: it exits with 1
        await reached('the wait after the healthy run', 'Wait1s', 2);
        program.send('advance 1s');
        await reached('the fifth run', 'Retried1', 2);
        await pidsWritten(dir, 5);
        if (toGroup) {
            process.kill(-program.child.pid!, signal); // every process of the program's group, as a terminal's Ctrl-C
        } else {
            program.child.kill(signal);
        }
        const exit = await program.exit(15_000);
        expect(exit.code, program.output).toBe(0);
        return { program, pids: await pidsIn(dir) };
    }

    it('crashes in a row wait 1 s, 2 s, 4 s; a SIGSEGV is 139; healthy after 10 s; SIGTERM ends stdin, the last line without LF is read, exit 0, no child left', async () => {
        const { program, pids } = await supervisorStory('SIGTERM', '--trace=json');
        const expected = await interpreterTrace(
            supervisorModel,
            [
                'worker stdout "ready\\n"',
                'worker exit 1',
                'advance 1s',
                'worker stdout "ready\\n"',
                'worker exit 1',
                'advance 2s',
                'worker exit 139',
                'advance 4s',
                'advance 10s',
                'worker exit 1',
                'advance 1s',
                'signal SIGTERM',
                'worker stdout "bye"',
                'worker exit 0'
            ].join('\n')
        );
        // Times included: the manual clock makes them exact (waits at 0 → 1000, 1000 → 3000, 3000 → 7000).
        expect(program.jsonTrace).toEqual(expected);
        expect(pids).toHaveLength(5);
        expect(pids.filter(alive), 'workers still running after the supervisor exited').toEqual([]);
    }, 60_000);

    it('the same story with SIGINT sent to the program: its --trace is examples/scenarios/supervisor.trace, line for line', async () => {
        const { program, pids } = await supervisorStory('SIGINT', '--trace');
        const expected = (await readFile(path.join(ROOT, 'examples', 'scenarios', 'supervisor.trace'), 'utf8')).split('\n').filter((line) => line !== '');
        expect(program.lines.filter((line) => line !== '')).toEqual(expected);
        expect(pids.filter(alive), 'workers still running after the supervisor exited').toEqual([]);
    }, 60_000);

    it('Ctrl-C as a terminal sends it (SIGINT to the whole process group) reaches the model, not the worker: it still says goodbye', async () => {
        const { program, pids } = await supervisorStory('SIGINT', '--trace', true);
        const expected = (await readFile(path.join(ROOT, 'examples', 'scenarios', 'supervisor.trace'), 'utf8')).split('\n').filter((line) => line !== '');
        expect(program.lines.filter((line) => line !== '')).toEqual(expected);
        expect(pids.filter(alive), 'workers still running after the supervisor exited').toEqual([]);
    }, 60_000);

    it('the fourth crash in a row gives up (GaveUp), and the program exits 0', async () => {
        const plan = [printExit('', 1), printExit('', 2), printExit('', 3), printExit('last words\n', 4)];
        const dir = await workDir({ 'supervisor-worker.mjs': 'worker.mjs' }, { 'plan.txt': `${plan.join('\n')}\n` });
        const program = start(supervisorDir, dir, ['--trace=json', '--clock=manual']);
        for (const [wait, advance] of [['Wait1s', '1s'], ['Wait2s', '2s'], ['Wait4s', '4s']] as const) {
            await traced(program, wait, (lines) => entered(lines, wait) === 1);
            program.send(`advance ${advance}`);
        }
        const exit = await program.exit(15_000);
        expect(exit.code, program.output).toBe(0);
        const expected = await interpreterTrace(
            supervisorModel,
            ['worker exit 1', 'advance 1s', 'worker exit 2', 'advance 2s', 'worker exit 3', 'advance 4s', 'worker stdout "last words\\n"', 'worker exit 4'].join('\n')
        );
        expect(program.jsonTrace).toEqual(expected);
        expect(entered(program.jsonTrace, 'GaveUp')).toBe(1);
    }, 30_000);

    it('a worker that ignores its stdin gets SIGTERM after the 2 s linger (status 143), on the manual clock', async () => {
        const dir = await workDir({ 'supervisor-worker.mjs': 'worker.mjs' }, { 'plan.txt': 'wait 5\n' });
        const program = start(supervisorDir, dir, ['--trace=json', '--clock=manual']);
        await traced(program, 'the first run', (lines) => entered(lines, 'Fresh') === 1);
        await pidsWritten(dir, 1);
        program.child.kill('SIGTERM');
        await traced(program, 'Stopping', (lines) => entered(lines, 'Stopping') === 1);
        program.send('advance 1999');
        // One millisecond before the linger the worker must still run: SIGTERM comes at 2000 ms exactly.
        await absenceWindow(200);
        expect(program.jsonTrace.some((line) => fields(line).what === 'exit'), program.output).toBe(false);
        program.send('advance 1');
        const exit = await program.exit(15_000);
        expect(exit.code, program.output).toBe(0);
        const expected = await interpreterTrace(supervisorModel, ['signal SIGTERM', 'advance 2s', 'worker exit 143'].join('\n'));
        expect(program.jsonTrace).toEqual(expected);
    }, 30_000);

    it('a worker that cannot start (node not on PATH): error ENOENT, GaveUp, as the interpreter says', async () => {
        const dir = await workDir({ 'supervisor-worker.mjs': 'worker.mjs' }, { 'plan.txt': 'exit 0\n' });
        const program = start(supervisorDir, dir, ['--trace=json'], { PATH: dir });
        const exit = await program.exit(15_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', socket: 'worker', what: 'error', code: 'ENOENT' }));
        // The real clock here: times left out.
        expect(untimed(program.jsonTrace)).toEqual(untimed(await interpreterTrace(supervisorModel, 'worker error ENOENT')));
    }, 30_000);
});

/** Connects to the relay server once it listens (bounded retries). */
async function connectWhenListening(port: number): Promise<Socket> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await connectTo(cleanup, port);
        } catch (error) {
            if (attempt > 300) {
                throw error;
            }
            await absenceWindow(20);
        }
    }
}

/** Lines of printable text, 0–2000 characters each, from a seeded generator: about `size` bytes. */
function lines(size: number, seed: number): Buffer {
    const random = seededRandom(seed);
    const parts: string[] = [];
    let total = 0;
    while (total < size) {
        const length = Math.floor(random() * 2001);
        const line = `${String.fromCharCode(97 + Math.floor(random() * 26)).repeat(length)}\n`;
        parts.push(line);
        total += line.length;
    }
    return Buffer.from(parts.join(''), 'latin1');
}

/**
 * The occurrences of session Relay#1 in a program's trace as scenario steps for the interpreter: its peer's data (the
 * bytes the client sent, in the sizes the program read them), its child's stdout (the bytes the child wrote, likewise),
 * drains, errors and the exit, in the program's order.
 */
function relayScenario(trace: readonly TraceLine[], sent: string, written: string): string {
    const steps = ['listener accept'];
    let peerOffset = 0;
    let workerOffset = 0;
    for (const line of trace) {
        const { kind, machine, socket, what, bytes, code, status } = fields(line);
        if (kind !== 'io' || machine !== 'Relay#1') {
            continue;
        }
        const name = `Relay#1.${socket}`;
        if (what === 'data' && socket === 'peer') {
            steps.push(`${name} data ${JSON.stringify(sent.slice(peerOffset, peerOffset + bytes!))}`);
            peerOffset += bytes!;
        } else if (what === 'data') {
            steps.push(`${name} stdout ${JSON.stringify(written.slice(workerOffset, workerOffset + bytes!))}`);
            workerOffset += bytes!;
        } else if (what === 'drain') {
            steps.push(`${name} drained`);
        } else if (what === 'error') {
            steps.push(`${name} error ${code}`);
        } else if (what === 'exit') {
            steps.push(`${name} exit ${status}`);
        } else {
            throw new Error(`an occurrence the replay does not know: ${JSON.stringify(line)}`);
        }
    }
    expect(workerOffset, 'the child wrote what the trace says was read').toBeLessThanOrEqual(written.length);
    steps.push('signal SIGTERM');
    return steps.join('\n');
}

describe('a relay: a TCP session whose lines go through a child process and back', () => {
    it('24 MB of lines (0–2000 bytes) through `node relay-child.mjs` (a cat) both ways at once: same bytes back (sha256), the child ends with the session', async () => {
        const dir = await workDir({ 'relay-child.mjs': 'relay-child.mjs' });
        const port = await closedPort();
        const program = start(relayDir, dir, [], { RELAY_SERVER_LISTENER: `127.0.0.1:${port}` });
        const client = await connectWhenListening(port);
        const data = lines(24 * 1024 * 1024, 7);
        const received: Buffer[] = [];
        let receivedBytes = 0;
        let allBack!: () => void;
        const back = new Promise<void>((resolve) => (allBack = resolve));
        client.on('data', (chunk: Buffer) => {
            received.push(chunk);
            receivedBytes += chunk.byteLength;
            if (receivedBytes >= data.byteLength) {
                allBack();
            }
        });
        // Written in 64 KiB pieces with backpressure, while the echo is read: both directions at once.
        for (let offset = 0; offset < data.byteLength; offset += 65_536) {
            if (!client.write(data.subarray(offset, offset + 65_536))) {
                await once(client, 'drain');
            }
        }
        await within(back, 45_000, `the echo of ${data.byteLength} bytes`);
        expect(receivedBytes).toBe(data.byteLength);
        expect(sha256(received)).toBe(sha256([data]));
        // The client ends: the session closes its child's stdin, the child exits 0, the session finishes.
        client.end();
        await once(client, 'end');
        const [child] = await pidsWritten(dir, 1);
        for (let waited = 0; alive(child!); waited += 20) {
            expect(waited, 'the child still runs after the session ended').toBeLessThan(10_000);
            await absenceWindow(20);
        }
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
    }, 60_000);

    it('a cat killed from outside (kill -9) while lines flow both ways: exit 137 for the model (after an EPIPE or not), the echo a prefix of what was sent', async () => {
        const dir = await workDir({ 'relay-child.mjs': 'relay-child.mjs' });
        const port = await closedPort();
        const program = start(relayDir, dir, ['--trace=json'], { RELAY_SERVER_LISTENER: `127.0.0.1:${port}` });
        const client = await connectWhenListening(port);
        client.on('error', () => undefined); // the session may close while we still write
        const data = lines(4 * 1024 * 1024, 11);
        const received: Buffer[] = [];
        let receivedBytes = 0;
        client.on('data', (chunk: Buffer) => {
            received.push(chunk);
            receivedBytes += chunk.byteLength;
        });
        const closed = once(client, 'close');
        let stopped = false;
        void closed.then(() => (stopped = true));
        const writing = (async () => {
            for (let offset = 0; offset < data.byteLength && !stopped; offset += 16_384) {
                if (!client.write(data.subarray(offset, offset + 16_384))) {
                    await Promise.race([once(client, 'drain'), closed]);
                }
            }
        })();
        const [child] = await pidsWritten(dir, 1);
        for (let waited = 0; receivedBytes < 1024 * 1024; waited += 10) {
            expect(waited, `the first MB of echo (${receivedBytes} bytes)`).toBeLessThan(20_000);
            await absenceWindow(10);
        }
        process.kill(child!, 'SIGKILL');
        await within(closed, 15_000, 'the session to close the connection after the exit');
        await writing;
        await traced(program, 'the session finished', (trace) => trace.some((line) => line.kind === 'finish' && fields(line).machine === 'Relay#1'));
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);

        const trace = program.jsonTrace;
        expect(trace).toContainEqual(expect.objectContaining({ kind: 'io', machine: 'Relay#1', socket: 'worker', what: 'exit', status: 137 }));
        expect(trace).toContainEqual(expect.objectContaining({ kind: 'transition', machine: 'Relay#1', from: 'Open', event: 'Exited', to: 'Done' }));
        // Whole lines, in order, then at most one line the kill cut short (its end of stdout ends it: a line break is added).
        const got = Buffer.concat(received);
        expect(got.byteLength).toBeGreaterThanOrEqual(1024 * 1024);
        const cut = got.lastIndexOf(10, got.byteLength - 2) + 1;
        expect(got.subarray(0, cut).equals(data.subarray(0, cut)), 'the whole lines echoed are the first ones sent').toBe(true);
        const last = got.subarray(cut);
        expect(last[last.byteLength - 1]).toBe(10);
        expect(data.subarray(cut, cut + last.byteLength - 1).equals(last.subarray(0, last.byteLength - 1)), 'the last line echoed is the start of the next one sent').toBe(true);
        // Every line read from the peer went to the child, every line of the child's to the peer (an EPIPE, when the kill
        // came during a write, is noted and the exit still ends the session). No replay in the interpreter here: under
        // backpressure the program holds the rest of a chunk's lines until the drain, which the interpreter does not
        // simulate (docs/language.md, "writes, and the backpressure they cause, are not simulated").
        const events = (name: string): number => trace.filter((line) => line.kind === 'internal' && fields(line).machine === 'Relay#1' && (line as { event?: string }).event === name).length;
        const linesIn = (buffer: Buffer): number => buffer.reduce((count, byte) => count + (byte === 10 ? 1 : 0), 0);
        expect(events('Output')).toBe(linesIn(got));
        expect(events('Line')).toBeGreaterThanOrEqual(events('Output'));
        expect(trace.filter((line) => fields(line).socket === 'worker' && fields(line).what === 'error').every((line) => fields(line).code === 'EPIPE')).toBe(true);
    }, 60_000);

    it('a child writing a line longer than max (1 MiB): error ERR_FRAME_TOO_LONG, SIGTERM at once, exit 143, as the interpreter says', async () => {
        const dir = await workDir({ 'relay-child.mjs': 'relay-child.mjs' });
        const port = await closedPort();
        const long = 1_200_000;
        const program = start(relayDir, dir, ['--trace=json'], { RELAY_SERVER_LISTENER: `127.0.0.1:${port}`, RELAY_CHILD_MODE: 'long', RELAY_CHILD_LONG: String(long) });
        const client = await connectWhenListening(port);
        const received: Buffer[] = [];
        client.on('data', (chunk: Buffer) => received.push(chunk));
        client.write('go\n');
        await within(once(client, 'end'), 15_000, 'the session to end after the exit');
        expect(Buffer.concat(received).toString('latin1')).toBe('ok\n');
        await traced(program, 'the session finished', (lines) => lines.some((line) => line.kind === 'finish' && fields(line).machine === 'Relay#1'));
        program.child.kill('SIGTERM');
        expect((await program.exit(10_000)).code, program.output).toBe(0);

        const trace = program.jsonTrace;
        expect(trace).toContainEqual(expect.objectContaining({ kind: 'io', machine: 'Relay#1', socket: 'worker', what: 'error', code: 'ERR_FRAME_TOO_LONG' }));
        expect(trace).toContainEqual(expect.objectContaining({ kind: 'io', machine: 'Relay#1', socket: 'worker', what: 'exit', status: 143 }));
        const expected = await interpreterTrace(RELAY, relayScenario(trace, 'go\n', `ok\n${'y'.repeat(long)}`).replace(/\nRelay#1\.worker error ERR_FRAME_TOO_LONG/, ''));
        expect(untimed(trace)).toEqual(untimed(expected));
    }, 60_000);

    it('a child killed by SIGKILL with unread lines in its pipe: every line it wrote reaches the peer, then exit 137, as the interpreter says', async () => {
        const count = 4096;
        const dir = await workDir({ 'relay-child.mjs': 'relay-child.mjs' });
        const port = await closedPort();
        const program = start(relayDir, dir, ['--trace=json'], { RELAY_SERVER_LISTENER: `127.0.0.1:${port}`, RELAY_CHILD_MODE: 'burst', RELAY_CHILD_LINES: String(count) });
        const client = await connectWhenListening(port);
        const received: Buffer[] = [];
        client.on('data', (chunk: Buffer) => received.push(chunk));
        client.write('go\n');
        await once(client, 'end'); // the session finishes after the exit and closes the connection
        const burst = Array.from({ length: count }, (_, index) => `${String(index).padStart(8, '0')} ${'x'.repeat(118)}\n`).join('');
        const got = Buffer.concat(received).toString('latin1');
        expect(got.length, 'bytes received').toBe(burst.length);
        expect(got === burst, 'the lines received are the ones written, in order').toBe(true);
        await traced(program, 'the session finished', (lines) => lines.some((line) => line.kind === 'finish' && fields(line).machine === 'Relay#1'));
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);

        const trace = program.jsonTrace;
        expect(trace).toContainEqual(expect.objectContaining({ kind: 'io', machine: 'Relay#1', socket: 'worker', what: 'exit', status: 137 }));
        // The same occurrences for the interpreter: the child's stdout in the chunks the program read (its trace says
        // their sizes), the connection's drains where the program saw them; every byte the child wrote was read.
        expect(trace.filter((line) => fields(line).socket === 'worker' && fields(line).what === 'data').reduce((sum, line) => sum + fields(line).bytes!, 0)).toBe(burst.length);
        const expected = await interpreterTrace(RELAY, relayScenario(trace, 'go\n', burst));
        if (trace.some((line) => fields(line).what === 'drain')) {
            // The peer's socket filled up: the program held the rest of a chunk's lines until its drain, which the
            // interpreter does not simulate (its `drained` holds nothing). The model's reactions, without the io lines, must still agree.
            const reactions = (lines: readonly TraceLine[]): string[] => untimed(lines.filter((line) => line.kind !== 'io'));
            expect(reactions(trace)).toEqual(reactions(expected));
        } else {
            expect(untimed(trace)).toEqual(untimed(expected));
        }
    }, 60_000);
});
