// Part 5: events per second of the hierarchical machine (models/deck.fsm: three levels, two regions) driven by one
// seeded sequence, three ways: the generated code, the same machine flattened by hand into a switch, and XState 5.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Machine, MachineHost } from '../../templates/runtime/index.js';
import { DECK_ACTIONS, deckCounters, type DeckActions } from './deck-model.js';
import { SwitchDeckMachine } from './deck-switch.js';
import { countsOf, timeThree, type Runner } from './timing.js';
import { startDeckActor, xstateDeckMachine, XSTATE_DECK_EVENTS } from './deck-xstate.js';

export interface GeneratedDeck {
    readonly DeckMachine: new (host: MachineHost, actions: DeckActions) => Machine;
    readonly host: MachineHost;
}

export async function loadGeneratedDeck(dist: string): Promise<GeneratedDeck> {
    const machineModule = (await import(pathToFileURL(path.join(dist, 'deck.machine.js')).href)) as Pick<GeneratedDeck, 'DeckMachine'>;
    const runtime = (await import(pathToFileURL(path.join(dist, 'runtime/index.js')).href)) as { Reactor: new () => MachineHost };
    return { DeckMachine: machineModule.DeckMachine, host: new runtime.Reactor() };
}

export interface HierarchyPlan {
    readonly warmups: number;
    readonly runs: number;
    readonly xstateWarmupEvents: number;
    readonly xstateRuns: number;
}

export interface HierarchyResult {
    readonly events: number;
    readonly generated: number;
    readonly switch: number;
    readonly xstate: number;
    readonly runs: { readonly generated: number[]; readonly switch: number[]; readonly xstate: number[] };
    readonly agree: boolean;
    readonly disagreement?: string;
}




export function measureHierarchy(generated: GeneratedDeck, events: Int32Array, plan: HierarchyPlan): HierarchyResult {
    const states = { generated: deckCounters(), switch: deckCounters(), xstate: deckCounters() };
    const runGenerated: Runner = (list, limit) => {
        const machine = new generated.DeckMachine(generated.host, states.generated.actions);
        machine.start();
        for (let i = 0; i < limit; i++) {
            machine.dispatch(list[i]!);
        }
    };
    const runSwitch: Runner = (list, limit) => {
        const machine = new SwitchDeckMachine(states.switch.actions);
        for (let i = 0; i < limit; i++) {
            machine.dispatch(list[i]!);
        }
    };
    const definition = xstateDeckMachine(states.xstate.actions);
    const runXState: Runner = (list, limit) => {
        const actor = startDeckActor(definition);
        for (let i = 0; i < limit; i++) {
            actor.send(XSTATE_DECK_EVENTS[list[i]!]!);
        }
        actor.stop();
    };

    // Same work: the three must have called the same actions the same number of times.
    const expected = countsOf(runSwitch, states.switch, events);
    let disagreement: string | undefined;
    for (const [name, counts] of Object.entries({ generated: countsOf(runGenerated, states.generated, events), xstate: countsOf(runXState, states.xstate, events) })) {
        const differs = DECK_ACTIONS.filter((_, i) => counts[i] !== expected[i]);
        if (differs.length > 0) {
            disagreement = `${name} differs from the switch on ${differs.map((action) => `${action} (${counts[DECK_ACTIONS.indexOf(action)]} vs ${expected[DECK_ACTIONS.indexOf(action)]})`).join(', ')}`;
        }
    }

    // A resident instance of each keeps their hidden classes alive between runs (see throughput.ts, `residents`).
    const alive: unknown[] = [new generated.DeckMachine(generated.host, states.generated.actions), new SwitchDeckMachine(states.switch.actions)];
    const timings = timeThree({ generated: runGenerated, switch: runSwitch, xstate: runXState }, events, plan);
    alive.length = 0;
    return {
        events: events.length,
        ...timings,
        agree: disagreement === undefined,
        ...(disagreement === undefined ? {} : { disagreement })
    };
}
