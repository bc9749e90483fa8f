// The same TCP-like machine in XState 5, with the same counting actions.
import { createActor, createMachine, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { EVENT_NAMES, type CountingActions, type TcpEventName } from './tcp-model.js';

export function xstateTcpMachine(actions: CountingActions): AnyStateMachine {
    return createMachine({
        id: 'tcp',
        initial: 'Closed',
        states: {
            Closed: {
                on: {
                    Connect: { target: 'Connecting', actions: () => actions.startConnect() },
                    Data: { actions: () => actions.dropData() }
                }
            },
            Connecting: {
                on: {
                    Connected: { target: 'Open', actions: () => actions.connected() },
                    Close: { target: 'Closed', actions: () => actions.abortConnect() },
                    Data: { actions: () => actions.queueData() }
                }
            },
            Open: {
                entry: () => actions.opened(),
                on: {
                    Data: { actions: () => actions.receive() },
                    Connect: { actions: () => actions.alreadyOpen() },
                    Close: { target: 'Closing', actions: () => actions.startClose() }
                }
            },
            Closing: {
                on: {
                    Data: { actions: () => actions.drainData() },
                    Closed: { target: 'Closed', actions: () => actions.finishClose() }
                }
            }
        }
    });
}

export function startActor(machine: AnyStateMachine): AnyActorRef {
    return createActor(machine).start();
}

/** One event object per event id, made once: sending allocates nothing on the benchmark's side. */
export const XSTATE_EVENTS: ReadonlyArray<{ readonly type: TcpEventName }> = EVENT_NAMES.map((type) => ({ type }));
