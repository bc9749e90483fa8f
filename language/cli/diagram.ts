// `reactor-fsm diagram`: one machine of a file as an SVG picture or as Mermaid text.
import { writeFile } from 'node:fs/promises';
import type { ReactorFsmServices } from '../module.js';
import { loadModel } from './load-models.js';
import { InputError } from './source-files.js';

export interface DiagramOptions {
    machine?: string;
    svg?: string;
    mermaid?: string;
}

/** Writes the requested outputs (`-` is standard output); returns 0. Syntax errors are reported but do not stop it. */
export async function runDiagram(services: ReactorFsmServices, input: string, options: DiagramOptions, out: (text: string) => void): Promise<number> {
    if (options.svg === undefined && options.mermaid === undefined) {
        throw new InputError('say what to write: --svg FILE and/or --mermaid FILE (- for standard output)');
    }
    const { source, document } = (await loadModel(services, input, 'diagram')).loaded;
    const model = document.parseResult.value;
    const renderer = services.diagram.DiagramRenderer;
    const machine = renderer.chooseMachine(model, options.machine);
    if (!machine) {
        const names = model.machines.map((candidate) => candidate.name).join(', ');
        throw new InputError(options.machine ? `'${source.shown}' has no machine '${options.machine}' (it has: ${names || 'none'})` : `'${source.shown}' declares no machine`);
    }
    const write = async (target: string, content: string): Promise<void> => {
        if (target === '-') {
            out(content);
            return;
        }
        try {
            await writeFile(target, content);
        } catch (error) {
            throw new InputError(`cannot write '${target}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        }
    };
    if (options.svg !== undefined) {
        await write(options.svg, `${await renderer.svg(machine, document, true)}\n`);
    }
    if (options.mermaid !== undefined) {
        await write(options.mermaid, renderer.mermaid(machine));
    }
    return 0;
}
