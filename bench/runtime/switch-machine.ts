// The baseline: the TCP-like machine written by hand as a numeric `switch` over (state, event).
// Same actions, same order (exit, transition actions, entry) as the generated machine; unhandled events are counted.
import { TcpEventId, TcpStateId, type CountingActions } from './tcp-model.js';

export class SwitchTcpMachine {
    state: TcpStateId = TcpStateId.Closed;
    unhandled = 0;

    constructor(readonly actions: CountingActions) {}

    dispatch(event: number): void {
        const actions = this.actions;
        switch (this.state) {
            case TcpStateId.Closed:
                switch (event) {
                    case TcpEventId.Connect:
                        actions.startConnect(this, undefined);
                        this.state = TcpStateId.Connecting;
                        return;
                    case TcpEventId.Data:
                        actions.dropData(this, undefined);
                        return;
                }
                break;
            case TcpStateId.Connecting:
                switch (event) {
                    case TcpEventId.Connected:
                        actions.connected(this, undefined);
                        this.state = TcpStateId.Open;
                        actions.opened(this, undefined);
                        return;
                    case TcpEventId.Close:
                        actions.abortConnect(this, undefined);
                        this.state = TcpStateId.Closed;
                        return;
                    case TcpEventId.Data:
                        actions.queueData(this, undefined);
                        return;
                }
                break;
            case TcpStateId.Open:
                switch (event) {
                    case TcpEventId.Data:
                        actions.receive(this, undefined);
                        return;
                    case TcpEventId.Connect:
                        actions.alreadyOpen(this, undefined);
                        return;
                    case TcpEventId.Close:
                        actions.startClose(this, undefined);
                        this.state = TcpStateId.Closing;
                        return;
                }
                break;
            case TcpStateId.Closing:
                switch (event) {
                    case TcpEventId.Data:
                        actions.drainData(this, undefined);
                        return;
                    case TcpEventId.Closed:
                        actions.finishClose(this, undefined);
                        this.state = TcpStateId.Closed;
                        return;
                }
                break;
        }
        this.unhandled++;
    }
}
