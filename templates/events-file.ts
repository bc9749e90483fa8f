// Template: a machine's event ids, payload types, and the typed interface of its actions and guards.
import { docComment, file, generatedHeader, indent } from './code.js';
import type { MachineView } from './view.js';

export function eventsFile(machine: MachineView): string {
    const lines: string[] = [
        ...generatedHeader(`Events and actions of machine ${machine.name}.`, machine.sourceFile),
        ...machine.serverSessions.map((session) => `import type { ${session.className} } from './${session.fileBase}.machine.js';`),
        `import type { ${machine.className} } from './${machine.fileBase}.machine.js';`,
        ...machine.sessionMachines.map((session) => `import type { ${session.actionsType} } from './${session.fileBase}.events.js';`),
        '',
        `/** Event ids of ${machine.name}: dispatch is a switch over these numbers. */`,
        `export const ${machine.eventsConst} = {`,
        ...indent(machine.events.map((event) => `${event.key}: ${event.id},`)),
        '} as const;',
        '',
        `export type ${machine.eventIdType} = (typeof ${machine.eventsConst})[keyof typeof ${machine.eventsConst}];`,
        '',
        `/** Event names by id, timers after the events as written (\`after 5s\`), for observers and traces. */`,
        `export const ${machine.eventNamesConst}: readonly string[] = [`,
        ...indent([
            ...machine.events.map((event) => `${JSON.stringify(event.name)},`),
            ...machine.states.flatMap((state) => state.timers.map((timer) => `${JSON.stringify(timer.label)},`))
        ]),
        '];',
        '',
        `/** What \`machine.payload\` holds while each event is processed. */`,
        `export interface ${machine.payloadsType} {`,
        ...indent(machine.events.map((event) => `${event.key}: ${event.payloadType};`)),
        '}',
        '',
        `/** The user code of ${machine.name}: one method per action and guard of the model. */`,
        `export interface ${machine.actionsType} {`,
        ...indent(
            machine.members.flatMap((member) => {
                const payload = member.payloadType === undefined ? '' : `, payload: ${member.payloadType}`;
                const returns = member.kind === 'guard' ? 'boolean' : 'void';
                const doc =
                    member.kind === 'heartbeat'
                        ? docComment('Called at every heartbeat interval while connected: write a ping with `machine.sockets`.')
                        : docComment(`${member.kind === 'guard' ? 'Guard' : 'Action'} \`${member.name}\`: ${member.uses.join('; ')}`);
                return [doc, `${member.member}(machine: ${machine.className}${payload}): ${returns};`];
            })
        ),
        '}',
        ''
    ];
    if (machine.sessionMachines.length > 0) {
        lines.push(
            `/** Actions of the session machines ${machine.name}'s servers start, one per connection. */`,
            `export interface ${machine.sessionsType} {`,
            ...indent(machine.sessionMachines.map((session) => `${session.className}: ${session.actionsType};`)),
            '}',
            ''
        );
    }
    return file(lines);
}
