// Generates a big machine of composite states, parallel regions, histories and completions for the diagram tests.
import { seededRandom } from '../seeded-random.js';

export interface HierarchicalMachine {
    text: string;
    /** Every state at any depth, composite ones included. */
    states: number;
    regions: number;
}

/**
 * About `target` states: groups of composite states (each with a history, three composites of 25 states ending in a
 * final one, a parallel state of two regions), chained by `done`; leaves step along their composite, some jump to a
 * state anywhere (edges across every level), back to their composite, or by a timer to their group's history.
 */
export function hierarchicalMachine(target: number, seed = 7): HierarchicalMachine {
    const random = seededRandom(seed);
    const groups = Math.max(1, Math.round(target / 104));
    const leaves: string[] = [];
    let states = 2;
    let regions = 0;
    const chain = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, k) => `${prefix}_L${k}`);
    const plan = Array.from({ length: groups }, (_, g) => ({
        composites: Array.from({ length: 3 }, (_, c) => chain(`G${g}_C${c}`, 25)),
        regions: Array.from({ length: 2 }, (_, r) => chain(`G${g}_P_R${r}`, 12))
    }));
    for (const group of plan) {
        leaves.push(...group.composites.flat(), ...group.regions.flat());
    }
    const leafLines = (names: readonly string[], composite: string, history: string, pad: string): string[] =>
        names.map((name, k) => {
            if (k === names.length - 1) {
                return `${pad}final state ${name}`;
            }
            const lines = [`on Step -> ${names[k + 1]}`];
            if (random.chance(0.25)) {
                lines.push(`on Jump -> ${random.pick(leaves)}`);
            }
            if (random.chance(0.1)) {
                lines.push(`on Back -> ${composite}`);
            }
            if (random.chance(0.1)) {
                lines.push(`after 2s -> ${history}`);
            }
            return `${pad}${k === 0 ? 'initial ' : ''}state ${name} { ${lines.join('  ')} }`;
        });
    const text: string[] = ['machine Nested {', '    events Next, Reset, Step, Jump, Back, Stop', '    initial state Boot { on Next -> G0 }'];
    plan.forEach((group, g) => {
        const history = `G${g}_H`;
        text.push(`    state G${g} {`, `        on Next -> ${g + 1 < groups ? `G${g + 1}` : 'Done'}`, '        on Reset -> Boot',
            '        on Stop -> Done', `        ${g % 2 === 0 ? 'deep ' : ''}history ${history} -> G${g}_C1`);
        states += 1;
        group.composites.forEach((names, c) => {
            const composite = `G${g}_C${c}`;
            text.push(`        ${c === 0 ? 'initial ' : ''}state ${composite} {`, `            on done -> ${c < 2 ? `G${g}_C${c + 1}` : `G${g}_P`}`, ...leafLines(names, composite, history, '            '), '        }');
            states += 1 + names.length;
        });
        text.push(`        parallel state G${g}_P {`, `            on done -> G${g}_C0`);
        states += 1;
        group.regions.forEach((names, r) => {
            text.push(`            region G${g}_P_R${r} {`, ...leafLines(names, `G${g}_P`, history, '                '), '            }');
            states += names.length;
            regions++;
        });
        text.push('        }', '    }');
    });
    text.push('    final state Done', '    signal SIGTERM -> Stop', '}');
    return { text: text.join('\n'), states, regions };
}
