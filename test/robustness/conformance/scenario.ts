// Random scenarios, built by driving the interpreter: each step is chosen among those the model's situation allows at
// that point (asked of the Simulation: which machines run, which sockets are connecting, connected or closing, which
// signals are bound), then applied.
//
// A real connect on loopback ends by itself within a moment, so a connect still pending after a step gets its
// outcome at once: the next steps say `connected` or `refused` — or it hangs (the port drops the SYN) until it times
// out or is abandoned. The harness makes it so by putting the client's port in that mode (listening, nothing bound,
// or a full backlog) before the step that starts the connect. A step and the outcomes of the connects it started
// form one group: the harness performs the step and compares once the group's trace lines are in.
//
// What happens at once in a program must not be ordered otherwise by the scenario:
// - an `advance` is cut at each instant where a timer started a connect (`advance 50ms`, `c0 connected`,
//   `advance 450ms`): the program's outcome comes at that instant, before later timers; where other timers were due
//   at that same instant, the connect hangs (or the scenario ends there without a blackhole);
// - two connects pending together complete in the order they started, but a socket's `close` (a refused connect's,
//   an abandoned one's) comes a tick later, behind the other's outcome: `refused` is only chosen when no other
//   connect is pending, and a scenario whose outcome closes a socket while another connect is pending ends there.
import { Simulation, SimulationError } from '../../../language/semantics/interpreter.js';
import type { Instance, StreamSocket } from '../../../language/semantics/instance.js';
import type { ProgramSpec } from '../../../language/semantics/program.js';
import { applyStep } from '../../../language/semantics/run-scenario.js';
import { parseScenario, type ScenarioStep } from '../../../language/semantics/scenario.js';
import type { TraceLine } from '../../../templates/runtime/trace-format.js';
import type { Random } from '../../seeded-random.js';
import { guardDecider } from './guards.js';

/** How the harness's end of a client's address behaves: a listener that accepts, nothing bound, or a full backlog. */
export type PortMode = 'accept' | 'refuse' | 'hang';

/** What the harness does for one step. */
export type HarnessStep =
    | { kind: 'advance'; ms: number }
    | { kind: 'signal'; signal: string }
    /** The peer of client `client` (`Machine.socket`) writes, ends (FIN) or resets (RST). */
    | { kind: 'client'; client: string; what: 'data' | 'closed' | 'reset'; data?: string }
    /** The harness connects to server `server` (`Machine.socket`). */
    | { kind: 'accept'; server: string }
    /** The harness's `session`-th connection (1-based) to a server writes, ends or resets. */
    | { kind: 'session'; session: number; what: 'data' | 'closed' | 'reset'; data?: string };

export interface Group {
    /** Port modes to set before the group (clients whose mode changes). */
    readonly modes: Record<string, PortMode>;
    /** What the harness does (undefined for the start: the program is started). */
    readonly action: HarnessStep | undefined;
    /** The group's scenario lines: the step's, then the outcomes of its connects. */
    readonly lines: string[];
    /** Clients whose connect succeeds in this group, in order (the harness's peers on their ports). */
    readonly connected: string[];
    /** How many trace lines the interpreter has written by the end of the group. */
    traceLines: number;
}

export interface Scenario {
    /** Group 0 is the start (its steps are the outcomes of the connects the start begins). */
    readonly groups: Group[];
    /** The scenario in `reactor-fsm simulate` syntax. */
    readonly text: string;
    /** The interpreter's trace of the whole scenario, from a fresh run of `text`. */
    readonly trace: TraceLine[];
    /** Whether, by the interpreter, the program has ended (every top-level machine finished, every socket closed). */
    readonly ended: boolean;
    /** Why generation stopped early, if it did (an endless step, a connect loop). */
    readonly cut?: string;
}

export interface ScenarioOptions {
    /** Groups after the start. */
    readonly groups: number;
    /** Whether ports can drop SYNs (the harness has a blackhole); without, no connect ever hangs. */
    readonly canHang: boolean;
}

const ADVANCES = [10, 30, 50, 100, 100, 200, 250, 500, 1000, 2000, 2500];
const WORDS = ['a', 'hi', 'abc', 'ping\n', 'hello', 'x\ny', '12345', '{"k":1}'];

/** The simulation of one program, with its guards decided by the shared guards (a fresh decider per run). */
export function newSimulation(program: ProgramSpec, onTrace?: (line: TraceLine) => void): Simulation {
    const decide = guardDecider();
    return new Simulation(program, { onTrace, guard: (name, instance) => decide(name, instance.name, instance.payload) });
}

/** `Machine.socket` of a client or server. */
function keyOf(instance: Instance, socket: string): string {
    return `${instance.name}.${socket}`;
}

interface Attempt {
    instance: Instance;
    socket: StreamSocket;
    generation: number;
}

/** Watches the simulation's connects: which start, in order (the interpreter's own `connect`, wrapped). */
function watchConnects(simulation: Simulation): Attempt[] {
    const attempts: Attempt[] = [];
    const target = simulation as unknown as { connect(instance: Instance, socket: StreamSocket): void };
    const connect = target.connect.bind(simulation);
    target.connect = (instance, socket) => {
        const before = socket.generation;
        connect(instance, socket);
        if (socket.generation !== before) {
            attempts.push({ instance, socket, generation: socket.generation });
        }
    };
    return attempts;
}

function streamSockets(instance: Instance): Array<[string, StreamSocket]> {
    return [...instance.sockets.entries()].filter((entry): entry is [string, StreamSocket] => entry[1].kind !== 'server');
}

/** The interpreter's view of the end: every top-level machine finished and every socket (sessions' too) closed. */
export function programEnded(simulation: Simulation): boolean {
    return (
        simulation.running.length === 0 &&
        simulation.instances.every((instance) =>
            [...instance.sockets.values()].every((socket) => (socket.status === 'idle' || socket.status === 'closed') && (socket.kind === 'server' || socket.lingering === 0))
        )
    );
}

function stepText(step: HarnessStep, program: ProgramSpec): string {
    const qualified = (key: string): string => key; // `Machine.socket`: the instance of a top-level machine has its name
    switch (step.kind) {
        case 'advance':
            return `advance ${step.ms}ms`;
        case 'signal':
            return `signal ${step.signal}`;
        case 'client':
            return `${qualified(step.client)} ${step.what}${step.what === 'data' ? ` ${JSON.stringify(step.data)}` : ''}`;
        case 'accept':
            return `${qualified(step.server)} accept`;
        case 'session': {
            const server = [...program.machines.values()].flatMap((machine) => machine.sockets).find((socket) => socket.kind === 'server')!;
            const connection = program.machines.get(server.session!)!.sockets.find((socket) => socket.kind === 'connection')!;
            return `${server.session}#${step.session}.${connection.name} ${step.what}${step.what === 'data' ? ` ${JSON.stringify(step.data)}` : ''}`;
        }
    }
}

class Cut extends Error {}

/** Builds the groups of one scenario on a live simulation; see the file's head. */
class Builder {
    readonly groups: Group[] = [];
    /** The current mode of each client's port (absent: nothing bound yet). */
    private readonly modes = new Map<string, PortMode>();
    private readonly attempts: Attempt[];

    constructor(
        readonly simulation: Simulation,
        private readonly program: ProgramSpec,
        private readonly random: Random,
        private readonly canHang: boolean
    ) {
        this.attempts = watchConnects(simulation);
    }

    start(): void {
        const group = this.open(undefined);
        this.beginGroup();
        this.simulation.start();
        // A program's first turn of the event loop takes the outcomes of its connects before the close of a socket its
        // start closed (Node emits it from the loop's last phase): the scenario cannot say that, so such connects hang.
        const closed = this.simulation.trace.some((line) => line.kind === 'io' && line.what === 'close');
        this.resolve(group, closed ? 2 : 1);
        this.groups.push(group);
    }

    /** A step other than `advance`: one group. */
    step(action: HarnessStep, apply: () => void): void {
        const group = this.open(action);
        this.beginGroup();
        apply();
        this.resolve(group, 1);
        this.groups.push(group);
    }

    /** `advance ms`, cut after each instant where a timer started a connect (one group per piece). */
    advance(ms: number): void {
        const target = this.simulation.now + ms;
        let from = this.simulation.now;
        this.beginGroup();
        while (this.simulation.now < target) {
            const due = this.simulation.pendingTimers.filter((timer) => timer.due <= target);
            const instant = due[0]?.due ?? target;
            const together = due.filter((timer) => timer.due === instant).length;
            if (together > 1 && due.some((timer) => timer.due === instant && timer.label === 'reconnect')) {
                // A reconnect and another timer at one instant: the program's connect may complete between them (a
                // later timer of that instant may close it again), which no scenario line can say.
                throw new Cut('a reconnect is due at the same instant as another timer');
            }
            this.simulation.advance(instant - this.simulation.now);
            if (this.pending().length > 0) {
                // A connect started at this instant: the piece ends here and its outcome follows.
                const group = this.open({ kind: 'advance', ms: instant - from });
                this.resolve(group, together);
                this.groups.push(group);
                from = instant;
                this.beginGroup();
            }
        }
        if (target > from) {
            const group = this.open({ kind: 'advance', ms: target - from });
            this.groups.push(group);
        }
        this.attempts.length = 0;
    }

    /** Ports that drop SYNs when a group begins, for a connect of theirs still pending: they cannot change mode in it. */
    private hangingAtBegin = new Set<string>();

    private beginGroup(): void {
        this.attempts.length = 0;
        this.hangingAtBegin = new Set(
            [...this.modes.entries()].filter(([key, mode]) => mode === 'hang' && this.connecting(key)).map(([key]) => key)
        );
    }

    private open(action: HarnessStep | undefined): Group {
        return { modes: {}, action, lines: action ? [stepText(action, this.program)] : [], connected: [], traceLines: 0 };
    }

    /** The connects started since the last group (`attempts`) that are still pending, in the order they started. */
    private pending(): Attempt[] {
        return this.attempts.filter((attempt) => attempt.socket.status === 'connecting' && attempt.socket.generation === attempt.generation);
    }

    /**
     * Gives the connects left pending by the group's step their outcomes: each port gets a mode for the group, and
     * each connect whose port does not hang its outcome step. `together`: how many timers fired at the step's last
     * instant (more than one: an outcome could come between them in the program, so the connect must hang; the start
     * passes 2 when it closed a socket, whose close the program delivers after the outcomes).
     */
    private resolve(group: Group, together: number): void {
        const decided = new Map<string, PortMode>();
        const modeFor = (attempt: Attempt, others: number): PortMode => {
            const key = keyOf(attempt.instance, attempt.socket.spec.name);
            let mode = decided.get(key);
            if (mode === undefined) {
                if (together > 1 || this.hangingAtBegin.has(key)) {
                    if (!this.canHang) {
                        throw new Cut('a connect must hang here, and there is no blackhole');
                    }
                    mode = 'hang';
                } else {
                    const roll = this.random.next();
                    mode = roll < 0.6 ? 'accept' : roll < 0.85 && others === 0 ? 'refuse' : this.canHang && roll >= 0.85 ? 'hang' : 'accept';
                }
                decided.set(key, mode);
                if (this.modes.get(key) !== mode) {
                    group.modes[key] = mode;
                    this.modes.set(key, mode);
                }
            }
            return mode;
        };
        for (let outcomes = 0; ; outcomes++) {
            const pending = this.pending();
            let next: Attempt | undefined;
            for (const [index, attempt] of pending.entries()) {
                const others = pending.filter((other, position) => position !== index && modeFor(other, 1) !== 'hang').length;
                const mode = modeFor(attempt, others);
                if (mode !== 'hang' && !next) {
                    next = attempt;
                }
            }
            if (!next) {
                break;
            }
            if (outcomes >= 8) {
                throw new Cut('a client connects again and again in one step');
            }
            const key = keyOf(next.instance, next.socket.spec.name);
            const refused = decided.get(key) === 'refuse';
            if (refused && pending.some((other) => other !== next && decided.get(keyOf(other.instance, other.socket.spec.name)) !== 'hang')) {
                throw new Cut('a refused connect while another connect is pending');
            }
            group.lines.push(`${key} ${refused ? 'refused' : 'connected'}`);
            if (!refused) {
                group.connected.push(key);
            }
            this.attempts.splice(this.attempts.indexOf(next), 1);
            const traced = this.simulation.trace.length;
            this.simulation.socket(next.instance, next.socket.spec.name, { what: refused ? 'refused' : 'connected' });
            // A socket's close comes a tick later in a program (Node emits it once the handle has closed): behind the
            // outcomes of connects pending now, which the scenario can only put after it.
            const closed = this.simulation.trace.slice(traced).some((line) => line.kind === 'io' && line.what === 'close');
            if (closed && this.pending().some((other) => decided.get(keyOf(other.instance, other.socket.spec.name)) !== 'hang')) {
                throw new Cut('a socket closes while another connect is pending');
            }
        }
        this.attempts.length = 0;
    }

    /** Whether client `key` is connecting. */
    private connecting(key: string): boolean {
        return this.simulation.instances.some((instance) =>
            streamSockets(instance).some(([name, socket]) => socket.kind === 'client' && socket.status === 'connecting' && keyOf(instance, name) === key)
        );
    }
}

/** A random scenario for `program`, valid at every step; see the file's head. */
export function randomScenario(program: ProgramSpec, random: Random, options: ScenarioOptions): Scenario {
    const builder = new Builder(newSimulation(program), program, random, options.canHang);
    let cut: string | undefined;
    let complete = 0;
    try {
        builder.start();
        complete = builder.groups.length;
        for (let index = 0; index < options.groups; index++) {
            if (!chooseStep(builder, random)) {
                break; // nothing can happen any more (the program has ended)
            }
            complete = builder.groups.length;
        }
    } catch (error) {
        if (!(error instanceof Cut || error instanceof SimulationError)) {
            throw error;
        }
        cut = error.message;
        // The step that could not be completed is dropped, with every group it made: the scenario ends before it.
    }
    const groups = builder.groups.slice(0, complete);
    if (groups.length === 0) {
        return { groups: [], text: '', trace: [], ended: false, cut };
    }
    return replay(program, groups, cut);
}

/** Runs the scenario's text afresh (the same parser and step code as `reactor-fsm simulate`), counting lines per group. */
function replay(program: ProgramSpec, groups: Group[], cut: string | undefined): Scenario {
    const simulation = newSimulation(program);
    const underTest = program.topLevel[0]!;
    simulation.start();
    const text: string[] = [];
    groups.forEach((group, index) => {
        if (index === 0) {
            text.push('# the start');
        }
        for (const step of parseScenario(group.lines.join('\n'))) {
            applyStep(simulation, step, underTest);
        }
        text.push(...group.lines.map((line, position) => (position === 0 && group.action ? line : `${line}    # with the step before`)));
        group.traceLines = simulation.trace.length;
    });
    return { groups, text: `${text.join('\n')}\n`, trace: simulation.trace, ended: programEnded(simulation), cut };
}

/**
 * A scenario written by hand (`reactor-fsm simulate` syntax): each step starts a group; `X connected` and `X refused`
 * lines belong to the group before them and put X's port in that mode for it; a connect left pending by a group
 * without an outcome line hangs (its port drops SYNs). `advance` steps are not cut: write the cuts yourself.
 */
export function scenarioFromText(program: ProgramSpec, text: string): Scenario {
    const simulation = newSimulation(program);
    const attempts = watchConnects(simulation);
    const underTest = program.topLevel[0]!;
    const modes = new Map<string, PortMode>();
    const groups: Group[] = [];
    const lines = text.split(/\r?\n/).map((line) => line.replace(/(^|\s)#.*$/, '').trim());
    const close = (group: Group): void => {
        for (const attempt of attempts) {
            const key = keyOf(attempt.instance, attempt.socket.spec.name);
            if (attempt.socket.status === 'connecting' && attempt.socket.generation === attempt.generation && modes.get(key) !== 'hang') {
                group.modes[key] = 'hang';
                modes.set(key, 'hang');
            }
        }
        attempts.length = 0;
        groups.push(group);
    };
    let group: Group = { modes: {}, action: undefined, lines: [], connected: [], traceLines: 0 };
    simulation.start();
    for (const line of lines.filter((candidate) => candidate !== '')) {
        const step = parseScenario(line)[0]!;
        if (step.kind === 'socket' && (step.occurrence.what === 'connected' || step.occurrence.what === 'refused')) {
            const key = `${step.target.kind === 'named' ? step.target.instance : underTest}.${step.socket}`;
            const mode: PortMode = step.occurrence.what === 'connected' ? 'accept' : 'refuse';
            if (modes.get(key) !== mode) {
                group.modes[key] = mode;
                modes.set(key, mode);
            }
            if (mode === 'accept') {
                group.connected.push(key);
            }
            group.lines.push(line);
            attempts.splice(0, attempts.length, ...attempts.filter((attempt) => keyOf(attempt.instance, attempt.socket.spec.name) !== key));
            applyStep(simulation, step, underTest);
            continue;
        }
        close(group);
        group = { modes: {}, action: harnessStep(step, underTest), lines: [line], connected: [], traceLines: 0 };
        applyStep(simulation, step, underTest);
    }
    close(group);
    return replay(program, groups, undefined);
}

/** What the harness does for a scenario step (not an outcome). */
function harnessStep(step: ScenarioStep, underTest: string): HarnessStep {
    switch (step.kind) {
        case 'advance':
            return { kind: 'advance', ms: step.ms };
        case 'signal':
            return { kind: 'signal', signal: step.signal };
        case 'socket': {
            const instance = step.target.kind === 'named' ? step.target.instance : underTest;
            const occurrence = step.occurrence;
            if (occurrence.what === 'accept') {
                return { kind: 'accept', server: `${instance}.${step.socket}` };
            }
            if (occurrence.what !== 'data' && occurrence.what !== 'closed' && occurrence.what !== 'reset') {
                throw new Error(`the harness cannot make '${occurrence.what}' happen`);
            }
            const data = occurrence.what === 'data' ? occurrence.data : undefined;
            if (instance.includes('#')) {
                return { kind: 'session', session: Number(instance.slice(instance.indexOf('#') + 1)), what: occurrence.what, data };
            }
            return { kind: 'client', client: `${instance}.${step.socket}`, what: occurrence.what, data };
        }
        default:
            throw new Error(`the harness cannot replay a '${step.kind}' step`);
    }
}

interface Choice {
    step: HarnessStep;
    apply: () => void;
}

/** Takes one step the situation allows, at random; false when nothing can happen. */
function chooseStep(builder: Builder, random: Random): boolean {
    const simulation = builder.simulation;
    const choice = choose(simulation, random);
    if (!choice) {
        return false;
    }
    if (choice.step.kind === 'advance') {
        builder.advance(choice.step.ms);
    } else {
        builder.step(choice.step, choice.apply);
    }
    return true;
}

function choose(simulation: Simulation, random: Random): Choice | undefined {
    const options: Array<{ weight: number; make: () => Choice }> = [];
    const running = simulation.instances.filter((instance) => !instance.finished);
    if (running.length === 0) {
        return undefined;
    }
    options.push({
        weight: 3,
        make: () => {
            const ms = random.pick(ADVANCES);
            return { step: { kind: 'advance', ms }, apply: () => simulation.advance(ms) };
        }
    });
    const bound = [...new Set(running.flatMap((instance) => instance.spec.signals.map((binding) => binding.signal)))];
    if (bound.length > 0) {
        options.push({
            weight: 1,
            make: () => {
                const signal = random.pick(bound);
                return { step: { kind: 'signal', signal }, apply: () => simulation.signal(signal) };
            }
        });
    }
    const peerStep = (instance: Instance, name: string, harness: (what: 'data' | 'closed' | 'reset', data?: string) => HarnessStep): Choice => {
        const roll = random.next();
        const what = roll < 0.6 ? 'data' : roll < 0.85 ? 'closed' : 'reset';
        const data = what === 'data' ? random.pick(WORDS) : undefined;
        return {
            step: harness(what, data),
            apply: () => simulation.socket(instance, name, what === 'data' ? { what: 'data', data: data! } : { what })
        };
    };
    for (const instance of running) {
        for (const [name, socket] of streamSockets(instance)) {
            if (socket.status !== 'connected' && socket.status !== 'closing') {
                continue;
            }
            if (socket.kind === 'client') {
                options.push({ weight: 2.5, make: () => peerStep(instance, name, (what, data) => ({ kind: 'client', client: keyOf(instance, name), what, data })) });
            } else if (instance.server) {
                const session = Number(instance.name.slice(instance.name.lastIndexOf('#') + 1));
                options.push({ weight: 2, make: () => peerStep(instance, name, (what, data) => ({ kind: 'session', session, what, data })) });
            }
        }
        for (const [name, socket] of instance.sockets) {
            if (socket.kind === 'server' && socket.status === 'listening') {
                options.push({ weight: 1.2, make: () => ({ step: { kind: 'accept', server: keyOf(instance, name) }, apply: () => simulation.socket(instance, name, { what: 'accept' }) }) });
            }
        }
    }
    const total = options.reduce((sum, option) => sum + option.weight, 0);
    let roll = random.next() * total;
    for (const option of options) {
        roll -= option.weight;
        if (roll < 0) {
            return option.make();
        }
    }
    return options[0]!.make();
}
