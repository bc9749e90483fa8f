// Generates a large, clean Reactor FSM machine for the editor benchmarks (LSP latency and diagram).
//
// The model is meant to have no diagnostics at all, so the benchmarks measure the normal path:
// - one initial state (the first), a few final states, all reachable: a spine S0 → S1 → … → last → first final
//   state runs through every non-final state, so every state is reachable and can finish;
// - about 3 `on`/`after` lines per state: the spine transition, plus one of a guarded pair `[g]` / `[!g]`,
//   an internal transition with a timer, or a second transition with an internal one;
// - never two unguarded transitions on one event in one state, never a guarded one after an unguarded one;
// - every event handled by some state and produced by the socket, a signal or a `raise`;
// - one client socket with event mappings and a heartbeat, three signals.

/** mulberry32: every run builds exactly the same model. */
function seeded(seed: number): { int(bound: number): number; chance(p: number): boolean; pick<T>(items: readonly T[]): T } {
    let state = seed >>> 0;
    const next = (): number => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (bound: number): number => Math.floor(next() * bound);
    return { int, chance: (p) => next() < p, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}

const NOUNS = ['Order', 'Payment', 'Session', 'Request', 'Upload', 'Chunk', 'Token', 'Lease', 'Job', 'Batch', 'Frame', 'Quota'];
const OUTCOMES = ['Received', 'Accepted', 'Rejected', 'Failed', 'Expired', 'Confirmed', 'Cancelled', 'Completed', 'Ready', 'Stalled'];
/** Produced by the socket and the signals. */
const SOURCE_EVENTS = ['LinkUp', 'LinkData', 'LinkDown', 'LinkFailed', 'LinkTimeout', 'BeatMissed', 'Reload', 'Shutdown'];
const STATE_WORDS = ['Idle', 'Waiting', 'Checking', 'Sending', 'Receiving', 'Retrying', 'Draining', 'Syncing', 'Verifying', 'Polling'];
const FINAL_NAMES = ['Finished', 'Aborted', 'GaveUp', 'Terminated', 'Crashed', 'Expired'];
const GUARDS = ['ready', 'authorized', 'hasCapacity', 'withinQuota', 'isPrimary', 'cacheWarm', 'retriesLeft'];
const CALLS = ['logEvent', 'recordMetric', 'notifyPeer', 'flushBuffer', 'bumpCounter', 'persistState', 'resetBackoff'];
const DELAYS = ['250ms', '1s', '2s', '5s', '30s', '1m'];

export interface GeneratedMachine {
    readonly text: string;
    readonly machine: string;
    readonly states: number;
    readonly finalStates: number;
    readonly events: number;
    /** `on` lines with a target, `on` lines without one, and timers. */
    readonly transitions: number;
    readonly internal: number;
    readonly timers: number;
    readonly lines: number;
}

export interface GeneratorOptions {
    readonly seed?: number;
    /**
     * Where the extra transitions and timers lead: by default to any state of the machine (long edges across the
     * whole diagram); with `locality: k`, to a state at most k positions away along the spine (clustered machines).
     */
    readonly locality?: number;
}

export function generateMachine(stateCount: number, options: GeneratorOptions = {}): GeneratedMachine {
    const random = seeded((options.seed ?? 0x5eed) + stateCount);
    const locality = options.locality;
    const finalCount = Math.min(FINAL_NAMES.length, Math.max(2, Math.round(Math.log10(stateCount)) + 1));
    const nonFinal = stateCount - finalCount;
    if (nonFinal < 2) {
        throw new Error(`Too few states: ${stateCount}`);
    }
    const businessCount = Math.max(20, Math.min(NOUNS.length * OUTCOMES.length, Math.round(stateCount / 10)));
    const business: string[] = [];
    for (const outcome of OUTCOMES) {
        for (const noun of NOUNS) {
            business.push(`${noun}${outcome}`);
        }
    }
    business.length = businessCount;
    const events = [...SOURCE_EVENTS, ...business];
    const names = Array.from({ length: nonFinal }, (_, i) => `${STATE_WORDS[i % STATE_WORDS.length]}${i}`);
    const finals = FINAL_NAMES.slice(0, finalCount);
    const anyState = (from: number): string => {
        if (random.chance(0.05)) {
            return random.pick(finals);
        }
        if (locality === undefined) {
            return names[random.int(nonFinal)]!;
        }
        const low = Math.max(0, from - locality);
        const high = Math.min(nonFinal - 1, from + locality);
        return names[low + random.int(high - low + 1)]!;
    };
    const call = (): string => random.pick(CALLS);

    // Every business event is raised by some state: event j by state (j * 7) % nonFinal, on its spine transition.
    const raisedBy = new Map<number, string[]>();
    business.forEach((event, j) => {
        const state = (j * 7 + 3) % nonFinal;
        raisedBy.set(state, [...(raisedBy.get(state) ?? []), event]);
    });

    let transitions = 0;
    let internal = 0;
    let timers = 0;
    const out: string[] = [];
    out.push('// Generated by bench/editor/model.ts: a clean machine for the editor benchmarks.', '', 'machine Gateway {');
    for (let i = 0; i < events.length; i += 10) {
        out.push(`    events ${events.slice(i, i + 10).join(', ')}`);
    }
    out.push('');

    for (let i = 0; i < nonFinal; i++) {
        const lines: string[] = [];
        const used = new Set<string>();
        // Spine: the event cycles through all events, so every event is handled somewhere.
        const spineEvent = events[i % events.length]!;
        used.add(spineEvent);
        // Every 25th state also stops on Shutdown, into the final states in turn (so each of them is reachable).
        const stops = i % 25 === 24 && spineEvent !== 'Shutdown';
        if (stops) {
            used.add('Shutdown');
        }
        const next = i + 1 < nonFinal ? names[i + 1]! : finals[0]!;
        const raises = (raisedBy.get(i) ?? []).map((event) => `raise ${event}`);
        const spineActions = [...(random.chance(0.4) ? [call()] : []), ...raises];
        lines.push(`on ${spineEvent} -> ${next}${spineActions.length > 0 ? ` / ${spineActions.join(', ')}` : ''}`);
        transitions++;
        const freshEvent = (): string => {
            for (;;) {
                const event = random.pick(events);
                if (!used.has(event)) {
                    used.add(event);
                    return event;
                }
            }
        };
        switch (random.int(3)) {
            case 0: {
                const event = freshEvent();
                const guard = random.pick(GUARDS);
                lines.push(`on ${event} [${guard}] -> ${anyState(i)} / ${call()}`);
                lines.push(`on ${event} [!${guard}] -> ${anyState(i)}`);
                transitions += 2;
                break;
            }
            case 1:
                lines.push(`on ${freshEvent()} / ${call()}`);
                lines.push(`after ${random.pick(DELAYS)} -> ${anyState(i)}${random.chance(0.5) ? ` / ${call()}` : ''}`);
                internal++;
                timers++;
                break;
            default:
                lines.push(`on ${freshEvent()} -> ${anyState(i)}`);
                lines.push(`on ${freshEvent()} / ${call()}, ${call()}`);
                transitions++;
                internal++;
        }
        if (stops) {
            lines.push(`on Shutdown -> ${finals[Math.floor(i / 25) % finals.length]}`);
            transitions++;
        }
        const entry = random.chance(0.3) ? [`entry ${call()}`] : [];
        out.push(`    ${i === 0 ? 'initial ' : ''}state ${names[i]} {`);
        for (const line of [...entry, ...lines]) {
            out.push(`        ${line}`);
        }
        out.push('    }', '');
    }
    for (const name of finals) {
        out.push(`    final state ${name} {`, '        entry logStopped', '    }', '');
    }
    out.push(
        '    client link connect 10.20.0.15:4001 {',
        '        timeout 2s',
        '        reconnect 100ms..5s',
        '        keepalive 30s',
        '        heartbeat 5s timeout 15s -> BeatMissed',
        '        connect -> LinkUp',
        '        read -> LinkData',
        '        close -> LinkDown',
        '        error -> LinkFailed',
        '        timeout -> LinkTimeout',
        '    }',
        '',
        '    signal SIGHUP -> Reload',
        '    signal SIGINT -> Shutdown',
        '    signal SIGTERM -> Shutdown',
        '}',
        ''
    );
    const text = out.join('\n');
    return { text, machine: 'Gateway', states: stateCount, finalStates: finalCount, events: events.length, transitions, internal, timers, lines: out.length };
}
