// Which machines a generated project holds (a file's machines and the sessions they start), and their views.
import { AstUtils } from 'langium';
import type { Machine, Model } from '../generated/ast.js';
import type { MachineNames, ProjectView } from '../../templates/index.js';
import { kebabCase } from './identifiers.js';
import { buildMachineView } from './machine-view.js';
import { projectNames } from './names.js';
import { sessionsStartedBy, withSessions } from './sessions.js';
import { MAX_WORKERS } from '../values/workers.js';
import { parseCount } from '../values/quantities.js';

export { withSessions } from './sessions.js';

/** Builds the view of a project generated from `model`'s file; `displayPath` names the file in headers, and `generatorVersion` the release. */
export function buildProjectView(model: Model, displayPath: string, generatorVersion: string): ProjectView {
    const machines = withSessions(model.machines);
    const names = projectNames(machines);
    const namesOf = (machine: Machine): MachineNames => {
        const found = names.get(machine);
        if (!found) {
            throw new Error(`internal: machine '${machine.name}' is not part of the project`);
        }
        return found;
    };
    const projectTaken = [...names.values()].flatMap((each) => [each.className, each.actionsConst]);
    const sessions = new Set(machines.flatMap(sessionsStartedBy));
    const fileName = displayPath.split(/[\\/]/).pop() ?? displayPath;
    const modelDocument = AstUtils.getDocument(model);
    const views = machines.map((machine) => {
        const document = AstUtils.getDocument(machine);
        return buildMachineView(machine, {
            names: namesOf(machine),
            sourceFile: document === modelDocument ? fileName : document.uri.path.split('/').pop() ?? fileName,
            generatorVersion,
            namesOf,
            projectTaken,
            isSession: sessions.has(machine),
            sessionMachines: withSessions(sessionsStartedBy(machine)).map(namesOf)
        });
    });
    const workers = programWorkers(machines.filter((machine) => !sessions.has(machine)));
    return {
        name: kebabCase(fileName.replace(/\.fsm$/, '')),
        sourceFile: fileName,
        generatorVersion,
        machines: views,
        topLevel: views.filter((view) => !view.isSession),
        ...(workers === undefined ? {} : { workers })
    };
}

/** The `workers` of the program: the first server of a top-level machine that says it (checks keep them consistent). */
export function programWorkers(topLevel: readonly Machine[]): number | 'auto' | undefined {
    for (const machine of topLevel) {
        for (const socket of machine.sockets) {
            for (const member of socket.members) {
                if (member.$type === 'WorkersOption') {
                    if (member.auto) {
                        return 'auto';
                    }
                    const count = member.count === undefined ? undefined : parseCount(member.count, 1, MAX_WORKERS);
                    return count?.ok ? count.value : undefined;
                }
            }
        }
    }
    return undefined;
}
