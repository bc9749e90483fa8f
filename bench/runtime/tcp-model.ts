// The TCP-like machine of models/tcp.fsm, as plain data: event and state ids, the transition table used to
// build the event sequence, and the counting actions every implementation (generated, switch, XState) runs.

/** Event ids in declaration order: the same numbers as the generated `TcpEvent`. */
export const TcpEventId = { Connect: 0, Connected: 1, Data: 2, Close: 3, Closed: 4 } as const;
export type TcpEventId = (typeof TcpEventId)[keyof typeof TcpEventId];
export const EVENT_NAMES = ['Connect', 'Connected', 'Data', 'Close', 'Closed'] as const;
export type TcpEventName = (typeof EVENT_NAMES)[number];
export const EVENT_COUNT = EVENT_NAMES.length;

export const TcpStateId = { Closed: 0, Connecting: 1, Open: 2, Closing: 3 } as const;
export type TcpStateId = (typeof TcpStateId)[keyof typeof TcpStateId];

/** The state after `event` in `state` (unhandled events and internal transitions stay). */
export function nextState(state: TcpStateId, event: TcpEventId): TcpStateId {
    switch (state) {
        case TcpStateId.Closed:
            return event === TcpEventId.Connect ? TcpStateId.Connecting : state;
        case TcpStateId.Connecting:
            return event === TcpEventId.Connected ? TcpStateId.Open : event === TcpEventId.Close ? TcpStateId.Closed : state;
        case TcpStateId.Open:
            return event === TcpEventId.Close ? TcpStateId.Closing : state;
        case TcpStateId.Closing:
            return event === TcpEventId.Closed ? TcpStateId.Closed : state;
    }
}

/** The user actions of the model, in a fixed order (index into the counters). */
export const ACTION_NAMES = [
    'startConnect',
    'dropData',
    'connected',
    'abortConnect',
    'queueData',
    'receive',
    'alreadyOpen',
    'startClose',
    'opened',
    'drainData',
    'finishClose'
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** One trivial action per model action: it counts its calls. The generated `TcpActions` interface accepts it. */
export type CountingActions = Record<ActionName, (machine?: unknown, payload?: unknown) => void>;

export interface Counters {
    readonly counts: Int32Array;
    readonly actions: CountingActions;
}

export function counters(): Counters {
    const counts = new Int32Array(ACTION_NAMES.length);
    const actions = Object.fromEntries(
        ACTION_NAMES.map((name, index) => [
            name,
            () => {
                counts[index]++;
            }
        ])
    ) as CountingActions;
    return { counts, actions };
}
