// How a socket handler is named in details and hovers: `client HOST:PORT`, `server HOST:PORT`, `connection`, `process "cmd" "arg"`.
import type { Socket } from '../generated/ast.js';

/** The command line of a `process` as written (`"node" "worker.js"`). */
export function commandText(socket: Extract<Socket, { $type: 'Process' }>): string {
    return [socket.command, ...socket.arguments].filter((part) => part !== undefined).join(' ');
}

/** The kind of socket and where it goes: the address without quotes, or the command of a process. */
export function socketDetail(socket: Socket): string {
    switch (socket.$type) {
        case 'Connection':
            return 'connection';
        case 'Process':
            return `process ${commandText(socket)}`;
        default:
            return `${socket.$type.toLowerCase()} ${(socket.address ?? '?').replace(/^"(.*)"$/, '$1')}`;
    }
}
