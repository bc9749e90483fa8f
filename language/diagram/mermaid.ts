// A machine as Mermaid `stateDiagram-v2` text, to paste into Markdown.
import { analyzeMachine } from '../analysis/machine-analysis.js';
import type { Machine } from '../generated/ast.js';
import { triggerLabel } from './graph.js';

/** Mermaid labels end at a line break and treat `:`, `;` and `#` specially: write them as entity codes. */
function label(text: string): string {
    return text
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/[#:;<>"]/g, (char) => `#${char.charCodeAt(0)};`);
}

export function machineToMermaid(machine: Machine): string {
    const analysis = analyzeMachine(machine);
    const ids = new Map(analysis.states.map((state, index) => [state, `s${index}`]));
    const lines = ['stateDiagram-v2', `    %% machine ${label(machine.name ?? '?')}`];
    for (const state of analysis.states) {
        lines.push(`    state "${label(state.name ?? '?')}" as ${ids.get(state)}`);
    }
    if (analysis.initial) {
        lines.push(`    [*] --> ${ids.get(analysis.initial)}`);
    }
    for (const state of analysis.states) {
        for (const edge of analysis.outgoing.get(state) ?? []) {
            lines.push(`    ${ids.get(state)} --> ${ids.get(edge.target)} : ${label(triggerLabel(edge.trigger))}`);
        }
        if (state.final) {
            lines.push(`    ${ids.get(state)} --> [*]`);
        }
        const internal = state.transitions.filter((transition) => !transition.target).map((transition) => label(triggerLabel(transition)));
        if (internal.length > 0) {
            lines.push(`    note right of ${ids.get(state)}`, ...internal.map((text) => `        ${text}`), '    end note');
        }
    }
    return `${lines.join('\n')}\n`;
}
