// The inspector (templates/runtime/inspector.ts) over real sockets on 127.0.0.1: hello and snapshot, the line stream,
// several clients, a client that does not read, commands (pause, resume, breakOn, bad ones), and the last client leaving.
import { connect as netConnect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Inspector, inspectorOption, MAX_INSPECTOR_CLIENTS } from '../../templates/runtime/inspector.js';
import { Machine, START_EVENT, State } from '../../templates/runtime/machine.js';
import { traceJson } from '../../templates/runtime/trace-format.js';
import { absenceWindow, Changes, Cleanup, TestHost, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const FLIP = 0;
const NOTE = 1;

class Off extends State {
    readonly name = 'Off';
}
class On extends State {
    readonly name = 'On';
}
const OFF = new Off();
const ON = new On();

/** A switch: `Flip` goes between Off and On; `Note` records its payload, and raises `Flip` when the payload is 'raise'. */
class Switch extends Machine {
    readonly type = 'Switch';
    protected readonly eventNames: readonly string[] = ['Flip', 'Note'];
    /** What the machine processed, in order: `Flip`, or the payload of a `Note`. */
    readonly log: string[] = [];

    constructor(host: TestHost) {
        super(host, OFF);
    }

    protected process(event: number): void {
        if (event === START_EVENT) {
            this.begin();
        } else if (event === FLIP) {
            this.log.push('Flip');
            this.exit();
            this.enter(this.state === OFF ? ON : OFF, event);
        } else {
            this.log.push(String(this.payload));
            if (this.payload === 'raise') {
                this.raise(FLIP);
            }
        }
    }
}

type Line = Record<string, unknown>;

/** A debugger's end of the connection: every line it read, parsed, and a way to wait for more. */
class TestClient {
    readonly lines: Line[] = [];
    closed = false;
    private partial = '';
    private readonly changes = new Changes();

    constructor(readonly socket: Socket) {
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => {
            const parts = (this.partial + text).split('\n');
            this.partial = parts.pop()!;
            this.lines.push(...parts.map((part) => JSON.parse(part) as Line));
            this.changes.notify();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
            this.closed = true;
            this.changes.notify();
        });
    }

    static async connect(port: number): Promise<TestClient> {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        const client = new TestClient(socket);
        await client.until((lines) => lines.length >= 2 || undefined, 3_000, 'the hello and the snapshot');
        return client;
    }

    send(command: unknown): void {
        this.socket.write(`${typeof command === 'string' ? command : JSON.stringify(command)}\n`);
    }

    /** Sends `command` and resolves with the first line after it that has these fields. */
    ask(command: unknown, fields: Line): Promise<Line> {
        const skip = this.lines.length;
        this.send(command);
        return this.next(fields, 3_000, skip);
    }

    until<T>(condition: (lines: Line[]) => T | undefined, timeoutMs: number, what: string): Promise<T> {
        return this.changes.wait(
            () => condition(this.lines),
            timeoutMs,
            () => `timed out after ${timeoutMs} ms waiting for ${what}; lines:\n${this.lines.map((line) => JSON.stringify(line)).join('\n')}`
        );
    }

    /** The first line after the first `skip` that has these fields. */
    next(fields: Line, timeoutMs = 3_000, skip = 0): Promise<Line> {
        return this.until((lines) => lines.slice(skip).find((line) => Object.entries(fields).every(([key, value]) => line[key] === value)), timeoutMs, JSON.stringify(fields));
    }

    waitClosed(timeoutMs: number): Promise<true> {
        return this.changes.wait(() => (this.closed ? true : undefined), timeoutMs, () => 'the inspector to close the connection');
    }
}

interface Setup {
    inspector: Inspector;
    host: TestHost;
    port: number;
    machines: Switch[];
}

/** An inspector on an ephemeral port, watching `count` switches (named Switch#1 … when more than one) that have started. */
async function setUp(count: number, maxBuffered?: number): Promise<Setup> {
    const host = new TestHost();
    const inspector = new Inspector({ clock: host.clock, port: 0, ...(maxBuffered === undefined ? {} : { maxBuffered }) });
    host.observers.push(...inspector.observers);
    const port = await inspector.listen();
    cleanup.add(() => inspector.close());
    const machines = Array.from({ length: count }, (_, index) => {
        const machine = new Switch(host);
        if (count > 1) {
            machine.name = `Switch#${index + 1}`;
        }
        machine.start();
        return machine;
    });
    return { inspector, host, port, machines };
}

describe('inspectorOption', () => {
    it('reads --inspect-fsm and --inspect-fsm=PORT, and says what is wrong with a bad value', () => {
        expect(inspectorOption(['node', 'main.js'])).toBeUndefined();
        expect(inspectorOption(['node', 'main.js', '--inspect-fsm'])).toEqual({ port: 9339 });
        expect(inspectorOption(['node', 'main.js', '--inspect-fsm=0'])).toEqual({ port: 0 });
        expect(inspectorOption(['node', 'main.js', '--inspect-fsm=65535'])).toEqual({ port: 65_535 });
        for (const bad of ['--inspect-fsm=abc', '--inspect-fsm=65536', '--inspect-fsm=', '--inspect-fsm=-1', '--inspect-fsm=80x']) {
            const option = inspectorOption(['node', 'main.js', bad]);
            expect(option && 'error' in option ? option.error : undefined, bad).toMatch(new RegExp(`^${bad}: expected a port from 0 to 65535`));
        }
    });
});

describe('the inspector', () => {
    it('greets each client with a hello line and a snapshot of the instances and their states', async () => {
        const { port, machines } = await setUp(2);
        machines[1]!.dispatch(FLIP);
        const before = Date.now();
        const client = await TestClient.connect(port);
        const [hello, snapshot] = client.lines;
        expect(Object.keys(hello!)).toEqual(['reactorFsm', 'version', 'pid', 't']);
        expect(hello).toMatchObject({ reactorFsm: 'inspect', version: 1, pid: process.pid });
        expect(hello!.t).toEqual(expect.any(Number));
        expect(snapshot).toEqual({
            kind: 'snapshot',
            t: expect.any(Number),
            instances: [
                { machine: 'Switch#1', state: 'Off', finished: false },
                { machine: 'Switch#2', state: 'On', finished: false }
            ]
        });
        expect(Date.now() - before).toBeLessThan(3_000);
    });

    it('lists an instance until its sockets have closed, then no more', async () => {
        const { port, machines } = await setUp(2);
        let close: () => void = () => undefined;
        machines[0]!.own({ close: () => new Promise<void>((resolve) => (close = resolve)) });
        void machines[0]!.finish();
        void machines[1]!.finish();
        await new Promise((resolve) => setImmediate(resolve));
        const during = await TestClient.connect(port);
        expect(during.lines[1]!.instances).toEqual([{ machine: 'Switch#1', state: 'Off', finished: true }]);
        close();
        await new Promise((resolve) => setImmediate(resolve));
        const after = await TestClient.connect(port);
        expect(after.lines[1]!.instances).toEqual([]);
    });

    it('streams every trace line as traceJson writes it, and serves several clients the same stream', async () => {
        const { port, machines, host } = await setUp(1);
        const first = await TestClient.connect(port);
        const second = await TestClient.connect(port);
        machines[0]!.dispatch(NOTE, 'hello');
        machines[0]!.dispatch(FLIP);
        const t = host.clock.now();
        for (const client of [first, second]) {
            const line = await client.next({ kind: 'transition' });
            expect(JSON.stringify(line)).toBe(traceJson({ t: line.t as number, kind: 'transition', machine: 'Switch', from: 'Off', event: 'Flip', to: 'On' }));
            expect(Math.abs((line.t as number) - t)).toBeLessThan(1_000);
        }
        // A session that starts later appears with its start line.
        const late = new Switch(host);
        late.name = 'Switch#9';
        late.start();
        for (const client of [first, second]) {
            expect(await client.next({ kind: 'start', machine: 'Switch#9' })).toMatchObject({ state: 'Off' });
        }
        expect(first.lines.slice(2)).toEqual(second.lines.slice(2));
    });

    it('disconnects a client that does not read, and nothing else waits for it', async () => {
        const { inspector, port, machines } = await setUp(1, 64 * 1024);
        const reader = await TestClient.connect(port);
        const stuck = await TestClient.connect(port);
        stuck.socket.pause();
        const machine = machines[0]!;
        let flips = 0;
        // Batches, with the event loop turning between them so that the reading client keeps up; bounded.
        for (let batch = 0; batch < 20_000 && inspector.clientCount === 2; batch++) {
            for (let i = 0; i < 100; i++) {
                machine.dispatch(FLIP);
                flips++;
            }
            await new Promise((resolve) => setImmediate(resolve));
        }
        expect(inspector.clientCount).toBe(1);
        expect(machine.log.length).toBe(flips);
        // A paused socket sees its end only when it reads again: what the kernel held, then the close.
        stuck.socket.resume();
        await stuck.waitClosed(5_000);
        expect(stuck.lines.filter((line) => line.kind === 'transition').length).toBeLessThan(flips);
        await reader.until((lines) => lines.filter((line) => line.kind === 'transition').length === flips || undefined, 20_000, `${flips} transition lines`);
        // The reader is still served.
        const skip = reader.lines.length;
        machine.dispatch(FLIP);
        await reader.next({ kind: 'transition' }, 3_000, skip);
        expect(reader.closed).toBe(false);
    }, 60_000);

    it('answers bad JSON, unknown commands and unknown machines with an error line, and goes on', async () => {
        const { port } = await setUp(1);
        const client = await TestClient.connect(port);
        const cases: Array<[string | Line, RegExp]> = [
            ['this is not JSON', /^not JSON/],
            ['[1, 2]', /a JSON object/],
            [{ command: 'jump' }, /unknown command "jump"/],
            [{ command: 'pause', machine: 'Nobody#3' }, /no machine instance named "Nobody#3"/],
            [{ command: 'pause' }, /expected "machine"/],
            [{ command: 'breakOn', states: 'On' }, /expected "states"/]
        ];
        for (const [command, message] of cases) {
            const skip = client.lines.length;
            client.send(command);
            const reply = await client.until((lines) => lines[skip], 3_000, `the answer to ${JSON.stringify(command)}`);
            expect(reply.kind).toBe('error');
            expect(reply.message).toMatch(message);
        }
        expect(await client.ask({ command: 'pause', machine: 'Switch' }, { kind: 'paused' })).toEqual({ kind: 'paused', machine: 'Switch', state: 'Off' });
    });

    it('closes a connection that speaks HTTP before reading anything after its request line as a command', async () => {
        const { port, machines } = await setUp(1);
        // What a web page's fetch('http://127.0.0.1:PORT', { method: 'POST', body }) makes the browser send.
        const body = `${JSON.stringify({ command: 'pause', machine: 'Switch' })}\n`;
        const browser = new TestClient(cleanup.socket(netConnect({ host: '127.0.0.1', port })));
        browser.socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        await browser.waitClosed(3_000);
        expect(machines[0]!.status).toBe('idle');
        expect(browser.lines.filter((line) => line.kind === 'paused')).toEqual([]);
    });

    it('takes at most 8 debuggers at once; the next one is told and disconnected', async () => {
        const { port } = await setUp(1);
        const clients = await Promise.all(Array.from({ length: MAX_INSPECTOR_CLIENTS }, () => TestClient.connect(port)));
        const extra = new TestClient(cleanup.socket(netConnect({ host: '127.0.0.1', port })));
        await extra.waitClosed(3_000);
        expect(extra.lines).toEqual([{ kind: 'error', message: '8 debuggers are connected already: disconnected' }]);
        clients[0]!.socket.destroy();
        await clients[0]!.waitClosed(3_000);
        // The slot is free again once the inspector has seen the close.
        const again = await within(
            (async () => {
                for (;;) {
                    const candidate = new TestClient(cleanup.socket(netConnect({ host: '127.0.0.1', port })));
                    const first = await candidate.until((lines) => lines[0], 3_000, 'a first line');
                    if (first.reactorFsm === 'inspect') {
                        return candidate;
                    }
                    await candidate.waitClosed(3_000);
                }
            })(),
            5_000,
            'a debugger taken again after one left'
        );
        expect(again.lines[1]).toMatchObject({ kind: 'snapshot' });
    });

    it('pause holds one instance: its events wait in order, raised ones included, and run after resume', async () => {
        const { port, machines } = await setUp(2);
        const [held, other] = machines as [Switch, Switch];
        const client = await TestClient.connect(port);
        expect(await client.ask({ command: 'pause', machine: 'Switch#1' }, { kind: 'paused' })).toEqual({ kind: 'paused', machine: 'Switch#1', state: 'Off' });
        expect(held.status).toBe('paused');
        held.dispatch(NOTE, 'one');
        held.dispatch(NOTE, 'raise');
        held.dispatch(NOTE, 'two');
        other.dispatch(FLIP);
        expect(held.log).toEqual([]);
        expect(other.log).toEqual(['Flip']);
        await client.next({ kind: 'transition', machine: 'Switch#2' });
        const resumed = await client.ask({ command: 'resume', machine: 'Switch#1' }, { kind: 'resumed' });
        expect(resumed).toEqual({ kind: 'resumed', machine: 'Switch#1' });
        // Run-to-completion as without the pause: the raised Flip after the events queued before it.
        expect(held.log).toEqual(['one', 'raise', 'two', 'Flip']);
        expect(held.status).toBe('idle');
        // The lines of what waited come after the answer.
        const transition = await client.next({ kind: 'transition', machine: 'Switch#1' });
        expect(client.lines.indexOf(transition)).toBeGreaterThan(client.lines.indexOf(resumed));
    });

    it('breakOn pauses an instance of the given machine after it enters the state, announced after the step; [] clears', async () => {
        const { port, machines, host } = await setUp(1);
        const machine = machines[0]!;
        const client = await TestClient.connect(port);
        client.send({ command: 'breakOn', states: ['On'], machine: 'Lamp' });
        client.send({ command: 'breakOn', states: ['On'], machine: 'Switch' });
        // Commands are taken in order, and breakOn has no answer: wait for the answer to one sent after them.
        await client.ask({ command: 'resume', machine: 'Switch' }, { kind: 'resumed' });
        machine.dispatch(FLIP);
        machine.dispatch(NOTE, 'queued');
        const announced = await client.next({ kind: 'paused', reason: 'breakpoint' });
        expect(announced).toEqual({ kind: 'paused', machine: 'Switch', state: 'On', reason: 'breakpoint' });
        const lines = client.lines;
        expect(lines.findIndex((line) => line.kind === 'transition')).toBeLessThan(lines.indexOf(announced));
        expect(machine.log).toEqual(['Flip']);
        expect(machine.status).toBe('paused');
        // A second instance of the type breaks too; without `machine`, every type does.
        const second = new Switch(host);
        second.name = 'Switch#2';
        second.start();
        second.dispatch(FLIP);
        await client.next({ kind: 'paused', machine: 'Switch#2', reason: 'breakpoint' });
        client.send({ command: 'breakOn', states: [] });
        await client.ask({ command: 'resume', machine: 'Switch' }, { kind: 'resumed' });
        expect(machine.log).toEqual(['Flip', 'queued']);
        machine.dispatch(FLIP);
        machine.dispatch(FLIP);
        expect(machine.log).toEqual(['Flip', 'queued', 'Flip', 'Flip']);
        expect(machine.status).toBe('idle');
        client.send({ command: 'breakOn', states: ['Off'] });
        // Resumed, Switch#2 is in On: its next Flip enters Off and breaks (any machine type).
        await client.ask({ command: 'resume', machine: 'Switch#2' }, { kind: 'resumed' });
        const skip = client.lines.length;
        second.dispatch(FLIP);
        await client.next({ kind: 'paused', machine: 'Switch#2', state: 'Off', reason: 'breakpoint' }, 3_000, skip);
        expect(second.status).toBe('paused');
    });

    it('when the last client leaves, paused instances resume and breakpoints are cleared', async () => {
        const { port, machines } = await setUp(2);
        const [first, second] = machines as [Switch, Switch];
        const one = await TestClient.connect(port);
        const two = await TestClient.connect(port);
        await one.ask({ command: 'pause', machine: 'Switch#1' }, { kind: 'paused' });
        two.send({ command: 'breakOn', states: ['On'] });
        await two.ask({ command: 'resume', machine: 'Switch#2' }, { kind: 'resumed' });
        second.dispatch(FLIP);
        await one.next({ kind: 'paused', machine: 'Switch#2', reason: 'breakpoint' });
        first.dispatch(NOTE, 'waiting');
        second.dispatch(NOTE, 'waiting too');
        one.socket.destroy();
        await absenceWindow(100);
        // One client is still there: nothing resumed.
        expect(first.log).toEqual([]);
        expect(second.log).toEqual(['Flip']);
        two.socket.destroy();
        await until(() => first.log.length === 1 && second.log.length === 2, 3_000, 'both instances to resume');
        expect(first.log).toEqual(['waiting']);
        expect(second.log).toEqual(['Flip', 'waiting too']);
        // No breakpoint left.
        first.dispatch(FLIP);
        expect(first.status).toBe('idle');
        expect(first.stateName).toBe('On');
    });

    it('listens on 127.0.0.1 only, and says so when the port is in use', async () => {
        const { inspector, port } = await setUp(0);
        expect(inspector.port).toBe(port);
        const other = new Inspector({ clock: new TestHost().clock, port });
        await expect(other.listen()).rejects.toThrow(`reactor-fsm: the inspector cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`);
        // Another interface of this machine does not reach it; 127.0.0.1 does.
        const address = otherAddress();
        if (address !== undefined) {
            await expect(connects(address, port)).resolves.toBe(false);
        }
        await expect(connects('127.0.0.1', port)).resolves.toBe(true);
    });
});

/** An IPv4 address of this machine other than loopback, if it has one. */
function otherAddress(): string | undefined {
    const interfaces = Object.values(networkInterfaces()).flat();
    return interfaces.find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
}

/** Whether a TCP connection to address:port is accepted (bounded). */
function connects(address: string, port: number): Promise<boolean> {
    return within(
        new Promise<boolean>((resolve) => {
            const socket = netConnect({ host: address, port });
            socket.once('connect', () => {
                socket.destroy();
                resolve(true);
            });
            socket.once('error', () => resolve(false));
        }),
        3_000,
        `a connection to ${address}:${port}`
    );
}

/** Polls `condition` every few ms until it holds, bounded. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > end) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
}
