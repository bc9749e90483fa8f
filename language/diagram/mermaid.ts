// A machine as Mermaid `stateDiagram-v2` text, to paste into Markdown: composite states as `state X { … }` blocks,
// the regions of a parallel state separated by `--`, a history as a state named H (shallow) or H* (deep).
import { allHistories, allStates } from '../ast/hierarchy.js';
import { isMachine, type History, type Machine, type Region, type State, type Target } from '../generated/ast.js';
import { triggerLabel } from './graph.js';

/** Mermaid labels end at a line break and treat `:`, `;` and `#` specially: write them as entity codes. */
function label(text: string): string {
    return text
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/[#:;<>"]/g, (char) => `#${char.charCodeAt(0)};`);
}

type Container = Machine | State | Region;

/** The containers from the machine down to `node`, both included. */
function chain(node: Container | History): Array<Container | History> {
    return isMachine(node) ? [node] : [...chain(node.$container), node];
}

/** The innermost container where an edge from `source` to `target` is written: one that holds both (see tree.ts). */
function levelOf(source: State, target: Target): Container {
    const from = chain(source);
    const to = chain(target);
    let common = 0;
    while (common < from.length && common < to.length && from[common] === to[common]) {
        common++;
    }
    return from[Math.min(common, from.length - 1, to.length - 1) - 1] as Container;
}

export function machineToMermaid(machine: Machine): string {
    const states = allStates(machine);
    const ids = new Map<State | History, string>([...states.map((state, index) => [state, `s${index}`] as const), ...allHistories(machine).map((history, index) => [history, `h${index}`] as const)]);
    const edgesAt = new Map<Container, Array<{ source: State; line: string }>>();
    for (const state of states) {
        for (const trigger of [...state.transitions, ...state.timers]) {
            const target = trigger.target?.ref;
            if (target && ids.has(target)) {
                const level = levelOf(state, target);
                edgesAt.set(level, [...(edgesAt.get(level) ?? []), { source: state, line: `${ids.get(state)} --> ${ids.get(target)} : ${label(triggerLabel(trigger))}` }]);
            }
        }
    }
    const lines = ['stateDiagram-v2', `    %% machine ${label(machine.name ?? '?')}`];

    /** What `container` holds, at `depth`: declarations, nested blocks, its start, then its edges, final markers and notes. */
    const write = (container: Container, depth: number): void => {
        const pad = '    '.repeat(depth);
        // A parallel state holds no states of its own: its regions are written after it, each a section.
        const own: readonly State[] = container.states;
        for (const history of isMachine(container) ? [] : container.histories) {
            lines.push(`${pad}state "${history.deep ? 'H*' : 'H'}" as ${ids.get(history)}`);
        }
        for (const state of own) {
            lines.push(`${pad}state "${label(state.name ?? '?')}" as ${ids.get(state)}`);
            if (state.states.length > 0 || state.regions.length > 0 || state.histories.length > 0) {
                lines.push(`${pad}state ${ids.get(state)} {`);
                write(state, depth + 1);
                state.regions.forEach((region, index) => {
                    if (index > 0) {
                        lines.push(`${pad}    --`);
                    }
                    lines.push(`${pad}    %% region ${label(region.name ?? '?')}`);
                    write(region, depth + 1);
                });
                lines.push(`${pad}}`);
            }
        }
        const initial = own.find((state) => state.initial);
        if (initial) {
            lines.push(`${pad}[*] --> ${ids.get(initial)}`);
        }
        for (const history of isMachine(container) ? [] : container.histories) {
            const target = history.default?.ref;
            if (target && ids.has(target)) {
                lines.push(`${pad}${ids.get(history)} --> ${ids.get(target)}`);
            }
        }
        const edges = edgesAt.get(container) ?? [];
        for (const state of states) {
            lines.push(...edges.filter((edge) => edge.source === state).map((edge) => `${pad}${edge.line}`));
            if (state.$container !== container) {
                continue;
            }
            if (state.final) {
                lines.push(`${pad}${ids.get(state)} --> [*]`);
            }
            const internal = state.transitions.filter((transition) => !transition.target).map((transition) => label(triggerLabel(transition)));
            if (internal.length > 0) {
                lines.push(`${pad}note right of ${ids.get(state)}`, ...internal.map((text) => `${pad}    ${text}`), `${pad}end note`);
            }
        }
    };
    write(machine, 1);
    return `${lines.join('\n')}\n`;
}
