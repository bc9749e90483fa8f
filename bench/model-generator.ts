// Writes a large but realistic Reactor FSM model: a gateway machine with N states and a small session machine.
//
// The model is meant to be clean (no diagnostics at all), so the benchmark measures the normal path:
// - one initial state; a few final states; every state reachable and every state able to finish
//   (a spine S0 → S1 → … → last → first final state runs through all non-final states);
// - about 3 transitions per state: `on E -> T`, guarded `on E [g] -> T` (sometimes with its `[!g]` twin),
//   internal `on E / act`, and `after 2s -> T` timers;
// - no two unguarded transitions on one event in one state, no guarded transition after an unguarded one;
// - every event handled by some state and produced by a socket, a signal or a `raise`.
import { seededRandom, type Random } from '../test/seeded-random.js';

export interface GeneratedModel {
    readonly text: string;
    /** All states of the big machine (non-final + final). */
    readonly states: number;
    readonly finalStates: number;
    readonly events: number;
    /** `on` transitions with a target. */
    readonly transitions: number;
    /** `on` transitions without a target. */
    readonly internalTransitions: number;
    readonly guardedTransitions: number;
    readonly timers: number;
    readonly lines: number;
}

export interface GeneratorOptions {
    /** Number of events; default: states / 10, at least 50 and at most 200. */
    readonly events?: number;
    /** Number of final states; default: about log10(states). */
    readonly finalStates?: number;
    readonly seed?: number;
}

const EVENT_NOUNS = [
    'Order', 'Payment', 'Session', 'Request', 'Upload', 'Chunk', 'Token', 'Lease', 'Job', 'Batch',
    'Handshake', 'Peer', 'Frame', 'Message', 'Quota', 'Config', 'Backup', 'Cache', 'Lock', 'Retry'
];
const EVENT_OUTCOMES = ['Received', 'Accepted', 'Rejected', 'Failed', 'Expired', 'Confirmed', 'Cancelled', 'Completed', 'TimedOut', 'Ready'];
/** Events the sockets and signals of the gateway produce; always part of the event list. */
const SOCKET_EVENTS = ['UpstreamConnected', 'UpstreamData', 'UpstreamClosed', 'UpstreamFailed', 'HeartbeatLost', 'ClientJoined', 'Shutdown', 'Reload'];

const STATE_WORDS = ['Idle', 'Waiting', 'Checking', 'Sending', 'Receiving', 'Retrying', 'Draining', 'Syncing', 'Verifying', 'Reconnecting'];
const FINAL_NAMES = ['Finished', 'Aborted', 'GaveUp', 'Terminated', 'Crashed', 'Rejected', 'Cancelled', 'Expired'];
const GUARDS = ['ready', 'authorized', 'hasCapacity', 'withinQuota', 'isPrimary', 'cacheWarm', 'retriesLeft'];
const CALLS = ['logEvent', 'recordMetric', 'notifyPeer', 'flushBuffer', 'bumpCounter', 'persistState', 'resetBackoff'];
const DELAYS = ['250ms', '2s', '2s', '5s', '30s', '1m'];

const MACHINE = 'Gateway';
const SESSION_MACHINE = 'GatewaySession';

/** The event names: socket events first, then noun × outcome combinations. */
function eventNames(count: number): string[] {
    const names = [...SOCKET_EVENTS];
    for (const outcome of EVENT_OUTCOMES) {
        for (const noun of EVENT_NOUNS) {
            names.push(`${noun}${outcome}`);
        }
    }
    if (count < SOCKET_EVENTS.length || count > names.length) {
        throw new Error(`The generator supports ${SOCKET_EVENTS.length}–${names.length} events, not ${count}.`);
    }
    return names.slice(0, count);
}

/** `count` distinct indices in [0, bound), none of them in `exclude`. */
function distinct(random: Random, bound: number, count: number, exclude: readonly number[]): number[] {
    const chosen: number[] = [];
    while (chosen.length < count) {
        const index = random.int(bound);
        if (!exclude.includes(index) && !chosen.includes(index)) {
            chosen.push(index);
        }
    }
    return chosen;
}

export function generateModel(stateCount: number, options: GeneratorOptions = {}): GeneratedModel {
    const random = seededRandom(options.seed ?? 0x5eed + stateCount);
    const finalCount = options.finalStates ?? Math.max(2, Math.round(Math.log10(stateCount)));
    const events = eventNames(options.events ?? Math.min(200, Math.max(50, Math.round(stateCount / 10))));
    const spineLength = stateCount - finalCount;
    if (finalCount > FINAL_NAMES.length || spineLength < events.length) {
        throw new Error(`Cannot generate ${stateCount} states with ${finalCount} final states and ${events.length} events.`);
    }
    const stateName = (i: number): string => `${STATE_WORDS[i % STATE_WORDS.length]}${i}`;
    const finals = FINAL_NAMES.slice(0, finalCount);
    /** The spine state that leads to each final state after the first (the spine's end leads to the first). */
    const finalFeeders = new Map<number, string>();
    for (let k = 1; k < finalCount; k++) {
        finalFeeders.set(Math.floor((spineLength * k) / finalCount), finals[k]!);
    }

    let transitions = 0;
    let internalTransitions = 0;
    let guardedTransitions = 0;
    let timers = 0;
    const out: string[] = [];
    const line = (text: string): void => {
        out.push(text);
    };

    line(`// Generated by bench/model-generator.ts: ${stateCount} states, ${events.length} events.`);
    line(`machine ${MACHINE} {`);
    for (let i = 0; i < events.length; i += 10) {
        line(`    events ${events.slice(i, i + 10).join(', ')}`);
    }
    line('');

    for (let i = 0; i < spineLength; i++) {
        const next = i + 1 < spineLength ? stateName(i + 1) : finals[0]!;
        const body: string[] = [];
        if (random.chance(0.1)) {
            body.push(`entry ${random.pick(CALLS)}`);
        }
        if (random.chance(0.05)) {
            body.push(`exit ${random.pick(CALLS)}`);
        }
        // Every event is handled somewhere: state i handles event i mod E.
        const main = i % events.length;
        // The first E states raise event i + 1, so every event has a producer (never from its own handler).
        const raised = i < events.length ? (i + 1) % events.length : undefined;
        const [branchEvent, internalEvent] = distinct(random, events.length, 2, raised === undefined ? [main] : [main, raised]) as [number, number];
        const useTimer = random.chance(0.15);

        // 1. The way along the spine: an event, or a timer.
        if (useTimer) {
            body.push(`after ${random.pick(DELAYS)} -> ${next}`);
            timers++;
        } else {
            body.push(`on ${events[main]} -> ${next}`);
            transitions++;
        }

        // 2. A branch elsewhere, often guarded; the states feeding the other final states branch there.
        const feeds = finalFeeders.get(i);
        if (feeds !== undefined || random.chance(0.8)) {
            const target = feeds ?? (random.chance(0.03) ? random.pick(finals) : stateName(random.int(spineLength)));
            const guarded = random.chance(0.5);
            const guard = random.pick(GUARDS);
            body.push(`on ${events[branchEvent]}${guarded ? ` [${guard}]` : ''} -> ${target}`);
            transitions++;
            if (guarded) {
                guardedTransitions++;
                // Sometimes the other half of the decision: both guarded, so neither shadows the other.
                if (random.chance(0.4)) {
                    body.push(`on ${events[branchEvent]} [!${guard}] -> ${stateName(random.int(spineLength))}`);
                    transitions++;
                    guardedTransitions++;
                }
            }
        }

        // 3. An internal transition, with the state's `raise` if it has one.
        if (raised !== undefined || random.chance(0.8)) {
            const event = useTimer ? main : internalEvent;
            const actions: string[] = [];
            if (raised !== undefined) {
                actions.push(`raise ${events[raised]}`);
            }
            const roll = random.next();
            if (roll < 0.1) {
                actions.push('close upstream');
            } else if (roll < 0.15) {
                actions.push('connect upstream');
            } else if (roll < 0.25) {
                const other = random.int(events.length);
                actions.push(`raise ${events[other === event ? (other + 1) % events.length : other]}`);
            } else if (raised === undefined || roll < 0.6) {
                actions.push(random.pick(CALLS));
            }
            body.push(`on ${events[event]} / ${actions.join(', ')}`);
            internalTransitions++;
        } else if (useTimer) {
            // The timer took the spine: the state's own event still needs a handler.
            body.push(`on ${events[main]} / ${random.pick(CALLS)}`);
            internalTransitions++;
        }

        line(`    ${i === 0 ? 'initial ' : ''}state ${stateName(i)} {`);
        for (const member of body) {
            line(`        ${member}`);
        }
        line('    }');
    }
    for (const name of finals) {
        line(`    final state ${name}`);
    }
    line('');
    line('    client upstream connect 10.0.0.1:7000 {');
    line('        timeout 3s');
    line('        reconnect 1s..30s');
    line('        heartbeat 5s timeout 15s -> HeartbeatLost');
    line('        connect -> UpstreamConnected');
    line('        read -> UpstreamData');
    line('        close -> UpstreamClosed');
    line('        error -> UpstreamFailed');
    line('    }');
    line('    server listener listen 0.0.0.0:8080 {');
    line('        backlog 511');
    line(`        session ${SESSION_MACHINE}`);
    line('        accept -> ClientJoined');
    line('    }');
    line('    signal SIGINT -> Shutdown');
    line('    signal SIGTERM -> Shutdown');
    line('    signal SIGHUP -> Reload');
    line('}');
    line('');
    line(`machine ${SESSION_MACHINE} {`);
    line('    events Data, PeerClosed, PeerFailed, IdleTimeout');
    line('    initial state Open {');
    line('        on Data / echo');
    line('        on IdleTimeout -> Closing');
    line('        on PeerClosed -> Closed');
    line('        on PeerFailed -> Closed');
    line('    }');
    line('    state Closing {');
    line('        entry close peer');
    line('        after 2s -> Closed');
    line('        on PeerClosed -> Closed');
    line('    }');
    line('    final state Closed');
    line('    connection peer {');
    line('        read -> Data');
    line('        close -> PeerClosed');
    line('        error -> PeerFailed');
    line('        idle 30s -> IdleTimeout');
    line('    }');
    line('}');

    const text = `${out.join('\n')}\n`;
    return {
        text,
        states: stateCount,
        finalStates: finalCount,
        events: events.length,
        transitions,
        internalTransitions,
        guardedTransitions,
        timers,
        lines: out.length
    };
}

/** What a hierarchical model holds, counted while writing it. */
export interface HierarchicalModel {
    readonly text: string;
    /** All states at every depth: top-level, composite, parallel and atomic ones. */
    readonly states: number;
    readonly composites: number;
    readonly parallelStates: number;
    readonly regions: number;
    readonly histories: number;
    /** The deepest nesting of states (a region does not count as a level). */
    readonly depth: number;
    readonly lines: number;
}

const HIERARCHY_EVENTS = ['Enter', 'Resume', 'Leave', 'Quit', 'Next', 'Back', 'Flip', 'Flop'];
/** Atomic states in each region of a group's parallel state. */
const REGION_STATES = 15;

/**
 * A clean hierarchical machine with `stateCount` states on 3 levels, built of groups (each 43 states or more):
 *
 *     state G7 {                        level 1: leaves to the next group, quits, resumes the next group's history
 *         [deep] history G7H
 *         initial state G7A { … }       level 2: a chain of atomic states (level 3), the last into G7P
 *         parallel state G7P {          level 2: two regions of 15 atomic states (level 3), `on Back -> G7A`
 *             region G7R1 { … }  region G7R2 { … }
 *         }
 *     }
 *
 * Every state is reachable and can finish (every group quits to `Done`); no child handles its parent's events and
 * the regions handle different events, so the checks report nothing.
 */
export function generateHierarchicalModel(stateCount: number): HierarchicalModel {
    const perGroup = 3 + 10 + 2 * REGION_STATES;
    const groups = Math.floor((stateCount - 2) / perGroup);
    if (groups < 1) {
        throw new Error(`A hierarchical model needs at least ${perGroup + 2} states, not ${stateCount}.`);
    }
    // The chains of the composites take what is left over, spread evenly.
    const chainStates = stateCount - 2 - groups * (3 + 2 * REGION_STATES);
    const out: string[] = [];
    const line = (text: string): void => {
        out.push(text);
    };
    line('// A generated hierarchical model for the benchmark: composite states, parallel regions and history, 3 levels.');
    line('machine Player {');
    line(`    events ${HIERARCHY_EVENTS.join(', ')}`);
    line('    initial state Idle {');
    line('        on Enter -> G0');
    line('        on Resume -> G0H');
    line('        on Quit -> Done');
    line('    }');
    for (let g = 0; g < groups; g++) {
        const next = g + 1 < groups ? `G${g + 1}` : 'Idle';
        const chain = Math.floor(chainStates / groups) + (g < chainStates % groups ? 1 : 0);
        line(`    state G${g} {`);
        line('        on Quit -> Done');
        line(`        on Leave -> ${next}`);
        line(`        on Resume -> G${(g + 1) % groups}H`);
        line(`        ${g % 2 === 0 ? '' : 'deep '}history G${g}H`);
        line(`        initial state G${g}A {`);
        for (let i = 0; i < chain; i++) {
            const target = i + 1 < chain ? `G${g}A${i + 1}` : `G${g}P`;
            line(`            ${i === 0 ? 'initial ' : ''}state G${g}A${i} { on Next -> ${target} }`);
        }
        line('        }');
        line(`        parallel state G${g}P {`);
        line(`            on Back -> G${g}A`);
        for (const [region, event] of [['R1', 'Flip'], ['R2', 'Flop']] as const) {
            line(`            region G${g}${region} {`);
            for (let i = 0; i < REGION_STATES; i++) {
                const target = `G${g}${region}S${(i + 1) % REGION_STATES}`;
                const way = region === 'R2' && i === REGION_STATES - 1 ? `after 1s -> ${target}` : `on ${event} -> ${target}`;
                line(`                ${i === 0 ? 'initial ' : ''}state G${g}${region}S${i} { ${way} }`);
            }
            line('            }');
        }
        line('        }');
        line('    }');
    }
    line('    final state Done');
    line('}');
    return {
        text: `${out.join('\n')}\n`,
        states: stateCount,
        composites: groups * 2,
        parallelStates: groups,
        regions: groups * 2,
        histories: groups,
        depth: 3,
        lines: out.length
    };
}
