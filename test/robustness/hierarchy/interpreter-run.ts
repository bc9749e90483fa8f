// A random hierarchical machine through the product: its .fsm text parsed and linked by the real services, turned
// into the program the interpreter runs, and run step by step on the interpreter's virtual clock.
import { URI, type LangiumDocument } from 'langium';
import type { Model } from '../../../language/generated/ast.js';
import { Simulation } from '../../../language/semantics/interpreter.js';
import { programOf, type ProgramSpec } from '../../../language/semantics/program.js';
import type { TraceLine } from '../../../templates/runtime/trace-format.js';
import { services } from '../../helpers.js';
import { guardValue } from './xstate.js';
import type { TreeStep } from './model.js';

let counter = 0;

/** Parses and links `text` (no validation: the interpreter gives meaning to what parses and links). */
export async function programOfText(text: string): Promise<ProgramSpec> {
    const workspace = services.shared.workspace;
    const document: LangiumDocument<Model> = workspace.LangiumDocumentFactory.fromString<Model>(text, URI.parse(`memory:///hierarchy-${++counter}.fsm`));
    workspace.LangiumDocuments.addDocument(document);
    try {
        await workspace.DocumentBuilder.build([document], { validation: false });
        const { lexerErrors, parserErrors } = document.parseResult;
        const unresolved = document.references.filter((reference) => reference.error !== undefined);
        if (lexerErrors.length + parserErrors.length + unresolved.length > 0) {
            const messages = [...lexerErrors.map((e) => e.message), ...parserErrors.map((e) => e.message), ...unresolved.map((r) => r.error!.message)];
            throw new Error(`the random machine does not parse and link:\n${messages.join('\n')}\n${text}`);
        }
        return programOf(document.parseResult.value);
    } finally {
        await workspace.DocumentBuilder.update([], [document.uri]);
    }
}

export class InterpreterRun {
    private readonly simulation: Simulation;
    private step = 0;

    constructor(program: ProgramSpec) {
        this.simulation = new Simulation(program, { guard: (name) => guardValue(name, this.step) });
    }

    start(): void {
        this.simulation.start();
    }

    run(step: TreeStep, index: number): void {
        this.step = index;
        const instance = this.simulation.instances[0]!;
        if (step.kind === 'send') {
            this.simulation.send(instance, step.event);
        } else {
            this.simulation.advance(step.ms);
        }
    }

    /** The call actions run so far, in order. */
    get log(): string[] {
        return this.simulation.trace.flatMap((line) => (line.kind === 'action' && /^a\d+$/.test(line.name) ? [line.name] : []));
    }

    configuration(): string[] {
        return this.simulation.instances[0]!.leaves.map((node) => node.name).sort();
    }

    finished(): boolean {
        return this.simulation.instances[0]!.finished;
    }

    /** Every trace line so far. */
    get trace(): readonly TraceLine[] {
        return this.simulation.trace;
    }

    /** The trace as text, for a failure report. */
    traceText(): string[] {
        return this.simulation.trace.map((line) => JSON.stringify(line));
    }
}
