// Code lenses above every machine: simulate it (top-level machines), generate the project, show the diagram (commands
// run in the VS Code client).
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens } from 'vscode-languageserver';
import type { Model } from '../generated/ast.js';
import { LensCommands } from './protocol.js';

/** The machines some server of the file runs as its sessions. */
function sessionMachines(model: Model): Set<string> {
    const names = new Set<string>();
    for (const machine of model.machines) {
        for (const socket of machine.sockets) {
            for (const member of socket.members) {
                if (member.$type === 'SessionOption') {
                    names.add(member.machine.ref?.name ?? member.machine.$refText);
                }
            }
        }
    }
    return names;
}

export class ReactorFsmCodeLensProvider implements CodeLensProvider {
    provideCodeLens(document: LangiumDocument): MaybePromise<CodeLens[]> {
        const model = document.parseResult.value as Model;
        const sessions = sessionMachines(model);
        return model.machines.flatMap((machine) => {
            const range = machine.$cstNode?.range;
            if (!range || machine.name === undefined) {
                return [];
            }
            const at = { start: range.start, end: range.start };
            const uri = document.textDocument.uri;
            // A session machine runs when its server accepts a connection: it is simulated through the machine owning that server.
            const simulate = sessions.has(machine.name) ? [] : [{ range: at, command: { title: 'Simulate', command: LensCommands.simulate, arguments: [uri, machine.name] } }];
            return [
                ...simulate,
                { range: at, command: { title: 'Generate', command: LensCommands.generate, arguments: [uri] } },
                { range: at, command: { title: 'Show diagram', command: LensCommands.openDiagram, arguments: [uri, machine.name] } }
            ];
        });
    }
}
