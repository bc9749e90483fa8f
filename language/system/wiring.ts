// Which client talks to which server in a system of machines checked together: by address, as SYSTEM-CHECK.md says.
import type { SocketAddress } from '../values/addresses.js';
import type { MachineSpec, ProgramSpec, SocketSpec } from '../semantics/program.js';

/** A socket of a top-level machine: `Machine.socket`. */
export interface SocketRef {
    readonly machine: string;
    readonly socket: string;
}

export interface Wiring {
    /** Each wired client (`Machine.socket`) and the server it connects to; other clients talk to the environment. */
    readonly clients: ReadonlyMap<string, SocketRef>;
    /** Servers some checked client connects to: only those clients reach them (`Machine.socket`). */
    readonly wiredServers: ReadonlySet<string>;
}

export function refKey(ref: SocketRef): string {
    return `${ref.machine}.${ref.socket}`;
}

const ANY_HOST = new Set(['0.0.0.0', '::', '']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether a client connecting to `to` reaches a server listening on `on` (0.0.0.0 and :: take any host; localhost is 127.0.0.1). */
export function addressReaches(to: SocketAddress, on: SocketAddress): boolean {
    if (to.path !== undefined || on.path !== undefined) {
        return to.path === on.path;
    }
    if (to.port !== on.port) {
        return false;
    }
    const host = (name: string): string => (LOOPBACK.has(name.toLowerCase()) ? 'loopback' : name.toLowerCase());
    return ANY_HOST.has(on.host) || host(to.host) === host(on.host);
}

/**
 * Whether two servers cannot both listen: the same Unix path, or the same port (not 0, where the system picks a free
 * one) on hosts that overlap (`0.0.0.0`, `::` or no host take the port on every address; `localhost` is `127.0.0.1`).
 */
export function listensClash(a: SocketAddress, b: SocketAddress): boolean {
    if (a.path !== undefined || b.path !== undefined) {
        return a.path === b.path;
    }
    if (a.port !== b.port || a.port === 0) {
        return false;
    }
    const host = (name: string): string => (name.toLowerCase() === 'localhost' ? '127.0.0.1' : name.toLowerCase());
    return ANY_HOST.has(a.host) || ANY_HOST.has(b.host) || host(a.host) === host(b.host);
}

function socketsOf(program: ProgramSpec, kind: SocketSpec['kind'], machines: readonly string[]): Array<{ machine: MachineSpec; socket: SocketSpec }> {
    return machines.flatMap((name) => {
        const machine = program.machines.get(name)!;
        return machine.sockets.filter((socket) => socket.kind === kind).map((socket) => ({ machine, socket }));
    });
}

/**
 * Wires every client of a top-level machine to the first server (of a top-level machine, in program order) whose address
 * it reaches. Clients of session machines always talk to the environment (their sessions come and go).
 */
export function wire(program: ProgramSpec): Wiring {
    const servers = socketsOf(program, 'server', program.topLevel);
    const clients = new Map<string, SocketRef>();
    const wiredServers = new Set<string>();
    for (const { machine, socket } of socketsOf(program, 'client', program.topLevel)) {
        const to = socket.address;
        const server = to && servers.find((candidate) => candidate.socket.address && candidate.machine !== machine && addressReaches(to, candidate.socket.address));
        if (server) {
            const ref = { machine: server.machine.name, socket: server.socket.name };
            clients.set(`${machine.name}.${socket.name}`, ref);
            wiredServers.add(refKey(ref));
        }
    }
    return { clients, wiredServers };
}
