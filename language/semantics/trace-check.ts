// Replays a recorded trace (a program's `--trace=json` lines) against a model: the first line it does not allow, and coverage.
import { traceText, type IoWhat, type TraceKind, type TraceLine } from '../../templates/runtime/trace-format.js';
import { Coverage, transitionName, type CoverageCount } from './trace-coverage.js';
import { TEXT_FIELDS, type NumberedTraceLine } from './trace-parse.js';
import { Instance } from './instance.js';
import type { ActionSpec, MachineSpec, ProgramSpec, SocketEventName, SocketSpec, SourceSpot, TimerSpec, TransitionSpec } from './program.js';
import type { StateNode, TreeTransition } from './state-tree.js';
import { enabledTransitions, entrySet, exitSet, isInFinalState, rememberHistories } from './transition-sets.js';

/**
 * How much earlier than its delay a state's timer may appear to fire in a trace: programs on the real clock trace
 * `Math.round(performance.now())`, and Node's timers run on the event loop's millisecond-truncated time, so a timer
 * armed at 10.6 ms (traced 11) for 1 s may fire at 1010.4 ms (traced 1010). A few milliseconds cover that and nothing more.
 */
export const TIMER_TOLERANCE_MS = 5;

export { parseTrace, type NumberedTraceLine, type ParsedTrace } from './trace-parse.js';
export type { CoverageCount, CoverageItem } from './trace-coverage.js';

/** The first line the model does not allow: its trace line, the model's line (and file) it is about, and why. */
export interface TraceProblem {
    readonly traceLine: number;
    readonly modelLine?: number;
    readonly modelFile?: string;
    readonly message: string;
}

export interface TraceCheckResult {
    readonly ok: boolean;
    readonly firstProblem?: TraceProblem;
    /** What the trace exercised, up to its first problem. */
    readonly coverage: { readonly states: CoverageCount; readonly transitions: CoverageCount };
}


/** A line the model expects at some point of a step, with the piece of the model it comes from. */
interface Expected {
    readonly line: TraceLine;
    readonly spot: SourceSpot;
    /** What `spot` is, for messages: `state Online`, `transition Online --Closed--> Backoff`. */
    readonly what: string;
    /** States this line enters (their timers count from its time). */
    readonly enters?: readonly StateNode[];
    /** A timer's transition line: the state whose entry its delay counts from, and the delay. */
    readonly timer?: { readonly state: StateNode; readonly spec: TimerSpec };
}

/** One way a step can go: the transitions taken together (none: the event is ignored), its lines, and the configuration after it. */
interface Candidate {
    readonly transitions: readonly TreeTransition[];
    readonly lines: readonly Expected[];
    readonly after: Instance;
    /** `raise` actions and completions (`on done`) it queues: steps that follow without anything from outside. */
    readonly queues: number;
    pos: number;
    readonly enteredAt: Map<StateNode, number>;
}

/** One machine instance as the trace shows it. */
interface Follower {
    readonly name: string;
    readonly spec: MachineSpec;
    instance: Instance;
    started: boolean;
    finished: boolean;
    readonly enteredAt: Map<StateNode, number>;
    step: Candidate[] | undefined;
    /** Events waiting in the machine's queue (raised, completions, occurrences during a step): no outside event comes first. */
    queued: number;
    /** A socket occurrence, between steps, whose mapped event must be the next step (undefined: `finish`, a session's connection closed). */
    expect: { readonly event: string | undefined; readonly traceLine: number; readonly socket: SocketSpec } | undefined;
    /** A session's connection has closed: the session may finish. */
    connectionClosed: boolean;
    /** Its lines (not `io`, not heartbeats), as indices into the trace: for finding the line that names a step's event. */
    readonly own: number[];
    next: number;
}

/** A problem as the checker finds it: the model's part (`what`: `state Online`) ends up in the message. */
interface Located {
    readonly traceLine: number;
    readonly message: string;
    readonly modelLine?: number;
    readonly modelFile?: string;
    readonly what?: string;
}

class Problem extends Error {
    readonly problem: TraceProblem;

    constructor({ what, ...located }: Located) {
        const message = located.modelLine === undefined ? located.message : `${located.message} (model ${located.modelFile}:${located.modelLine} ${what})`;
        super(message);
        this.problem = { ...located, message };
    }
}

/**
 * Replays `lines` against `program`, following every machine instance (`Name`, or `Name#N` for a session: the machine
 * `Name`) with the interpreter's own configuration and transition-selection machinery, and reports the first line the
 * model does not allow.
 *
 * Checked, per instance:
 * - the first line is `start` in the initial state, followed by the states it enters (`enter`, for machines with
 *   composite states) and their entry actions, in the interpreter's order;
 * - every step names an event (a `transition`, `internal` or `unhandled` line) and its lines are exactly those of one way
 *   the model can take that event from the current configuration: exits (innermost first) with their exit actions, each
 *   transition's actions and its line, entries (outermost first) with their entry actions, `finish` on entering a
 *   top-level final state. User guards are free choices: a guarded transition may be taken or not, so an event is
 *   `unhandled` only when every transition it could take is guarded; when several ways fit, the lines decide;
 * - an event is one the machine declares, `done` (only when its composite state has completed), or a timer's label
 *   (`after 2s`), which fires only from an active state declaring it and not before its delay has passed since that
 *   state was entered (by the lines' `t`, less TIMER_TOLERANCE_MS);
 * - `finish` outside a step only when the program stops (a `stop` action ran, or a server failed with no error event
 *   mapped) or, for a session, after its connection closed; nothing but `io` lines after `finish`;
 * - `io` lines name a socket of that machine, an occurrence that kind of socket has (`accept` servers, `connect` and
 *   `timeout` clients, `exit` processes, `idle`/`heartbeat-lost` sockets with that option), and an accepted session of
 *   the server's session machine. An occurrence between steps whose socket maps an event (`connect -> Connected`) must be
 *   followed by that event's step (a session's unmapped `close`: by its `finish`). `data` is not followed: framing
 *   turns bytes into any number of events. Heartbeat actions are accepted whenever the socket has a heartbeat.
 *
 * Not checked: when events happen, and that a timer fires at all (it may fire late, and a trace may end while one is
 * pending), the order of `io` lines (they come from the real network), the payloads, which guard values a program really
 * had, which events `raise` and socket occurrences during a step queue (only that none comes from outside before them),
 * and a step that the end of the trace cuts short. Coverage counts what the lines up to the first problem exercised.
 */
export function checkTrace(program: ProgramSpec, lines: readonly NumberedTraceLine[]): TraceCheckResult {
    const coverage = new Coverage(program);
    const followers = new Map<string, Follower>();
    let stopping = false;
    // Each instance's lines that take part in steps (not `io`, not heartbeats), by index.
    const own = new Map<string, number[]>();
    lines.forEach((at, index) => {
        if (at.line.kind !== 'io' && !(at.line.kind === 'action' && at.line.phase === 'heartbeat')) {
            const indices = own.get(at.line.machine);
            if (indices) {
                indices.push(index);
            } else {
                own.set(at.line.machine, [index]);
            }
        }
    });

    const follower = (at: NumberedTraceLine): Follower => {
        const name = at.line.machine;
        let found = followers.get(name);
        if (!found) {
            const spec = specOf(program, name);
            if (typeof spec === 'string') {
                throw new Problem({ traceLine: at.traceLine, message: spec });
            }
            found = { name, spec, instance: new Instance(name, spec, undefined), started: false, finished: false, enteredAt: new Map(), step: undefined, queued: 0, expect: undefined, connectionClosed: false, own: own.get(name) ?? [], next: 0 };
            followers.set(name, found);
        }
        return found;
    };

    const commit = (each: Follower, candidate: Candidate): void => {
        each.instance = candidate.after;
        for (const [state, t] of candidate.enteredAt) {
            each.enteredAt.set(state, t);
        }
        each.queued += candidate.queues;
        coverage.taken(candidate.transitions, candidate.lines.flatMap((expected) => expected.enters ?? []));
        if (candidate.lines.some((expected) => expected.line.kind === 'finish')) {
            each.finished = true;
        }
        each.step = undefined;
    };

    const advance = (each: Follower, candidates: Candidate[], at: NumberedTraceLine): Candidate[] => {
        const fitting = candidates.filter((candidate) => candidate.pos < candidate.lines.length && sameLine(candidate.lines[candidate.pos]!.line, at.line));
        for (const candidate of fitting) {
            const expected = candidate.lines[candidate.pos]!;
            if (expected.timer) {
                checkTimer(each, expected, at);
            }
            for (const state of expected.enters ?? []) {
                candidate.enteredAt.set(state, at.line.t);
            }
            if (expected.line.kind === 'action' && expected.line.name === 'stop') {
                stopping = true;
            }
            candidate.pos++;
        }
        return fitting;
    };

    try {
        lines.forEach((at) => {
            const each = follower(at);
            const line = at.line;
            if (line.kind === 'io') {
                checkIo(program, each, line, at.traceLine);
                if (each.step?.every((candidate) => candidate.pos === candidate.lines.length)) {
                    commit(each, each.step[0]!);
                }
                if (each.finished || !each.started) {
                    return;
                }
                if (each.step === undefined && each.queued === 0 && each.expect === undefined) {
                    each.expect = followingEvent(each, line, at.traceLine);
                } else if (mappedEvent(each.spec, line) !== undefined) {
                    each.queued++; // delivered during a step: it waits in the queue
                }
                if (line.what === 'error' && each.spec.sockets.find((socket) => socket.name === line.socket)?.kind === 'server' && mappedEvent(each.spec, line) === undefined) {
                    stopping = true; // a listener that fails with no error event stops the program
                }
                return;
            }
            if (line.kind === 'action' && line.phase === 'heartbeat') {
                checkHeartbeat(each, line, at.traceLine);
                return;
            }
            each.next++;
            if (each.finished) {
                throw new Problem({ traceLine: at.traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: ${shown(line)} after the machine finished` });
            }
            if (each.step) {
                const fitting = advance(each, each.step, at);
                if (fitting.length > 0) {
                    each.step = fitting;
                    return;
                }
                const complete = each.step.find((candidate) => candidate.pos === candidate.lines.length);
                if (!complete) {
                    throw mismatch(each, each.step, at);
                }
                commit(each, complete);
                if (each.finished) {
                    throw new Problem({ traceLine: at.traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: ${shown(line)} after the machine finished` });
                }
            }
            const candidates = beginStep(program, each, lines, at, stopping);
            const fitting = advance(each, candidates, at);
            if (fitting.length === 0) {
                throw mismatch(each, candidates, at);
            }
            each.step = fitting;
        });
        for (const each of followers.values()) {
            const complete = each.step?.find((candidate) => candidate.pos === candidate.lines.length);
            if (complete) {
                commit(each, complete);
            }
        }
    } catch (error) {
        if (error instanceof Problem) {
            return { ok: false, firstProblem: error.problem, coverage: coverage.result() };
        }
        throw error;
    }
    return { ok: true, coverage: coverage.result() };
}

/** The machine an instance name stands for, or why there is none. */
function specOf(program: ProgramSpec, name: string): MachineSpec | string {
    const session = /^(.+)#\d+$/.exec(name);
    const machineName = session ? session[1]! : name;
    const spec = program.machines.get(machineName);
    const known = [...program.machines.keys()].join(', ');
    if (!spec) {
        return `unknown machine '${name}' (the model's machines: ${known})`;
    }
    const isSession = !program.topLevel.includes(machineName);
    if (session && !isSession) {
        return `'${name}': ${machineName} is not a session machine (no server of the model runs it), so it has no instances '${machineName}#N'`;
    }
    if (!session && isSession) {
        return `'${name}': ${machineName} runs as a server's session, so its instances are '${machineName}#N'`;
    }
    return spec;
}

/** Starts a step of `each` at `at`: every way the model can go, given the event the step's lines name. */
function beginStep(program: ProgramSpec, each: Follower, lines: readonly NumberedTraceLine[], at: NumberedTraceLine, stopping: boolean): Candidate[] {
    const line = at.line;
    if (!each.started) {
        if (line.kind !== 'start') {
            throw new Problem({ traceLine: at.traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: ${shown(line)} before the machine started` });
        }
        each.started = true;
        return [startCandidate(each)];
    }
    if (line.kind === 'start') {
        throw new Problem({ traceLine: at.traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: starts a second time` });
    }
    const expect = each.expect;
    each.expect = undefined;
    if (line.kind === 'finish') {
        const finishing = finishCandidate(program, each, at, stopping);
        if (expect && expect.event !== undefined) {
            throw unfollowed(each, expect, at);
        }
        return [finishing];
    }
    // The line that names this step's event: the first transition, internal or unhandled line of this instance from here.
    let key: NumberedTraceLine | undefined;
    for (let index = each.next - 1; index < each.own.length; index++) {
        const candidate = lines[each.own[index]!]!;
        if (candidate.line.kind === 'transition' || candidate.line.kind === 'internal' || candidate.line.kind === 'unhandled') {
            key = candidate;
            break;
        }
        if (candidate.line.kind === 'start' || candidate.line.kind === 'finish') {
            break;
        }
    }
    if (!key || !('event' in key.line)) {
        throw new Problem({ traceLine: at.traceLine, ...modelPart(each.instance.leaves[0]!.spec.spot, `state ${each.instance.leaves[0]!.name}`), message: `${each.name}: ${shown(line)} belongs to no step (no transition, internal or unhandled line of ${each.name} follows)` });
    }
    const event = key.line.event;
    const candidates = stepCandidates(each, event, key);
    if (key.line.kind !== 'unhandled' && candidates.every((candidate) => candidate.transitions.length === 0)) {
        const state = each.instance.leaves[0]!;
        throw new Problem({ traceLine: key.traceLine, ...modelPart(state.spec.spot, `state ${state.name}`), message: `${each.name}: no transition from ${each.instance.stateName} on '${event}'` });
    }
    if (expect && expect.event !== event) {
        throw unfollowed(each, expect, key);
    }
    each.queued = Math.max(0, each.queued - 1);
    return candidates;
}

function unfollowed(each: Follower, expect: NonNullable<Follower['expect']>, at: NumberedTraceLine): Problem {
    const wanted = expect.event === undefined ? 'its finish' : `'${expect.event}'`;
    return new Problem({
        traceLine: at.traceLine,
        ...modelPart(expect.socket.spot, `socket ${expect.socket.name}`),
        message: `${each.name}: after the ${expect.socket.name} occurrence at trace line ${expect.traceLine}, the next step should be ${wanted}, but the trace has ${shown(at.line)}`
    });
}

/** The event a socket occurrence delivers to the machine right away, when its socket maps one. */
function followingEvent(each: Follower, line: Extract<TraceLine, { kind: 'io' }>, traceLine: number): Follower['expect'] {
    const socket = each.spec.sockets.find((candidate) => candidate.name === line.socket)!;
    const event = mappedEvent(each.spec, line);
    if (event !== undefined) {
        return { event, traceLine, socket };
    }
    if (line.what === 'close' && socket.kind === 'connection') {
        return { event: undefined, traceLine, socket };
    }
    return undefined;
}

function mappedEvent(spec: MachineSpec, line: Extract<TraceLine, { kind: 'io' }>): string | undefined {
    const socket = spec.sockets.find((candidate) => candidate.name === line.socket);
    if (!socket) {
        return undefined;
    }
    const mapped: Partial<Record<IoWhat, SocketEventName>> = { connect: 'connect', drain: 'drain', error: 'error', close: 'close', accept: 'accept', exit: 'exit' };
    switch (line.what) {
        case 'data':
            return undefined;
        case 'timeout':
            return socket.events.timeout ?? socket.events.error;
        case 'idle':
            return socket.idle?.event;
        case 'heartbeat-lost':
            return socket.heartbeat?.event;
        default:
            return socket.events[mapped[line.what]!];
    }
}

/** Checks an `io` line: a socket of the machine, an occurrence it has. */
function checkIo(program: ProgramSpec, each: Follower, line: Extract<TraceLine, { kind: 'io' }>, traceLine: number): void {
    const socket = each.spec.sockets.find((candidate) => candidate.name === line.socket);
    if (!socket) {
        throw new Problem({ traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: the machine has no socket '${line.socket}'` });
    }
    const at = modelPart(socket.spot, `${socket.kind} ${socket.name}`);
    const only: Partial<Record<IoWhat, readonly SocketSpec['kind'][]>> = { accept: ['server'], connect: ['client'], timeout: ['client'], exit: ['process'], data: ['client', 'connection', 'process'], idle: ['client', 'connection'], 'heartbeat-lost': ['client', 'connection'] };
    const kinds = only[line.what];
    if (kinds && !kinds.includes(socket.kind)) {
        throw new Problem({ traceLine, ...at, message: `${each.name}: '${line.what}' does not happen to ${socket.kind} ${socket.name}` });
    }
    if ((line.what === 'idle' && !socket.idle) || (line.what === 'heartbeat-lost' && !socket.heartbeat)) {
        throw new Problem({ traceLine, ...at, message: `${each.name}: ${socket.name} has no ${line.what === 'idle' ? 'idle' : 'heartbeat'} option, so no '${line.what}'` });
    }
    if (line.what === 'accept' && socket.session !== undefined) {
        const session = /^(.+)#\d+$/.exec(line.session ?? '');
        if (!session || session[1] !== socket.session || !program.machines.has(socket.session)) {
            throw new Problem({ traceLine, ...at, message: `${each.name}: ${socket.name} runs ${socket.session} sessions ('${socket.session}#N'), not '${line.session ?? ''}'` });
        }
    }
    if (line.what === 'close' && socket.kind === 'connection') {
        each.connectionClosed = true;
    }
}

function checkHeartbeat(each: Follower, line: Extract<TraceLine, { kind: 'action' }>, traceLine: number): void {
    const socket = each.spec.sockets.find((candidate) => `heartbeat ${candidate.name}` === line.name);
    if (!socket?.heartbeat) {
        throw new Problem({ traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: '${line.name}' names no socket with a heartbeat` });
    }
}

function checkTimer(each: Follower, expected: Expected, at: NumberedTraceLine): void {
    const { state, spec } = expected.timer!;
    const entered = each.enteredAt.get(state);
    if (entered !== undefined && at.line.t - entered < spec.delayMs - TIMER_TOLERANCE_MS) {
        throw new Problem({
            traceLine: at.traceLine,
            ...modelPart(spec.spot, `timer ${spec.label} of ${state.name}`),
            message: `${each.name}: '${spec.label}' fired ${at.line.t - entered} ms after ${state.name} was entered (t=${entered}), before its delay of ${spec.delayMs} ms`
        });
    }
}

/** The start: the `start` line, then the initial state entered with its default descendants. */
function startCandidate(each: Follower): Candidate {
    const scratch = copyOf(each.instance);
    const initial = scratch.tree.root.initial!;
    const lines: Expected[] = [{ line: traced(each, { kind: 'start', state: initial.name }), spot: initial.spec.spot, what: `state ${initial.name}`, enters: each.spec.hierarchical ? [] : [initial] }];
    const queues = enterStates(each, scratch, entrySet(scratch, [], [initial]), lines);
    return { transitions: [], lines, after: scratch, queues, pos: 0, enteredAt: new Map() };
}

/** A `finish` outside a step: the program stopped, or a session's connection closed. */
function finishCandidate(program: ProgramSpec, each: Follower, at: NumberedTraceLine, stopping: boolean): Candidate {
    const isSession = !program.topLevel.includes(each.spec.name);
    const allowed = isSession ? each.connectionClosed : stopping;
    if (!allowed) {
        const state = each.instance.leaves[0]!;
        throw new Problem({
            traceLine: at.traceLine,
            ...modelPart(state.spec.spot, `state ${state.name}`),
            message: `${each.name}: finishes in ${each.instance.stateName}, which is not a final state, and ${isSession ? 'its connection has not closed' : "nothing stopped the program (no 'stop' ran)"}`
        });
    }
    const state = each.instance.leaves[0]!;
    return { transitions: [], lines: [{ line: traced(each, { kind: 'finish', state: each.instance.stateName }), spot: state.spec.spot, what: `state ${state.name}` }], after: each.instance, queues: 0, pos: 0, enteredAt: new Map() };
}

/** Every way `event` can go from the current configuration: each guard taken as true or false. */
function stepCandidates(each: Follower, event: string, key: NumberedTraceLine): Candidate[] {
    const instance = each.instance;
    const timers: TreeTransition[] = [];
    for (const state of instance.active.size === 0 ? [] : [...instance.active].sort((a, b) => a.order - b.order)) {
        for (const timer of state.spec.timers) {
            if (timer.label === event) {
                timers.push({ source: state, event, target: timer.target, spec: timer });
            }
        }
    }
    if (event.startsWith('after ')) {
        if (timers.length === 0) {
            const state = instance.leaves[0]!;
            throw new Problem({ traceLine: key.traceLine, ...modelPart(state.spec.spot, `state ${state.name}`), message: `${each.name}: no timer '${event}' in ${instance.stateName}` });
        }
        return timers.map((timer) => candidateOf(each, [timer]));
    }
    const done = event === 'done';
    if (!done && !each.spec.events.includes(event)) {
        throw new Problem({ traceLine: key.traceLine, ...modelPart(each.spec.spot, `machine ${each.spec.name}`), message: `${each.name}: the machine has no event '${event}'` });
    }
    const matches = (transition: TransitionSpec, source: StateNode): boolean => (done ? transition.done && isInFinalState(instance, source) : !transition.done && transition.event === event);
    const guarded = new Set<TransitionSpec>();
    for (const state of instance.active) {
        for (const transition of state.spec.transitions) {
            if (transition.guard && matches(transition, state)) {
                guarded.add(transition);
            }
        }
    }
    const choices = [...guarded].slice(0, 12);
    const seen = new Set<string>();
    const candidates: Candidate[] = [];
    for (let mask = 0; mask < 2 ** choices.length; mask++) {
        const holds = new Set(choices.filter((_, bit) => (mask & (1 << bit)) !== 0));
        const enabled = enabledTransitions(instance, (transition, source) => matches(transition, source) && (!transition.guard || holds.has(transition) || !choices.includes(transition)));
        const id = enabled.map((transition) => `${transition.source.order}:${transition.event}:${transition.source.spec.transitions.indexOf(transition.spec as TransitionSpec)}`).join(',');
        if (!seen.has(id)) {
            seen.add(id);
            candidates.push(enabled.length === 0 ? ignoredCandidate(each, event) : candidateOf(each, enabled));
        }
    }
    return candidates;
}

function ignoredCandidate(each: Follower, event: string): Candidate {
    const state = each.instance.leaves[0]!;
    return { transitions: [], lines: [{ line: traced(each, { kind: 'unhandled', state: each.instance.stateName, event }), spot: state.spec.spot, what: `state ${state.name}` }], after: each.instance, queues: 0, pos: 0, enteredAt: new Map() };
}

/** The lines of a microstep taking `transitions` together, as the interpreter's `microstep` writes them. */
function candidateOf(each: Follower, transitions: readonly TreeTransition[]): Candidate {
    const scratch = copyOf(each.instance);
    const hierarchical = each.spec.hierarchical;
    const lines: Expected[] = [];
    const leaving = exitSet(scratch, transitions);
    rememberHistories(scratch, leaving);
    let queues = 0;
    for (const state of leaving) {
        if (hierarchical) {
            lines.push({ line: traced(each, { kind: 'exit', state: state.name }), spot: state.spec.spot, what: `state ${state.name}` });
        }
        queues += actionLines(each, state.spec.exit, 'exit', state.name, state.spec.spot, `state ${state.name}`, lines);
        scratch.leaveState(state);
    }
    let entering = false;
    for (const transition of transitions) {
        const { source, event, target, spec } = transition;
        const what = transitionName(source.name, event, target);
        if (target === undefined) {
            lines.push({ line: traced(each, { kind: 'internal', state: source.name, event }), spot: spec.spot, what: `transition ${what}` });
            queues += actionLines(each, spec.actions, 'transition', source.name, spec.spot, `transition ${what}`, lines);
            continue;
        }
        queues += actionLines(each, spec.actions, 'transition', source.name, spec.spot, `transition ${what}`, lines);
        const timer = 'delayMs' in spec ? { state: source, spec } : undefined;
        lines.push({ line: traced(each, { kind: 'transition', from: source.name, event, to: target }), spot: spec.spot, what: `${timer ? 'timer' : 'transition'} ${what}`, timer });
        entering = true;
    }
    if (entering) {
        const states = entrySet(scratch, transitions);
        if (!hierarchical) {
            // A flat machine takes one transition: its line stands for entering the target.
            const index = lines.findIndex((expected) => expected.line.kind === 'transition');
            lines[index] = { ...lines[index]!, enters: states };
        }
        queues += enterStates(each, scratch, states, lines);
    }
    return { transitions, lines, after: scratch, queues, pos: 0, enteredAt: new Map() };
}

/** Enters `states` into `scratch`, adding their lines (and `finish` on a top-level final state); returns the completions queued. */
function enterStates(each: Follower, scratch: Instance, states: readonly StateNode[], lines: Expected[]): number {
    let queues = 0;
    for (const state of states) {
        scratch.enterState(state, undefined);
        if (each.spec.hierarchical) {
            lines.push({ line: traced(each, { kind: 'enter', state: state.name }), spot: state.spec.spot, what: `state ${state.name}`, enters: [state] });
        }
        queues += actionLines(each, state.spec.entry, 'entry', state.name, state.spec.spot, `state ${state.name}`, lines);
        if (state.spec.final) {
            const parent = state.parent!;
            if (parent === scratch.tree.root) {
                lines.push({ line: traced(each, { kind: 'finish', state: scratch.stateName }), spot: state.spec.spot, what: `final state ${state.name}` });
                return queues;
            }
            const completes = (composite: StateNode): number => (composite.spec.transitions.some((transition) => transition.done) ? 1 : 0);
            queues += completes(parent);
            const grandparent = parent.parent;
            if (grandparent?.spec.kind === 'parallel' && isInFinalState(scratch, grandparent)) {
                queues += completes(grandparent);
            }
        }
    }
    return queues;
}

/** The action lines of a list of actions; returns how many of them queue an event (`raise`). */
function actionLines(each: Follower, actions: readonly ActionSpec[], phase: 'entry' | 'exit' | 'transition', state: string, spot: SourceSpot, what: string, lines: Expected[]): number {
    for (const action of actions) {
        lines.push({ line: traced(each, { kind: 'action', name: actionName(action), state, phase }), spot, what });
    }
    return actions.filter((action) => action.kind === 'raise').length;
}

/** An action as traces name it (the interpreter's naming). */
function actionName(action: ActionSpec): string {
    return action.kind === 'call' ? action.name : action.kind === 'stop' ? 'stop' : action.kind === 'raise' ? `raise ${action.event}` : `${action.kind} ${action.socket}`;
}

type Untimed<T> = T extends TraceLine ? Omit<T, 't' | 'machine'> : never;

function traced(each: Follower, line: Untimed<TraceLine>): TraceLine {
    return { t: 0, machine: each.name, ...line };
}

/** A copy of an instance's configuration and histories, to try a step on. */
function copyOf(instance: Instance): Instance {
    const copy = new Instance(instance.name, instance.spec, undefined);
    for (const state of instance.active) {
        copy.enterState(state, undefined);
    }
    for (const [name, states] of instance.histories) {
        copy.remember(name, states);
    }
    return copy;
}

const COMPARED: Readonly<Record<TraceKind, readonly string[]>> = { ...TEXT_FIELDS, action: ['name', 'phase', 'state'], io: [] };

/** Two lines of the same kind with the same fields (time, machine and extra fields aside). */
function sameLine(expected: TraceLine, actual: TraceLine): boolean {
    const a = expected as unknown as Record<string, unknown>;
    const b = actual as unknown as Record<string, unknown>;
    return expected.kind === actual.kind && COMPARED[expected.kind].every((field) => a[field] === b[field] || (field === 'state' && b[field] === undefined));
}

/** A line as `--trace` prints it, without its time and machine columns. */
function shown(line: TraceLine): string {
    return `'${traceText({ ...line, t: 0 })
        .slice(`     0 ms  ${line.machine}  `.length)
        .trim()}'`;
}

/** The model's part of a problem: the file and line of `spot`, and what stands there. */
function modelPart(spot: SourceSpot, what: string): { modelLine: number; modelFile: string; what: string } {
    return { modelLine: spot.line, modelFile: spot.file, what };
}

/** Why no way the model can go fits `at`: what the model expected there instead. */
function mismatch(each: Follower, candidates: readonly Candidate[], at: NumberedTraceLine): Problem {
    const open = candidates.filter((candidate) => candidate.pos < candidate.lines.length);
    const expected = open.map((candidate) => candidate.lines[candidate.pos]!);
    const first = expected[0];
    if (!first) {
        return new Problem({ traceLine: at.traceLine, message: `${each.name}: ${shown(at.line)} does not fit the model` });
    }
    const line = at.line;
    const sameTransition = expected.find((each) => each.line.kind === 'transition' && line.kind === 'transition' && each.line.from === line.from && each.line.event === line.event);
    if (sameTransition && sameTransition.line.kind === 'transition' && line.kind === 'transition') {
        return new Problem({ traceLine: at.traceLine, ...modelPart(sameTransition.spot, sameTransition.what), message: `${each.name}: on '${line.event}' ${line.from} goes to ${sameTransition.line.to}, not ${line.to}` });
    }
    if (line.kind === 'unhandled' && first.line.kind !== 'unhandled') {
        return new Problem({ traceLine: at.traceLine, ...modelPart(first.spot, first.what), message: `${each.name}: '${line.event}' is not ignored in ${line.state}: the model expects ${shown(first.line)}` });
    }
    const choices = [...new Set(expected.map((each) => shown(each.line)))].join(' or ');
    return new Problem({ traceLine: at.traceLine, ...modelPart(first.spot, first.what), message: `${each.name}: the model expects ${choices} here, not ${shown(line)}` });
}
