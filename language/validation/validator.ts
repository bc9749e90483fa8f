// The one table from AST type to the checks that run on it, registered from the check services of the container.
import type { ValidationChecks } from 'langium';
import type { ReactorFsmAstType } from '../generated/ast.js';
import type { ReactorFsmServices } from '../module.js';
import { checkPausedForever } from './read-interest-checks.js';

/**
 * Registers the checks of `services.validation.checks`: each service with its own table, passed to the registry as the
 * `this` its methods run with, so a module that replaces a check service (see `createReactorFsmServices`) replaces its
 * checks. Checks of one AST type run in the order registered here: structure, then graph, then sockets, then read interest.
 */
export function registerValidationChecks(services: ReactorFsmServices): void {
    const registry = services.validation.ValidationRegistry;
    const { Structure, Graph, Sockets } = services.validation.checks;
    /* eslint-disable @typescript-eslint/unbound-method -- the registry calls each check with its service as `this` */
    const structure: ValidationChecks<ReactorFsmAstType> = {
        Model: [Structure.checkUniqueMachines, Structure.checkUnclosedComment],
        Machine: [Structure.checkInitialState, Structure.checkUniqueNames, Structure.checkSignals],
        State: Structure.checkState,
        Region: Structure.checkRegion,
        History: Structure.checkHistory,
        Timer: Structure.checkTimerDelay
    };
    const graph: ValidationChecks<ReactorFsmAstType> = {
        Machine: [Graph.checkReachability, Graph.checkProgress, Graph.checkDeterminism, Graph.checkEventUse, Graph.checkHierarchy]
    };
    const sockets: ValidationChecks<ReactorFsmAstType> = {
        Socket: [Sockets.checkAddress, Sockets.checkMembers, Sockets.checkSingleConnection],
        ConnectAction: Sockets.checkConnectTarget,
        SpawnAction: Sockets.checkSpawnTarget,
        Process: Sockets.checkProcess,
        TlsOption: Sockets.checkTls,
        WorkersOption: Sockets.checkWorkers,
        SendAction: Sockets.checkStreamAction,
        PauseAction: Sockets.checkStreamAction,
        ResumeAction: Sockets.checkStreamAction,
        Event: Sockets.checkEventPayload,
        RaiseAction: Sockets.checkRaisePayload
    };
    /* eslint-enable @typescript-eslint/unbound-method */
    // Read interest (paused-forever) is a plain function over the shared machine analysis: no service of its own.
    const analyzer = services.analysis.MachineAnalyzer;
    const readInterest: ValidationChecks<ReactorFsmAstType> = {
        Machine: (machine, accept) => checkPausedForever(machine, analyzer, accept)
    };
    registry.register(structure, Structure);
    registry.register(graph, Graph);
    registry.register(sockets, Sockets);
    registry.register(readInterest);
}
