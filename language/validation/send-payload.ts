// `send NAME payload` forwards the current event's bytes: where that event can carry something else, say so.
import { AstUtils } from 'langium';
import { isMachine, isRaiseAction, type Event, type Machine, type SendAction } from '../generated/ast.js';
import { producersOf } from './payload-types.js';

/** How many producers of `event` give bytes, and the others in words (a `raise` of it gives no bytes either). */
function nonBytesProducers(event: Event, machine: Machine): { bytes: number; others: string[] } {
    const producers = producersOf(event);
    const bytes = producers.filter((producer) => producer.gives.carries === 'bytes').length;
    const others = producers.filter((producer) => producer.gives.carries !== 'bytes').map((producer) => producer.words);
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
