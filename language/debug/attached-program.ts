// A running generated program, attached through its inspector (`--inspect-fsm[=PORT]`, templates/runtime/inspector.ts):
// its machine instances and their states, followed from the trace lines it serves; pause, resume and state breakpoints.
import { connect, type Socket } from 'node:net';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { machineOfInstance as machineOf } from '../semantics/instance.js';

/** The only host attach connects to: the inspector listens on loopback only. */
export const INSPECT_HOST = '127.0.0.1';
const HELLO_TIMEOUT_MS = 3_000;
/** The inspector protocol version this debugger speaks. */
const PROTOCOL_VERSION = 1;

export class AttachError extends Error {}

export interface AttachedInstance {
    /** `EchoServer`, or `EchoSession#3`. */
    readonly name: string;
    /** The machine type: the name without `#N`. */
    readonly machine: string;
    /** Active states as the trace names them (atomic ones; with composite states also those entered). */
    active: string[];
    finished: boolean;
    paused: boolean;
    /** The transitions it took, most recent first (at most three). */
    trail: Array<{ readonly from: string; readonly event: string; readonly to: string }>;
    /** A machine with composite states: its states follow `enter`/`exit` lines instead of `transition` lines. */
    readonly hierarchical: boolean;
}

export interface AttachedEvents {
    /** A trace line arrived (the instances were updated first). */
    readonly trace: (line: TraceLine) => void;
    /** A new instance appeared (a session accepted, or one of the snapshot). */
    readonly started: (instance: AttachedInstance) => void;
    /** An instance finished: it is no longer among `instances`. */
    readonly finished: (instance: AttachedInstance) => void;
    readonly paused: (instance: AttachedInstance, reason: 'breakpoint' | 'pause') => void;
    readonly resumed: (instance: AttachedInstance) => void;
    /** The inspector answered a command with an error. */
    readonly problem: (message: string) => void;
    /** The connection ended (the program exited, or the inspector dropped us). */
    readonly closed: () => void;
}

interface Hello {
    readonly reactorFsm: 'inspect';
    readonly version: number;
    readonly pid: number;
}

export class AttachedProgram {
    readonly instances = new Map<string, AttachedInstance>();
    private pending = '';
    private closed = false;
    /** Resolves when the snapshot of the instances (the line after the hello) has been read. */
    private snapshotRead!: () => void;
    private readonly snapshot = new Promise<void>((resolve) => (this.snapshotRead = resolve));

    private constructor(
        private readonly socket: Socket,
        readonly hello: Hello,
        private readonly events: AttachedEvents,
        private readonly hierarchical: (machine: string) => boolean
    ) {}

    /**
     * Connects to the inspector on 127.0.0.1:`port` and checks it is one: a port where something else listens, or
     * where nothing answers with the inspector's hello in time, is refused with an AttachError.
     */
    static async connect(port: number, events: AttachedEvents, hierarchical: (machine: string) => boolean): Promise<AttachedProgram> {
        if (!Number.isInteger(port) || port < 1 || port > 65_535) {
            throw new AttachError(`"port" must be the inspector's port (1–65535): the program prints it when started with --inspect-fsm[=PORT]`);
        }
        const socket = connect({ host: INSPECT_HOST, port });
        socket.setEncoding('utf8');
        const { hello, rest } = await new Promise<{ hello: Hello; rest: string }>((resolve, reject) => {
            let text = '';
            const fail = (message: string): void => {
                clearTimeout(timer);
                socket.destroy();
                reject(new AttachError(message));
            };
            const timer = setTimeout(() => fail(`${INSPECT_HOST}:${port} did not greet as a Reactor FSM inspector within ${HELLO_TIMEOUT_MS} ms: is it a program started with --inspect-fsm=${port}?`), HELLO_TIMEOUT_MS);
            socket.on('error', (error: NodeJS.ErrnoException) =>
                fail(error.code === 'ECONNREFUSED' ? `nothing listens on ${INSPECT_HOST}:${port}: start the generated program with --inspect-fsm=${port}` : `cannot connect to ${INSPECT_HOST}:${port}: ${error.code ?? error.message}`)
            );
            socket.on('close', () => fail(`${INSPECT_HOST}:${port} closed the connection without greeting: not a Reactor FSM inspector`));
            socket.on('data', (chunk: string) => {
                text += chunk;
                const end = text.indexOf('\n');
                if (end < 0) {
                    if (text.length > 4096) {
                        fail(`${INSPECT_HOST}:${port} is not a Reactor FSM inspector (it sent something else)`);
                    }
                    return;
                }
                let first: unknown;
                try {
                    first = JSON.parse(text.slice(0, end));
                } catch {
                    first = undefined;
                }
                const hello = first as Partial<Hello> | undefined;
                if (hello?.reactorFsm !== 'inspect' || typeof hello.pid !== 'number') {
                    fail(`${INSPECT_HOST}:${port} is not a Reactor FSM inspector (it sent something else)`);
                    return;
                }
                if (hello.version !== PROTOCOL_VERSION) {
                    fail(`the inspector on ${INSPECT_HOST}:${port} speaks version ${String(hello.version)} of the protocol; this debugger speaks ${PROTOCOL_VERSION}: regenerate the program`);
                    return;
                }
                clearTimeout(timer);
                socket.removeAllListeners();
                resolve({ hello: hello as Hello, rest: text.slice(end + 1) });
            });
        });
        const program = new AttachedProgram(socket, hello, events, hierarchical);
        socket.on('data', (chunk: string) => program.received(chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => program.ended());
        program.received(rest);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new AttachError(`the inspector on ${INSPECT_HOST}:${port} sent no snapshot of its machines within ${HELLO_TIMEOUT_MS} ms`)), HELLO_TIMEOUT_MS);
        });
        try {
            await Promise.race([program.snapshot, late]);
        } catch (error) {
            socket.destroy();
            throw error;
        } finally {
            clearTimeout(timer);
        }
        return program;
    }

    /** Pauses one instance's event processing (its events queue; sockets keep their kernel buffers). */
    pause(instance: string): void {
        this.command({ command: 'pause', machine: instance });
    }

    resume(instance: string): void {
        this.command({ command: 'resume', machine: instance });
    }

    /** Every instance of machine type `machine` pauses after entering one of `states` (none: no breakpoint). */
    breakOn(machine: string, states: readonly string[]): void {
        this.command({ command: 'breakOn', machine, states });
    }

    close(): void {
        this.closed = true;
        this.socket.end();
    }

    private command(command: object): void {
        if (!this.closed) {
            this.socket.write(`${JSON.stringify(command)}\n`);
        }
    }

    private ended(): void {
        this.closed = true;
        this.events.closed();
    }

    private received(chunk: string): void {
        this.pending += chunk;
        let end: number;
        while ((end = this.pending.indexOf('\n')) >= 0) {
            const line = this.pending.slice(0, end);
            this.pending = this.pending.slice(end + 1);
            if (line.trim() !== '') {
                this.line(line);
            }
        }
    }

    private line(text: string): void {
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            this.events.problem(`the inspector sent a line that is not a JSON object: ${text.slice(0, 200)}`);
            return;
        }
        const message = parsed as { kind?: unknown; machine?: unknown; state?: unknown; reason?: unknown; message?: unknown; instances?: unknown };
        switch (message.kind) {
            case 'snapshot':
                for (const entry of Array.isArray(message.instances) ? (message.instances as unknown[]) : []) {
                    const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as { machine?: unknown; state?: unknown; finished?: unknown };
                    // An instance that has finished is listed until its sockets have closed: it is not running.
                    if (typeof fields.machine !== 'string' || typeof fields.state !== 'string' || fields.finished === true) {
                        continue;
                    }
                    this.instance(fields.machine).active = fields.state.split(', ');
                }
                this.snapshotRead();
                return;
            case 'paused':
            case 'resumed': {
                const instance = typeof message.machine === 'string' ? this.instances.get(message.machine) : undefined;
                if (instance) {
                    instance.paused = message.kind === 'paused';
                    if (instance.paused) {
                        this.events.paused(instance, message.reason === 'breakpoint' ? 'breakpoint' : 'pause');
                    } else {
                        this.events.resumed(instance);
                    }
                }
                return;
            }
            case 'error':
                this.events.problem(String(message.message));
                return;
            default:
                if (typeof message.machine === 'string' && typeof message.kind === 'string' && typeof (message as { t?: unknown }).t === 'number') {
                    this.follow(message as unknown as TraceLine);
                } else {
                    this.events.problem(`the inspector sent a line that is not a trace line: ${text.slice(0, 200)}`);
                }
        }
    }

    private instance(name: string): AttachedInstance {
        let instance = this.instances.get(name);
        if (!instance) {
            const machine = machineOf(name);
            instance = { name, machine, active: [], finished: false, paused: false, trail: [], hierarchical: this.hierarchical(machine) };
            this.instances.set(name, instance);
            this.events.started(instance);
        }
        return instance;
    }

    private follow(line: TraceLine): void {
        const instance = this.instance(line.machine);
        switch (line.kind) {
            case 'start':
                // A machine with composite states: `enter` lines for the initial states follow.
                instance.active = instance.hierarchical || typeof line.state !== 'string' ? [] : [line.state];
                instance.finished = false;
                break;
            case 'transition':
                instance.trail = [{ from: String(line.from), event: String(line.event), to: String(line.to) }, ...instance.trail].slice(0, 3);
                if (!instance.hierarchical) {
                    instance.active = [String(line.to)];
                }
                break;
            case 'enter':
                instance.active = [...instance.active.filter((state) => state !== line.state), line.state];
                break;
            case 'exit':
                instance.active = instance.active.filter((state) => state !== line.state);
                break;
            case 'finish':
                instance.finished = true;
                instance.paused = false;
                break;
            default:
                break;
        }
        this.events.trace(line);
        if (instance.finished) {
            this.instances.delete(instance.name);
            this.events.finished(instance);
        }
    }
}
