// One global state of a system: the interpreter's simulation of every machine, the wired links and what the
// environment has done; the moves possible from it and what each does (with the scenario lines that replay it).
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import type { Instance, ServerSocket, StreamSocket, VirtualTimer } from '../semantics/instance.js';
import { Simulation, SimulationError, type SimulationOptions, type SocketOccurrence } from '../semantics/interpreter.js';
import type { ProgramSpec } from '../semantics/program.js';
import { environmentMessage, externalEvents } from './environment.js';
import { bytesText, copyLink, type InFlight, type Link, type LinkEnd } from './links.js';
import type { SocketAddress } from '../values/addresses.js';
import { bindsOnceResolved, listensClash, type Wiring } from './wiring.js';
import { copyMap, copySet } from '../values/small-collections.js';

/** A move: something the system or its environment does next. */
export type Move =
    /** What is in flight on a link reaches one end (`to`). */
    | { readonly kind: 'deliver'; readonly link: number; readonly to: 'client' | 'session' }
    /** A wired client's connect reaches its server, which accepts it. */
    | { readonly kind: 'accept'; readonly client: string; readonly socket: string; readonly server: string; readonly listener: string }
    /** A connect fails: refused (the environment's fault) or timed out (the socket's connect timeout). */
    | { readonly kind: 'connect-fault'; readonly instance: string; readonly socket: string; readonly fault: 'refused' | 'timeout' }
    /**
     * An environment peer acts on a socket (or a server: `accept`, or `listen-error`, its address already in use; or a
     * process: `data`, `exit`, or `spawn-error`, it cannot start); or (`drained`) a socket that maps `drain` empties its
     * write buffer after a write; or (`listen-clash`) a server listens where another checked server already does, so
     * its listen fails (not a choice of the environment: it always happens, before anything else); or (`network-reset`,
     * with ExploreOptions.networkFaults) the network resets a wired connection at this socket's end first.
     */
    | { readonly kind: 'env'; readonly instance: string; readonly socket: string; readonly what: 'connected' | 'data' | 'closed' | 'reset' | 'accept' | 'exit' | 'drained' | 'listen-error' | 'spawn-error' | 'listen-clash' | 'network-reset' }
    | { readonly kind: 'signal'; readonly signal: string }
    /** An event of a machine's API that code outside the model sends. */
    | { readonly kind: 'send'; readonly instance: string; readonly event: string }
    /** The clock moves to the next armed timer (what is due then fires). */
    | { readonly kind: 'advance'; readonly ms: number };

/** What kind of thing a move is, for the findings: faults, the environment's own moves, or the system's own. */
export function moveClass(move: Move): 'fault' | 'environment' | 'system' {
    switch (move.kind) {
        case 'connect-fault':
            return 'fault';
        case 'env':
            // A write buffer drains by itself (the network takes the bytes), and a listen on a taken address fails: the
            // system's own doing.
            return move.what === 'reset' || move.what === 'network-reset' || move.what === 'listen-error' || move.what === 'spawn-error' ? 'fault' : move.what === 'drained' || move.what === 'listen-clash' ? 'system' : 'environment';
        case 'signal':
        case 'send':
            return 'environment';
        default:
            return 'system';
    }
}

export interface SystemOptions {
    /** Live sessions each server may have at once (more connects wait). */
    readonly sessions: number;
    /** Keep how long until each timer is due in the state key, not only their order (see state-key.ts). */
    readonly exactTime?: boolean;
    /** The network may reset a wired connection (see ExploreOptions.networkFaults). */
    readonly networkFaults?: boolean;
}

/** A user guard evaluated in a step: its name and the value the explorer chose. */
type Evaluation = readonly [string, boolean];

/** What a move did: the lines a scenario replays it with, the trace it produced (when recorded), and what it left unheard. */
export interface MoveOutcome {
    readonly world: World;
    /** The guard values chosen, in evaluation order (evaluations beyond them were false). */
    readonly choices: readonly boolean[];
    readonly lines: readonly string[];
    /** Events delivered in a state that does not handle them: `Machine` and event. */
    readonly unhandled: ReadonlyArray<{ readonly machine: string; readonly event: string }>;
    /** Guard evaluations beyond the choices given (each explored both ways by the caller). */
    readonly evaluations: number;
}

/** Fixed facts about a system, shared by every world of one exploration. */
export class SystemContext {
    /** External events of each top-level machine. */
    readonly external = new Map<string, string[]>();
    /** The signals worth sending, by the running machines that bind signals (World.signalMoves). */
    readonly signalsByRunning = new Map<string, readonly string[]>();
    /** Environment messages by `Machine.socket`. */
    private readonly messages = new Map<string, Buffer>();
    /** The world whose step runs now: the one set of simulation callbacks every world shares acts on it. */
    current: World | undefined;
    /** Those callbacks (made once: a copy per move would cost the search its speed), for the search. */
    callbacks: SimulationOptions | undefined;
    /** The same for worlds whose every trace line is recorded (a trace replayed). */
    recordingCallbacks: SimulationOptions | undefined;
    /** Some top-level machine has a server (whose listen may fail at the start). */
    readonly hasServers: boolean;
    /** Some machine has a process (whose spawn may fail). */
    readonly hasProcesses: boolean;
    /**
     * Two servers may want one address at once: two servers of the files on one port, or a server of a session machine
     * on a fixed port (every session listens there).
     */
    readonly listensMayClash: boolean;

    constructor(
        readonly program: ProgramSpec,
        readonly wiring: Wiring,
        readonly options: SystemOptions
    ) {
        this.hasServers = program.topLevel.some((name) => program.machines.get(name)!.sockets.some((socket) => socket.kind === 'server'));
        this.hasProcesses = [...program.machines.values()].some((machine) => machine.sockets.some((socket) => socket.kind === 'process'));
        const servers = [...program.machines.values()].flatMap((machine) =>
            machine.sockets.filter((socket) => socket.kind === 'server' && socket.address).map((socket) => ({ address: socket.address!, many: !program.topLevel.includes(machine.name) }))
        );
        this.listensMayClash = servers.some((server, index) => (server.many && listensClash(server.address, server.address)) || servers.slice(index + 1).some((other) => listensClash(server.address, other.address)));
        for (const name of program.topLevel) {
            this.external.set(name, externalEvents(program.machines.get(name)!));
        }
    }

    message(instance: Instance, socket: StreamSocket): Buffer {
        const key = `${instance.spec.name}.${socket.spec.name}`;
        let message = this.messages.get(key);
        if (!message) {
            message = environmentMessage(socket.spec);
            this.messages.set(key, message);
        }
        return message;
    }
}

const RECEIVING = new Set(['connected', 'closing']);

/** The error a listen fails with in the system check: the address is taken. */
const LISTEN_ERROR = 'EADDRINUSE';

/** The error a spawn fails with in the system check: the program is not there. */
const SPAWN_ERROR = 'ENOENT';

/** User guard evaluations in one move that are explored both ways; later ones are false. */
export const FREE_GUARDS = 6;

/** The guard choices of a move's first outcome: none (every user guard fails). */
const NO_CHOICES: readonly boolean[] = Object.freeze([]);

/** The unhandled events of a move that left none unheard (most). */
const NOTHING_UNHEARD: ReadonlyArray<{ readonly machine: string; readonly event: string }> = Object.freeze([]);

/** Thrown for a move the interpreter refuses: a bug of the explorer, counted and reported, never a finding. */
export class RefusedMove extends Error {}

/**
 * What a world marks on sockets and servers (`Instance.socket@generation`, or `Machine.socket` for servers): worlds
 * copied from one another share them until one changes them (few moves do), see World.ownMarks.
 */
interface Marks {
    /** Environment peers that have closed or reset. */
    readonly envEnded: Set<string>;
    /** Bytes a wired client wrote while connecting (each list is replaced, never changed, when bytes are added). */
    readonly early: Map<string, readonly Buffer[]>;
    /**
     * Sockets that map `drain` and were written since they last drained. Any write may be the one that fills the
     * buffer; its `drain` then comes later (a move).
     */
    readonly owesDrain: Set<string>;
    /**
     * Processes that have done something since they were spawned: a spawn fails at once or not at all, so only a
     * process not in here may still fail to start.
     */
    readonly spawnSettled: Set<string>;
    /**
     * Servers whose listen failed (`Machine.socket`): the interpreter keeps a server whose error the model maps as it
     * was, but no peer can connect to it any more, and it cannot fail again.
     */
    readonly listenFailed: Set<string>;
}

/** Marks read back (`Instance.socket@generation`), each parsed once: a search reads the same few after every step. */
const parsedMarks = new Map<string, { readonly instance: string; readonly socket: string; readonly generation: number }>();

function parseMark(key: string): { readonly instance: string; readonly socket: string; readonly generation: number } {
    let mark = parsedMarks.get(key);
    if (!mark) {
        const at = key.lastIndexOf('@');
        const dot = key.lastIndexOf('.', at);
        mark = { instance: key.slice(0, dot), socket: key.slice(dot + 1, at), generation: Number(key.slice(at + 1)) };
        if (parsedMarks.size >= 10_000) {
            parsedMarks.clear(); // bounded: names differ between programs
        }
        parsedMarks.set(key, mark);
    }
    return mark;
}

/** How the marks name a socket in one of its connections: `Instance.socket@generation` (keepMarks reads it back). */
export function socketMark(instance: string, socket: string, generation: number): string {
    return `${instance}.${socket}@${generation}`;
}

function copyMarks(marks: Marks): Marks {
    return { envEnded: copySet(marks.envEnded), early: copyMap(marks.early), owesDrain: copySet(marks.owesDrain), spawnSettled: copySet(marks.spawnSettled), listenFailed: copySet(marks.listenFailed) };
}

export class World {
    /** Whether each user guard evaluated in the next move holds, in evaluation order; evaluations beyond them fail. */
    private choices: readonly boolean[] = [];
    /** The guard evaluations of the current step (made on the first). */
    private evaluations: Evaluation[] | undefined;
    private evaluated = 0;
    /**
     * Something has happened since the start other than listens failing: servers listen for good. A listen fails at
     * once or not at all, so a listen error is only ever a first move.
     */
    settled = false;
    /** The scenario lines of the move being applied (see apply). */
    private lines: string[] | undefined;
    /** Events delivered in a state that does not handle them, in this world's move (made on the first). */
    private unheard: Array<{ machine: string; event: string }> | undefined;
    /** Bytes a session wrote before its link exists (while it is being accepted), by instance name. */
    private sessionEarly: Map<string, Buffer[]> | undefined;
    readonly simulation: Simulation;

    /** The marks are this world's own to change (else they are shared with a world copied from it, or its source). */
    private marksOwned: boolean;
    /** The links (the array and every link in it) are this world's own to change, likewise. */
    private linksOwned: boolean;

    private constructor(
        readonly context: SystemContext,
        simulation: Simulation | undefined,
        /** Told of every trace line of every step (a trace replayed), else undefined (the search: only what it needs). */
        private readonly recorder: ((line: TraceLine) => void) | undefined,
        /** Wired connections, in the order they were made (shared until changed: see linksOwned). */
        private linkList: Link[],
        private marks: Marks,
        owned: boolean
    ) {
        this.marksOwned = owned;
        this.linksOwned = owned;
        const options = World.callbacksOf(context, recorder !== undefined);
        this.simulation = simulation ? simulation.copy(options) : new Simulation(context.program, options);
    }

    /**
     * The program has ended: it stopped (`stop`: every top-level machine finished, every socket closes, the process
     * ends) or exited (a listen error no machine maps). Nothing happens any more, and its sessions are gone with it.
     */
    get ended(): boolean {
        return this.simulation.stopped || this.simulation.exitCode !== undefined;
    }

    /** Wired connections, in the order they were made. */
    get links(): readonly Link[] {
        return this.linkList;
    }

    /** Environment peers that have closed or reset: `Instance.socket@generation`. */
    get envEnded(): ReadonlySet<string> {
        return this.marks.envEnded;
    }

    /** Bytes a wired client wrote while connecting: `Instance.socket@generation`. */
    get early(): ReadonlyMap<string, readonly Buffer[]> {
        return this.marks.early;
    }

    /** Sockets that map `drain` and owe one (see Marks): `Instance.socket@generation`. */
    get owesDrain(): ReadonlySet<string> {
        return this.marks.owesDrain;
    }

    /** Processes that can no longer fail to start (see Marks): `Instance.socket@generation`. */
    get spawnSettled(): ReadonlySet<string> {
        return this.marks.spawnSettled;
    }

    /** Servers whose listen failed: `Machine.socket`. */
    get listenFailed(): ReadonlySet<string> {
        return this.marks.listenFailed;
    }

    /** The marks, this world's own to change (copied first if they are shared). */
    private ownMarks(): Marks {
        if (!this.marksOwned) {
            this.marks = copyMarks(this.marks);
            this.marksOwned = true;
        }
        return this.marks;
    }

    /** The links, this world's own to change (copied first if they are shared). */
    private ownLinks(): Link[] {
        if (!this.linksOwned) {
            this.linkList = this.linkList.map(copyLink);
            this.linksOwned = true;
        }
        return this.linkList;
    }

    /**
     * The simulation callbacks of a system: they act on the world whose step runs (`context.current`). While searching,
     * the interpreter makes only the trace lines the search reads (`unhandled`); a recorded replay gets them all.
     */
    private static callbacksOf(context: SystemContext, recording: boolean): SimulationOptions {
        const made = recording ? context.recordingCallbacks : context.callbacks;
        if (made) {
            return made; // every copy of a world asks: made once per context
        }
        const running = (): World => {
            if (!context.current) {
                throw new Error('internal: a simulation of the system check called back outside a step');
            }
            return context.current;
        };
        const make = (onlyUnhandled: boolean): SimulationOptions => ({
            keepTrace: false,
            onlyUnhandled,
            guard: (name: string, _instance: Instance, negated: boolean): boolean => running().guard(name, negated),
            onTrace: (line: TraceLine): void => running().heard(line),
            onWrite: (instance: Instance, socket: StreamSocket, bytes: Buffer): void => running().wrote(instance, socket, bytes)
        });
        if (recording) {
            context.recordingCallbacks ??= make(false);
            return context.recordingCallbacks;
        }
        context.callbacks ??= make(true);
        return context.callbacks;
    }

    /** The system at its start: every top-level machine started (user guards false, as a scenario starts them). */
    static start(context: SystemContext, record?: (line: TraceLine) => void): World {
        const world = new World(context, undefined, record, [], { envEnded: new Set(), early: new Map(), owesDrain: new Set(), spawnSettled: new Set(), listenFailed: new Set() }, true);
        // Without a server there is no listen to fail: the start is like any other state.
        world.settled = !context.hasServers;
        context.current = world;
        try {
            world.simulation.start();
        } finally {
            context.current = undefined;
        }
        world.sync();
        return world;
    }

    /** A copy to apply a move to: it shares this world's links and marks until it changes them (and so does this one). */
    private copy(): World {
        const world = new World(this.context, this.simulation, this.recorder, this.linkList, this.marks, false);
        this.marksOwned = false;
        this.linksOwned = false;
        world.settled = this.settled;
        return world;
    }

    // ---- the interpreter's callbacks ----------------------------------------------------------------------------

    /** A user guard's value (before `!`): the choice says whether the guard holds; without one it fails. */
    private guard(name: string, negated: boolean): boolean {
        const index = this.evaluated++;
        const holds = index < this.choices.length ? this.choices[index]! : false;
        const value = negated ? !holds : holds;
        (this.evaluations ??= []).push([name, value]);
        return value;
    }

    private heard(line: TraceLine): void {
        if (line.kind === 'unhandled') {
            (this.unheard ??= []).push({ machine: line.machine, event: line.event });
        }
        this.recorder?.(line);
    }

    private wrote(instance: Instance, socket: StreamSocket, bytes: Buffer): void {
        if (socket.spec.events.drain !== undefined) {
            const key = socketMark(instance.name, socket.spec.name, socket.generation);
            if (!this.marks.owesDrain.has(key)) {
                this.ownMarks().owesDrain.add(key);
            }
        }
        if (socket.kind === 'client') {
            const at = this.linkList.findIndex((candidate) => candidate.client.instance === instance.name && candidate.client.socket === socket.spec.name && candidate.client.generation === socket.generation);
            if (at >= 0) {
                if (!this.linkList[at]!.client.ended) {
                    this.ownLinks()[at]!.session.inbox.push({ kind: 'data', bytes });
                }
            } else if (socket.status === 'connecting' && this.context.wiring.clients.has(`${instance.name}.${socket.spec.name}`)) {
                const key = socketMark(instance.name, socket.spec.name, socket.generation);
                const early = this.ownMarks().early;
                early.set(key, [...(early.get(key) ?? []), bytes]);
            }
        } else if (socket.kind === 'connection') {
            const at = this.linkList.findIndex((candidate) => candidate.session.instance === instance.name && candidate.session.generation === socket.generation);
            if (at >= 0) {
                if (!this.linkList[at]!.session.ended) {
                    this.ownLinks()[at]!.client.inbox.push({ kind: 'data', bytes });
                }
            } else {
                this.sessionEarly ??= new Map<string, Buffer[]>();
                this.sessionEarly.set(instance.name, [...(this.sessionEarly.get(instance.name) ?? []), bytes]);
            }
        }
        // Bytes to an environment peer or a process: the environment reads them; they change nothing in the system.
    }

    // ---- moves --------------------------------------------------------------------------------------------------

    /** Every move possible now, in a fixed order (deterministic exploration). */
    moves(): Move[] {
        if (this.ended) {
            return [];
        }
        const simulation = this.simulation;
        const clash = this.context.listensMayClash ? this.listenClash() : undefined;
        if (clash) {
            return [clash]; // the listen fails before anything else happens
        }
        const moves: Move[] = [];
        const links = this.linkList;
        for (let index = 0; index < links.length; index++) {
            const link = links[index]!;
            if (link.session.inbox.length > 0 && this.receiving(link.session)) {
                moves.push({ kind: 'deliver', link: index, to: 'session' });
            }
            if (link.client.inbox.length > 0 && this.receiving(link.client)) {
                moves.push({ kind: 'deliver', link: index, to: 'client' });
            }
        }
        for (const instance of simulation.instances) {
            if (instance.finished) {
                continue;
            }
            for (const socket of instance.sockets.values()) {
                if (socket.kind === 'server') {
                    if (!this.listening(instance, socket)) {
                        continue;
                    }
                    if (!this.settled) {
                        moves.push({ kind: 'env', instance: instance.name, socket: socket.spec.name, what: 'listen-error' });
                    }
                    if (!this.context.wiring.wiredServers.has(`${instance.name}.${socket.spec.name}`) && this.liveSessions(instance, socket) < this.context.options.sessions) {
                        moves.push({ kind: 'env', instance: instance.name, socket: socket.spec.name, what: 'accept' });
                    }
                    continue;
                }
                this.socketMoves(instance, socket, moves);
            }
        }
        for (const signal of this.signalMoves()) {
            moves.push({ kind: 'signal', signal });
        }
        for (const instance of simulation.instances) {
            if (!instance.server && !instance.finished) {
                for (const event of this.context.external.get(instance.spec.name) ?? []) {
                    moves.push({ kind: 'send', instance: instance.name, event });
                }
            }
        }
        const next = this.nextTimer();
        if (next) {
            moves.push({ kind: 'advance', ms: next.due - simulation.now });
        }
        return moves;
    }

    /**
     * The signals worth sending. Signals every running machine maps to the same events do the same: one of them stands
     * for all (SIGINT and SIGTERM both -> Shutdown: only SIGINT is explored). Worked out once per set of running
     * machines that bind signals.
     */
    private signalMoves(): readonly string[] {
        let running = '';
        for (const instance of this.simulation.instances) {
            if (!instance.finished && instance.spec.signals.length > 0) {
                running += `${instance.name}\n`;
            }
        }
        const known = this.context.signalsByRunning.get(running);
        if (known) {
            return known;
        }
        const signals = new Map<string, string[]>();
        for (const instance of this.simulation.instances) {
            if (!instance.finished) {
                for (const binding of instance.spec.signals) {
                    signals.set(binding.signal, [...(signals.get(binding.signal) ?? []), `${instance.name}:${binding.event}`]);
                }
            }
        }
        const effects = new Set<string>();
        const chosen: string[] = [];
        for (const signal of [...signals.keys()].sort()) {
            const effect = signals.get(signal)!.join(',');
            if (!effects.has(effect)) {
                effects.add(effect);
                chosen.push(signal);
            }
        }
        this.context.signalsByRunning.set(running, chosen);
        return chosen;
    }

    private socketMoves(instance: Instance, socket: StreamSocket, moves: Move[]): void {
        const name = instance.name;
        const at = socket.spec.name;
        if (this.owesDrain.size > 0 && socket.status === 'connected' && this.owesDrain.has(socketMark(instance.name, socket.spec.name, socket.generation))) {
            moves.push({ kind: 'env', instance: name, socket: at, what: 'drained' });
        }
        if (socket.kind === 'process') {
            if (RECEIVING.has(socket.status) && !this.spawnSettled.has(socketMark(instance.name, socket.spec.name, socket.generation))) {
                moves.push({ kind: 'env', instance: name, socket: at, what: 'spawn-error' });
            }
            if (RECEIVING.has(socket.status) && !socket.held.some((held) => held.what === 'exit')) {
                if (socket.held.length === 0) {
                    moves.push({ kind: 'env', instance: name, socket: at, what: 'data' });
                }
                moves.push({ kind: 'env', instance: name, socket: at, what: 'exit' });
            }
            return;
        }
        const server = socket.kind === 'client' && !instance.server ? this.context.wiring.clients.get(`${instance.name}.${socket.spec.name}`) : undefined;
        if (socket.status === 'connecting') {
            if (server) {
                const owner = this.simulation.instance(server.machine);
                const listener = owner?.sockets.get(server.socket);
                if (owner && !owner.finished && listener?.kind === 'server' && this.listening(owner, listener) && listener.sessions.length < this.context.options.sessions) {
                    moves.push({ kind: 'accept', client: instance.name, socket: socket.spec.name, server: server.machine, listener: server.socket });
                }
            } else {
                moves.push({ kind: 'env', instance: name, socket: at, what: 'connected' });
            }
            moves.push({ kind: 'connect-fault', instance: name, socket: at, fault: 'refused' });
            // A connect times out when its timer is the next one due: the timers due before it fire first (`advance`),
            // with the environment free to act between them.
            if (socket.spec.connectTimeoutMs !== undefined && socket.connectTimer !== undefined && this.nextTimer() === socket.connectTimer) {
                moves.push({ kind: 'connect-fault', instance: name, socket: at, fault: 'timeout' });
            }
            return;
        }
        if (!RECEIVING.has(socket.status)) {
            return;
        }
        const linkAt = this.linkAt(instance, socket);
        if (linkAt >= 0) {
            const link = this.linkList[linkAt]!;
            // A wired connection: the peer is a checked machine, but the network between them may reset it (when asked),
            // while both ends are open and this one reads (a paused socket would hold the reset while its peer goes on).
            if (this.context.options.networkFaults === true && !link.client.ended && !link.session.ended && !socket.paused && socket.held.length === 0) {
                moves.push({ kind: 'env', instance: name, socket: at, what: 'network-reset' });
            }
            return;
        }
        if (this.envEnded.has(socketMark(instance.name, socket.spec.name, socket.generation))) {
            return;
        }
        // An environment peer: a message (one at a time while reading is paused), its FIN, or a reset.
        if (socket.held.length === 0) {
            moves.push({ kind: 'env', instance: name, socket: at, what: 'data' });
        }
        if (!socket.held.some((held) => held.what !== 'data')) {
            moves.push({ kind: 'env', instance: name, socket: at, what: 'closed' });
            moves.push({ kind: 'env', instance: name, socket: at, what: 'reset' });
        }
    }

    /**
     * Whether a timer can change what happens next. One of a finished machine changes nothing but its own sockets, which
     * no move looks at, unless a wired link ends there (its linger's end reaches the peer): such a timer is left out of
     * the key and is no reason to advance the clock (the clock passes it on the way to the next one that matters).
     */
    timerMatters(timer: VirtualTimer): boolean {
        const owner = timer.owner;
        if (this.simulation.instance(owner)?.finished !== true) {
            return true;
        }
        for (const link of this.linkList) {
            if (link.client.instance === owner || link.session.instance === owner) {
                return true;
            }
        }
        return false;
    }

    /** The next timer due that matters, if any. */
    private nextTimer(): VirtualTimer | undefined {
        return this.simulation.nextTimer((timer) => this.timerMatters(timer));
    }

    /**
     * A server that listens where another listening server already does (`0.0.0.0:7000` twice, or a server of a session
     * machine on a fixed port in a second session): its listen fails (EADDRINUSE), as the next move, the only one.
     */
    private listenClash(): Move | undefined {
        const clash = this.findClash();
        return clash && { kind: 'env', instance: clash.instance.name, socket: clash.socket.spec.name, what: 'listen-clash' };
    }

    /**
     * The first listening server (in the order they bound their addresses) whose address an earlier one holds, and
     * that one. Servers bind in the order they start listening: every top-level machine at the start, each session
     * when it is accepted; within one of those steps, a server on an IP address binds at once and one on a host name
     * (`localhost`) only once the name is resolved, so after them.
     */
    private findClash(): { instance: Instance; socket: ServerSocket; holder: string } | undefined {
        const held: Array<{ address: SocketAddress; holder: string }> = [];
        const bind = (instances: readonly Instance[]): { instance: Instance; socket: ServerSocket; holder: string } | undefined => {
            for (const named of [false, true]) {
                for (const instance of instances) {
                    for (const socket of instance.sockets.values()) {
                        const address = socket.spec.address;
                        if (socket.kind !== 'server' || !address || bindsOnceResolved(address) !== named || !this.listening(instance, socket)) {
                            continue;
                        }
                        const holder = held.find((other) => listensClash(other.address, address));
                        if (holder) {
                            return { instance, socket, holder: holder.holder };
                        }
                        held.push({ address, holder: `${instance.name}.${socket.spec.name}` });
                    }
                }
            }
            return undefined;
        };
        const instances = this.simulation.instances;
        const clash = bind(instances.filter((instance) => !instance.server));
        if (clash) {
            return clash;
        }
        for (const instance of instances) {
            const found = instance.server ? bind([instance]) : undefined;
            if (found) {
                return found;
            }
        }
        return undefined;
    }

    /** The server that holds the address of the server a `listen-clash` move makes fail (`Instance.socket`). */
    clashHolder(): string | undefined {
        return this.findClash()?.holder;
    }

    /**
     * Live sessions of a server: its own; for a server of a session machine, those of that server in every session
     * (so that sessions of sessions stay bounded).
     */
    private liveSessions(instance: Instance, server: ServerSocket): number {
        return instance.server ? this.serverAcross(instance.spec.name, server.spec.name).live : server.sessions.length;
    }

    /** A server of `instance` peers can connect to: listening, and its listen did not fail. */
    listening(instance: Instance, server: ServerSocket): boolean {
        return server.status === 'listening' && (this.listenFailed.size === 0 || !this.listenFailed.has(`${instance.name}.${server.spec.name}`));
    }

    /**
     * A server socket (`machine`.`socket`) over the instances that run `machine`: one for a top-level machine, every
     * session for a session machine's (its sessions are bounded over all of them): whether one listens, how many
     * sessions live, and the first of them.
     */
    serverAcross(machine: string, socket: string): { listening: boolean; live: number; first: Instance | undefined } {
        let listening = false;
        let live = 0;
        let first: Instance | undefined;
        for (const instance of this.simulation.instances) {
            const server = instance.spec.name === machine ? instance.sockets.get(socket) : undefined;
            if (server?.kind !== 'server') {
                continue;
            }
            listening ||= this.listening(instance, server) && !instance.finished;
            live += server.sessions.length;
            const session = server.sessions[0];
            first ??= session === undefined ? undefined : this.simulation.instance(session);
        }
        return { listening, live, first };
    }

    /** The index of the wired link `socket` (in its current connection) is an end of, or -1. */
    private linkAt(instance: Instance, socket: StreamSocket): number {
        const links = this.linkList;
        for (let index = 0; index < links.length; index++) {
            const link = links[index]!;
            if (isEndOf(link.client, instance, socket) || isEndOf(link.session, instance, socket)) {
                return index;
            }
        }
        return -1;
    }

    /**
     * The network resets a wired connection at `socket`'s end: what was on its way to that end is lost, the end sends
     * nothing more, and the other end gets the reset after what is already on its way to it.
     */
    private resetLink(instance: Instance, socket: StreamSocket): void {
        const at = this.linkAt(instance, socket);
        if (at < 0) {
            throw new RefusedMove(`${instance.name}.${socket.spec.name} is on no wired link`);
        }
        const link = this.ownLinks()[at]!;
        const atClient = isEndOf(link.client, instance, socket);
        const end = atClient ? link.client : link.session;
        end.inbox.length = 0;
        end.ended = true;
        (atClient ? link.session : link.client).inbox.push({ kind: 'rst' });
    }

    /**
     * Every outcome of `move`: one per combination of user guard outcomes it evaluates (failing first). The first
     * FREE_GUARDS evaluations of a move are free choices; later guards fail (so a guarded `raise` loop ends).
     */
    outcomes(move: Move): MoveOutcome[] {
        const first = this.copy().apply(move, NO_CHOICES);
        if (first.evaluations === 0) {
            return [first]; // most moves evaluate no user guard
        }
        const outcomes: MoveOutcome[] = [first];
        const pending: boolean[][] = [];
        for (let index = 0; index < Math.min(first.evaluations, FREE_GUARDS); index++) {
            pending.push([...new Array<boolean>(index).fill(false), true]);
        }
        while (pending.length > 0) {
            const choices = pending.shift()!;
            const outcome = this.copy().apply(move, choices);
            outcomes.push(outcome);
            for (let index = choices.length; index < Math.min(outcome.evaluations, FREE_GUARDS); index++) {
                pending.push([...choices, ...new Array<boolean>(index - choices.length).fill(false), true]);
            }
        }
        return outcomes;
    }

    /** The outcome of `move` with the given guard choices (a trace's step, replayed). */
    replay(move: Move, choices: readonly boolean[]): MoveOutcome {
        return this.copy().apply(move, choices);
    }

    /** Runs `move` on this world (a fresh copy) with the given guard choices. */
    private apply(move: Move, choices: readonly boolean[]): MoveOutcome {
        this.choices = choices;
        this.evaluated = 0;
        this.settled ||= move.kind !== 'env' || (move.what !== 'listen-error' && move.what !== 'listen-clash');
        if (this.context.hasProcesses && (move.kind !== 'env' || move.what !== 'spawn-error')) {
            this.settleSpawns(move);
        }
        // A world is applied once, right after it was copied: its sessionEarly and unheard are still empty.
        const lines: string[] = [];
        this.lines = lines;
        const simulation = this.simulation;
        switch (move.kind) {
            case 'deliver': {
                const link = this.ownLinks()[move.link]!;
                const end = move.to === 'client' ? link.client : link.session;
                const item = end.inbox.shift()!;
                if (item.kind === 'fin') {
                    end.gotFin = true;
                }
                this.socketStep(end.instance, end.socket, occurrence(item), item.kind === 'data' ? `data ${bytesText(item.bytes)}` : item.kind === 'fin' ? 'closed' : 'reset');
                break;
            }
            case 'accept':
                this.accept(move);
                break;
            case 'connect-fault':
                this.socketStep(move.instance, move.socket, { what: move.fault }, move.fault);
                break;
            case 'env':
                this.environment(move);
                break;
            case 'signal':
                this.step(`signal ${move.signal}`, () => simulation.signal(move.signal));
                break;
            case 'send':
                this.step(`${move.instance} send ${move.event}`, () => simulation.send(this.instance(move.instance), move.event));
                break;
            case 'advance':
                this.step(`advance ${move.ms}ms`, () => simulation.advance(move.ms));
                break;
        }
        return { world: this, choices, lines, unhandled: this.unheard ?? NOTHING_UNHEARD, evaluations: this.evaluated };
    }

    /** One step of the interpreter (`body`), as the scenario line `line`, then the links and sessions kept in step. */
    private step(line: string, body: () => void): void {
        this.beginStep();
        try {
            body();
        } catch (error) {
            throw refusal(line, error);
        } finally {
            this.context.current = undefined;
        }
        this.endStep(line);
    }

    /** A socket's occurrence as one step (`step` without a closure: most moves are these). */
    private socketStep(instance: string, socket: string, occurrence: SocketOccurrence, text: string): void {
        const line = `${instance}.${socket} ${text}`;
        this.beginStep();
        try {
            this.simulation.socket(this.instance(instance), socket, occurrence);
        } catch (error) {
            throw refusal(line, error);
        } finally {
            this.context.current = undefined;
        }
        this.endStep(line);
    }

    private beginStep(): void {
        if (this.evaluations) {
            this.evaluations.length = 0;
        }
        this.context.current = this;
    }

    private endStep(line: string): void {
        const lines = this.lines!;
        if (this.evaluations && this.evaluations.length > 0) {
            lines.push(...guardLines(this.evaluations));
        }
        lines.push(line);
        this.sync();
        this.simulation.forgetFinishedSessions();
    }

    private accept(move: Extract<Move, { kind: 'accept' }>): void {
        const server = this.instance(move.server);
        const listener = server.sockets.get(move.listener);
        if (listener?.kind !== 'server') {
            throw new RefusedMove(`${move.server}.${move.listener} is not a server`);
        }
        const before = new Set(this.simulation.instances.map((instance) => instance.name));
        this.socketStep(move.server, move.listener, { what: 'accept' }, 'accept');
        const session = this.simulation.instances.find((instance) => instance.server?.instance === move.server && instance.server.socket === move.listener && !before.has(instance.name));
        const client = this.instance(move.client).stream(move.socket);
        const connection = session && [...session.sockets.values()].find((socket) => socket.kind === 'connection');
        if (!session || !connection || connection.kind === 'server') {
            throw new RefusedMove(`${move.server}.${move.listener} accepted no session`);
        }
        const earlyKey = socketMark(move.client, move.socket, client.generation);
        const end = (instance: string, socket: string, generation: number, inbox: InFlight[]): LinkEnd => ({ instance, socket, generation, ended: false, gotFin: false, inbox });
        const toSession = (this.marks.early.get(earlyKey) ?? []).map((bytes): InFlight => ({ kind: 'data', bytes }));
        const toClient = (this.sessionEarly?.get(session.name) ?? []).map((bytes): InFlight => ({ kind: 'data', bytes }));
        if (this.marks.early.has(earlyKey)) {
            this.ownMarks().early.delete(earlyKey);
        }
        this.ownLinks().push({ client: end(move.client, move.socket, client.generation, toClient), session: end(session.name, connection.spec.name, connection.generation, toSession) });
        this.socketStep(move.client, move.socket, { what: 'connected' }, 'connected');
    }

    private environment(move: Extract<Move, { kind: 'env' }>): void {
        const instance = this.instance(move.instance);
        switch (move.what) {
            case 'data': {
                const socket = instance.stream(move.socket);
                const message = this.context.message(instance, socket);
                this.socketStep(move.instance, move.socket, { what: 'data', data: message }, `${socket.kind === 'process' ? 'stdout' : 'data'} ${bytesText(message)}`);
                return;
            }
            case 'closed':
            case 'reset': {
                const socket = instance.stream(move.socket);
                this.ownMarks().envEnded.add(socketMark(move.instance, move.socket, socket.generation));
                this.socketStep(move.instance, move.socket, { what: move.what }, move.what);
                return;
            }
            case 'network-reset': {
                // To the machine (and in the scenario that replays it) a reset like any other.
                this.resetLink(instance, instance.stream(move.socket));
                this.socketStep(move.instance, move.socket, { what: 'reset' }, 'reset');
                return;
            }
            case 'exit':
                this.socketStep(move.instance, move.socket, { what: 'exit', status: 0 }, 'exit 0');
                return;
            case 'spawn-error':
                this.socketStep(move.instance, move.socket, { what: 'error', code: SPAWN_ERROR }, `error ${SPAWN_ERROR}`);
                return;
            case 'listen-error':
            case 'listen-clash':
                this.ownMarks().listenFailed.add(`${move.instance}.${move.socket}`);
                this.socketStep(move.instance, move.socket, { what: 'error', code: LISTEN_ERROR }, `error ${LISTEN_ERROR}`);
                return;
            case 'drained': {
                const socket = instance.stream(move.socket);
                this.ownMarks().owesDrain.delete(socketMark(move.instance, move.socket, socket.generation));
                this.socketStep(move.instance, move.socket, { what: 'drained' }, 'drained');
                return;
            }
            case 'accept':
            case 'connected':
                this.socketStep(move.instance, move.socket, { what: move.what }, move.what);
                return;
        }
    }

    /**
     * Something happens to the instances a move is about (every instance, when time passes or a signal comes): the
     * processes they had spawned before it started for good (a process the move spawns may still fail).
     */
    private settleSpawns(move: Move): void {
        let about: readonly string[] | undefined;
        if (move.kind === 'deliver') {
            const link = this.links[move.link];
            about = link ? [move.to === 'client' ? link.client.instance : link.session.instance] : [];
        } else if (move.kind === 'accept') {
            about = [move.client, move.server];
        } else if ((move.kind === 'connect-fault' && move.fault === 'refused') || move.kind === 'env' || move.kind === 'send') {
            about = [move.instance];
        }
        // A connect timeout, like `advance`, lets time pass for every machine: `about` stays undefined.
        for (const instance of this.simulation.instances) {
            if (about !== undefined && !about.includes(instance.name)) {
                continue;
            }
            for (const socket of instance.sockets.values()) {
                if (socket.kind === 'process' && RECEIVING.has(socket.status)) {
                    const key = socketMark(instance.name, socket.spec.name, socket.generation);
                    if (!this.marks.spawnSettled.has(key)) {
                        this.ownMarks().spawnSettled.add(key);
                    }
                }
            }
        }
    }

    instance(name: string): Instance {
        const instance = this.simulation.instance(name);
        if (!instance) {
            throw new RefusedMove(`no instance ${name}`);
        }
        return instance;
    }

    // ---- keeping links in step with the sockets -------------------------------------------------------------------

    /** After each step: ends that closed send their FIN or RST, what travels to a gone end is dropped, done links go. */
    private sync(): void {
        // Most steps change no link: then the links stay shared with the world this one was copied from.
        let changes = false;
        for (const link of this.linkList) {
            if (this.endChanges(link.client) || this.endChanges(link.session) || done(link)) {
                changes = true;
                break;
            }
        }
        if (changes) {
            const links = this.ownLinks();
            for (const link of links) {
                this.endIfClosed(link.client, link.session);
                this.endIfClosed(link.session, link.client);
            }
            for (const link of links) {
                if (this.gone(link.client)) {
                    link.client.inbox.length = 0;
                }
                if (this.gone(link.session)) {
                    link.session.inbox.length = 0;
                }
            }
            this.linkList = links.filter((link) => !done(link));
        }
        // Marks on a socket hold for one connection (its generation) and while the socket is as they need it.
        const marks = this.marks;
        if (marks.early.size > 0) {
            this.keepMarks('early', isConnecting);
        }
        if (marks.spawnSettled.size > 0) {
            this.keepMarks('spawnSettled', isReceiving);
        }
        // A write while connecting is buffered and may drain once connected; after the machine's own close (its end
        // sent), a close, or a new connection, no drain comes.
        if (marks.owesDrain.size > 0) {
            this.keepMarks('owesDrain', isConnectingOrConnected);
        }
        if (this.marks.listenFailed.size > 0) {
            for (const key of [...this.marks.listenFailed]) {
                const dot = key.lastIndexOf('.');
                const server = this.simulation.instance(key.slice(0, dot))?.sockets.get(key.slice(dot + 1));
                if (server?.kind !== 'server' || server.status !== 'listening') {
                    this.ownMarks().listenFailed.delete(key); // closed: a later listen starts afresh
                }
            }
        }
        if (this.marks.envEnded.size > 0) {
            this.keepMarks('envEnded', isNotClosed);
        }
    }

    /** What travels to an end that is gone is lost (a connecting end receives once connected). */
    private gone(end: LinkEnd): boolean {
        return end.inbox.length > 0 && goneWith(this.socketOf(end));
    }

    /** Whether sync has something to do at `end`: what `ending` or `gone` say, with one look at its socket. */
    private endChanges(end: LinkEnd): boolean {
        if (!end.ended || end.inbox.length > 0) {
            const socket = this.socketOf(end);
            return endingWith(end, socket) !== undefined || (end.inbox.length > 0 && goneWith(socket));
        }
        return false;
    }

    /** Drops the marks (`Instance.socket@generation`) whose socket is gone, replaced by a newer connection, or not `still`. */
    private keepMarks(which: 'early' | 'spawnSettled' | 'owesDrain' | 'envEnded', still: (socket: StreamSocket) => boolean): void {
        for (const key of [...this.marks[which].keys()]) {
            const mark = parseMark(key);
            const socket = this.simulation.instance(mark.instance)?.sockets.get(mark.socket);
            if (!socket || socket.kind === 'server' || socket.generation !== mark.generation || !still(socket)) {
                this.ownMarks()[which].delete(key);
            }
        }
    }

    private socketOf(end: LinkEnd): StreamSocket | undefined {
        const socket = this.simulation.instance(end.instance)?.sockets.get(end.socket);
        return socket && socket.kind !== 'server' && socket.generation === end.generation ? socket : undefined;
    }

    private receiving(end: LinkEnd): boolean {
        const socket = this.socketOf(end);
        return socket !== undefined && RECEIVING.has(socket.status);
    }

    /** An end whose socket has just closed sends its peer what `ending` says. */
    private endIfClosed(end: LinkEnd, other: LinkEnd): void {
        const sent = this.ending(end);
        if (sent !== undefined) {
            end.ended = true;
            other.inbox.push({ kind: sent });
        }
    }

    /** What an end that has just closed sends its peer (see endingWith), if it has. */
    private ending(end: LinkEnd): 'fin' | 'rst' | undefined {
        return end.ended ? undefined : endingWith(end, this.socketOf(end));
    }
}

/** What an end whose socket (in its connection) is `socket` sends its peer now: it is gone, closing or closed. */
function endingWith(end: LinkEnd, socket: StreamSocket | undefined): 'fin' | 'rst' | undefined {
    if (end.ended) {
        return undefined;
    }
    if (!socket) {
        return 'rst';
    }
    if (socket.status === 'closing') {
        return 'fin';
    }
    if (socket.status === 'closed') {
        // Node ends its side when the peer's FIN arrives (a graceful close); any other close destroys the socket.
        return end.gotFin ? 'fin' : 'rst';
    }
    return undefined;
}

/** An end whose socket (in its connection) is `socket` is gone: what travels to it is lost. */
function goneWith(socket: StreamSocket | undefined): boolean {
    return !socket || socket.status === 'closed';
}

/** What a step the interpreter refused throws: a RefusedMove naming the step (anything else is a bug, thrown on). */
function refusal(line: string, error: unknown): unknown {
    return error instanceof SimulationError ? new RefusedMove(`${line}: ${error.message}`) : error;
}

/** A link is done once both ends have ended and nothing is in flight. */
function done(link: Link): boolean {
    return link.client.ended && link.session.ended && link.client.inbox.length === 0 && link.session.inbox.length === 0;
}

/** Whether `end` is `socket` of `instance` in its current connection. */
function isEndOf(end: LinkEnd, instance: Instance, socket: StreamSocket): boolean {
    return end.instance === instance.name && end.socket === socket.spec.name && end.generation === socket.generation;
}

const isConnecting = (socket: StreamSocket): boolean => socket.status === 'connecting';
const isReceiving = (socket: StreamSocket): boolean => RECEIVING.has(socket.status);
const isConnectingOrConnected = (socket: StreamSocket): boolean => socket.status === 'connecting' || socket.status === 'connected';
const isNotClosed = (socket: StreamSocket): boolean => socket.status !== 'closed';

function occurrence(item: InFlight): SocketOccurrence {
    return item.kind === 'data' ? { what: 'data', data: item.bytes } : { what: item.kind === 'fin' ? 'closed' : 'reset' };
}

/** `guard NAME v1 v2 …` lines that give a step's guard evaluations, in order, when a scenario replays it. */
function guardLines(evaluations: readonly Evaluation[]): string[] {
    const byName = new Map<string, boolean[]>();
    for (const [name, value] of evaluations) {
        byName.set(name, [...(byName.get(name) ?? []), value]);
    }
    return [...byName].map(([name, values]) => `guard ${name} ${values.join(' ')}`);
}

