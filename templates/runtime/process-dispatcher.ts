// A child process as an event source: its stdout becomes messages (framed as a socket's reads), its end the exit event, and `send` writes its stdin with backpressure.
import { spawn as spawnChild, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { ClockTimer } from './clock.js';
import { ReactorError } from './errors.js';
import { exitStatus } from './exit-status.js';
import { holdSource, NO_EVENT, outgoingMessage, releaseSources, reportError, type HoldableSource, type ResumableSource, type SourceHolder } from './dispatch.js';
import { FrameDecoder, FramingError, framingOf, type Framing, type FramingSpec } from './framing.js';
import type { Closable, EventSource, Machine } from './machine.js';
import { DEFAULT_LINGER_MS } from './stream-dispatcher.js';

/** Machine event ids a process raises; NO_EVENT (-1) where the model maps nothing. */
export interface ProcessEvents {
    /** One event per message on the child's stdout (a Buffer, or text with `readText`). */
    stdout: number;
    /** The child ended: its exit status (128 + the signal's number when a signal ended it). */
    exit: number;
    /** The child could not be spawned, its stdin could not be written, a message was malformed, … (an Error with `code`). */
    error: number;
    /** Its stdin takes more after a write had to queue. */
    drain: number;
}

export interface ProcessOptions {
    command: string;
    args: readonly string[];
    /** How stdout is cut into messages and how `send` frames stdin writes (default: none, chunks as they come). */
    framing?: FramingSpec;
    /** stdout messages are delivered as text (UTF-8) instead of Buffers: the model declares its stdout event `E(string)`. */
    readText?: boolean;
    /** How long a graceful close waits after ending stdin before SIGTERM, and after SIGTERM before SIGKILL (default 2 s). */
    lingerMs?: number;
}

type Child = ChildProcessByStdio<Writable, Readable, null>;

/** Any event source that is not one of the runtime's dispatchers: paused and resumed through its read interest. */

/**
 * One child process at a time (`process worker spawn "cmd" "arg" …` in the model): `spawn` starts it, its stdout is
 * read as a socket's bytes are, its stderr goes to the program's stderr, and its end (after every stdout message)
 * is the `exit` event. The machine owns it: finishing closes it (stdin ended, then SIGTERM, then SIGKILL).
 */
export class ProcessDispatcher implements Closable, EventSource, HoldableSource, SourceHolder {
    /** The running child; undefined before `spawn`, after its exit (once delivered), and after a failed spawn. */
    child: Child | undefined;
    /** Bytes read from stdout, and bytes accepted by stdin, over every child this dispatcher had. */
    bytesIn = 0;
    bytesOut = 0;

    /** The current child has spawned (its 'spawn' came): an 'error' before it is a failed spawn. */
    private spawned = false;
    /** The current child's stdin failed (EPIPE): reported once; later writes to it are dropped. */
    private stdinFailed = false;
    /** The current child's stdout held a message too long or malformed: it is read on to its end and discarded. */
    private framingFailed = false;
    /** The current child is being ended (a graceful close: its stdin has ended; or a framing error), or done when no child runs. */
    private closing: Promise<void> | undefined;
    private closed: (() => void) | undefined;
    /** SIGTERM, then SIGKILL, then giving up on stdout: the stages of a graceful close that took too long. */
    private killTimer: ClockTimer | undefined;
    /** Reading paused by `pauseReading()` (the model's own call), until `resumeReading()`. */
    private pausedByCall = false;
    /** Whether stdout is paused now: it is when paused by call, while `blockedOn` is not empty, or while held messages go out. */
    private readPaused = false;
    /** Backpressure, as a source: the written dispatchers still waiting for 'drain' with bytes this child's stdout produced. */
    private readonly blockedOn = new Set<SourceHolder>();
    /** Backpressure, as the written one: the sources paused until this child's stdin drains (or the child ends). */
    private readonly waiting = new Set<ResumableSource>();
    /** The framing, when not `none`. */
    private readonly framing: Framing | undefined;
    /** The current child's stdout messages not yet delivered (with a framing). */
    private frames: FrameDecoder | undefined;
    /** Messages that waited while reading was paused are being delivered: stdout stays paused until they are. */
    private deliveringHeld = false;
    /** The child's end, held while reading is paused: it comes after the messages nobody read yet. */
    /** Bytes sent to stdin that will not be delivered, not reported yet (see lostInput). */
    private unsentBytes = 0;
    private heldEnd: Array<() => void> = [];

    constructor(
        readonly machine: Machine,
        readonly name: string,
        protected readonly events: ProcessEvents,
        protected readonly options: ProcessOptions
    ) {
        machine.own(this);
        this.framing = options.framing === undefined || options.framing.kind === 'none' ? undefined : framingOf(options.framing);
    }

    /** True from `spawn` until the child's exit is delivered (or its spawn failed). */
    get running(): boolean {
        return this.child !== undefined;
    }

    /** The running child's process id. */
    get pid(): number | undefined {
        return this.child?.pid;
    }

    /** The built-in `spawn`: starts the child, unless one runs (or the machine has finished). A failed spawn is the `error` event. */
    spawn(): void {
        if (this.child !== undefined || this.machine.finished) {
            return;
        }
        let child: Child;
        try {
            // A process group of its own: a terminal's Ctrl-C (SIGINT to the whole foreground group) reaches the program,
            // whose model decides how the child ends (`close` ends its stdin first), instead of killing the child at once.
            // Only when the program handles SIGINT itself: otherwise Ctrl-C ends the program at once, and the child with it.
            const ownGroup = process.listenerCount('SIGINT') > 0;
            child = spawnChild(this.options.command, [...this.options.args], { stdio: ['pipe', 'pipe', 'inherit'], detached: ownGroup });
            if (ownGroup) {
                ownGroups.add(child);
            }
        } catch (error) {
            // Node refuses some spawns at once (a NUL byte in an argument, E2BIG): reported as a failed spawn, on the next
            // tick as every other failed spawn is (not inside the action list that spawned, and never recursively).
            const failure = error instanceof Error ? error : new Error(String(error));
            process.nextTick(() => this.report(failure, false));
            return;
        }
        this.attach(child);
    }

    /**
     * The built-in `send`: a string or bytes (anything else is reported: `ERR_PAYLOAD_NOT_BYTES`), framed as the model
     * says (a message the framing cannot send is reported with its FramingError code, and nothing is written), then
     * written to the child's stdin as `write` does.
     */
    send(message: unknown): boolean {
        const outgoing = outgoingMessage(this.framing, message, `${this.machine.name}.${this.name}`);
        if (outgoing instanceof ReactorError) {
            this.report(outgoing);
            return false;
        }
        return this.write(outgoing);
    }

    /**
     * Writes bytes to the child's stdin. Returns false when they were queued behind earlier ones: then the source of the
     * event being handled (another dispatcher whose data this is) stops reading until this stdin drains or the child
     * ends. The child's own events do not pause its stdout: a filter (`cat`) reads its stdin only while its stdout is read.
     * A write while no child runs is reported (`ERR_PROCESS_NOT_RUNNING`); once stdin has failed (EPIPE, reported once),
     * the child's later writes are dropped.
     */
    write(data: string | Uint8Array): boolean {
        const child = this.child;
        const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        // The child's exit counts once the model could know it: when it waits behind unread stdout (reading paused), as in
        // the interpreter. Before its stdout has ended, a write to a child that has just exited is the pipe's (EPIPE).
        if (child === undefined || this.closing !== undefined || this.heldEnd.length > 0) {
            const why = child === undefined ? 'no process runs' : this.closing !== undefined ? 'the process is being ended' : 'the process has exited';
            this.report(new ReactorError('ERR_PROCESS_NOT_RUNNING', `${this.machine.name}.${this.name}: write of ${size} bytes while ${why}`, size));
            return false;
        }
        if (this.stdinFailed || child.stdin.destroyed || !child.stdin.writable) {
            this.lostInput(size); // the EPIPE was reported once; the bytes of every later send are counted in a warning
            return false;
        }
        this.bytesOut += size;
        // A write that never reaches the child (its stdin broke or was destroyed at its exit) is counted, not dropped silently.
        const flushed = child.stdin.write(data, (error) => error && this.lostInput(size));
        if (!flushed) {
            this.holdSource(this.machine.source);
        }
        return flushed;
    }

    /**
     * Bytes sent to the child's stdin that it will never read: reported as one warning per turn of the event loop (not
     * an event: the EPIPE, or the exit, already told the model; a trace stays the interpreter's).
     */
    private lostInput(bytes: number): void {
        this.unsentBytes += bytes;
        if (this.unsentBytes === bytes) {
            setImmediate(() => {
                const lost = this.unsentBytes;
                this.unsentBytes = 0;
                process.emitWarning(`${this.machine.name}.${this.name}: ${lost} bytes sent to the process's stdin were not delivered (it stopped reading or ended)`, 'ReactorProcessError');
            });
        }
    }

    /** Stops reading stdout (the child blocks once the pipe is full) until `resumeReading`; its exit waits behind what is unread. */
    pauseReading(): void {
        if (this.closing !== undefined && this.child !== undefined) {
            return; // a child being closed is read to its end
        }
        this.pausedByCall = true;
        this.updateReading();
    }

    /**
     * Undoes `pauseReading`. Reading stays paused while a dispatcher written with this child's data still waits for
     * 'drain'. Messages that waited are delivered first, one event each, on the next tick (after the current step), then the exit.
     */
    resumeReading(): void {
        if (!this.pausedByCall) {
            return;
        }
        this.pausedByCall = false;
        if ((this.frames !== undefined && this.frames.buffered > 0) || this.heldEnd.length > 0) {
            this.deliverHeldFrames();
        } else {
            this.updateReading();
        }
    }

    /**
     * Graceful close: stdin ends (what is queued is flushed first); a child still running after the linger gets SIGTERM,
     * and SIGKILL after another. Resolves once the child has exited and its stdout is read to its end (the exit is still
     * the `exit` event while the machine runs). Resolves at once when no child runs.
     */
    close(): Promise<void> {
        if (this.closing) {
            return this.closing;
        }
        const child = this.child;
        if (child === undefined) {
            this.closing = Promise.resolve();
            return this.closing;
        }
        this.closing = new Promise<void>((resolve) => {
            this.closed = resolve;
        });
        // No 'drain' comes after end(): sources waiting for this stdin resume now (writes fail from here on). And this
        // child's stdout is read to its end whatever paused it, so that its exit is seen.
        this.releaseSources();
        for (const sink of this.blockedOn) {
            sink.forgetSource(this);
        }
        this.blockedOn.clear();
        if (!this.pausedByCall && this.frames !== undefined && this.frames.buffered > 0) {
            this.deliverHeldFrames();
        }
        this.resumeReading();
        this.updateReading();
        if (!child.stdin.destroyed && !child.stdin.writableEnded) {
            child.stdin.end();
        }
        this.armKill(child, 0);
        return this.closing;
    }

    /** Backpressure, as a source: `sink` queued bytes this child's stdout produced; stdout is not read until `sink` releases it. */
    holdFor(sink: SourceHolder): boolean {
        if (this.closing !== undefined) {
            return false; // a child being closed is read to its end
        }
        this.blockedOn.add(sink);
        this.updateReading();
        return true;
    }

    /** Backpressure, as a source: `sink` drained or closed; the messages that waited come first (on the next tick). */
    releaseFrom(sink: SourceHolder): void {
        this.blockedOn.delete(sink);
        if (this.blockedOn.size === 0 && !this.pausedByCall && this.frames !== undefined && this.frames.buffered > 0) {
            this.deliverHeldFrames();
        }
        this.updateReading();
    }

    /** Backpressure, as the written one: `source` is being closed and no longer waits for this stdin. */
    forgetSource(source: EventSource): void {
        this.waiting.delete(source);
    }

    // Each occurrence is reported to observers, then dispatched as the mapped event with this dispatcher as its source.

    /** Bytes on stdout: the stdout event with the chunk, or, with a framing, one per whole message they complete. */
    handleRead(chunk: Buffer): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'data', { bytes: chunk.byteLength });
        }
        if (this.frames === undefined) {
            this.emitStdout(chunk);
        } else {
            this.frames.push(chunk);
            this.deliverFrames();
        }
    }

    /** stdin drained: the sources paused for it resume (each once nothing else it filled still waits). */
    handleWrite(): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'drain');
        }
        this.releaseSources();
        this.emit(this.events.drain, undefined);
    }

    /** The child ended (after its last stdout message): the `exit` event with its status. */
    handleExit(status: number): void {
        if (this.machine.tracing) {
            this.machine.traceIo(this.name, 'exit', { status });
        }
        this.emit(this.events.exit, status);
    }

    /** Makes `child` the current one and listens to it. */
    private attach(child: Child): void {
        outliveGuard(child);
        this.child = child;
        this.spawned = false;
        this.stdinFailed = false;
        this.framingFailed = false;
        this.closing = undefined;
        this.closed = undefined;
        this.pausedByCall = false;
        this.deliveringHeld = false;
        this.heldEnd = [];
        this.frames = this.framing === undefined ? undefined : new FrameDecoder(this.framing);
        // A new child starts paused while a dispatcher written with the previous one's data still waits for 'drain'.
        this.readPaused = this.blockedOn.size > 0;
        if (this.readPaused) {
            child.stdout.pause();
        }
        const current = (): boolean => this.child === child;
        child.once('spawn', () => {
            if (current()) {
                this.spawned = true;
            }
        });
        child.on('error', (error) => {
            if (!current()) {
                return;
            }
            if (this.spawned) {
                this.report(error, false); // a signal that could not be sent
            } else {
                this.spawnFailed(error);
            }
        });
        // Node resumes a child's stdout when the child exits (child_process's flushStdio), so that its 'close' can come;
        // a pause (the model's, or backpressure) holds anyway: the exit waits behind what is unread.
        child.stdout.on('resume', () => {
            if (current() && this.readPaused) {
                child.stdout.pause();
            }
        });
        child.stdout.on('data', (chunk: Buffer) => {
            if (current()) {
                this.bytesIn += chunk.byteLength;
                if (!this.framingFailed) {
                    this.handleRead(chunk);
                }
            }
        });
        child.stdin.on('drain', () => current() && this.handleWrite());
        child.stdin.on('error', (error) => {
            // A failed spawn reports itself; a child whose stdin broke (it exited, or closed it) is reported once.
            if (current() && this.spawned && !this.stdinFailed) {
                this.stdinFailed = true;
                this.releaseSources();
                this.report(error, false);
            }
        });
        // 'close' comes once the child has exited and its stdout has ended: no stdout byte comes after it.
        child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
            if (current() && this.spawned) {
                this.holdWhilePaused(() => this.exited(child, code, signal));
            }
        });
    }

    /** The child could not be started: the `error` event (no exit); a later `spawn` tries again. */
    private spawnFailed(error: Error): void {
        this.child = undefined;
        this.frames = undefined;
        this.heldEnd = [];
        this.deliveringHeld = false;
        this.stopKill();
        this.releaseSources();
        this.settleClose();
        this.report(error, false);
    }

    /** The child's end: the last messages (the end terminates a last line without LF), then the exit event. */
    private exited(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
        if (this.child !== child) {
            return;
        }
        this.stopKill();
        this.endFrames();
        this.child = undefined;
        // A stdin that backed up and then lost its reader sends no 'drain': the sources paused for it must not stay paused.
        this.releaseSources();
        this.settleClose();
        this.handleExit(exitStatus(code, signal));
    }

    /** No child runs any more: a close under way has completed, and a later one resolves at once. */
    private settleClose(): void {
        const closed = this.closed;
        this.closed = undefined;
        this.closing ??= Promise.resolve();
        closed?.();
    }

    /** The child's end: now, or, while reading is paused, after resume (behind the unread messages). */
    private holdWhilePaused(occurrence: () => void): void {
        if (this.pausedByCall || this.deliveringHeld || this.heldEnd.length > 0) {
            this.heldEnd.push(occurrence);
        } else {
            occurrence();
        }
    }

    /** A close is taking long: SIGTERM after the linger, SIGKILL after another, then stdout is given up on. */
    private armKill(child: Child, stage: number): void {
        const clock = this.machine.host.clock;
        this.killTimer = clock.set(this.options.lingerMs ?? DEFAULT_LINGER_MS, () => {
            this.killTimer = undefined;
            if (this.child !== child) {
                return;
            }
            const alive = child.exitCode === null && child.signalCode === null;
            if (stage < 2) {
                // A group of its own is signalled even after the child has exited: what it started may hold its stdout.
                if (alive || ownGroups.has(child)) {
                    signalChild(child, stage === 0 ? 'SIGTERM' : 'SIGKILL');
                }
                this.armKill(child, stage + 1);
            } else if (!alive) {
                // It has exited, yet its stdout stays open: a process it started holds it. Waiting would never end.
                this.report(new ReactorError('ERR_LINGER_EXPIRED', `${this.machine.name}.${this.name}: the process exited but its stdout stayed open (a process it started may hold it): stopped reading it`));
                child.stdout.destroy();
            }
        });
    }

    private stopKill(): void {
        if (this.killTimer !== undefined) {
            this.machine.host.clock.clear(this.killTimer);
            this.killTimer = undefined;
        }
    }

    /** Whole messages, one event each, until none is left, reading is paused, or the child is replaced. */
    private deliverFrames(): void {
        const frames = this.frames;
        if (frames === undefined) {
            return;
        }
        let frame: Buffer | undefined;
        try {
            // The decoder throws only a FramingError; the machine's dispatch catches what actions throw.
            while (this.frames === frames && !this.pausedByCall && this.blockedOn.size === 0 && !this.machine.finished && (frame = frames.next()) !== undefined) {
                this.emitStdout(frame);
            }
        } catch (error) {
            if (!(error instanceof FramingError)) {
                throw error;
            }
            this.failFraming(error);
        }
    }

    /** After `resumeReading`: the messages that waited, on the next tick; stdout is read again once they are out. */
    private deliverHeldFrames(): void {
        if (this.deliveringHeld) {
            return;
        }
        this.deliveringHeld = true;
        const frames = this.frames;
        const child = this.child;
        process.nextTick(() => {
            if (this.child !== child || this.frames !== frames || !this.deliveringHeld) {
                return;
            }
            this.deliveringHeld = false;
            this.deliverFrames();
            this.updateReading();
            // The end that waited comes last, unless one of the messages paused reading again.
            if (!this.pausedByCall) {
                for (const occurrence of this.heldEnd.splice(0)) {
                    occurrence();
                }
            }
        });
    }

    /**
     * A message too long or malformed: the child is being ended, as by `close` (sends fail, pause is ignored), though
     * its stdin stays open: the `error` event with the FramingError, SIGTERM at once and SIGKILL after the linger.
     * Its stdout is read on to its end and discarded.
     */
    private failFraming(error: FramingError): void {
        const child = this.child;
        this.frames = undefined;
        this.framingFailed = true;
        this.closing ??= new Promise<void>((resolve) => {
            this.closed = resolve;
        });
        for (const sink of this.blockedOn) {
            sink.forgetSource(this);
        }
        this.blockedOn.clear();
        this.report(error);
        this.updateReading();
        if (child !== undefined && this.child === child) {
            if (child.exitCode === null && child.signalCode === null) {
                signalChild(child, 'SIGTERM');
            }
            this.stopKill();
            this.armKill(child, 1);
        }
    }

    /** stdout ended: its end ends the last message (a last line without LF is delivered; a prefixed one cut short is an error). */
    private endFrames(): void {
        const frames = this.frames;
        this.frames = undefined;
        this.deliveringHeld = false;
        if (frames === undefined || this.framingFailed) {
            return;
        }
        try {
            for (let frame = frames.end(); frame !== undefined; frame = frames.end()) {
                this.emitStdout(frame);
            }
        } catch (error) {
            this.report(error as FramingError);
        }
    }

    /** A chunk or a message as the stdout event: a Buffer, or UTF-8 text where the model declares the event `E(string)`. */
    private emitStdout(bytes: Buffer): void {
        this.emit(this.events.stdout, this.options.readText === true ? bytes.toString('utf8') : bytes);
    }

    /** Delivers an event to the machine, when the model maps one, with this dispatcher as its source. */
    private emit(event: number, payload: unknown): void {
        if (event !== NO_EVENT) {
            this.machine.dispatch(event, payload, this);
        }
    }

    /**
     * An error the model should hear about: traced, then the `error` event when mapped and the machine still runs.
     * Otherwise a process warning: always for the runtime's own errors (lost bytes, refused messages), and for Node's
     * (ENOENT, EPIPE) while the machine runs.
     */
    private report(error: Error, always = true): void {
        reportError(this.machine, this.name, this.events.error, this, error, always, 'ReactorProcessError');
    }

    /**
     * A write to stdin was queued while `source`'s event was handled: `source` stops reading until stdin drains. Not
     * this child's own events: its stdout may be what it must get rid of before it reads stdin again.
     */
    private holdSource(source: EventSource | undefined): void {
        // Never the child itself: a filter (`cat`) reads its stdin only while its stdout is read.
        if (source !== this) {
            holdSource(this, this.waiting, source);
        }
    }

    /** stdin drained, failed, or its child ended: every source it held resumes, unless another sink it filled still waits. */
    private releaseSources(): void {
        releaseSources(this, this.waiting);
    }

    /** Pauses or resumes stdout: paused while paused by call, held by a sink it filled, or held messages go out; never after a framing error. */
    private updateReading(): void {
        const paused = !this.framingFailed && (this.pausedByCall || this.blockedOn.size > 0 || this.deliveringHeld);
        if (paused === this.readPaused) {
            return;
        }
        this.readPaused = paused;
        if (paused) {
            this.child?.stdout.pause();
        } else {
            this.child?.stdout.resume();
        }
    }
}

/**
 * Sends `signal` to the child and, when it leads a process group of its own, to every process of that group: what it
 * started (a shell's commands, a worker pool) ends with it instead of holding its stdout open.
 */
function signalChild(child: Child, signal: NodeJS.Signals): void {
    if (child.pid !== undefined && ownGroups.has(child)) {
        try {
            process.kill(-child.pid, signal);
            return;
        } catch {
            // The group is gone (only the child was left, and it just exited): signal the child alone.
        }
    }
    child.kill(signal);
}

/** Children spawned as the leaders of a process group of their own. */
const ownGroups = new WeakSet<Child>();

/** Children that have not ended yet: killed if the program exits before they do (`process.exit`, an uncaught error). */
const unended = new Set<Child>();

/** Keeps `child` from outliving the program: SIGKILL at the program's exit unless it has closed by then. */
function outliveGuard(child: Child): void {
    if (unended.size === 0) {
        process.once('exit', killUnended);
    }
    unended.add(child);
    child.once('close', () => forget(child));
    // A child that never started has no pid to kill.
    child.once('error', () => child.pid === undefined && forget(child));
}

function forget(child: Child): void {
    if (unended.delete(child) && unended.size === 0) {
        process.off('exit', killUnended);
    }
}

function killUnended(): void {
    for (const child of unended) {
        signalChild(child, 'SIGKILL');
    }
    unended.clear();
}
