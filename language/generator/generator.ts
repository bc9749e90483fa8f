// From a checked model to the files of a TypeScript project: content only, no disk (see write-files.ts).
import type { Model } from '../generated/ast.js';
import { actionsFile, dispatchersFile, eventsFile, hierarchyMachineFile, machineFile, mainFile, packageJson, tsconfigJson } from '../../templates/index.js';
import { buildProjectView } from './project-view.js';
import { generatorVersion, runtimeFiles } from './runtime-files.js';

export interface GeneratedFile {
    /** Path inside the output folder, with forward slashes. */
    path: string;
    content: string;
    /** False for files that belong to the user once written: actions, package.json, tsconfig.json. */
    overwrite: boolean;
}

/**
 * Every file of the project generated from `model`, in a fixed order (the same model gives the same bytes, for one
 * release: every file names the release that wrote it, package.json's version).
 */
export function generateProject(model: Model, displayPath: string): GeneratedFile[] {
    const project = buildProjectView(model, displayPath, generatorVersion());
    const files: GeneratedFile[] = [
        { path: 'package.json', content: packageJson(project), overwrite: false },
        { path: 'tsconfig.json', content: tsconfigJson(), overwrite: false },
        ...runtimeFiles().map((runtime) => ({ path: `src/runtime/${runtime.name}`, content: runtime.content, overwrite: true }))
    ];
    for (const machine of project.machines) {
        files.push({ path: `src/${machine.fileBase}.events.ts`, content: eventsFile(machine), overwrite: true });
        files.push({ path: `src/${machine.fileBase}.machine.ts`, content: machine.hierarchy ? hierarchyMachineFile(machine) : machineFile(machine), overwrite: true });
        if (machine.sockets.length > 0) {
            files.push({ path: `src/${machine.fileBase}.dispatchers.ts`, content: dispatchersFile(machine), overwrite: true });
        }
        files.push({ path: `src/${machine.fileBase}.actions.ts`, content: actionsFile(machine), overwrite: false });
    }
    files.push({ path: 'src/main.ts', content: mainFile(project), overwrite: true });
    return files;
}
