// Part 1: events per second of the same TCP-like machine driven by the same seeded sequence, three ways:
// the generated State-pattern classes, a hand-written numeric switch, and XState 5.
import type { GeneratedTcp } from './generated-tcp.js';
import { median } from './stats.js';
import { countsOf, timeThree, timed, type Runner } from './timing.js';
import { SwitchTcpMachine } from './switch-machine.js';
import { ACTION_NAMES, counters, type Counters } from './tcp-model.js';
import { XSTATE_EVENTS, startActor, xstateTcpMachine } from './xstate-machine.js';

export interface ThroughputPlan {
    /** Runs timed before the resident instances exist (see `residents`), reported apart, not used for the goals. */
    readonly unanchoredRuns: number;
    readonly warmups: number;
    readonly runs: number;
    /** XState is hundreds of times slower: one warm-up on a prefix of the sequence, fewer runs. */
    readonly xstateWarmupEvents: number;
    readonly xstateRuns: number;
}

export interface ThroughputResult {
    readonly events: number;
    /** Median events/s of each implementation. */
    readonly generated: number;
    readonly switch: number;
    readonly xstate: number;
    readonly runs: { readonly generated: number[]; readonly switch: number[]; readonly xstate: number[] };
    /** Median of the runs made while no instance outlived its run (see `residents`). */
    readonly unanchored: { readonly generated: number; readonly switch: number };
    /** Action counts after one pass of the sequence, per implementation: they must agree. */
    readonly agree: boolean;
    readonly disagreement?: string;
}


/**
 * One live instance of each implementation for the whole measurement, as in any process that runs machines.
 * Each run makes a fresh instance, and a full GC precedes each run. If no instance outlived its run, that GC would
 * collect the hidden classes (maps) of the class's instances, V8 would throw away every optimized function that
 * embedded them (deopt reason "weak objects": ~15 small functions for the generated machine, one for the switch),
 * and on a busy machine re-optimizing takes a good part of a 1e6-event run. `unanchored` reports that case.
 */
function residents(generated: GeneratedTcp, states: readonly Counters[], events: Int32Array): unknown[] {
    const machine = new generated.TcpMachine(generated.host, states[0]!.actions);
    const baseline = new SwitchTcpMachine(states[1]!.actions);
    machine.start();
    for (let i = 0; i < Math.min(64, events.length); i++) {
        machine.dispatch(events[i]!);
        baseline.dispatch(events[i]!);
    }
    return [machine, baseline];
}

function generatedRunner(generated: GeneratedTcp, state: Counters): Runner {
    return (events, limit) => {
        const machine = new generated.TcpMachine(generated.host, state.actions);
        machine.start();
        for (let i = 0; i < limit; i++) {
            machine.dispatch(events[i]!);
        }
    };
}

function switchRunner(state: Counters): Runner {
    return (events, limit) => {
        const machine = new SwitchTcpMachine(state.actions);
        for (let i = 0; i < limit; i++) {
            machine.dispatch(events[i]!);
        }
    };
}

function xstateRunner(state: Counters): Runner {
    const definition = xstateTcpMachine(state.actions);
    return (events, limit) => {
        const actor = startActor(definition);
        for (let i = 0; i < limit; i++) {
            actor.send(XSTATE_EVENTS[events[i]!]!);
        }
        actor.stop();
    };
}



export function measureThroughput(generated: GeneratedTcp, events: Int32Array, plan: ThroughputPlan): ThroughputResult {
    const generatedState = counters();
    const switchState = counters();
    const xstateState = counters();
    const runGenerated = generatedRunner(generated, generatedState);
    const runSwitch = switchRunner(switchState);
    const runXState = xstateRunner(xstateState);

    // Same work: the three must have called the same actions the same number of times.
    const expected = countsOf(runSwitch, switchState, events);
    const results = { generated: countsOf(runGenerated, generatedState, events), xstate: countsOf(runXState, xstateState, events) };
    let disagreement: string | undefined;
    for (const [name, counts] of Object.entries(results)) {
        const differs = ACTION_NAMES.filter((_, i) => counts[i] !== expected[i]);
        if (differs.length > 0) {
            disagreement = `${name} differs from the switch on ${differs.map((action) => `${action} (${counts[ACTION_NAMES.indexOf(action)]} vs ${expected[ACTION_NAMES.indexOf(action)]})`).join(', ')}`;
        }
    }

    // Generated and switch alternate, so a change in machine load hits both alike.
    const unanchored = { generated: [] as number[], switch: [] as number[] };
    for (let i = 0; i < plan.unanchoredRuns; i++) {
        unanchored.generated.push(timed(runGenerated, events));
        unanchored.switch.push(timed(runSwitch, events));
    }
    const alive = residents(generated, [generatedState, switchState], events);
    const timings = timeThree({ generated: runGenerated, switch: runSwitch, xstate: runXState }, events, plan);
    alive.length = 0;
    return {
        events: events.length,
        ...timings,
        unanchored: { generated: median(unanchored.generated), switch: median(unanchored.switch) },
        agree: disagreement === undefined,
        ...(disagreement === undefined ? {} : { disagreement })
    };
}
