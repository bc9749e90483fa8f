// Template: the user's actions file, one typed stub per action and guard; written once, never overwritten.
import { expandToNode, type Generated } from 'langium/generate';
import { blocks, commentText, docComment, file, release } from './code.js';
import type { MachineView, MemberView } from './view.js';

function stub(member: MemberView): Generated {
    const params = member.payloadType === undefined ? '_machine' : '_machine, _payload';
    switch (member.kind) {
        case 'heartbeat':
            return expandToNode`
                /** Heartbeat: write a ping, e.g. machine.sockets.<name>.write("ping\\n"). */
                ${member.member}(${params}) {
                    // TODO: your code.
                },
            `;
        case 'guard':
            return expandToNode`
                ${docComment(`Guard used in ${member.uses.join('; ')}`)}
                ${member.member}(${params}) {
                    // TODO: decide; \`_payload\` is what the event carries.
                    return false;
                },
            `;
        case 'action':
            return expandToNode`
                ${docComment(`Action used in ${member.uses.join('; ')}`)}
                ${member.member}(${params}) {
                    // TODO: your code.
                },
            `;
    }
}

export function actionsFile(machine: MachineView): string {
    return file(expandToNode`
        // Actions and guards of machine ${machine.name} (from ${commentText(machine.sourceFile)}): your code lives here.
        // ${release(machine.generatorVersion)} wrote this file once and never overwrites it. When the model gains an action, tsc names the
        // method to add here. Inside a method: \`machine.payload\` is the event's data, \`machine.sockets.NAME.send(…)\`
        // sends a message framed as the socket's \`framing\` says (\`write(…)\`: raw bytes), \`machine.raise(${machine.eventsConst}.NAME)\`
        // queues an event.
        import type { ${machine.actionsType} } from './${machine.fileBase}.events.js';

        export const ${machine.actionsConst}: ${machine.actionsType} = {
            ${blocks(machine.members, stub)}
        };
    `);
}
