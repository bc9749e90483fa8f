// Loads the compiled, generated TCP-like machine (models/tcp.fsm) and its runtime from a built project.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Machine, MachineHost } from '../../templates/runtime/index.js';
import type { CountingActions } from './tcp-model.js';

export interface GeneratedTcp {
    /** `new TcpMachine(host, actions)`: the generated class. */
    readonly TcpMachine: new (host: MachineHost, actions: CountingActions) => Machine;
    /** A host for machines that run outside a reactor: no observers, nothing to stop. */
    readonly host: MachineHost;
}

export async function loadGeneratedTcp(dist: string): Promise<GeneratedTcp> {
    const machineModule = (await import(pathToFileURL(path.join(dist, 'tcp.machine.js')).href)) as Pick<GeneratedTcp, 'TcpMachine'>;
    const runtime = (await import(pathToFileURL(path.join(dist, 'runtime/index.js')).href)) as { Reactor: new () => MachineHost };
    // The generated runtime's own Reactor (not added to it: the machines are driven directly by the benchmark).
    return { TcpMachine: machineModule.TcpMachine, host: new runtime.Reactor() };
}
