// The accepted socket a server hands to a session machine.
import type { Socket } from 'node:net';
import type { Machine } from './machine.js';
import { StreamDispatcher, type StreamEvents, type StreamOptions } from './stream-dispatcher.js';

export class ConnectionDispatcher extends StreamDispatcher {
    /** The socket is connected already: idle and heartbeat watch it from now, before the session starts. */
    constructor(machine: Machine, name: string, events: StreamEvents, options: StreamOptions, socket: Socket) {
        super(machine, name, events, options);
        this.attach(socket);
        this.startWatching();
    }

    /** A session lives as long as its connection: once the close event is processed, an unfinished session finishes. */
    protected override socketClosed(socket: Socket, hadError: boolean): void {
        super.socketClosed(socket, hadError);
        if (!this.machine.finished) {
            void this.machine.finish();
        }
    }

    /** The peer's address, for logs. */
    get peer(): string {
        const socket = this.socket;
        return socket ? `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` : '(closed)';
    }
}
