// Which machines a generated project holds (a file's machines and the sessions they start), and their names.
import { AstUtils } from 'langium';
import type { Machine, Model } from '../generated/ast.js';
import { kebabCase, pascalCase } from './identifiers.js';
import type { MachineNames, ProjectView } from '../../templates/index.js';
import { buildMachineView, machineNames } from './view-model.js';

function sessionsStartedBy(machine: Machine): Machine[] {
    const sessions: Machine[] = [];
    for (const socket of machine.sockets) {
        for (const member of socket.members) {
            if (member.$type === 'SessionOption' && member.machine?.ref) {
                sessions.push(member.machine.ref);
            }
        }
    }
    return sessions;
}

/** Every machine reachable from `roots` through `session` options, roots first, each once. */
export function withSessions(roots: readonly Machine[]): Machine[] {
    const all: Machine[] = [...roots];
    for (let i = 0; i < all.length; i++) {
        for (const session of sessionsStartedBy(all[i]!)) {
            if (!all.includes(session)) {
                all.push(session);
            }
        }
    }
    return all;
}

/** Builds the view of a project generated from `model`'s file; `displayPath` names the file in headers. */
export function buildProjectView(model: Model, displayPath: string): ProjectView {
    const machines = withSessions(model.machines);
    // File bases and class-name bases unique in the project (`Echo` and `echo` both exist in a model).
    const usedBases = new Set<string>();
    const usedPascal = new Set<string>();
    const names = new Map<Machine, MachineNames>();
    for (const machine of machines) {
        let base = kebabCase(machine.name);
        for (let n = 2; usedBases.has(base); n++) {
            base = `${kebabCase(machine.name)}-${n}`;
        }
        usedBases.add(base);
        let pascal = pascalCase(machine.name);
        for (let n = 2; usedPascal.has(pascal); n++) {
            pascal = `${pascalCase(machine.name)}${n}`;
        }
        usedPascal.add(pascal);
        names.set(machine, machineNames(machine, base, pascal));
    }
    const projectNames = [...names.values()].flatMap((machineNames) => [machineNames.className, machineNames.actionsConst]);
    const namesOf = (machine: Machine): MachineNames => {
        const found = names.get(machine);
        if (!found) {
            throw new Error(`internal: machine '${machine.name}' is not part of the project`);
        }
        return found;
    };
    const sessions = new Set(machines.flatMap(sessionsStartedBy));
    const fileName = displayPath.split(/[\\/]/).pop() ?? displayPath;
    const views = machines.map((machine) => {
        const document = AstUtils.getDocument(machine);
        const file = document === AstUtils.getDocument(model) ? fileName : document.uri.path.split('/').pop() ?? fileName;
        const view = buildMachineView(machine, namesOf(machine), file, namesOf, sessions.has(machine), projectNames);
        view.sessionMachines = withSessions(sessionsStartedBy(machine)).map(namesOf);
        return view;
    });
    return {
        name: kebabCase(fileName.replace(/\.fsm$/, '')),
        sourceFile: fileName,
        machines: views,
        topLevel: views.filter((view) => !view.isSession)
    };
}
