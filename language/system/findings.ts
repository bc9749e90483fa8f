// What the explored graph says is wrong between machines: the finding codes (SYSTEM-CHECK.md's five, and address-in-use), each once per
// place in the source, with the shortest trace that leads there.
import type { SourceSpot } from '../semantics/program.js';
import { EDGE_SYSTEM, type MarkedEdge, type StateGraph, type StateNodeRecord } from './state-graph.js';
import type { Move } from './world.js';

export type FindingCode = 'system-deadlock' | 'orphan-session' | 'stuck-after-fault' | 'lost-signal' | 'unbounded-sessions' | 'address-in-use';

export const FINDING_CODES: readonly FindingCode[] = ['system-deadlock', 'orphan-session', 'stuck-after-fault', 'lost-signal', 'unbounded-sessions', 'address-in-use'];

/** One move of a finding's trace: what happened and the scenario lines that replay it. */
export interface TraceStep {
    readonly move: Move;
    readonly choices: readonly boolean[];
    readonly lines: readonly string[];
}

export interface Finding {
    readonly code: FindingCode;
    readonly severity: 'error' | 'warning';
    /** Where the step that goes wrong is written. */
    readonly spot: SourceSpot;
    readonly message: string;
    /** The instance the finding is about (`EchoClient`, `EchoSession#2`). */
    readonly subject: string;
    /** The shortest sequence of moves from the start that shows it. */
    readonly steps: readonly TraceStep[];
    /** The instances and their states at the end of the trace. */
    readonly machines: readonly string[];
}

function steps(graph: StateGraph, state: number, edge?: Pick<MarkedEdge, 'move' | 'choices' | 'lines'>): TraceStep[] {
    const path: TraceStep[] = graph.path(state).map((record: StateNodeRecord) => ({ move: record.move!, choices: record.choices, lines: record.lines }));
    if (edge) {
        path.push({ move: edge.move, choices: edge.choices, lines: edge.lines });
    }
    return path;
}

/** Keeps the first finding per code and place: with states in breadth-first order, the one with the shortest trace. */
class FindingSet<F extends Finding = Finding> {
    private readonly byPlace = new Map<string, F>();

    /** `place`: where the finding is, when that is finer than its line (see stuckAfterFaults). */
    offer(finding: F, place = `${finding.code}@${finding.spot.path}:${finding.spot.line}`): void {
        const known = this.byPlace.get(place);
        if (!known || finding.steps.length < known.steps.length) {
            this.byPlace.set(place, finding);
        }
    }

    get all(): F[] {
        return [...this.byPlace.values()].sort((a, b) => FINDING_CODES.indexOf(a.code) - FINDING_CODES.indexOf(b.code) || a.steps.length - b.steps.length || a.spot.path.localeCompare(b.spot.path) || a.spot.line - b.spot.line);
    }
}

/** One finding per code and place (the one with the shortest trace), in the order `findingsOf` gives them. */
export function onePerPlace<F extends Finding>(findings: readonly F[]): F[] {
    const found = new FindingSet<F>();
    for (const finding of findings) {
        found.offer(finding);
    }
    return found.all;
}

/**
 * Every finding of the graph. Findings about what can never happen (all but deadlocks) need every state: on a graph a
 * bound cut short, states not expanded count as able to reach anything, so nothing false is reported.
 */
export function findingsOf(graph: StateGraph, sessions: number): Finding[] {
    const found = new FindingSet();
    const states = graph.states;
    deadlocks(graph, found);
    const canFinish = graph.machines.map((_, machine) => graph.canReach((state) => states[state]!.summary.machines[machine]!.finished));
    stuckAfterFaults(graph, found, canFinish);
    lostSignals(graph, found, canFinish);
    orphans(graph, found);
    unboundedSessions(graph, found, sessions);
    addressesInUse(graph, found);
    return found.all;
}

function deadlocks(graph: StateGraph, found: FindingSet): void {
    graph.states.forEach((record, state) => {
        if (!record.expanded || !record.stuck) {
            return;
        }
        const stuck = record.summary.machines.filter((machine) => !machine.finished && !machine.serving);
        if (stuck.length === 0) {
            return;
        }
        const waiting = [
            ...record.summary.machines.map((machine, index) => (machine.finished || machine.serving ? undefined : `${graph.machines[index]} waits in ${machine.state}`)).filter((text) => text !== undefined),
            ...record.summary.sessions.map((session) => `${session.name} waits in ${session.state}`)
        ].join(', ');
        const environment = record.signalsLeft ? 'nothing the environment can do but send a signal' : 'nothing the environment can do';
        const first = stuck[0]!;
        found.offer({
            code: 'system-deadlock',
            subject: graph.machines[record.summary.machines.indexOf(first)]!,
            severity: 'error',
            spot: first.spot,
            message: `System deadlock: ${waiting}, and nothing can happen any more (no message in flight, no timer armed, ${environment}).`,
            steps: steps(graph, state),
            machines: record.summary.instances
        });
    });
}

function stuckAfterFaults(graph: StateGraph, found: FindingSet, canFinish: readonly Uint8Array[]): void {
    const states = graph.states;
    const reachConfig = new Map<string, Uint8Array>();
    const canReachConfig = (machine: number, config: number): Uint8Array => {
        const key = `${machine}:${config}`;
        let reached = reachConfig.get(key);
        if (!reached) {
            reached = graph.canReach((state) => states[state]!.summary.machines[machine]!.config === config);
            reachConfig.set(key, reached);
        }
        return reached;
    };
    for (const edge of graph.faults) {
        const machine = edge.machine;
        const after = states[edge.to]!.summary.machines[machine]!;
        if (after.finished || canFinish[machine]![edge.to]) {
            continue;
        }
        const before = new Set<number>([states[0]!.summary.machines[machine]!.config, ...graph.path(edge.from).map((record) => record.summary.machines[machine]!.config)]);
        if ([...before].some((config) => canReachConfig(machine, config)[edge.to])) {
            continue;
        }
        const name = graph.machines[machine]!;
        const fault = describeFault(edge.move);
        // The report goes on the transition the fault took (check-system.ts finds it by replaying the trace): kept apart
        // here by what decides that transition, the machine's configuration before the fault, the fault and the guards.
        const transition = `${states[edge.from]!.summary.machines[machine]!.config}|${fault}|${edge.choices.join(',')}`;
        found.offer({
            code: 'stuck-after-fault',
            subject: name,
            severity: 'error',
            spot: after.spot,
            message: `${name} is stuck after a fault (${fault}): from ${after.state} it can reach neither a final state nor any state it was in before the fault.`,
            steps: steps(graph, edge.from, edge),
            machines: states[edge.to]!.summary.instances
        }, `stuck-after-fault@${after.spot.path}:${after.spot.line}|${transition}`);
    }
}

function lostSignals(graph: StateGraph, found: FindingSet, canFinish: readonly Uint8Array[]): void {
    const states = graph.states;
    for (const edge of graph.unheardSignals) {
        if (canFinish[edge.machine]![edge.to]) {
            continue;
        }
        const before = states[edge.from]!.summary.machines[edge.machine]!;
        const signal = edge.move.kind === 'signal' ? edge.move.signal : 'a signal';
        found.offer({
            code: 'lost-signal',
            subject: graph.machines[edge.machine]!,
            severity: 'error',
            spot: before.spot,
            message: `${signal} is lost: ${graph.machines[edge.machine]} binds it to ${edge.event ?? 'an event'}, which ${before.state} does not handle, and from there it can never finish.`,
            steps: steps(graph, edge.from, edge),
            machines: states[edge.to]!.summary.instances
        });
    }
}

const silent = (edgeClass: number): boolean => edgeClass === EDGE_SYSTEM;

function orphans(graph: StateGraph, found: FindingSet): void {
    const states = graph.states;
    if (!states.some((record) => record.summary.orphans.length > 0)) {
        return;
    }
    const canClear = graph.canReach((state) => states[state]!.summary.orphans.length === 0, silent);
    states.forEach((record, state) => {
        const orphan = record.summary.orphans[0];
        if (!orphan || canClear[state]) {
            return;
        }
        found.offer({
            code: 'orphan-session',
            subject: orphan.session,
            severity: 'error',
            spot: orphan.spot,
            message: `${orphan.session} outlives its peer: ${orphan.finishedPeer === undefined ? 'the peer closed the connection' : `the peer's machine ${orphan.finishedPeer} finished with the connection open`}, and the session, in ${orphan.state}, can stay alive forever (nothing it waits for can still come).`,
            steps: steps(graph, state),
            machines: record.summary.instances
        });
    });
}

function unboundedSessions(graph: StateGraph, found: FindingSet, sessions: number): void {
    const states = graph.states;
    graph.servers.forEach((server, index) => {
        const full = (state: number): boolean => {
            const at = states[state]!.summary.servers[index]!;
            return at.listening && at.live >= sessions;
        };
        if (!states.some((_, state) => full(state))) {
            return;
        }
        const canDrop = graph.canReach((state) => states[state]!.summary.servers[index]!.live < sessions, silent);
        states.forEach((record, state) => {
            const session = record.summary.servers[index]!.session;
            if (!full(state) || canDrop[state] || !session) {
                return;
            }
            found.offer({
                code: 'unbounded-sessions',
                subject: session.name,
                severity: 'warning',
                spot: graph.serverSpots[index]!,
                message:
                    sessions === 1
                        ? `Sessions accumulate on ${server}: 1 accepted connection whose session (${session.name} in ${session.state}) never finishes unless its peer acts, while the server keeps accepting.`
                        : `Sessions accumulate on ${server}: ${sessions} accepted connections whose sessions (${session.name} in ${session.state}, …) never finish unless their peers act, while the server keeps accepting.`,
                steps: steps(graph, state),
                machines: record.summary.instances
            });
        });
    });
}

/** A server of the system that cannot listen because another one holds its address, and no machine maps the error. */
function addressesInUse(graph: StateGraph, found: FindingSet): void {
    for (const edge of graph.clashes) {
        if (edge.exitCode === undefined) {
            continue; // the model maps the error: what follows is checked like anything else
        }
        const server = edge.server.slice(0, edge.server.lastIndexOf('.'));
        found.offer({
            code: 'address-in-use',
            subject: server,
            severity: 'error',
            spot: edge.spot,
            message: `${edge.server} cannot listen on ${edge.address}: ${edge.holder} already listens there (EADDRINUSE), and no machine maps the error, so the program exits with status ${edge.exitCode}.`,
            steps: steps(graph, edge.from, edge),
            machines: graph.states[edge.to]!.summary.instances
        });
    }
}

function describeFault(move: Move): string {
    switch (move.kind) {
        case 'connect-fault':
            return move.fault === 'refused' ? `${move.instance}.${move.socket} connect refused` : `${move.instance}.${move.socket} connect timed out`;
        case 'env':
            return move.what === 'listen-error'
                ? `${move.instance}.${move.socket} cannot listen (EADDRINUSE)`
                : move.what === 'spawn-error'
                  ? `${move.instance}.${move.socket} cannot start (ENOENT)`
                  : move.what === 'network-reset'
                    ? `${move.instance}.${move.socket} reset by the network`
                    : `${move.instance}.${move.socket} reset by the peer`;
        case 'deliver':
            return 'the connection was reset';
        default:
            return move.kind;
    }
}
