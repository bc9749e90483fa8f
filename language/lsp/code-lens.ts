// Code lenses above every machine: generate the project, show the diagram (commands run in the VS Code client).
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens } from 'vscode-languageserver';
import type { Model } from '../generated/ast.js';
import { LensCommands } from './protocol.js';

export class ReactorFsmCodeLensProvider implements CodeLensProvider {
    provideCodeLens(document: LangiumDocument): MaybePromise<CodeLens[]> {
        const model = document.parseResult.value as Model;
        return model.machines.flatMap((machine) => {
            const range = machine.$cstNode?.range;
            if (!range || machine.name === undefined) {
                return [];
            }
            const at = { start: range.start, end: range.start };
            const uri = document.textDocument.uri;
            return [
                { range: at, command: { title: 'Generate', command: LensCommands.generate, arguments: [uri] } },
                { range: at, command: { title: 'Show diagram', command: LensCommands.openDiagram, arguments: [uri, machine.name] } }
            ];
        });
    }
}
