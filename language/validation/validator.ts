// The one table from AST type to the checks that run on it.
import type { ValidationChecks } from 'langium';
import type { ReactorFsmAstType } from '../generated/ast.js';
import type { ReactorFsmServices } from '../module.js';
import { GraphChecks } from './graph-checks.js';
import { SocketChecks } from './socket-checks.js';
import { StructureChecks } from './structure-checks.js';

export function registerValidationChecks(services: ReactorFsmServices): void {
    const structure = new StructureChecks(services.shared.workspace.IndexManager, services.shared);
    const graph = new GraphChecks();
    const sockets = new SocketChecks();
    const checks: ValidationChecks<ReactorFsmAstType> = {
        Model: [structure.checkUniqueMachines.bind(structure), structure.checkUnclosedComment.bind(structure)],
        Machine: [
            structure.checkInitialState.bind(structure),
            structure.checkUniqueNames.bind(structure),
            structure.checkSignals.bind(structure),
            graph.checkReachability.bind(graph),
            graph.checkProgress.bind(graph),
            graph.checkDeterminism.bind(graph),
            graph.checkEventUse.bind(graph)
        ],
        Timer: structure.checkTimerDelay.bind(structure),
        Socket: [sockets.checkAddress.bind(sockets), sockets.checkMembers.bind(sockets), sockets.checkSingleConnection.bind(sockets)],
        ConnectAction: sockets.checkConnectTarget.bind(sockets)
    };
    services.validation.ValidationRegistry.register(checks);
}
