// The hierarchical machine of models/deck.fsm as plain data: event ids, the seeded event sequence, and the counting
// actions every implementation (generated, hand-flattened switch, XState) runs.
import { seededRandom } from '../../test/seeded-random.js';

/** Event ids in declaration order: the same numbers as the generated `DeckEvent`. */
export const DeckEventId = { Play: 0, Pause: 1, Next: 2, Tick: 3, Vol: 4, Mute: 5, Stop: 6 } as const;
export const DECK_EVENT_NAMES = ['Play', 'Pause', 'Next', 'Tick', 'Vol', 'Mute', 'Stop'] as const;
export type DeckEventName = (typeof DECK_EVENT_NAMES)[number];

/** The user actions of the model, in a fixed order (index into the counters). */
export const DECK_ACTIONS = [
    'powerOn',
    'powerOff',
    'stopped',
    'startPlay',
    'stopPlay',
    'pausePlay',
    'next',
    'tick',
    'resumePlay',
    'idleTick',
    'louder',
    'softer',
    'mute',
    'unmute'
] as const;
export type DeckAction = (typeof DECK_ACTIONS)[number];

/** One trivial action per model action: it counts its calls. The generated `DeckActions` interface accepts it. */
export type DeckActions = Record<DeckAction, (machine?: unknown, payload?: unknown) => void>;

export interface DeckCounters {
    readonly counts: Int32Array;
    readonly actions: DeckActions;
}

export function deckCounters(): DeckCounters {
    const counts = new Int32Array(DECK_ACTIONS.length);
    const actions = Object.fromEntries(
        DECK_ACTIONS.map((name, index) => [
            name,
            () => {
                counts[index]++;
            }
        ])
    ) as DeckActions;
    return { counts, actions };
}

/** How often each event comes, whatever the state (events the active states do not handle are ignored). */
const WEIGHTS: ReadonlyArray<readonly [number, number]> = [
    [DeckEventId.Play, 0.1],
    [DeckEventId.Pause, 0.08],
    [DeckEventId.Next, 0.1],
    [DeckEventId.Tick, 0.4],
    [DeckEventId.Vol, 0.15],
    [DeckEventId.Mute, 0.12],
    [DeckEventId.Stop, 0.05]
];

/** `length` event ids, the same for the same seed. */
export function deckSequence(length: number, seed: number): Int32Array {
    const random = seededRandom(seed).next;
    const events = new Int32Array(length);
    for (let i = 0; i < length; i++) {
        let pick = random();
        let event = WEIGHTS[WEIGHTS.length - 1]![0];
        for (const [candidate, weight] of WEIGHTS) {
            if (pick < weight) {
                event = candidate;
                break;
            }
            pick -= weight;
        }
        events[i] = event;
    }
    return events;
}
