// The last stop of every running reactor-fsm debug session (its reactorFsm.live event), and which one the diagram
// should show: the Call Stack's selection, the active session, else the last that stopped.
import * as vscode from 'vscode';
import { isLiveEventBody, LIVE_DEBUG_TYPE, LiveProtocol, type LiveEventBody } from './live-diagram.js';

/** The last stop of every running reactor-fsm debug session, kept from activation on so a panel opened later shows it. */
class LiveSessions implements vscode.Disposable {
    private readonly stops = new Map<string, { session: vscode.DebugSession; body: LiveEventBody; order: number }>();
    private order = 0;
    private readonly changed = new vscode.EventEmitter<void>();
    /** Fires when a stop arrives, a session ends or the Call Stack's selection changes. */
    readonly onDidChange = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [
        this.changed,
        vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
            if (event.session.type !== LIVE_DEBUG_TYPE) {
                return;
            }
            if (event.event === LiveProtocol.live && isLiveEventBody(event.body)) {
                this.stops.set(event.session.id, { session: event.session, body: event.body, order: ++this.order });
                this.changed.fire();
            } else if (event.event === LiveProtocol.liveEnd) {
                this.end(event.session);
            }
        }),
        vscode.debug.onDidTerminateDebugSession((session) => this.end(session)),
        vscode.debug.onDidChangeActiveStackItem(() => this.changed.fire())
    ];

    private end(session: vscode.DebugSession): void {
        if (this.stops.delete(session.id)) {
            this.changed.fire();
        }
    }

    /** The session to show (the Call Stack's, the active one, else the last that stopped) and the thread selected in it. */
    current(): { session: vscode.DebugSession; body: LiveEventBody; selectedThreadId: number | undefined } | undefined {
        const item = vscode.debug.activeStackItem;
        const latest = [...this.stops.values()].sort((a, b) => b.order - a.order)[0];
        const stop = (item && this.stops.get(item.session.id)) ?? this.stops.get(vscode.debug.activeDebugSession?.id ?? '') ?? latest;
        return stop && { session: stop.session, body: stop.body, selectedThreadId: item?.session.id === stop.session.id ? item.threadId : undefined };
    }

    dispose(): void {
        this.stops.clear();
        this.disposables.forEach((disposable) => {
            disposable.dispose();
        });
        liveSessions = undefined;
    }
}

let liveSessions: LiveSessions | undefined;

/** The tracker, when one runs. */
export function currentLiveSessions(): LiveSessions | undefined {
    return liveSessions;
}

export function liveTracker(): LiveSessions {
    liveSessions ??= new LiveSessions();
    return liveSessions;
}

/**
 * Starts keeping the last stop of reactor-fsm debug sessions (once; later calls return the same tracker). The extension
 * calls it on activation so that a panel opened during a session shows it at once; a panel starts it too.
 */
export function trackLiveDebugSessions(): vscode.Disposable {
    return liveTracker();
}
