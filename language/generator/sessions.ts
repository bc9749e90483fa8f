// Which session machines servers start: a project holds its file's machines and every session they start.
import type { Machine, Socket } from '../generated/ast.js';

/** The machine a server runs for each connection it accepts (undefined for other sockets). */
export function sessionOf(socket: Socket): Machine | undefined {
    const option = socket.members.find((member) => member.$type === 'SessionOption');
    return option?.$type === 'SessionOption' ? option.machine.ref : undefined;
}

/** The session machines `machine`'s own servers start, in the order of their `session` options. */
export function sessionsStartedBy(machine: Machine): Machine[] {
    const sessions: Machine[] = [];
    for (const socket of machine.sockets) {
        for (const member of socket.members) {
            if (member.$type === 'SessionOption' && member.machine?.ref) {
                sessions.push(member.machine.ref);
            }
        }
    }
    return sessions;
}

/** Every machine reachable from `roots` through `session` options, roots first, each once. */
export function withSessions(roots: readonly Machine[]): Machine[] {
    const all: Machine[] = [...roots];
    for (let i = 0; i < all.length; i++) {
        for (const session of sessionsStartedBy(all[i]!)) {
            if (!all.includes(session)) {
                all.push(session);
            }
        }
    }
    return all;
}
