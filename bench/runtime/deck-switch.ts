// The baseline of the hierarchical benchmark: models/deck.fsm flattened by hand into one numeric `switch` per
// region, with the exits, actions and entries of each transition written out in SCXML's order.
import { DeckEventId, type DeckActions } from './deck-model.js';

const OFF = 0;
const ON = 1;
const INTRO = 0;
const BODY = 1;
const OUTRO = 2;
const PAUSED = 3;
const NORMAL = 0;
const LOUD = 1;
const SILENT = 2;

export class SwitchDeckMachine {
    top = OFF;
    transport = INTRO;
    volume = NORMAL;
    unhandled = 0;

    constructor(readonly actions: DeckActions) {}

    dispatch(event: number): void {
        const actions = this.actions;
        if (this.top === OFF) {
            if (event === DeckEventId.Play) {
                actions.powerOn(this, undefined);
                this.top = ON;
                this.transport = INTRO;
                actions.startPlay(this, undefined);
                this.volume = NORMAL;
                return;
            }
            this.unhandled++;
            return;
        }
        switch (event) {
            case DeckEventId.Stop:
                // Volume's state, Transport's (Playing's exit), then On's exit.
                if (this.transport !== PAUSED) {
                    actions.stopPlay(this, undefined);
                }
                actions.powerOff(this, undefined);
                actions.stopped(this, undefined);
                this.top = OFF;
                return;
            case DeckEventId.Tick:
                switch (this.transport) {
                    case INTRO:
                        actions.tick(this, undefined);
                        this.transport = BODY;
                        return;
                    case BODY:
                        actions.tick(this, undefined);
                        this.transport = OUTRO;
                        return;
                    case OUTRO:
                        actions.tick(this, undefined);
                        this.transport = INTRO;
                        return;
                    default:
                        actions.idleTick(this, undefined);
                        return;
                }
            case DeckEventId.Pause:
                if (this.transport !== PAUSED) {
                    actions.stopPlay(this, undefined);
                    actions.pausePlay(this, undefined);
                    this.transport = PAUSED;
                    return;
                }
                break;
            case DeckEventId.Next:
                if (this.transport !== PAUSED) {
                    actions.stopPlay(this, undefined);
                    actions.next(this, undefined);
                    actions.startPlay(this, undefined);
                    this.transport = INTRO;
                    return;
                }
                break;
            case DeckEventId.Play:
                if (this.transport === PAUSED) {
                    actions.resumePlay(this, undefined);
                    actions.startPlay(this, undefined);
                    this.transport = INTRO;
                    return;
                }
                break;
            case DeckEventId.Vol:
                if (this.volume === NORMAL) {
                    actions.louder(this, undefined);
                    this.volume = LOUD;
                    return;
                }
                if (this.volume === LOUD) {
                    actions.softer(this, undefined);
                    this.volume = NORMAL;
                    return;
                }
                break;
            case DeckEventId.Mute:
                if (this.volume === SILENT) {
                    actions.unmute(this, undefined);
                    this.volume = NORMAL;
                } else {
                    actions.mute(this, undefined);
                    this.volume = SILENT;
                }
                return;
        }
        this.unhandled++;
    }
}
