// Names in generated code: each machine's names in the project, and the module-level names of one machine's files.
import type { Machine, Socket, State } from '../generated/ast.js';
import { EXTERNAL_NAMES, type MachineNames } from '../../templates/index.js';
import { constantCase, kebabCase, NameAllocator, pascalCase } from './identifiers.js';

/**
 * The names of every machine of a project, in the order given: file bases and class-name bases are unique in the
 * project (`Echo` and `echo` both exist in a model: `echo.*.ts` and `echo-2.*.ts`, `EchoMachine` and `Echo2Machine`).
 */
export function projectNames(machines: readonly Machine[]): Map<Machine, MachineNames> {
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
    return names;
}

/** The names of one machine's generated files; `pascal` is unique within the project. */
function machineNames(machine: Machine, fileBase: string, pascal: string): MachineNames {
    return {
        name: machine.name,
        fileBase,
        className: `${pascal}Machine`,
        eventsConst: `${pascal}Event`,
        eventNamesConst: `${pascal}EventNames`,
        eventIdType: `${pascal}EventId`,
        payloadsType: `${pascal}Payloads`,
        actionsType: `${pascal}Actions`,
        actionsConst: `${pascal[0]!.toLowerCase()}${pascal.slice(1)}Actions`,
        sessionsType: `${pascal}Sessions`,
        optionsType: `${pascal}MachineOptions`,
        stateBase: `${pascal}State`,
        runsServers: machine.sockets.some((socket) => socket.$type === 'Server')
    };
}

/** The module-level names of one machine's files: state classes and constants, socket classes, the signal table. */
export interface ModuleNames {
    states: ReadonlyMap<State, { className: string; constName: string }>;
    socketClasses: ReadonlyMap<Socket, string>;
    /** The machine file's table of signals (claimed last, so no state or socket of the model gives way to it). */
    signalsConst: string;
}

/**
 * Names the state and socket classes (and the signal table) of `machine` in one scope with every other module-level name its files see:
 * the project's machine-level names (`projectTaken`), its own, and what generated files import (EXTERNAL_NAMES).
 */
export function moduleNames(machine: Machine, states: readonly State[], names: MachineNames, projectTaken: readonly string[]): ModuleNames {
    const scope = new NameAllocator([
        ...EXTERNAL_NAMES,
        ...projectTaken,
        names.className,
        names.stateBase,
        names.eventsConst,
        names.eventNamesConst,
        names.eventIdType,
        names.payloadsType,
        names.actionsType,
        names.sessionsType,
        names.optionsType
    ]);
    const stateNames = new Map<State, { className: string; constName: string }>();
    for (const state of states) {
        stateNames.set(state, { className: scope.claim(`${pascalCase(state.name)}State`), constName: scope.claim(constantCase(state.name) || 'STATE') });
    }
    const socketClasses = new Map<Socket, string>();
    for (const socket of machine.sockets) {
        socketClasses.set(socket, scope.claim(`${pascalCase(names.name)}${pascalCase(socket.name)}`));
    }
    return { states: stateNames, socketClasses, signalsConst: scope.claim('SIGNALS') };
}

/** The keys of `machine.sockets` in generated code, by socket name. */
export function socketKeys(machine: Machine): ReadonlyMap<string, string> {
    const scope = new NameAllocator();
    return new Map(machine.sockets.map((socket) => [socket.name, scope.claim(socket.name)]));
}
