// The explored global states and the moves between them, with what the findings need to know about each state.
import type { SourceSpot } from '../semantics/program.js';
import type { Move } from './world.js';

/** One top-level machine in one global state. */
export interface MachineAt {
    readonly finished: boolean;
    /** Its configuration, interned per machine (the same number for the same active states). */
    readonly config: number;
    /** The state it is in (the first active atomic state), for diagnostics. */
    readonly state: string;
    readonly spot: SourceSpot;
    /** It listens on a server socket (waiting for connections is its job). */
    readonly serving: boolean;
}

/** A live session whose peer has closed or whose peer machine has finished. */
export interface OrphanAt {
    readonly session: string;
    readonly state: string;
    readonly spot: SourceSpot;
    /** The wired peer's machine when it finished with the connection open; undefined when the peer closed it. */
    readonly finishedPeer: string | undefined;
}

/** A session in one global state (live sessions only). */
export interface SessionAt {
    readonly name: string;
    readonly state: string;
}

/** A server socket in one global state (a session machine's: the same server in every session, taken together). */
export interface ServerAt {
    readonly listening: boolean;
    readonly live: number;
    /** The first live session's state, where accumulated sessions sit. */
    readonly session: { readonly name: string; readonly state: string } | undefined;
}

export interface StateSummary {
    /** Top-level machines in program order. */
    readonly machines: readonly MachineAt[];
    readonly orphans: readonly OrphanAt[];
    /** Live sessions, in instance order. */
    readonly sessions: readonly SessionAt[];
    /** Server sockets, in the order of StateGraph.servers. */
    readonly servers: readonly ServerAt[];
    /** The instances and their states, for people: `EchoClient: Online`, `EchoSession#2: Open`. */
    readonly instances: readonly string[];
}

export interface StateNodeRecord {
    readonly parent: number;
    readonly move: Move | undefined;
    /** The guard values chosen in the move from the parent. */
    readonly choices: readonly boolean[];
    readonly lines: readonly string[];
    readonly depth: number;
    readonly summary: StateSummary;
    expanded: boolean;
    /** No move but signals is possible (set when expanded). */
    stuck: boolean;
    /** Stuck, and a signal can still be sent (some running machine binds one). */
    signalsLeft: boolean;
}

/** Edge classes: the system's own moves (what happens with the environment silent), the environment's, faults. */
export const EDGE_SYSTEM = 0;
export const EDGE_ENVIRONMENT = 1;
export const EDGE_FAULT = 2;

/** A move taken from `from` to `to` that a finding may be about (a fault, or a signal that went unheard). */
export interface MarkedEdge {
    readonly from: number;
    readonly to: number;
    readonly move: Move;
    readonly choices: readonly boolean[];
    readonly lines: readonly string[];
    /** The top-level machine the fault hit, or that did not handle the signal. */
    readonly machine: number;
    readonly event?: string;
}

/** A listen that failed because another server of the system held its address, and what came of it. */
export interface ClashEdge extends Omit<MarkedEdge, 'machine' | 'event'> {
    /** The server that could not listen (`Instance.socket`) and the one that held the address. */
    readonly server: string;
    readonly holder: string;
    /** The address, as written in the model. */
    readonly address: string;
    /** Where the server that could not listen is declared. */
    readonly spot: SourceSpot;
    /** The program's exit status after the failure (1 when no machine maps the error), if it exited. */
    readonly exitCode: number | undefined;
}

export class StateGraph {
    readonly states: StateNodeRecord[] = [];
    private readonly edgeFrom: number[] = [];
    private readonly edgeTo: number[] = [];
    private readonly edgeClass: number[] = [];
    readonly faults: MarkedEdge[] = [];
    readonly unheardSignals: MarkedEdge[] = [];
    readonly clashes: ClashEdge[] = [];
    private reverse: { start: Int32Array; from: Int32Array; classes: Uint8Array } | undefined;

    constructor(
        /** Top-level machine names, in program order. */
        readonly machines: readonly string[],
        /** Server sockets of top-level machines, then of session machines: `Machine.socket`. */
        readonly servers: readonly string[],
        /** Where each server socket is declared (its `listen` line), in the order of `servers`. */
        readonly serverSpots: readonly SourceSpot[]
    ) {}

    get edges(): number {
        return this.edgeFrom.length;
    }

    addEdge(from: number, to: number, edgeClass: number): void {
        this.edgeFrom.push(from);
        this.edgeTo.push(to);
        this.edgeClass.push(edgeClass);
        this.reverse = undefined;
    }

    /** The moves from the start to `state`, in order (each with its guard choices and scenario lines). */
    path(state: number): StateNodeRecord[] {
        const path: StateNodeRecord[] = [];
        for (let at = state; at > 0; at = this.states[at]!.parent) {
            path.push(this.states[at]!);
        }
        return path.reverse();
    }

    /**
     * The states from which some state where `target` holds can be reached using only edges whose class `allowed`
     * accepts. States not expanded (a bound stopped the search) count as reaching anything: findings stay sound.
     */
    canReach(target: (state: number) => boolean, allowed: (edgeClass: number) => boolean = () => true): Uint8Array {
        const reverse = this.reverseEdges();
        const reached = new Uint8Array(this.states.length);
        const queue: number[] = [];
        this.states.forEach((record, index) => {
            if (!record.expanded || target(index)) {
                reached[index] = 1;
                queue.push(index);
            }
        });
        for (let head = 0; head < queue.length; head++) {
            const to = queue[head]!;
            for (let edge = reverse.start[to]!; edge < reverse.start[to + 1]!; edge++) {
                const from = reverse.from[edge]!;
                if (!reached[from] && allowed(reverse.classes[edge]!)) {
                    reached[from] = 1;
                    queue.push(from);
                }
            }
        }
        return reached;
    }

    private reverseEdges(): { start: Int32Array; from: Int32Array; classes: Uint8Array } {
        if (this.reverse) {
            return this.reverse;
        }
        const count = this.states.length;
        const start = new Int32Array(count + 1);
        for (const to of this.edgeTo) {
            start[to + 1]!++;
        }
        for (let index = 0; index < count; index++) {
            start[index + 1]! += start[index]!;
        }
        const fill = start.slice(0, count);
        const from = new Int32Array(this.edgeFrom.length);
        const classes = new Uint8Array(this.edgeFrom.length);
        this.edgeTo.forEach((to, edge) => {
            const at = fill[to]!++;
            from[at] = this.edgeFrom[edge]!;
            classes[at] = this.edgeClass[edge]!;
        });
        this.reverse = { start, from, classes };
        return this.reverse;
    }
}
