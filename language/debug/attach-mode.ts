// A debug session attached to a running generated program: threads are its live machine instances, the stack their
// states, breakpoints on state lines pause an instance's event processing there (the program's other instances run on).
import { Event, OutputEvent, Source, StackFrame, StoppedEvent, Thread, ThreadEvent, ContinuedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { traceText, type TraceLine } from '../../templates/runtime/trace-format.js';
import type { ProgramSpec, SourceSpot } from '../semantics/program.js';
import { AttachedProgram, INSPECT_HOST, type AttachedInstance } from './attached-program.js';
import { attachedLiveBody, ModelPlaces } from './attach-view.js';

/** At most this many trace lines are printed per OUTPUT_EVERY_MS; the rest are counted. */
const OUTPUT_LINES = 200;
const OUTPUT_EVERY_MS = 50;
/** The diagram is told of state changes at most this often. */
const LIVE_EVERY_MS = 15;

export interface AttachArguments extends DebugProtocol.AttachRequestArguments {
    /** The inspector's port (the program prints it: `reactor-fsm: inspector listening on 127.0.0.1:PORT`). */
    port?: number;
    /** The .fsm file the program was generated from: where states and transitions are written. */
    program: string;
}

type Send = (event: DebugProtocol.Event) => void;

export class AttachMode {
    /** Set once the inspector has greeted and sent its snapshot (VS Code may ask for threads before that). */
    private program: AttachedProgram | undefined;
    private readonly places: ModelPlaces;
    private readonly ids = new Map<string, number>();
    private nextId = 1;
    /** Ids of instances that finished, given again (frame ids are thread id × 10,000: they stay small). */
    private readonly freeIds: number[] = [];
    private outputLines: string[] = [];
    private outputDropped = 0;
    private outputTimer: NodeJS.Timeout | undefined;
    private liveTimer: NodeJS.Timeout | undefined;
    private readonly started = Date.now();

    /** close() came while connecting: the connection is closed as soon as it is made. */
    private closeRequested = false;

    constructor(
        spec: ProgramSpec,
        private readonly send: Send,
        /** The program's inspector closed the connection: the session ends. */
        private readonly ended: () => void
    ) {
        this.places = new ModelPlaces(spec);
    }

    async attach(port: number): Promise<string> {
        const program = await AttachedProgram.connect(
            port,
            {
                trace: (line) => this.traced(line),
                started: (instance) => this.appeared(instance),
                finished: (instance) => {
                    // A finished instance leaves the Call Stack (a server's sessions come and go all day).
                    const id = this.idOf(instance);
                    this.send(new ThreadEvent('exited', id));
                    this.ids.delete(instance.name);
                    this.freeIds.push(id);
                    this.scheduleLive();
                },
                paused: (instance, reason) => {
                    this.stoppedEvent(instance, reason);
                },
                resumed: (instance) => this.send(new ContinuedEvent(this.idOf(instance), false)),
                problem: (message) => this.print(`inspector: ${message}\n`, 'stderr'),
                closed: () => {
                    this.flushOutput();
                    this.print('The program has ended (its inspector closed the connection).\n', 'console');
                    this.ended();
                }
            },
            (machine) => this.places.machine(machine)?.hierarchical ?? false
        );
        this.program = program;
        if (this.closeRequested) {
            program.close();
        }
        return `Attached to process ${program.hello.pid} through ${INSPECT_HOST}:${port}: ${program.instances.size} machine instance${program.instances.size === 1 ? '' : 's'} running.`;
    }

    private stoppedEvent(instance: AttachedInstance, reason: 'breakpoint' | 'pause'): void {
        const event: DebugProtocol.StoppedEvent = new StoppedEvent(reason, this.idOf(instance));
        event.body.description = reason === 'breakpoint' ? `${instance.name} paused on breakpoint in ${instance.active.join(', ')}` : `${instance.name} paused`;
        event.body.allThreadsStopped = false;
        event.body.preserveFocusHint = false;
        this.send(event);
        this.scheduleLive();
    }

    private idOf(instance: AttachedInstance): number {
        let id = this.ids.get(instance.name);
        if (id === undefined) {
            id = this.freeIds.shift() ?? this.nextId++;
            this.ids.set(instance.name, id);
        }
        return id;
    }

    private instanceOf(threadId: number): AttachedInstance | undefined {
        for (const [name, id] of this.ids) {
            if (id === threadId) {
                return this.program?.instances.get(name);
            }
        }
        return undefined;
    }

    private appeared(instance: AttachedInstance): void {
        this.send(new ThreadEvent('started', this.idOf(instance)));
        this.scheduleLive();
    }

    private traced(line: TraceLine): void {
        this.queueOutput(`${traceText(line)}\n`);
        if (line.kind === 'start' || line.kind === 'transition' || line.kind === 'enter' || line.kind === 'exit' || line.kind === 'finish') {
            this.scheduleLive();
        }
    }

    // ---- what the views ask ------------------------------------------------------------------------------------

    threads(): DebugProtocol.Thread[] {
        return [...(this.program?.instances.values() ?? [])].map((instance) => new Thread(this.idOf(instance), `${instance.name}${instance.paused ? ' (paused)' : ''}`));
    }

    stack(threadId: number): DebugProtocol.StackFrame[] {
        const instance = this.instanceOf(threadId);
        if (!instance) {
            return [];
        }
        const frames = this.places.withParents(instance.machine, instance.active).map(
            (state, index) => new StackFrame(threadId * 10_000 + index, `state ${state.name}`, state.spot ? source(state.spot) : undefined, state.spot?.line ?? 0, 1)
        );
        const machine = this.places.machine(instance.machine);
        if (machine) {
            frames.push(new StackFrame(threadId * 10_000 + frames.length, `machine ${machine.name}`, source(machine.spot), machine.spot.line, 1));
        }
        return frames;
    }

    variables(threadId: number): Array<{ name: string; value: string }> {
        const instance = this.instanceOf(threadId);
        if (!instance) {
            return [];
        }
        return [
            { name: 'state', value: instance.active.join(', ') || '(starting)' },
            { name: 'machine', value: instance.machine },
            { name: 'paused', value: String(instance.paused) },
            { name: 'last transitions', value: instance.trail.map((taken) => `${taken.from} --${taken.event}--> ${taken.to}`).join(', ') || 'none' },
            { name: 'process', value: String(this.program?.hello.pid ?? '') }
        ];
    }

    // ---- control -----------------------------------------------------------------------------------------------

    /** Resumes one paused instance (`threadId`), or every paused one. */
    resume(threadId: number | undefined): void {
        for (const instance of this.program?.instances.values() ?? []) {
            if (instance.paused && (threadId === undefined || this.idOf(instance) === threadId)) {
                this.program?.resume(instance.name);
            }
        }
    }

    pause(threadId: number): void {
        const instance = this.instanceOf(threadId);
        if (instance?.paused) {
            // Paused already (a breakpoint, an earlier pause): VS Code waits for a stop to show it.
            this.stoppedEvent(instance, 'pause');
        } else if (instance) {
            this.program?.pause(instance.name);
        }
    }

    /** The state names with breakpoints, by machine: each machine's instances pause after entering one of them. */
    breakOn(states: ReadonlyMap<string, readonly string[]>): void {
        for (const machine of this.places.program.machines.keys()) {
            this.program?.breakOn(machine, states.get(machine) ?? []);
        }
    }

    close(): void {
        clearTimeout(this.outputTimer);
        clearTimeout(this.liveTimer);
        this.closeRequested = true;
        this.program?.close();
    }

    // ---- output and the diagram --------------------------------------------------------------------------------

    private print(text: string, category: 'console' | 'stdout' | 'stderr'): void {
        this.send(new OutputEvent(text, category));
    }

    private queueOutput(text: string): void {
        if (this.outputLines.length < OUTPUT_LINES) {
            this.outputLines.push(text);
        } else {
            this.outputDropped++;
        }
        this.outputTimer ??= setTimeout(() => this.flushOutput(), OUTPUT_EVERY_MS);
    }

    private flushOutput(): void {
        clearTimeout(this.outputTimer);
        this.outputTimer = undefined;
        if (this.outputLines.length > 0) {
            this.print(this.outputLines.join(''), 'stdout');
        }
        if (this.outputDropped > 0) {
            this.print(`… ${this.outputDropped} more trace lines not shown (the program is busy)\n`, 'console');
        }
        this.outputLines = [];
        this.outputDropped = 0;
    }

    private scheduleLive(): void {
        this.liveTimer ??= setTimeout(() => {
            this.liveTimer = undefined;
            const instances = [...(this.program?.instances.values() ?? [])].map((instance) => ({ threadId: this.idOf(instance), instance }));
            this.send(new Event('reactorFsm.live', attachedLiveBody(this.places, instances, Date.now() - this.started)));
        }, LIVE_EVERY_MS);
    }
}

function source(spot: SourceSpot): Source {
    return new Source(path.basename(spot.path), spot.path);
}
