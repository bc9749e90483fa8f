// Test harness: a hierarchical model generated, transpiled and loaded, run on the runtime's ManualClock with its trace
// observer, and the same model run through the interpreter on the same steps: both traces, to compare.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { generateProject, type GeneratedFile } from '../../language/generator/generator.js';
import { Simulation } from '../../language/semantics/interpreter.js';
import { programOf, type ProgramSpec } from '../../language/semantics/program.js';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { validate } from '../helpers.js';

/** One step of a run: an event sent from outside, or the clock moved on. */
export type Step = { send: string } | { advance: number };

/** A guard's value: the same pure function for both runs (the guard's name and how many steps ran before). */
export type GuardValue = (name: string, step: number) => boolean;

interface LoadedMachine {
    start(): void;
    dispatch(event: number, payload?: unknown): void;
    readonly stateName: string;
}

interface ManualClock {
    now(): number;
    advance(ms: number): void;
}

interface Compiled {
    files: GeneratedFile[];
    program: ProgramSpec;
    machineClass: new (host: unknown, actions: Record<string, (...args: unknown[]) => unknown>) => LoadedMachine;
    eventNames: readonly string[];
    members: Array<{ member: string; name: string; guard: boolean }>;
    clockClass: new () => ManualClock;
    traceObserver: (clock: ManualClock, write: (line: TraceLine) => void) => unknown;
}

const nativeRequire = createRequire(import.meta.url);
const folders: string[] = [];
let counter = 0;

export async function removeCompiled(): Promise<void> {
    await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

/** Validates (no errors but `allowedErrors` codes), generates and loads the first machine of `text`. */
export async function compileHierarchical(text: string, allowedErrors: readonly string[] = []): Promise<Compiled> {
    const { document, diagnostics } = await validate(text);
    const errors = diagnostics.filter((d) => d.severity === 1 && !allowedErrors.includes(String(d.code ?? 'internal')));
    if (errors.length > 0) {
        throw new Error(`model has errors: ${errors.map((d) => `${String(d.code)} ${typeof d.message === 'string' ? d.message : d.message.value}`).join('; ')}`);
    }
    const model = document.parseResult.value;
    const files = generateProject(model, `h${counter}.fsm`);
    const folder = await mkdtemp(path.join(tmpdir(), `reactor-fsm-hierarchy-${counter++}-`));
    folders.push(folder);
    const tsconfig = files.find((file) => file.path === 'tsconfig.json')!;
    const parsed = ts.convertCompilerOptionsFromJson((JSON.parse(tsconfig.content) as { compilerOptions: unknown }).compilerOptions, folder);
    const options: ts.CompilerOptions = { ...parsed.options, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, sourceMap: false, isolatedModules: true };
    await mkdir(path.join(folder, 'src', 'runtime'), { recursive: true });
    await writeFile(path.join(folder, 'package.json'), '{ "type": "commonjs" }\n');
    for (const file of files.filter((each) => each.path.startsWith('src/') && !each.path.endsWith('main.ts'))) {
        await writeFile(path.join(folder, file.path.replace(/\.ts$/, '.js')), ts.transpileModule(file.content, { compilerOptions: options, fileName: file.path }).outputText);
    }
    const machine = model.machines[0]!;
    const base = files.find((file) => file.path.endsWith('.machine.ts'))!.path.replace(/^src\//, '').replace(/\.machine\.ts$/, '');
    const eventsModule = nativeRequire(path.join(folder, `src/${base}.events.js`)) as Record<string, unknown>;
    const machineModule = nativeRequire(path.join(folder, `src/${base}.machine.js`)) as Record<string, unknown>;
    const clock = nativeRequire(path.join(folder, 'src/runtime/clock.js')) as { ManualClock: new () => ManualClock };
    const trace = nativeRequire(path.join(folder, 'src/runtime/trace.js')) as { traceObserver: Compiled['traceObserver'] };
    const eventsFile = files.find((file) => file.path === `src/${base}.events.ts`)!;
    const members = [...eventsFile.content.matchAll(/^ {4}\/\*\* (Action|Guard) `([^`]+)`[^\n]*\n {4}(\w+)\(machine: /gm)].map((match) => ({ guard: match[1] === 'Guard', name: match[2]!, member: match[3]! }));
    const className = Object.keys(machineModule).find((key) => key.endsWith('Machine'))!;
    const eventNames = Object.entries(eventsModule).find(([key]) => key.endsWith('EventNames'))![1] as string[];
    void machine;
    return {
        files,
        program: programOf(model),
        machineClass: machineModule[className] as Compiled['machineClass'],
        eventNames,
        members,
        clockClass: clock.ManualClock,
        traceObserver: trace.traceObserver
    };
}

/** The generated machine's trace over `steps`. */
export function generatedTrace(compiled: Compiled, steps: readonly Step[], guard: GuardValue): TraceLine[] {
    const clock = new compiled.clockClass();
    const lines: TraceLine[] = [];
    let done = 0;
    const observer = compiled.traceObserver(clock, (line) => lines.push(line));
    const host = { observers: [observer], clock, machineFinished: () => undefined, stop: () => undefined };
    const actions: Record<string, (...args: unknown[]) => unknown> = {};
    for (const member of compiled.members) {
        actions[member.member] = member.guard ? () => guard(member.name, done) : () => undefined;
    }
    const machine = new compiled.machineClass(host, actions);
    machine.start();
    for (const step of steps) {
        if ('send' in step) {
            const id = compiled.eventNames.indexOf(step.send);
            if (id < 0) {
                throw new Error(`no event ${step.send}`);
            }
            machine.dispatch(id);
        } else {
            clock.advance(step.advance);
        }
        done++;
    }
    return lines;
}

/** The interpreter's trace over `steps`. */
export function interpretedTrace(compiled: Compiled, steps: readonly Step[], guard: GuardValue): TraceLine[] {
    let done = 0;
    const simulation = new Simulation(compiled.program, { guard: (name) => guard(name, done) });
    simulation.start();
    const instance = simulation.instances[0]!;
    for (const step of steps) {
        if ('send' in step) {
            simulation.send(instance, step.send);
        } else {
            simulation.advance(step.advance);
        }
        done++;
    }
    return simulation.trace;
}

/** A trace line in a few words, for readable failures. */
export function line(trace: TraceLine): string {
    const { t, kind, machine, ...rest } = trace;
    return `${t} ${machine} ${kind} ${Object.values(rest).join(' ')}`;
}
