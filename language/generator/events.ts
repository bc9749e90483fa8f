// A machine's events in generated code: ids, keys, the state method each one calls, and what its payload is.
import type { Event, Machine } from '../generated/ast.js';
import type { EventProducer, MachineAnalysis } from '../analysis/machine-analysis.js';
import { PAYLOAD_TYPES, STATE_MEMBERS, unionType, type EventView, type MachineNames } from '../../templates/index.js';
import { NameAllocator } from './identifiers.js';
import { sessionOf } from './sessions.js';

export interface EventTable {
    /** The model's events in order (the first declaration of each name): their ids are their indexes. */
    readonly views: readonly EventView[];
    /** The view of an event of the machine. */
    of(event: Event | undefined): EventView;
}

/** What an event's producer puts in `machine.payload`; `namesOf` names the session machine a server's `accept` carries. */
function payloadType(producer: EventProducer, namesOf: (machine: Machine) => MachineNames): string {
    switch (producer.$type) {
        case 'EventMapping':
            switch (producer.socketEvent) {
                case 'accept': {
                    const session = sessionOf(producer.$container);
                    return session ? namesOf(session).className : PAYLOAD_TYPES.anything;
                }
                case 'read':
                case 'stdout':
                    return PAYLOAD_TYPES.bytes;
                case 'exit':
                    return PAYLOAD_TYPES.exitStatus;
                case 'close':
                    return PAYLOAD_TYPES.closedByError;
                case 'error':
                case 'timeout':
                    return PAYLOAD_TYPES.error;
                default:
                    return PAYLOAD_TYPES.nothing;
            }
        case 'HeartbeatOption':
            return PAYLOAD_TYPES.error;
        case 'Signal':
            return PAYLOAD_TYPES.signal;
        default:
            return PAYLOAD_TYPES.nothing;
    }
}

/** The TypeScript type of each payload type a model can declare (`events Line(string)`). */
const DECLARED_TYPES: Record<string, string> = { string: 'string', Buffer: 'Buffer', number: 'number', boolean: 'boolean', Error: 'Error', json: 'unknown' };

/** The event table of a machine: one view per event name, its payload the union of what its producers carry. */
export function eventTable(analysis: MachineAnalysis, namesOf: (machine: Machine) => MachineNames): EventTable {
    const keys = new NameAllocator();
    const methods = new NameAllocator(STATE_MEMBERS);
    const firstByName = new Map<string, Event>();
    for (const event of analysis.events) {
        if (!firstByName.has(event.name)) {
            firstByName.set(event.name, event);
        }
    }
    const views: EventView[] = [...firstByName.values()].map((event, id) => ({
        name: event.name,
        key: keys.claim(event.name),
        id,
        method: methods.claim(`on${event.name[0]!.toUpperCase()}${event.name.slice(1)}`),
        payloadType: event.type !== undefined ? DECLARED_TYPES[event.type]! : unionType((analysis.producers.get(event) ?? []).map((producer) => payloadType(producer, namesOf)))
    }));
    const byName = new Map(views.map((view) => [view.name, view]));
    return {
        views,
        of(event) {
            const view = event && byName.get(event.name);
            if (!view) {
                throw new Error('internal: unresolved event reached the generator');
            }
            return view;
        }
    };
}
