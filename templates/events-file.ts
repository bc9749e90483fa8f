// Template: a machine's event ids, payload types, and the typed interface of its actions and guards.
import { expandToNode } from 'langium/generate';
import { docComment, eachLine, file, generatedHeader, onlyIf } from './code.js';
import type { MachineView, MemberView } from './view.js';

function memberDoc(member: MemberView): string {
    return member.kind === 'heartbeat'
        ? '/** Called at every heartbeat interval while connected: write a ping with `machine.sockets`. */'
        : docComment(`${member.kind === 'guard' ? 'Guard' : 'Action'} \`${member.name}\`: ${member.uses.join('; ')}`);
}

export function eventsFile(machine: MachineView): string {
    const m = machine.className;
    return file(expandToNode`
        ${generatedHeader(`Events and actions of machine ${machine.name}.`, machine)}
        ${eachLine(machine.serverSessions, (session) => `import type { ${session.className} } from './${session.fileBase}.machine.js';`)}
        import type { ${m} } from './${machine.fileBase}.machine.js';
        ${eachLine(machine.sessionMachines, (session) => `import type { ${session.actionsType} } from './${session.fileBase}.events.js';`)}

        /** Event ids of ${machine.name}: dispatch is a switch over these numbers. */
        export const ${machine.eventsConst} = {
            ${eachLine(machine.events, (event) => `${event.key}: ${event.id},`)}
        } as const;

        export type ${machine.eventIdType} = (typeof ${machine.eventsConst})[keyof typeof ${machine.eventsConst}];

        /** Event names by id, timers after the events as written (\`after 5s\`), for observers and traces. */
        export const ${machine.eventNamesConst}: readonly string[] = [
            ${eachLine(machine.events, (event) => `${JSON.stringify(event.name)},`)}
            ${eachLine(machine.states.flatMap((state) => state.timers), (timer) => `${JSON.stringify(timer.label)},`)}
            ${eachLine(machine.hierarchy?.completions ?? [], () => '"done",')}
        ];

        /** What \`machine.payload\` holds while each event is processed. */
        export interface ${machine.payloadsType} {
            ${eachLine(machine.events, (event) => `${event.key}: ${event.payloadType};`)}
        }

        /** The user code of ${machine.name}: one method per action and guard of the model. */
        export interface ${machine.actionsType} {
            ${eachLine(machine.members, (member) => expandToNode`
                ${memberDoc(member)}
                ${member.member}(machine: ${m}${member.payloadType === undefined ? '' : `, payload: ${member.payloadType}`}): ${member.kind === 'guard' ? 'boolean' : 'void'};
            `)}
        }
        ${onlyIf(machine.sessionMachines.length > 0, () => expandToNode`

            /** Actions of the session machines ${machine.name}'s servers start, one per connection. */
            export interface ${machine.sessionsType} {
                ${eachLine(machine.sessionMachines, (session) => `${session.className}: ${session.actionsType};`)}
            }
        `)}
    `);
}
