// `send NAME payload` forwards the current event's bytes: where that event can carry something else, say so.
import { AstUtils } from 'langium';
import { isMachine, isRaiseAction, type Event, type Machine, type SendAction } from '../generated/ast.js';

/** What delivers `event` in `machine`, as words for a message, when it carries something other than bytes. */
function nonBytesProducers(event: Event, machine: Machine): { bytes: number; others: string[] } {
    let bytes = 0;
    const others: string[] = [];
    for (const socket of machine.sockets) {
        for (const member of socket.members) {
            if (member.$type === 'EventMapping' && member.event?.ref === event) {
                if (member.socketEvent === 'read') {
                    bytes++;
                } else {
                    others.push(`'${member.socketEvent}' of ${socket.name}`);
                }
            } else if ((member.$type === 'IdleOption' || member.$type === 'HeartbeatOption') && member.event?.ref === event) {
                others.push(`'${member.option}' of ${socket.name}`);
            }
        }
    }
    for (const signal of machine.signals) {
        if (signal.event?.ref === event) {
            others.push(`signal ${signal.signal}`);
        }
    }
    if (AstUtils.streamAllContents(machine).some((node) => isRaiseAction(node) && node.event?.ref === event)) {
        others.push(`'raise ${event.name}'`);
    }
    return { bytes, others };
}

/** Why `send NAME payload` cannot forward bytes where it stands, or undefined when every way its event arrives is a `read`. */
export function payloadProblem(action: SendAction): string | undefined {
    const holder = action.$container;
    const socket = action.socket?.$refText ?? 'SOCKET';
    if (holder.$type === 'EntryActions' || holder.$type === 'ExitActions') {
        return `'send ${socket} payload' in ${holder.$type === 'EntryActions' ? 'an entry' : 'an exit'} action has no event to take bytes from: put it on the transition of an event mapped to 'read'.`;
    }
    if (holder.$type === 'Timer') {
        return `'send ${socket} payload' on a timer has no event to take bytes from: put it on the transition of an event mapped to 'read'.`;
    }
    if (holder.done) {
        return `'send ${socket} payload' on 'on done' has no event to take bytes from: put it on the transition of an event mapped to 'read'.`;
    }
    const event = holder.event?.ref;
    const machine = AstUtils.getContainerOfType(action, isMachine);
    if (!event || !machine) {
        return undefined; // an unresolved event is reported by linking
    }
    const { bytes, others } = nonBytesProducers(event, machine);
    if (others.length > 0) {
        return `'${event.name}' also comes from ${others.join(', ')}, which carries no bytes: 'send … payload' forwards only what a 'read' delivered.`;
    }
    if (bytes === 0) {
        return `Nothing in machine '${machine.name}' delivers bytes as '${event.name}': map it to a socket's 'read' ('read -> ${event.name}').`;
    }
    return undefined;
}
