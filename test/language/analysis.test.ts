// The one analysis pass: what it finds on small graphs, checked set by set.
import { describe, expect, it } from 'vitest';
import { analyzeMachine } from '../../language/analysis/machine-analysis.js';
import type { Machine } from '../../language/generated/ast.js';
import { validate } from '../helpers.js';

async function machineOf(text: string): Promise<Machine> {
    const { document } = await validate(text);
    return document.parseResult.value.machines[0]!;
}

const names = (items: Iterable<{ name: string }>): string[] => [...items].map((item) => item.name).sort();

describe('analyzeMachine', () => {
    it('finds reachable, terminal and trap states in one pass', async () => {
        const machine = await machineOf(`machine M {
            events Go, Back, Quit
            initial state A { on Go -> B  on Quit -> Done }
            state B { after 1s -> C }
            state C { on Back -> B }
            state Stuck { on Go / noop }
            state Island { on Go -> A }
            final state Done
        }`);
        const analysis = analyzeMachine(machine);
        expect(analysis.initial?.name).toBe('A');
        expect(names(analysis.reachable)).toEqual(['A', 'B', 'C', 'Done']);
        expect(names(analysis.terminal)).toEqual(['Stuck']);
        expect(names(analysis.traps)).toEqual(['B', 'C']);
        expect(analysis.outgoing.get(machine.states[1]!)!.map((edge) => [edge.target.name, edge.trigger.$type])).toEqual([['C', 'Timer']]);
    });

    it('pairs clashing transitions and records the producers of each event', async () => {
        const machine = await machineOf(`machine M {
            events Data, Lost, Stop, Next
            initial state A {
                on Data / one
                on Data / two
                on Data [g] / three
                on Next -> A
                on Lost -> A
                on Stop -> Done / raise Next
            }
            final state Done
            client c connect 127.0.0.1:1 { read -> Data  heartbeat 1s timeout 2s -> Lost }
            signal SIGTERM -> Stop
        }`);
        const analysis = analyzeMachine(machine);
        expect(analysis.nondeterministic.map(([a, b]) => [a.$cstNode?.text, b.$cstNode?.text])).toEqual([['on Data / one', 'on Data / two']]);
        expect(analysis.shadowed.map(([, b]) => b.$cstNode?.text)).toEqual(['on Data [g] / three']);
        const producerTypes = (event: string): string[] =>
            (analysis.producers.get(analysis.events.find((e) => e.name === event)!) ?? []).map((p) => p.$type);
        expect(producerTypes('Data')).toEqual(['EventMapping']);
        expect(producerTypes('Lost')).toEqual(['HeartbeatOption']);
        expect(producerTypes('Stop')).toEqual(['Signal']);
        expect(producerTypes('Next')).toEqual(['RaiseAction']);
        expect(analysis.isReactor).toBe(true);
        expect(names(analysis.handled)).toEqual(['Data', 'Lost', 'Next', 'Stop']);
    });

    it('reads a flat machine as before: its states in order, nothing hierarchical to report', async () => {
        const machine = await machineOf(`machine M {
            events Go
            initial state A { on Go -> B }
            state B { on Go -> A }
        }`);
        const analysis = analyzeMachine(machine);
        expect(analysis.states).toEqual(machine.states);
        expect(analysis.hierarchical).toBe(false);
        expect(analysis.startDecided).toBe(true);
        expect([analysis.histories, analysis.unusedHistories, analysis.hidden, analysis.regionConflicts].map((list) => list.length)).toEqual([0, 0, 0, 0]);
    });

    it('handles a machine without states or an initial state', async () => {
        const analysis = analyzeMachine(await machineOf(`machine Empty { events X }`));
        expect(analysis.initial).toBeUndefined();
        expect(analysis.reachable.size).toBe(0);
        expect(analysis.isReactor).toBe(false);
    });

    it('scales linearly: a 20,000-state chain is analysed without recursion limits', async () => {
        const states = Array.from({ length: 20_000 }, (_, i) => `state S${i} { on Go -> S${i + 1} }`).join('\n');
        const machine = await machineOf(`machine Chain { events Go initial state Start { on Go -> S0 } ${states} final state S20000 }`);
        const analysis = analyzeMachine(machine);
        expect(analysis.reachable.size).toBe(20_002);
        expect(analysis.traps.size).toBe(0);
    });
});
