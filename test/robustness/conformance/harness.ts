// Replays a scenario against the real generated program, with real peers on loopback, and holds its trace to the
// interpreter's, group by group. The program runs as `node dist/main-K.js --trace=json --clock=manual`: trace lines
// as NDJSON on stderr, time moved by `advance MS` lines on stdin. Its clients' addresses point at ports of the
// harness (listening, nothing bound, or a full backlog, as the scenario's connect outcomes ask), its server at a free
// port the harness connects to.
//
// - `X connected` / `X refused`: the port's mode, set before the step whose connect they answer;
// - `X data "…"` / `X closed` / `X reset`: the peer the harness accepted last on X's port writes, ends (FIN), or
//   resets (RST, `resetAndDestroy`);
// - `srv accept`: the harness connects; `Sess#N.peer …`: its N-th connection acts as above;
// - `signal S`: process.kill(pid, S); `advance D`: `advance MS` on stdin, then a line the program cannot read, whose
//   warning on stderr tells that the line before it has been read (the move itself may still be settling).
//
// After each group the harness waits until the program has written at least as many trace lines as the interpreter
// (bounded), lets it settle a moment, waits until it is idle (its main thread asleep in the event loop: a move of
// the manual clock has finished), and compares every line so far, all fields (`t` included: both clocks are manual).
// At the end, the program must have exited with status 0 if and only if the interpreter says it has ended.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { TraceLine } from '../../../templates/runtime/trace-format.js';
import type { BuiltProgram } from './build.js';
import { claimPort, releasePort } from './ports.js';
import type { Group, HarnessStep, PortMode, Scenario } from './scenario.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (!condition()) {
        if (performance.now() > end) {
            return false;
        }
        await sleep(3);
    }
    return true;
}

/**
 * Whether the process's main thread sleeps (Linux: state S in /proc/PID/stat): its event loop waits in epoll with
 * nothing left to run — a manual clock's move has finished settling, what a step set off has been handled.
 * Undefined where /proc cannot tell.
 */
function sleeping(pid: number): boolean | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return state === 'S' || state === 'Z' || state === 'X';
    } catch {
        return undefined;
    }
}

/** Waits (bounded) until the program has been idle for two looks a few milliseconds apart. */
async function idle(pid: number | undefined, timeoutMs: number): Promise<void> {
    if (pid === undefined || sleeping(pid) === undefined) {
        return;
    }
    let quiet = 0;
    await until(() => {
        quiet = sleeping(pid) === false ? 0 : quiet + 1;
        return quiet >= 3;
    }, timeoutMs);
}

/** The blackhole helper (blackhole.py): ports whose connects hang. One per test file, shared by every run. */
export class Blackhole {
    private readonly waiting = new Map<number, Array<(reply: string) => void>>();

    private constructor(private readonly child: ChildProcess) {
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
            const port = Number(line.split(' ')[1]);
            this.waiting.get(port)?.shift()?.(line);
        });
    }

    /** Starts the helper; undefined (and connects never hang in scenarios) when python3 cannot run it. */
    static async start(): Promise<Blackhole | undefined> {
        const child = spawn('python3', [path.join(import.meta.dirname, 'blackhole.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
        const started = await new Promise<boolean>((resolve) => {
            child.once('error', () => resolve(false));
            child.once('spawn', () => resolve(true));
        });
        if (!started) {
            return undefined;
        }
        const blackhole = new Blackhole(child);
        // A round trip proves it runs: hang and free a port.
        const port = await claimPort();
        try {
            await blackhole.command('hang', port);
            await blackhole.command('free', port);
            return blackhole;
        } catch {
            blackhole.close();
            return undefined;
        } finally {
            releasePort(port);
        }
    }

    command(verb: 'hang' | 'free', port: number): Promise<void> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`blackhole: no answer to ${verb} ${port}`)), 10_000);
            const queue = this.waiting.get(port) ?? [];
            this.waiting.set(port, queue);
            queue.push((reply) => {
                clearTimeout(timer);
                if (reply.startsWith('ok')) {
                    resolve();
                } else {
                    reject(new Error(`blackhole: ${reply}`));
                }
            });
            this.child.stdin!.write(`${verb} ${port}\n`);
        });
    }

    close(): void {
        this.child.stdin!.end();
        this.child.kill();
    }
}

/** The harness's end of one client's address. */
class ClientPort {
    mode: PortMode = 'refuse';
    /** Connections accepted on this port, in order: the last one is the client's peer. */
    readonly accepted: Socket[] = [];
    private server: Server | undefined;

    constructor(
        readonly key: string,
        readonly port: number,
        private readonly blackhole: Blackhole | undefined
    ) {}

    async setMode(mode: PortMode): Promise<void> {
        if (mode === this.mode) {
            return;
        }
        if (this.mode === 'accept') {
            this.server!.close(); // the listening socket closes now; accepted connections stay open
            this.server = undefined;
        } else if (this.mode === 'hang') {
            await this.blackhole!.command('free', this.port);
        }
        this.mode = mode;
        if (mode === 'accept') {
            const server = createServer({ allowHalfOpen: true }, (socket) => {
                socket.on('error', () => undefined);
                this.accepted.push(socket);
            });
            await new Promise<void>((resolve, reject) => {
                server.once('error', reject);
                server.listen(this.port, '127.0.0.1', () => resolve());
            });
            this.server = server;
        } else if (mode === 'hang') {
            if (!this.blackhole) {
                throw new Error('a scenario asks for a hanging connect but there is no blackhole');
            }
            await this.blackhole.command('hang', this.port);
        }
    }

    async close(): Promise<void> {
        await this.setMode('refuse').catch(() => undefined);
        for (const socket of this.accepted) {
            socket.destroy();
        }
    }
}

export interface RunResult {
    /** The first disagreement, with the model, the scenario and both traces; undefined when the program conforms. */
    readonly disagreement?: string;
    /** Trace lines the program wrote. */
    readonly lines: number;
    /** How the harness lost track (a peer never accepted, the program died): the run says nothing about conformance. */
    readonly harnessProblem?: string;
    readonly exit?: { code: number | null; signal: NodeJS.Signals | null };
}

/** A trace line as text with its fields in a fixed order (undefined fields left out). */
function canonical(line: TraceLine): string {
    const record = line as unknown as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(Object.keys(record).filter((key) => record[key] !== undefined).sort().map((key) => [key, record[key]])));
}

function plain(line: TraceLine): string {
    return JSON.stringify(line);
}

export interface HarnessOptions {
    readonly blackhole: Blackhole | undefined;
    /** How long to wait for the program's lines of a group, and how long to let it settle after. */
    readonly waitMs?: number;
    readonly settleMs?: number;
}

/** Runs `scenario` against the built program; see the file's head. */
export async function runAgainstProgram(built: BuiltProgram, scenario: Scenario, options: HarnessOptions): Promise<RunResult> {
    const waitMs = options.waitMs ?? 3_000;
    const settleMs = options.settleMs ?? 25;
    const clients = new Map<string, ClientPort>();
    const env: Record<string, string> = {};
    let serverPort: number | undefined;
    for (const [key, { variable, kind }] of built.addresses) {
        if (kind === 'client') {
            const port = new ClientPort(key, await claimPort(), options.blackhole);
            clients.set(key, port);
            env[variable] = `127.0.0.1:${port.port}`;
        } else {
            serverPort = await claimPort();
            env[variable] = `127.0.0.1:${serverPort}`;
        }
    }
    const sessions: Socket[] = [];
    const lines: TraceLine[] = [];
    const other: string[] = [];
    let child: ChildProcess | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    /** Successful connects the scenario has had so far, per client. */
    const connects = new Map<string, number>();

    const setModes = async (group: Group): Promise<void> => {
        for (const [key, mode] of Object.entries(group.modes)) {
            await clients.get(key)!.setMode(mode);
        }
    };

    const describe = (headline: string, groupIndex: number, expectedCount: number): string => {
        const first = lines.findIndex((line, i) => i >= expectedCount || canonical(line) !== canonical(scenario.trace[i]!));
        const from = Math.max(0, (first < 0 ? Math.min(lines.length, expectedCount) : first) - 4);
        const to = from + 24; // enough to read the difference, not a flood (a timer loop can write thousands of lines)
        const steps = scenario.groups
            .slice(0, groupIndex + 1)
            .flatMap((group) => group.lines)
            .join('\n');
        return [
            headline,
            'model:',
            built.text.trimEnd(),
            `scenario (up to group ${groupIndex}${groupIndex === 0 ? ', the start' : ''}):`,
            steps || '(the start only)',
            `interpreter, lines ${from}..${expectedCount - 1} of ${expectedCount}${expectedCount > to ? ` (the first ${to - from})` : ''}:`,
            ...scenario.trace.slice(from, Math.min(expectedCount, to)).map((line, i) => `  ${from + i}: ${plain(line)}`),
            `program, lines ${from}..${lines.length - 1} of ${lines.length}${lines.length > to ? ` (the first ${to - from})` : ''}:`,
            ...lines.slice(from, to).map((line, i) => `  ${from + i}: ${plain(line)}`),
            ...(other.length > 0 ? ['program stderr (not trace):', ...other.slice(-10).map((line) => `  ${line}`)] : [])
        ].join('\n');
    };

    /** Compares every line so far with the interpreter's `expectedCount` first lines. */
    const compare = (groupIndex: number, expectedCount: number): string | undefined => {
        for (let i = 0; i < Math.max(lines.length, expectedCount); i++) {
            if (i >= expectedCount) {
                return describe(`group ${groupIndex}: the program traced more lines (${lines.length}) than the interpreter (${expectedCount})`, groupIndex, expectedCount);
            }
            if (i >= lines.length) {
                return describe(`group ${groupIndex}: the program traced fewer lines (${lines.length}) than the interpreter (${expectedCount}) within ${waitMs} ms`, groupIndex, expectedCount);
            }
            if (canonical(lines[i]!) !== canonical(scenario.trace[i]!)) {
                return describe(`group ${groupIndex}: trace line ${i} differs`, groupIndex, expectedCount);
            }
        }
        return undefined;
    };

    const peerAction = (socket: Socket | undefined, what: 'data' | 'closed' | 'reset', data: string | undefined): string | undefined => {
        if (!socket) {
            return 'no peer socket';
        }
        if (what === 'data') {
            socket.write(data!);
        } else if (what === 'closed') {
            socket.end();
        } else {
            socket.resetAndDestroy();
        }
        return undefined;
    };

    let sync = 0;
    const perform = async (step: HarnessStep): Promise<string | undefined> => {
        switch (step.kind) {
            case 'advance': {
                const mark = `sync ${++sync}`;
                child!.stdin!.write(`advance ${step.ms}\n${mark}\n`);
                // A program that has ended reads no more (the comparison then says whether it should have ended).
                if (!(await until(() => exit !== undefined || other.some((line) => line.includes(`"${mark}"`)), waitMs))) {
                    return `the program did not take '${mark}' (after advance ${step.ms}) within ${waitMs} ms`;
                }
                return undefined;
            }
            case 'signal':
                child!.kill(step.signal as NodeJS.Signals);
                return undefined;
            case 'client': {
                const port = clients.get(step.client)!;
                const expected = connects.get(step.client) ?? 0;
                // The peer is the connection accepted last: wait until the harness has taken every one so far.
                if (!(await until(() => port.accepted.length >= expected, waitMs))) {
                    return `${step.client}: the harness accepted ${port.accepted.length} connections, the scenario has had ${expected}`;
                }
                const problem = peerAction(port.accepted.at(-1), step.what, step.data);
                return problem && `${step.client}: ${problem}`;
            }
            case 'accept': {
                const socket = await connectWithRetry(serverPort!, waitMs);
                if (!socket) {
                    return `could not connect to the program's server on port ${serverPort} within ${waitMs} ms`;
                }
                sessions.push(socket);
                return undefined;
            }
            case 'session': {
                const problem = peerAction(sessions[step.session - 1], step.what, step.data);
                return problem && `session ${step.session}: ${problem}`;
            }
        }
    };

    try {
        for (const [index, group] of scenario.groups.entries()) {
            await setModes(group);
            if (index === 0) {
                child = spawn(process.execPath, [built.main, '--trace=json', '--clock=manual'], { cwd: built.folder, env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
                child.stdin!.on('error', () => undefined);
                const reader = createInterface({ input: child.stderr! });
                reader.on('line', (line) => {
                    if (line.startsWith('{')) {
                        lines.push(JSON.parse(line) as TraceLine);
                    } else {
                        other.push(line);
                    }
                });
                child.once('exit', (code, signal) => {
                    exit = { code, signal };
                });
            }
            const problem = group.action ? await perform(group.action) : undefined;
            if (problem) {
                return { lines: lines.length, harnessProblem: `group ${index}: ${problem}\n${describe('(trace so far)', index, group.traceLines)}`, exit };
            }
            for (const key of group.connected) {
                connects.set(key, (connects.get(key) ?? 0) + 1);
            }
            // The start takes a Node start-up; other groups a moment. Then the program must be idle (an `advance` goes
            // on settling after its last line, and a step's bytes must not arrive in the middle of it).
            await until(() => lines.length >= group.traceLines || exit !== undefined, index === 0 ? Math.max(waitMs, 10_000) : waitMs);
            await sleep(settleMs);
            await idle(child?.pid, waitMs);
            const disagreement = compare(index, group.traceLines);
            if (disagreement) {
                return { disagreement, lines: lines.length, exit };
            }
        }
        // The end: the program exits (status 0) exactly when the interpreter says it has ended.
        const last = scenario.groups.length - 1;
        if (scenario.ended) {
            await until(() => exit !== undefined, waitMs);
            if (exit?.code !== 0) {
                return { disagreement: describe(`the interpreter says the program has ended, but it ${exit ? `exited with ${exit.code ?? exit.signal}` : `still runs after ${waitMs} ms`}`, last, scenario.trace.length), lines: lines.length, exit };
            }
        } else {
            await sleep(settleMs);
            if (exit !== undefined) {
                return { disagreement: describe(`the program exited (${exit.code ?? exit.signal}) while the interpreter says it still runs`, last, scenario.trace.length), lines: lines.length, exit };
            }
        }
        const disagreement = compare(last, scenario.trace.length);
        return disagreement ? { disagreement, lines: lines.length, exit } : { lines: lines.length, exit };
    } finally {
        if (child && exit === undefined) {
            child.kill('SIGKILL');
            await until(() => exit !== undefined, 2_000);
        }
        for (const socket of sessions) {
            socket.destroy();
        }
        for (const port of clients.values()) {
            await port.close();
            releasePort(port.port);
        }
        if (serverPort !== undefined) {
            releasePort(serverPort);
        }
    }
}

/** Connects to the program's server; retries while nothing listens yet (the program listens once it has started). */
async function connectWithRetry(port: number, timeoutMs: number): Promise<Socket | undefined> {
    const end = performance.now() + timeoutMs;
    for (;;) {
        const socket = await new Promise<Socket | undefined>((resolve) => {
            const candidate = netConnect({ port, host: '127.0.0.1', allowHalfOpen: true });
            candidate.once('connect', () => {
                candidate.removeAllListeners('error');
                candidate.on('error', () => undefined);
                resolve(candidate);
            });
            candidate.once('error', () => resolve(undefined));
        });
        if (socket) {
            return socket;
        }
        if (performance.now() > end) {
            return undefined;
        }
        await sleep(10);
    }
}
