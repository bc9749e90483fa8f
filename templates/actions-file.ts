// Template: the user's actions file, one typed stub per action and guard; written once, never overwritten.
import { docComment, file, indent } from './code.js';
import type { MachineView } from './view.js';

export function actionsFile(machine: MachineView): string {
    const stubs = machine.members.flatMap((member) => {
        const params = [`_machine`, ...(member.payloadType === undefined ? [] : ['_payload'])].join(', ');
        const doc =
            member.kind === 'heartbeat'
                ? docComment('Heartbeat: write a ping, e.g. machine.sockets.<name>.write("ping\\n").')
                : docComment(`${member.kind === 'guard' ? 'Guard' : 'Action'} used in ${member.uses.join('; ')}`);
        const body = member.kind === 'guard' ? ['// TODO: decide; `_payload` is what the event carries.', 'return false;'] : ['// TODO: your code.'];
        return [doc, `${member.member}(${params}) {`, ...indent(body), '},', ''];
    });
    return file([
        `// Actions and guards of machine ${machine.name} (from ${machine.sourceFile}): your code lives here.`,
        '// reactor-fsm wrote this file once and never overwrites it. When the model gains an action, tsc names the',
        '// method to add here. Inside a method: `machine.payload` is the event\'s data, `machine.sockets.NAME.write(…)`',
        '// sends bytes, `machine.raise(' + machine.eventsConst + '.NAME)` queues an event.',
        `import type { ${machine.actionsType} } from './${machine.fileBase}.events.js';`,
        '',
        `export const ${machine.actionsConst}: ${machine.actionsType} = {`,
        ...indent(stubs).slice(0, -1),
        '};'
    ]);
}
