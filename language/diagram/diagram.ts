// From a document to a finished diagram: pick the machine, build its graph, lay it out, render it.
import type { LangiumDocument } from 'langium';
import type { Machine, Model } from '../generated/ast.js';
import type { MachineAnalysis } from '../analysis/machine-analysis.js';
import { compactIfBig } from './compact.js';
import { buildDiagramGraph } from './graph.js';
import type { DiagramGraph } from './geometry/graph-types.js';
import { layoutGraph, type PlacedGraph } from './geometry/layout.js';
import { renderSvg } from './geometry/svg.js';

/** The machine named `name`, else the one containing `offset`, else the first. */
export function chooseMachine(model: Model, name?: string, offset?: number): Machine | undefined {
    if (name !== undefined) {
        return model.machines.find((machine) => machine.name === name);
    }
    if (offset !== undefined) {
        const around = model.machines.find((machine) => machine.$cstNode && machine.$cstNode.offset <= offset && offset <= machine.$cstNode.end);
        if (around) {
            return around;
        }
    }
    return model.machines[0];
}

/** The graph the diagram draws: compact for a big machine (see compact.ts). `analysis`: one already made (the service's). */
export function diagramGraph(machine: Machine, document?: LangiumDocument, analysis?: MachineAnalysis): DiagramGraph {
    return compactIfBig(buildDiagramGraph(machine, document, analysis));
}

export async function placeMachine(machine: Machine, document?: LangiumDocument, analysis?: MachineAnalysis): Promise<PlacedGraph> {
    return layoutGraph(diagramGraph(machine, document, analysis));
}

/** The machine's diagram as SVG; `standalone` embeds the styles (a file of its own). */
export async function machineSvg(machine: Machine, document: LangiumDocument | undefined, standalone: boolean, analysis?: MachineAnalysis): Promise<string> {
    return renderSvg(await placeMachine(machine, document, analysis), { standalone });
}
