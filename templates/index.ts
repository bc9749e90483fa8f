// The templates of a generated project: one function per file, from the views in view.ts; and every name generated
// files take from outside the project, gathered from the templates that import them.
import { GLOBAL_NAMES } from './code.js';
import { DISPATCHERS_FILE_IMPORTS } from './dispatchers-file.js';
import { HIERARCHY_FILE_IMPORTS } from './hierarchy-machine-file.js';
import { MACHINE_FILE_IMPORTS } from './machine-file.js';
import { MAIN_FILE_IMPORTS } from './main-file.js';

export { actionsFile } from './actions-file.js';
export { dispatchersFile } from './dispatchers-file.js';
export { eventsFile } from './events-file.js';
export { hierarchyMachineFile } from './hierarchy-machine-file.js';
export { machineFile, STATE_MEMBERS } from './machine-file.js';
export { mainFile } from './main-file.js';
export { packageJson, tsconfigJson } from './project-files.js';
export { PAYLOAD_TYPES, release, runtimeCopy, unionType } from './code.js';
export type * from './view.js';

/** Names generated files import from Node and the runtime, or take from the globals: no generated name may be one of them. */
export const EXTERNAL_NAMES: readonly string[] = [
    ...new Set([
        ...[MACHINE_FILE_IMPORTS, HIERARCHY_FILE_IMPORTS, DISPATCHERS_FILE_IMPORTS, MAIN_FILE_IMPORTS].flatMap((imports) => Object.values(imports).flatMap((module) => module.names)),
        ...GLOBAL_NAMES
    ])
];
