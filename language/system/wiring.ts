// Which client talks to which server in a system of machines checked together: by address, as SYSTEM-CHECK.md says.
import { isIP } from 'node:net';
import * as path from 'node:path';
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

/** Hosts a listen takes every address with: `::` and no host listen on IPv6 and IPv4 alike (Node's dual stack). */
const DUAL_STACK = new Set(['::', '']);

/**
 * A host as the system check compares it: an IP address in its canonical form (`[0:0:0:0:0:0:0:1]` is `::1`, an
 * IPv4-mapped `::ffff:127.0.0.1` is `127.0.0.1`), `localhost` as `127.0.0.1`, a name in lower case.
 */
function normalHost(name: string): string {
    let normal = normalHosts.get(name);
    if (normal === undefined) {
        normal = normalized(name);
        normalHosts.set(name, normal);
    }
    return normal;
}

/** Hosts as normalHost gives them, by host as written (a model names few: worked out once each). */
const normalHosts = new Map<string, string>();

function normalized(name: string): string {
    const lower = name.toLowerCase();
    if (lower === 'localhost') {
        return '127.0.0.1';
    }
    if (isIP(lower) === 6) {
        const canonical = new URL(`http://[${lower}]`).hostname.slice(1, -1);
        const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
        if (mapped) {
            const high = parseInt(mapped[1]!, 16);
            const low = parseInt(mapped[2]!, 16);
            return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
        }
        return canonical;
    }
    return isIP(lower) === 4 ? new URL(`http://${lower}`).hostname : lower;
}

/**
 * Whether a listen on `on` takes connections to (and so holds the port on) `host`: `::` every address, `0.0.0.0` every
 * IPv4 address (a host name counts as one).
 */
function covers(on: string, host: string): boolean {
    const listen = normalHost(on);
    if (DUAL_STACK.has(listen)) {
        return true;
    }
    if (listen === '0.0.0.0') {
        return !normalHost(host).includes(':');
    }
    return listen === normalHost(host);
}

/**
 * A server that binds its address only once its host name is resolved (Node looks the name up first): after the
 * servers on IP addresses (or Unix paths) that start listening with it.
 */
export function bindsOnceResolved(address: SocketAddress): boolean {
    return address.path === undefined && address.host !== '' && isIP(address.host) === 0;
}

/** Two `unix:` paths name one socket file (`u.sock` and `./u.sock` do; a relative and an absolute path are not compared). */
function samePath(a: string, b: string): boolean {
    return path.posix.normalize(a) === path.posix.normalize(b);
}

/**
 * Whether a client connecting to `to` reaches a server listening on `on`: `::` and no host take any host, `0.0.0.0` any
 * IPv4 host (`[::1]` is not `127.0.0.1`), `localhost` is `127.0.0.1`.
 */
export function addressReaches(to: SocketAddress, on: SocketAddress): boolean {
    if (to.path !== undefined || on.path !== undefined) {
        return to.path !== undefined && on.path !== undefined && samePath(to.path, on.path);
    }
    return to.port === on.port && covers(on.host, to.host);
}

/**
 * Whether two servers cannot both listen: the same Unix path, or the same port (not 0, where the system picks a free
 * one) on hosts that overlap (`::` and no host overlap with every host, `0.0.0.0` with every IPv4 host).
 */
export function listensClash(a: SocketAddress, b: SocketAddress): boolean {
    if (a.path !== undefined || b.path !== undefined) {
        return a.path !== undefined && b.path !== undefined && samePath(a.path, b.path);
    }
    if (a.port !== b.port || a.port === 0) {
        return false;
    }
    return covers(a.host, b.host) || covers(b.host, a.host);
}

/** An address as a model writes it: `127.0.0.1:7000`, `[::1]:7000`, `unix:/run/app.sock`. */
export function addressText(address: SocketAddress): string {
    if (address.path !== undefined) {
        return `unix:${address.path}`;
    }
    return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
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
