// The fixed event sequence of the throughput benchmark: a seeded random walk over the TCP-like machine.
import { seededRandom } from '../../test/seeded-random.js';
import { EVENT_COUNT, TcpEventId, TcpStateId, nextState } from './tcp-model.js';

/** What usually happens in each state, as (event, weight); the rest of the time any event comes (often unhandled). */
const LIKELY: Readonly<Record<TcpStateId, ReadonlyArray<readonly [TcpEventId, number]>>> = {
    [TcpStateId.Closed]: [
        [TcpEventId.Connect, 0.8],
        [TcpEventId.Data, 0.2]
    ],
    [TcpStateId.Connecting]: [
        [TcpEventId.Connected, 0.8],
        [TcpEventId.Data, 0.15],
        [TcpEventId.Close, 0.05]
    ],
    [TcpStateId.Open]: [
        [TcpEventId.Data, 0.9],
        [TcpEventId.Connect, 0.02],
        [TcpEventId.Close, 0.08]
    ],
    [TcpStateId.Closing]: [
        [TcpEventId.Data, 0.3],
        [TcpEventId.Closed, 0.7]
    ]
};

/** Share of events drawn uniformly from all five, whatever the state. */
const NOISE = 0.05;

/** `length` event ids, the same for the same seed: mostly events the current state handles, 5 % noise. */
export function eventSequence(length: number, seed: number): Int32Array {
    const random = seededRandom(seed).next;
    const events = new Int32Array(length);
    let state: TcpStateId = TcpStateId.Closed;
    for (let i = 0; i < length; i++) {
        let event: TcpEventId;
        if (random() < NOISE) {
            event = Math.floor(random() * EVENT_COUNT) as TcpEventId;
        } else {
            let pick = random();
            const choices = LIKELY[state];
            event = choices[choices.length - 1]![0];
            for (const [candidate, weight] of choices) {
                if (pick < weight) {
                    event = candidate;
                    break;
                }
                pick -= weight;
            }
        }
        events[i] = event;
        state = nextState(state, event);
    }
    return events;
}
