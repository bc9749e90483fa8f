// Execution (a): the real generator's TypeScript, compiled and run. Models are validated with the real validator,
// generated with generateProject, transpiled file by file (ts.transpileModule, the project's own compiler options)
// into one temporary folder — the runtime once, then each machine's events and machine files — and loaded with
// Node's own require (CommonJS output: loading hundreds of modules through vitest's module runner costs seconds).
// The same validated document gives the interpreter its program (`programOf`), so both run the very same model.
// Timers run on the runtime's own ManualClock (what a program runs on under --clock=manual): the machine arms them
// through its host's clock, as in a program.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from 'vscode-languageserver';
import { generateProject, type GeneratedFile } from '../../../language/generator/generator.js';
import { programOf, type ProgramSpec } from '../../../language/semantics/program.js';
import type { TraceLine } from '../../../templates/runtime/trace-format.js';
import { validate } from '../../helpers.js';
import { STEP_BUDGET as INTERPRETER_STEP_BUDGET, legendOf, noteOf, type Legend } from './interpreter.js';
import { USER_NAMES, eventName, printMachine, userName, type MachineSpec } from './model.js';
import { evaluateGuard, newRecorder, recordAction, type Execution, type Payload, type Recorder } from './semantics.js';

/** The slice of the generated machine class the test drives. */
interface GeneratedMachine {
    readonly stateName: string;
    readonly finished: boolean;
    payload: unknown;
    start(): void;
    dispatch(event: number, payload?: unknown): void;
}

interface Observed {
    readonly name: string;
    readonly stateName: string;
}

interface Observer {
    transition?(machine: Observed, from: string, event: string, to: string): void;
    internal?(machine: Observed, state: string, event: string): void;
    action?(machine: Observed, name: string, state: string, phase: 'entry' | 'exit' | 'transition' | 'heartbeat'): void;
    unhandled?(machine: Observed, state: string, event: string): void;
    finished?(machine: Observed): void;
    error?(machine: Observed, error: unknown, event: string): void;
}

/** The runtime's ManualClock (src/runtime/clock.ts of the generated project). */
export interface ManualClock {
    now(): number;
    advance(ms: number): void;
}

interface Host {
    readonly observers: readonly Observer[];
    readonly clock: ManualClock;
    machineFinished(machine: unknown): void;
    stop(): void;
}

type MachineClass = new (host: Host, actions: Record<string, (machine: GeneratedMachine, payload?: unknown) => unknown>) => GeneratedMachine;

export interface CompiledMachine {
    /** The model text that was generated (machine name included). */
    text: string;
    machineClass: MachineClass;
    /** The model's event names by id (the generated `…EventNames`). */
    eventNames: readonly string[];
    /** The members of the generated actions interface, with the model's name of the action or guard each stands for. */
    members: Array<{ member: string; name: string }>;
    /** The interpreter's program of the same validated document. */
    program: ProgramSpec;
    /** The compiled runtime's ManualClock. */
    clockClass: new () => ManualClock;
}

export type Prepared = { ok: true; compiled: CompiledMachine; warnings: string[] } | { ok: false; errors: string[] };

const nativeRequire = createRequire(import.meta.url);

/** Rewrites a generated or runtime file before it is compiled (to check that the comparison notices a change). */
export type Mutation = (path: string, content: string) => string;

/** Compiles generated projects into one temporary folder; every machine gets its own name there. */
export class Compiler {
    private folder: string | undefined;
    private counter = 0;
    private options: ts.CompilerOptions | undefined;
    private readonly cache = new Map<string, Promise<Prepared>>();
    /** Milliseconds spent validating, generating, transpiling and importing. */
    readonly timings = { validate: 0, generate: 0, transpile: 0, import: 0 };
    machinesCompiled = 0;
    modelsRejected = 0;
    /** Files the mutation changed. */
    filesMutated = 0;

    constructor(private readonly mutation?: Mutation) {}

    /** Validates, generates and compiles `spec` (cached by its text). */
    prepare(spec: MachineSpec): Promise<Prepared> {
        const key = printMachine(spec, 'M');
        let prepared = this.cache.get(key);
        if (!prepared) {
            prepared = this.compile(spec);
            this.cache.set(key, prepared);
        }
        return prepared;
    }

    async dispose(): Promise<void> {
        if (this.folder) {
            await rm(this.folder, { recursive: true, force: true });
            this.folder = undefined;
        }
    }

    private async compile(spec: MachineSpec): Promise<Prepared> {
        const name = `D${this.counter++}`;
        const text = printMachine(spec, name);
        let started = performance.now();
        const { document, diagnostics } = await validate(text);
        this.timings.validate += performance.now() - started;
        const errors = diagnostics.filter((d) => d.severity === 1).map(describe);
        if (errors.length > 0) {
            this.modelsRejected++;
            return { ok: false, errors };
        }
        started = performance.now();
        const files = generateProject(document.parseResult.value, `${name}.fsm`);
        const program = programOf(document.parseResult.value);
        this.timings.generate += performance.now() - started;
        const folder = await this.ensureFolder(files);
        const base = name.toLowerCase();
        const eventsFile = files.find((file) => file.path === `src/${base}.events.ts`);
        const machineFile = files.find((file) => file.path === `src/${base}.machine.ts`);
        if (!eventsFile || !machineFile) {
            throw new Error(`generated files of ${name} not found among ${files.map((file) => file.path).join(', ')}`);
        }
        started = performance.now();
        for (const file of [eventsFile, machineFile]) {
            await writeFile(path.join(folder, file.path.replace(/\.ts$/, '.js')), this.transpile(file));
        }
        this.timings.transpile += performance.now() - started;
        started = performance.now();
        const events = nativeRequire(path.join(folder, `src/${base}.events.js`)) as Record<string, unknown>;
        const machine = nativeRequire(path.join(folder, `src/${base}.machine.js`)) as Record<string, unknown>;
        const clock = nativeRequire(path.join(folder, 'src/runtime/clock.js')) as { ManualClock?: new () => ManualClock };
        this.timings.import += performance.now() - started;
        if (!clock.ManualClock) {
            throw new Error('the runtime has no ManualClock');
        }
        const eventNames = events[`${name}EventNames`] as string[] | undefined;
        const machineClass = machine[`${name}Machine`] as MachineClass | undefined;
        if (!eventNames || !machineClass) {
            throw new Error(`${name}EventNames or ${name}Machine not exported by the generated files`);
        }
        this.machinesCompiled++;
        // `/** Action \`name\`: …` (or Guard) above each member of the actions interface names what it stands for.
        const members = [...eventsFile.content.matchAll(/^ {4}\/\*\* (?:Action|Guard) `([^`]+)`[^\n]*\n {4}(\w+)\(machine: /gm)].map((match) => ({ name: match[1]!, member: match[2]! }));
        const used = usedUserNames(spec);
        if (members.map((m) => m.name).sort().join() !== used.sort().join()) {
            throw new Error(`the actions interface of ${name} reads as [${members.map((m) => m.name).join(', ')}], the model uses [${used.join(', ')}]`);
        }
        return { ok: true, compiled: { text, machineClass, eventNames, members, program, clockClass: clock.ManualClock }, warnings: diagnostics.map(describe) };
    }

    private transpile(file: GeneratedFile): string {
        const content = this.mutation ? this.mutation(file.path, file.content) : file.content;
        if (content !== file.content) {
            this.filesMutated++;
        }
        return ts.transpileModule(content, { compilerOptions: this.options!, fileName: file.path }).outputText;
    }

    /** The temporary folder, with the runtime compiled into it the first time. */
    private async ensureFolder(files: readonly GeneratedFile[]): Promise<string> {
        if (this.folder) {
            return this.folder;
        }
        const folder = await mkdtemp(path.join(tmpdir(), 'reactor-fsm-differential-'));
        const tsconfig = files.find((file) => file.path === 'tsconfig.json')!;
        const parsed = ts.convertCompilerOptionsFromJson((JSON.parse(tsconfig.content) as { compilerOptions: unknown }).compilerOptions, folder);
        // The project's own options (target, strictness), but CommonJS modules for Node's require.
        this.options = { ...parsed.options, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, sourceMap: false, noEmit: false, isolatedModules: true };
        await mkdir(path.join(folder, 'src', 'runtime'), { recursive: true });
        await writeFile(path.join(folder, 'package.json'), '{ "type": "commonjs" }\n');
        for (const file of files.filter((candidate) => candidate.path.startsWith('src/runtime/'))) {
            await writeFile(path.join(folder, file.path.replace(/\.ts$/, '.js')), this.transpile(file));
        }
        this.folder = folder;
        return folder;
    }
}

/**
 * The model's names of the user actions and guards `spec` uses where they can run: a transition after an unguarded
 * one on the same event can never fire, and the generator leaves it out.
 */
function usedUserNames(spec: MachineSpec): string[] {
    const names = new Set<string>();
    for (const state of spec.states) {
        const decided = new Set<number>();
        const live = state.transitions.filter((transition) => {
            const reachable = !decided.has(transition.event);
            if (!transition.guard) {
                decided.add(transition.event);
            }
            return reachable;
        });
        for (const transition of live) {
            if (transition.guard) {
                names.add(userName(spec, transition.guard.name));
            }
        }
        const lists = [...state.entry, ...state.exit, ...live.map((t) => t.actions), ...state.timers.map((t) => t.actions)];
        for (const action of lists.flat()) {
            if (action.kind === 'call') {
                names.add(userName(spec, action.name));
            }
        }
    }
    return [...names];
}

function describe(diagnostic: Diagnostic): string {
    return `${String(diagnostic.code)}: ${typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value}`;
}

/** How many events the generated machine may take in one step before the step is called endless (the interpreter allows half). */
const STEP_BUDGET = 2 * INTERPRETER_STEP_BUDGET;

class BudgetExceeded extends Error {}

/**
 * Runs the compiled machine on a ManualClock of the compiled runtime (pass one clock to several executions to run
 * them side by side). Its host does for one machine what the Reactor does: `stop` finishes it.
 */
export class GeneratedExecution implements Execution {
    readonly recorder: Recorder = newRecorder();
    readonly notes: string[] = [];
    timerFirings = 0;
    /** Anything the generated code did that the test did not expect (an action error, a payload mismatch). */
    readonly anomalies: string[] = [];
    readonly clock: ManualClock;
    private readonly machine: GeneratedMachine;
    /** Events left for the current step (see the constructor). */
    private budget = STEP_BUDGET;
    private readonly legend: Legend;

    constructor(
        private readonly compiled: CompiledMachine,
        private readonly spec: MachineSpec,
        clock?: ManualClock
    ) {
        const recorder = this.recorder;
        const anomalies = this.anomalies;
        const legend = (this.legend = legendOf(spec));
        this.clock = clock ?? new compiled.clockClass();
        const users = new Map(USER_NAMES.map((name) => [userName(spec, name), name]));
        // No prototype: members such as `constructor_` or `toString_` must be the only thing found.
        const actions = Object.create(null) as Record<string, (machine: GeneratedMachine, payload?: unknown) => unknown>;
        for (const { member, name } of compiled.members) {
            const canonical = users.get(name);
            if (!canonical) {
                throw new Error(`the generated actions interface has ${member} for '${name}', which the model does not use`);
            }
            if (canonical.startsWith('g')) {
                actions[member] = function (machine, ...rest) {
                    // A guard is passed the payload when its events carry one; machine.payload always holds it.
                    if (rest.length > 0 && rest[0] !== machine.payload) {
                        anomalies.push(`guard ${name} was passed ${String(rest[0])} while machine.payload is ${String(machine.payload)}`);
                    }
                    return evaluateGuard(canonical, machine.payload, recorder.actions.length, recorder);
                };
            } else {
                actions[member] = function (machine, ...rest) {
                    // An action is passed the payload when its events carry one; machine.payload always holds it.
                    if (rest.length > 0 && rest[0] !== machine.payload) {
                        anomalies.push(`action ${name} was passed ${String(rest[0])} while machine.payload is ${String(machine.payload)}`);
                    }
                    recordAction(recorder, canonical, legend.state(machine.stateName), machine.payload);
                };
            }
        }
        const note = (line: TraceLine): void => {
            const text = noteOf(line, legend);
            if (text !== undefined) {
                this.notes.push(text);
            }
        };
        const now = (): number => this.clock.now();
        const host: Host = {
            clock: this.clock,
            observers: [
                {
                    transition: (machine, from, event, to) => {
                        if (event.startsWith('after ')) {
                            this.timerFirings++;
                        }
                        note(from === '' ? { t: now(), kind: 'start', machine: machine.name, state: to } : { t: now(), kind: 'transition', machine: machine.name, from, event, to });
                    },
                    internal: (machine, state, event) => note({ t: now(), kind: 'internal', machine: machine.name, state, event }),
                    action: (machine, name, state, phase) => note({ t: now(), kind: 'action', machine: machine.name, name, state, phase }),
                    unhandled: (machine, state, event) => note({ t: now(), kind: 'unhandled', machine: machine.name, state, event }),
                    finished: (machine) => note({ t: now(), kind: 'finish', machine: machine.name, state: machine.stateName }),
                    error: (_machine, error, event) => {
                        if (error instanceof BudgetExceeded) {
                            throw error; // out of the machine's catch: the step ends here
                        }
                        anomalies.push(`action error on ${event}: ${String(error)}`);
                    }
                }
            ],
            machineFinished: () => undefined,
            // The Reactor's `stop` for a program of one top-level machine: it finishes (the machine calls this once
            // the step that ran `stop` has completed).
            stop: () => {
                void (this.machine as unknown as { finish(): Promise<void> }).finish();
            }
        };
        this.machine = new compiled.machineClass(host, actions);
        // `stop` is recorded in its place among the actions, where the generated code runs it.
        const machineWithStop = this.machine as unknown as { stopReactor(): void };
        const stopReactor = machineWithStop.stopReactor.bind(this.machine);
        machineWithStop.stopReactor = () => {
            recorder.actions.push('stop');
            stopReactor();
        };
        // A safety net, not part of the comparison: every event (sent, raised, timer) passes through dispatch, so a
        // step that would never end in the generated code (where the interpreter's ends) fails instead of hanging.
        const dispatch = this.machine.dispatch.bind(this.machine);
        this.machine.dispatch = (event, payload) => {
            if (--this.budget < 0) {
                throw new BudgetExceeded(`more than ${STEP_BUDGET} events in one step`);
            }
            dispatch(event, payload);
        };
    }

    start(): void {
        this.budget = STEP_BUDGET;
        this.machine.start();
    }

    send(event: string, payload: Payload): void {
        const id = this.compiled.eventNames.indexOf(eventName(this.spec, this.spec.events.indexOf(event)));
        if (id < 0) {
            throw new Error(`no event id for ${event}`);
        }
        this.budget = STEP_BUDGET;
        this.machine.dispatch(id, payload);
    }

    advance(ms: number): void {
        this.budget = STEP_BUDGET;
        this.clock.advance(ms);
    }

    state(): string {
        return this.legend.state(this.machine.stateName);
    }

    finished(): boolean {
        return this.machine.finished;
    }
}
