// The view of one machine, built in passes over a checked model: events, behaviour, names, members, then the
// states and sockets that refer to them. Each pass reads the earlier ones; nothing is changed once built.
import type { Machine } from '../generated/ast.js';
import { analyzeMachine } from '../analysis/machine-analysis.js';
import type { MachineNames, MachineView, SocketView } from '../../templates/index.js';
import { planBehaviour } from './behaviour.js';
import { eventTable } from './events.js';
import { memberTable } from './members.js';
import { moduleNames, socketKeys } from './names.js';
import { socketView } from './sockets.js';
import { stateViews } from './states.js';
import { isHierarchical } from '../ast/hierarchy.js';
import { buildHierarchicalMachineView } from './hierarchy-view.js';

/** What a machine's view needs from its project. */
export interface MachineContext {
    names: MachineNames;
    /** The model file's name, for the headers. */
    sourceFile: string;
    /** The release of reactor-fsm that generates, for the headers. */
    generatorVersion: string;
    /** The names of the other machines of the project (sessions). */
    namesOf: (machine: Machine) => MachineNames;
    /** Machine-level names of the project, which the machine's state and socket classes must not take. */
    projectTaken: readonly string[];
    /** True when a server of the project runs this machine for each connection. */
    isSession: boolean;
    /** Every session machine a server of this machine, or of its sessions, starts. */
    sessionMachines: MachineNames[];
}

/** The session machines this machine's own servers start, each once (their classes are `accept` payloads). */
function serverSessions(sockets: readonly SocketView[]): MachineNames[] {
    return [...new Set(sockets.flatMap((socket) => (socket.kind === 'server' ? [socket.session] : [])))];
}

/** Builds the view of one machine. The model must be free of errors (the generator refuses models with errors before this). */
export function buildMachineView(machine: Machine, context: MachineContext): MachineView {
    if (isHierarchical(machine)) {
        return buildHierarchicalMachineView(machine, context);
    }
    const analysis = analyzeMachine(machine);
    const events = eventTable(analysis, context.namesOf);
    const behaviour = planBehaviour(analysis, events);
    const names = moduleNames(machine, analysis.states, context.names, context.projectTaken);
    const keys = socketKeys(machine);
    const members = memberTable(machine, behaviour);
    const states = stateViews(behaviour, { events, members, names, socketKeys: keys });
    const sockets = machine.sockets.map((socket) => socketView(socket, { names: context.names, moduleNames: names, socketKeys: keys, events, members, namesOf: context.namesOf }));
    return {
        ...context.names,
        sourceFile: context.sourceFile,
        generatorVersion: context.generatorVersion,
        events: [...events.views],
        timerCount: behaviour.timerCount,
        states,
        initial: states.find((state) => state.initial) ?? states[0]!,
        sockets,
        signals: machine.signals.map((signal) => ({ signal: signal.signal, eventKey: events.of(signal.event.ref).key })),
        signalsConst: names.signalsConst,
        members: [...members.views],
        serverSessions: serverSessions(sockets),
        sessionMachines: context.sessionMachines,
        isSession: context.isSession
    };
}
