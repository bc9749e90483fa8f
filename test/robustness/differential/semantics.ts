// What the three executions share: the payload external events carry, the fixed guard predicates, and the shape
// of what each execution records. Guards are implemented once here so all three decide identically.

/** The payload of an event sent from outside; raised and timer events carry none. */
export interface Payload {
    n: number;
    flag: boolean;
}

export const GUARD_NAMES = ['g0', 'g1', 'g2', 'g3'] as const;
export type GuardName = (typeof GUARD_NAMES)[number];

/** What one execution keeps for its guards and its trace. */
export interface Recorder {
    /**
     * Every user action call, in order, with the payload it saw: `n0@S1` (entry of S1), `x2@S0` (exit of S0),
     * `t1` (transition), `t1(3,true)` (with the payload n=3, flag=true), `stop`.
     */
    readonly actions: string[];
    /** g3's bit (see evaluateGuard). */
    toggle: boolean;
}

export function newRecorder(): Recorder {
    return { actions: [], toggle: false };
}

/** What a guard may read besides the payload: how many actions have run, and g3's bit. */
export interface GuardState {
    toggle: boolean;
}

/**
 * The guards:
 * - g0 "payload flag": the event's payload has `flag` true (raised and timer events: false);
 * - g1 "even count": an even number of actions has run so far (`count`, in this execution);
 * - g2 "n divisible by 3": the payload's `n` is a multiple of 3 (no payload: false);
 * - g3 "toggle": true at every other evaluation (first evaluation: true), so lazy in-order evaluation is observable.
 */
export function evaluateGuard(name: string, payload: unknown, count: number, state: GuardState): boolean {
    const data = payload as Partial<Payload> | undefined;
    switch (name) {
        case 'g0':
            return data?.flag === true;
        case 'g1':
            return count % 2 === 0;
        case 'g2':
            return typeof data?.n === 'number' && data.n % 3 === 0;
        case 'g3':
            state.toggle = !state.toggle;
            return state.toggle;
        default:
            throw new Error(`unknown guard ${name}`);
    }
}

/** Records a user action call: entry (`n…`) and exit (`x…`) actions with the state they belong to, and the payload. */
export function recordAction(recorder: Recorder, name: string, state: string, payload: unknown): void {
    const data = payload as Payload | undefined;
    const seen = data === undefined ? '' : `(${data.n},${data.flag})`;
    recorder.actions.push(`${name}${seen}${name.startsWith('n') || name.startsWith('x') ? `@${state}` : ''}`);
}

/** One execution of a machine, driven step by step. */
export interface Execution {
    readonly recorder: Recorder;
    start(): void;
    send(event: string, payload: Payload): void;
    advance(ms: number): void;
    state(): string;
    finished(): boolean;
    /** Timer events that were processed (a timer whose expiry led to its transition). */
    readonly timerFirings: number;
    /**
     * What observers are told, where the execution has observers: `start -> S0`, `S0 -E1-> S2` (timers as
     * `S0 -after-> S2`), `unhandled E1 in S2`.
     */
    readonly notes?: string[];
}
