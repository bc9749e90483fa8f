// Execution (a): the real generator's TypeScript, compiled and run. Models are validated with the real validator,
// generated with generateProject, transpiled file by file (ts.transpileModule, the project's own compiler options)
// into one temporary folder — the runtime once, then each machine's events and machine files — and loaded with
// Node's own require (CommonJS output: loading hundreds of modules through vitest's module runner costs seconds).
// Timers run on vitest's fake clock: the machine arms them through its own armTimer/setTimeout path.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { vi } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { generateProject, type GeneratedFile } from '../../../language/generator/generator.js';
import { validate } from '../../helpers.js';
import { USER_NAMES, eventName, printMachine, stateName, userName, type MachineSpec } from './model.js';
import { STEP_BUDGET as REFERENCE_STEP_BUDGET } from './reference.js';
import { evaluateGuard, newRecorder, recordAction, type Execution, type Payload, type Recorder } from './semantics.js';

/** The slice of the generated machine class the test drives. */
interface GeneratedMachine {
    readonly stateName: string;
    readonly finished: boolean;
    payload: unknown;
    start(): void;
    dispatch(event: number, payload?: unknown): void;
}

interface Observer {
    transition?(machine: unknown, from: string, event: string, to: string): void;
    unhandled?(machine: unknown, state: string, event: string): void;
    error?(machine: unknown, error: unknown, event: string): void;
}

interface Host {
    readonly observers: readonly Observer[];
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
        this.timings.import += performance.now() - started;
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
        return { ok: true, compiled: { text, machineClass, eventNames, members }, warnings: diagnostics.map(describe) };
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
    return `${String(diagnostic.code)}: ${diagnostic.message}`;
}

/** How many events the generated machine may take in one step before the step is called endless (the reference allows half). */
const STEP_BUDGET = 2 * REFERENCE_STEP_BUDGET;

class BudgetExceeded extends Error {}

/** Runs the compiled machine; install the fake clock (`withFakeClock`) around every call. */
export class GeneratedExecution implements Execution {
    readonly recorder: Recorder = newRecorder();
    readonly notes: string[] = [];
    timerFirings = 0;
    /** Anything the generated code did that the test did not expect (an action error, a payload mismatch). */
    readonly anomalies: string[] = [];
    private readonly machine: GeneratedMachine;
    /** Events left for the current step (see the constructor). */
    private budget = STEP_BUDGET;

    /** The canonical state name (S0, …) of a model state name. */
    private readonly stateOf: (name: string) => string;

    constructor(
        private readonly compiled: CompiledMachine,
        private readonly spec: MachineSpec
    ) {
        const recorder = this.recorder;
        const anomalies = this.anomalies;
        const states = new Map(spec.states.map((state, index) => [stateName(spec, index), state.name]));
        const events = new Map(spec.events.map((event, index) => [eventName(spec, index), event]));
        const users = new Map(USER_NAMES.map((name) => [userName(spec, name), name]));
        const stateOf = (this.stateOf = (name) => states.get(name) ?? `?${name}`);
        const eventOf = (name: string): string => events.get(name) ?? `?${name}`;
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
                    recordAction(recorder, canonical, stateOf(machine.stateName), machine.payload);
                };
            }
        }
        const notes = this.notes;
        const host: Host = {
            observers: [
                {
                    transition: (_machine, from, event, to) => {
                        if (event.startsWith('after ')) {
                            this.timerFirings++;
                            notes.push(`${stateOf(from)} -after-> ${stateOf(to)}`);
                        } else {
                            notes.push(event === '(start)' ? `start -> ${stateOf(to)}` : `${stateOf(from)} -${eventOf(event)}-> ${stateOf(to)}`);
                        }
                    },
                    unhandled: (_machine, state, event) => {
                        notes.push(`unhandled ${eventOf(event)} in ${stateOf(state)}`);
                    },
                    error: (_machine, error, event) => {
                        if (error instanceof BudgetExceeded) {
                            throw error; // out of the machine's catch: the step ends here
                        }
                        anomalies.push(`action error on ${event}: ${String(error)}`);
                    }
                }
            ],
            machineFinished: () => undefined,
            stop: () => {
                recorder.actions.push('stop');
            }
        };
        this.machine = new compiled.machineClass(host, actions);
        // A safety net, not part of the comparison: every event (sent, raised, timer) passes through dispatch, so a
        // step that would never end in the generated code (where the reference's ends) fails instead of hanging.
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
        vi.advanceTimersByTime(ms);
    }

    state(): string {
        return this.stateOf(this.machine.stateName);
    }

    finished(): boolean {
        return this.machine.finished;
    }
}

/** Runs `body` with setTimeout/clearTimeout replaced by vitest's fake clock (the machine's timers fire on advance). */
export function withFakeClock<T>(body: () => T): T {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
        return body();
    } finally {
        vi.useRealTimers();
    }
}
