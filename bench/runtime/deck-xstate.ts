// The hierarchical benchmark machine (models/deck.fsm) in XState 5, with the same counting actions.
import { createActor, createMachine, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { DECK_EVENT_NAMES, type DeckActions, type DeckEventName } from './deck-model.js';

export function xstateDeckMachine(actions: DeckActions): AnyStateMachine {
    return createMachine({
        id: 'deck',
        initial: 'Off',
        states: {
            Off: { on: { Play: { target: 'On', actions: () => actions.powerOn() } } },
            On: {
                type: 'parallel',
                exit: () => actions.powerOff(),
                on: { Stop: { target: 'Off', actions: () => actions.stopped() } },
                states: {
                    Transport: {
                        initial: 'Playing',
                        states: {
                            Playing: {
                                entry: () => actions.startPlay(),
                                exit: () => actions.stopPlay(),
                                initial: 'Intro',
                                on: {
                                    Pause: { target: 'Paused', actions: () => actions.pausePlay() },
                                    // External, as in SCXML: Playing is left and entered again.
                                    Next: { target: '.Intro', reenter: true, actions: () => actions.next() }
                                },
                                states: {
                                    Intro: { on: { Tick: { target: 'Body', actions: () => actions.tick() } } },
                                    Body: { on: { Tick: { target: 'Outro', actions: () => actions.tick() } } },
                                    Outro: { on: { Tick: { target: 'Intro', actions: () => actions.tick() } } }
                                }
                            },
                            Paused: {
                                on: {
                                    Play: { target: 'Playing', actions: () => actions.resumePlay() },
                                    Tick: { actions: () => actions.idleTick() }
                                }
                            }
                        }
                    },
                    Volume: {
                        initial: 'Normal',
                        states: {
                            Normal: {
                                on: { Vol: { target: 'Loud', actions: () => actions.louder() }, Mute: { target: 'Silent', actions: () => actions.mute() } }
                            },
                            Loud: {
                                on: { Vol: { target: 'Normal', actions: () => actions.softer() }, Mute: { target: 'Silent', actions: () => actions.mute() } }
                            },
                            Silent: { on: { Mute: { target: 'Normal', actions: () => actions.unmute() } } }
                        }
                    }
                }
            }
        }
    });
}

export function startDeckActor(machine: AnyStateMachine): AnyActorRef {
    return createActor(machine).start();
}

/** One event object per event id, made once: sending allocates nothing on the benchmark's side. */
export const XSTATE_DECK_EVENTS: ReadonlyArray<{ readonly type: DeckEventName }> = DECK_EVENT_NAMES.map((type) => ({ type }));
