// The search: breadth-first over the global states of a system (hashed, sessions merged by symmetry), or a seeded
// random walk for systems too big to finish. Deterministic: the same input gives the same states and traces.
import { seededRandom } from '../values/seeded-random.js';
import type { Instance, StreamSocket } from '../semantics/instance.js';
import type { ProgramSpec, SourceSpot } from '../semantics/program.js';
import { EDGE_ENVIRONMENT, EDGE_FAULT, EDGE_SYSTEM, StateGraph, type MachineAt, type OrphanAt, type ServerAt, type SessionAt, type StateSummary } from './state-graph.js';
import { instanceText } from './instance-text.js';
import { retainedHeap } from './retained-heap.js';
import { StateTable } from './state-code.js';
import { addressText, wire } from './wiring.js';
import { moveClass, RefusedMove, socketMark, SystemContext, World, type Move } from './world.js';
import { plural } from '../values/plural.js';

/** Distinct global states a search stores at most unless told otherwise: a few KB each, so about 1 GB at most. */
export const DEFAULT_MAX_STATES = 200_000;

/** Live sessions each server may have at once unless told otherwise. */
export const DEFAULT_SESSIONS = 2;

export interface ExploreOptions {
    /** Live sessions per server (default 2). */
    readonly sessions?: number;
    /** Stop after this many distinct global states (default DEFAULT_MAX_STATES). */
    readonly maxStates?: number;
    /** Do not expand states deeper than this many moves (default: no limit). */
    readonly maxDepth?: number;
    /** Stop after this much time, in milliseconds (default 60,000). */
    readonly maxMs?: number;
    /** Random walk: this many moves in total instead of an exhaustive search. */
    readonly randomWalk?: number;
    /** The random walk's seed (default 1). */
    readonly seed?: number;
    /**
     * Keep how long until each timer is due in the global state, not only the order they fire in: sound where the
     * gaps between timers matter, with many more states (default: the order only).
     */
    readonly exactTime?: boolean;
    /**
     * The network may also reset a wired connection (a client and the session its checked server runs), either end first:
     * a fault like the environment's resets, with many more states (default: only a wired connect can fail).
     */
    readonly networkFaults?: boolean;
    /**
     * Measure the heap each stored state keeps (ExploreStats.bytesPerState): a full garbage collection before and after
     * the search (outside its time), so only for a search whose memory is reported.
     */
    readonly measureMemory?: boolean;
    /** Asked now and then; true stops the search (a newer edit in the editor). */
    readonly cancelled?: () => boolean;
}

export interface ExploreStats {
    readonly states: number;
    readonly transitions: number;
    readonly ms: number;
    /** The search saw every reachable state (no bound, no cancellation, not a random walk). */
    readonly complete: boolean;
    /** Why the search stopped early, for people: `bound reached after 200000 states (--max-states 200000)`. */
    readonly bound: string | undefined;
    /** Bytes of heap per stored state (keys, records and edges), measured (ExploreOptions.measureMemory), else undefined. */
    readonly bytesPerState: number | undefined;
    /** Moves the interpreter refused (an explorer bug if ever non-zero), with the first reason. */
    readonly refused: number;
    readonly firstRefusal: string | undefined;
    readonly mode: 'exhaustive' | 'random-walk';
    /** Timers were kept by how long until they are due, not only by their order (ExploreOptions.exactTime). */
    readonly exactTime: boolean;
    /** The network reset wired connections too (ExploreOptions.networkFaults). */
    readonly networkFaults: boolean;
}

export interface Exploration {
    readonly context: SystemContext;
    readonly graph: StateGraph;
    readonly stats: ExploreStats;
}

function leafSpot(instance: Instance): SourceSpot {
    return instance.leaves[0]!.spec.spot;
}

/** What a state's summary says of one instance, kept on the instance while it is unchanged (Instance.summaryMemo). */
interface InstanceMemo {
    /** The summaries these are of (a search's). */
    readonly by: Summaries;
    /** As a top-level machine, when no listen has failed (which `serving` would then depend on). */
    machine: MachineAt | undefined;
    /** As a running session. */
    session: SessionAt | undefined;
    /** For people, when the program has not exited. */
    text: string | undefined;
}

class Summaries {
    private readonly configs: Array<Map<string, number>>;
    /** The graph's servers (`Machine.socket`), split. */
    private readonly servers: ReadonlyArray<{ readonly machine: string; readonly socket: string }>;

    constructor(private readonly graph: StateGraph) {
        this.configs = graph.machines.map(() => new Map<string, number>());
        this.servers = graph.servers.map((ref) => {
            const dot = ref.lastIndexOf('.');
            return { machine: ref.slice(0, dot), socket: ref.slice(dot + 1) };
        });
    }

    private memoOf(instance: Instance): InstanceMemo {
        const kept = instance.summaryMemo as InstanceMemo | undefined;
        if (kept?.by === this) {
            return kept;
        }
        const memo: InstanceMemo = { by: this, machine: undefined, session: undefined, text: undefined };
        instance.summaryMemo = memo;
        return memo;
    }

    private machineAt(world: World, instance: Instance, index: number): MachineAt {
        const stateName = instance.stateName;
        const state = instance.finished ? `${stateName} (finished)` : stateName;
        const configs = this.configs[index]!;
        let config = configs.get(state);
        if (config === undefined) {
            config = configs.size;
            configs.set(state, config);
        }
        let serving = false;
        for (const socket of instance.sockets.values()) {
            serving ||= socket.kind === 'server' && world.listening(instance, socket);
        }
        return { finished: instance.finished, config, state: stateName, spot: leafSpot(instance), serving };
    }

    of(world: World): StateSummary {
        const simulation = world.simulation;
        const marksListens = world.listenFailed.size > 0;
        const machines: MachineAt[] = [];
        for (let index = 0; index < this.graph.machines.length; index++) {
            const instance = simulation.instance(this.graph.machines[index]!)!;
            if (marksListens) {
                machines.push(this.machineAt(world, instance, index));
            } else {
                const memo = this.memoOf(instance);
                memo.machine ??= this.machineAt(world, instance, index);
                machines.push(memo.machine);
            }
        }
        const orphans: OrphanAt[] = [];
        const sessions: SessionAt[] = [];
        // A program that has ended (World.ended) has no sessions left: its process is gone.
        const exited = world.ended;
        for (const instance of simulation.instances) {
            if (exited || !instance.server || instance.finished) {
                continue;
            }
            const memo = this.memoOf(instance);
            memo.session ??= { name: instance.name, state: instance.stateName };
            sessions.push(memo.session);
            let connection: StreamSocket | undefined;
            for (const socket of instance.sockets.values()) {
                if (socket.kind === 'connection') {
                    connection = socket;
                    break;
                }
            }
            if (!connection) {
                continue;
            }
            const generation = connection.generation;
            const link = world.links.find((candidate) => candidate.session.instance === instance.name && candidate.session.generation === generation);
            const peerFinished = link !== undefined && !link.client.ended && simulation.instance(link.client.instance)?.finished === true;
            const peerClosed = link ? link.client.ended : world.envEnded.has(socketMark(instance.name, connection.spec.name, generation));
            if (peerClosed || peerFinished) {
                orphans.push({ session: instance.name, state: instance.stateName, spot: leafSpot(instance), finishedPeer: peerClosed ? undefined : link?.client.instance });
            }
        }
        const servers: ServerAt[] = this.servers.map((ref): ServerAt => {
            if (exited) {
                return { listening: false, live: 0, session: undefined };
            }
            const { listening, live, first } = world.serverAcross(ref.machine, ref.socket);
            return { listening, live, session: first ? { name: first.name, state: first.stateName } : undefined };
        });
        const instances: string[] = [];
        for (const instance of simulation.instances) {
            if (!instance.server || !instance.finished) {
                if (exited) {
                    instances.push(instanceText(instance, true));
                } else {
                    const memo = this.memoOf(instance);
                    memo.text ??= instanceText(instance, false);
                    instances.push(memo.text);
                }
            }
        }
        return { machines, orphans, sessions, servers, instances };
    }
}

function edgeClassOf(move: Move): number {
    const kind = moveClass(move);
    return kind === 'fault' ? EDGE_FAULT : kind === 'environment' ? EDGE_ENVIRONMENT : EDGE_SYSTEM;
}

/** The top-level machine (its index) a fault hits, if it hits one. */
function faultTarget(graph: StateGraph, world: World, move: Move): number {
    let instance: string | undefined;
    if (move.kind === 'connect-fault' || move.kind === 'env') {
        instance = move.instance;
    } else if (move.kind === 'deliver') {
        const link = world.links[move.link];
        instance = link && (move.to === 'client' ? link.client.instance : link.session.instance);
    }
    return instance === undefined ? -1 : graph.machines.indexOf(instance);
}

function isFault(world: World, move: Move): boolean {
    if (moveClass(move) === 'fault') {
        return true;
    }
    // A reset in flight on a wired link: the peer was destroyed.
    if (move.kind === 'deliver') {
        const link = world.links[move.link];
        const end = link && (move.to === 'client' ? link.client : link.session);
        return end?.inbox[0]?.kind === 'rst';
    }
    return false;
}

/**
 * Server sockets, `Machine.socket`, and where each is declared: those of top-level machines, then those of session
 * machines (a data port each session opens).
 */
function serverSockets(program: ProgramSpec): Array<{ ref: string; spot: SourceSpot }> {
    const topLevel = program.topLevel;
    const sessionMachines = [...program.machines.keys()].filter((name) => !topLevel.includes(name));
    return [...topLevel, ...sessionMachines].flatMap((name) =>
        program.machines
            .get(name)!
            .sockets.filter((socket) => socket.kind === 'server')
            .map((socket) => ({ ref: `${name}.${socket.name}`, spot: socket.spot }))
    );
}

/** What a `listen-clash` move is about: the server that cannot listen, the one holding its address, the address. */
function clashOf(world: World, move: Extract<Move, { kind: 'env' }>): { server: string; holder: string; address: string; spot: SourceSpot } | undefined {
    const socket = world.simulation.instance(move.instance)?.sockets.get(move.socket);
    const holder = world.clashHolder();
    return socket?.spec.address && holder ? { server: `${move.instance}.${move.socket}`, holder, address: addressText(socket.spec.address), spot: socket.spec.spot } : undefined;
}

interface Successor {
    readonly index: number;
    readonly world: World;
    /** The state was found by this move (its world is the one its trace leads to). */
    readonly fresh: boolean;
}

/** The states found so far, by key, and how to expand one. */
class Search {
    readonly graph: StateGraph;
    private readonly summaries: Summaries;
    /** The states found so far, by their keys (as numbers: state-code.ts). */
    private readonly table = new StateTable();
    refused = 0;
    firstRefusal: string | undefined;

    constructor(program: ProgramSpec) {
        const servers = serverSockets(program);
        this.graph = new StateGraph(
            program.topLevel,
            servers.map((server) => server.ref),
            servers.map((server) => server.spot)
        );
        this.summaries = new Summaries(this.graph);
    }

    /** The state's index: a new one (the number of states before) if it was not known. */
    add(world: World, parent: number, move: Move | undefined, choices: readonly boolean[], lines: readonly string[]): number {
        const existing = this.table.lookup(world);
        if (existing >= 0) {
            return existing;
        }
        const index = this.graph.states.length;
        this.table.keep(index);
        const depth = parent < 0 ? 0 : this.graph.states[parent]!.depth + 1;
        this.graph.states.push({ parent, move, choices, lines, depth, summary: this.summaries.of(world), expanded: false, stuck: false, signalsLeft: false });
        return index;
    }

    /**
     * Every move from `index` and each of its guard outcomes: each successor told to `found` (states and edges are
     * recorded once).
     */
    expand(index: number, world: World, found: (successor: number, world: World, fresh: boolean) => void): void {
        const graph = this.graph;
        const record = graph.states[index]!;
        const first = !record.expanded;
        const moves = world.moves();
        record.expanded = true;
        let stuck = true;
        for (const move of moves) {
            stuck &&= move.kind === 'signal';
        }
        record.stuck = stuck;
        record.signalsLeft = record.stuck && moves.length > 0;
        for (const move of moves) {
            let outcomes;
            try {
                outcomes = world.outcomes(move);
            } catch (error) {
                if (error instanceof RefusedMove) {
                    this.refused++;
                    this.firstRefusal ??= error.message;
                    continue;
                }
                throw error;
            }
            const fault = isFault(world, move);
            const target = fault ? faultTarget(graph, world, move) : -1;
            const clash = first && move.kind === 'env' && move.what === 'listen-clash' ? clashOf(world, move) : undefined;
            for (const outcome of outcomes) {
                const known = graph.states.length;
                const to = this.add(outcome.world, index, move, outcome.choices, outcome.lines);
                found(to, outcome.world, to >= known);
                if (!first) {
                    continue;
                }
                // A reset in flight is a fault for the machine it reaches, but its delivery is the system's doing: it
                // happens with the environment silent (edge classes are what silence may follow).
                graph.addEdge(index, to, edgeClassOf(move));
                if (!(fault && target >= 0) && !clash && move.kind !== 'signal') {
                    continue; // nothing to mark (most moves): no record made
                }
                const marked = { from: index, to, move, choices: outcome.choices, lines: outcome.lines };
                if (fault && target >= 0) {
                    graph.faults.push({ from: index, to, move, choices: outcome.choices, lines: outcome.lines, machine: target });
                }
                if (clash) {
                    graph.clashes.push({ ...marked, ...clash, exitCode: outcome.world.simulation.exitCode });
                }
                if (move.kind === 'signal') {
                    for (const unheard of outcome.unhandled) {
                        const machine = graph.machines.indexOf(unheard.machine);
                        const instance = world.simulation.instance(unheard.machine);
                        if (machine >= 0 && instance?.spec.signals.some((binding) => binding.signal === move.signal && binding.event === unheard.event)) {
                            graph.unheardSignals.push({ ...marked, machine, event: unheard.event });
                        }
                    }
                }
            }
        }
    }
}

/** Explores the system the program's top-level machines make. */
export function explore(program: ProgramSpec, options: ExploreOptions = {}): Exploration {
    const context = new SystemContext(program, wire(program), { sessions: options.sessions ?? DEFAULT_SESSIONS, exactTime: options.exactTime, networkFaults: options.networkFaults });
    const search = new Search(program);
    const graph = search.graph;
    const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
    const maxMs = options.maxMs ?? 60_000;
    const heapBefore = options.measureMemory ? retainedHeap() : 0;
    const started = performance.now();
    let bound: string | undefined;
    let asked = 0;
    /** The state bound, looked at before every expansion; the clock and the cancellation every 64 expansions. */
    const outOfBudget = (): boolean => {
        if (graph.states.length >= maxStates) {
            bound = `bound reached after ${plural(graph.states.length, 'state')} (--max-states ${maxStates})`;
        } else if ((asked++ & 63) !== 0) {
            return false;
        } else if (performance.now() - started > maxMs) {
            bound = `time bound reached after ${plural(graph.states.length, 'state')} (${Math.round(maxMs / 1000)} s)`;
        } else if (options.cancelled?.()) {
            bound = `cancelled after ${plural(graph.states.length, 'state')}`;
        }
        return bound !== undefined;
    };
    const start = World.start(context);
    search.add(start, -1, undefined, [], []);
    if (options.randomWalk !== undefined) {
        const seed = options.seed ?? 1;
        const next = seededRandom(seed).next;
        const MAX_WALK_DEPTH = 500;
        let at: Successor = { index: 0, world: start, fresh: true };
        let depth = 0;
        /**
         * The world of a state found before: the walk may reach it through another world with the same key, whose
         * instances can have other names (`Pipe#2` for `Pipe#1`); what is recorded from it must follow the stored
         * trace, so the world is the trace's, replayed (a few recently replayed ones kept).
         */
        const replayed = new Map<number, World>();
        const worldOf = (index: number): World => {
            let world = replayed.get(index);
            if (!world) {
                world = start;
                for (const record of graph.path(index)) {
                    world = world.replay(record.move!, record.choices).world;
                }
                if (replayed.size >= 1_024) {
                    replayed.clear();
                }
                replayed.set(index, world);
            }
            return world;
        };
        const successors: Successor[] = [];
        /** States found but perhaps not visited yet (a visited one is skipped when drawn): where a walk may start over. */
        const unvisited: number[] = [];
        const collect = (index: number, world: World, fresh: boolean): void => {
            successors.push({ index, world, fresh });
            if (fresh) {
                unvisited.push(index);
            }
        };
        /** Where a walk starts over: a state found but not visited yet, at random, else the start. */
        const restart = (): Successor => {
            while (unvisited.length > 0) {
                const at = Math.floor(next() * unvisited.length);
                const index = unvisited[at]!;
                unvisited[at] = unvisited[unvisited.length - 1]!;
                unvisited.pop();
                if (!graph.states[index]!.expanded) {
                    depth = graph.states[index]!.depth;
                    return { index, world: worldOf(index), fresh: false };
                }
            }
            depth = 0;
            return { index: 0, world: start, fresh: true };
        };
        for (let step = 0; step < options.randomWalk && !outOfBudget(); step++) {
            successors.length = 0;
            search.expand(at.index, at.world, collect);
            if (successors.length === 0 || graph.states[at.index]!.stuck || depth >= MAX_WALK_DEPTH) {
                at = restart();
                continue;
            }
            // States not visited yet first (any of them, at random), else any successor: the walk spreads instead of
            // retracing the few short paths most random choices take (a signal that ends everything, say).
            let notVisited = 0;
            for (const successor of successors) {
                if (!graph.states[successor.index]!.expanded) {
                    successors[notVisited++] = successor; // moved to the front (the rest is not read again)
                }
            }
            const chosen = successors[Math.floor(next() * (notVisited > 0 ? notVisited : successors.length))]!;
            at = chosen.fresh ? chosen : { index: chosen.index, world: worldOf(chosen.index), fresh: false };
            depth++;
        }
        bound ??= `random walk of ${options.randomWalk} steps (seed ${seed}): not every state was seen`;
        replayed.clear();
    } else {
        const frontier: Array<World | undefined> = [start];
        const indices: number[] = [0];
        let before = 0;
        /** A state found by the expansion under way is queued (once, with the world its trace leads to). */
        const queue = (index: number, world: World): void => {
            if (index >= before && indices[indices.length - 1]! < index) {
                frontier.push(world);
                indices.push(index);
            }
        };
        for (let head = 0; head < frontier.length; head++) {
            if (outOfBudget()) {
                break;
            }
            const index = indices[head]!;
            const world = frontier[head]!;
            frontier[head] = undefined; // expanded: let it go
            if (options.maxDepth !== undefined && graph.states[index]!.depth >= options.maxDepth) {
                bound ??= `depth bound ${options.maxDepth} reached (--max-depth)`;
                continue;
            }
            before = graph.states.length;
            search.expand(index, world, queue);
        }
        // The worlds still to expand (a bound was reached) are let go: what is measured is what the search keeps.
        frontier.length = 0;
    }
    const ms = performance.now() - started;
    const heapAfter = options.measureMemory ? retainedHeap() : 0;
    return {
        context,
        graph,
        stats: {
            states: graph.states.length,
            transitions: graph.edges,
            ms,
            complete: bound === undefined,
            bound,
            bytesPerState: options.measureMemory ? Math.max(0, Math.round((heapAfter - heapBefore) / graph.states.length)) : undefined,
            refused: search.refused,
            firstRefusal: search.firstRefusal,
            mode: options.randomWalk !== undefined ? 'random-walk' : 'exhaustive',
            exactTime: options.exactTime === true,
            networkFaults: options.networkFaults === true
        }
    };
}
