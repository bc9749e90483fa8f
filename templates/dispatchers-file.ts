// Template: one Dispatcher class per socket handler of a machine (asyncore's roles over Node's net).
import { expandToNode, type Generated } from 'langium/generate';
import { addressFromEnvCall, docComment, eachLine, ExternalModule, file, generatedHeader, onlyIf } from './code.js';
import type { MachineView, ProcessSocketView, ServerSocketView, SocketView, StreamSocketView } from './view.js';

/** What a dispatchers file imports from Node and the runtime (see ExternalModule). */
export const DISPATCHERS_FILE_IMPORTS = {
    net: new ExternalModule('node:net', ['type Socket']),
    runtime: new ExternalModule('./runtime/index.js', ['ClientDispatcher', 'ConnectionDispatcher', 'NO_EVENT', 'ProcessDispatcher', 'ServerDispatcher', 'addressFromEnv', 'tlsFromEnv', 'type MachineHost'])
};

/** The event ids of a dispatcher's roles, one `role: id,` line each (NO_EVENT where the model maps none). */
function eventTable(machine: MachineView, events: Record<string, string | undefined>): Generated {
    return eachLine(Object.entries(events), ([role, key]) => `${role}: ${key === undefined ? 'NO_EVENT' : `${machine.eventsConst}.${key}`},`);
}

/** A literal as TypeScript source: numbers, booleans, strings and flat objects of them. */
function literal(value: unknown): string {
    if (value !== null && typeof value === 'object') {
        return `{ ${Object.entries(value).map(([name, inner]) => `${name}: ${literal(inner)}`).join(', ')} }`;
    }
    return JSON.stringify(value);
}

/** One `name: value,` line per option that is set (false and undefined ones are the runtime's defaults). */
function optionLines(options: Record<string, unknown>): Generated {
    return eachLine(
        Object.entries(options).filter(([, value]) => value !== undefined && value !== false),
        ([name, value]) => `${name}: ${literal(value)},`
    );
}

/** `tls: tlsFromEnv(PREFIX, { … }),` where the socket has a `tls` block: each file can be overridden by PREFIX_TLS_CA, … */
function tlsLine(socket: StreamSocketView | ServerSocketView): string | undefined {
    return socket.tls === undefined ? undefined : `tls: tlsFromEnv(${JSON.stringify(socket.envVariable)}, ${literal(socket.tls)}),`;
}

/** `; TLS files with PREFIX_TLS_CA, …` for a socket with a `tls` block. */
function tlsVariables(socket: StreamSocketView | ServerSocketView): string {
    return socket.tls === undefined ? '' : `; the TLS settings with ${socket.envVariable}_TLS_CA, _TLS_CERT, _TLS_KEY${socket.kind === 'server' ? '' : ', _TLS_SERVERNAME'}`;
}

function addressLine(socket: SocketView): string {
    return `...${addressFromEnvCall(socket)},`;
}

/** The address as the model writes it: `HOST:PORT` or `unix:PATH`. */
function addressText(socket: SocketView): string {
    return socket.path === undefined ? `${socket.host}:${socket.port}` : `unix:${socket.path}`;
}

function streamClass(machine: MachineView, socket: StreamSocketView): Generated {
    const isClient = socket.kind === 'client';
    const doc = isClient
        ? `Client \`${socket.name}\` of ${machine.name}: connects to ${addressText(socket)}${socket.tls ? ' over TLS' : ''} (override with ${socket.envVariable}=HOST:PORT or unix:PATH${tlsVariables(socket)}).`
        : `Connection \`${socket.name}\` of ${machine.name}: the socket its server accepted.`;
    return expandToNode`
        ${docComment(doc)}
        export class ${socket.className} extends ${isClient ? 'ClientDispatcher' : 'ConnectionDispatcher'} {
            declare readonly machine: ${machine.className};

            constructor(machine: ${machine.className}${isClient ? '' : ', socket: Socket'}) {
                super(
                    machine,
                    ${JSON.stringify(socket.name)},
                    {
                        ${eventTable(machine, socket.events)}
                    },
                    {
                        ${isClient ? addressLine(socket) : undefined}
                        ${optionLines(socket.options)}
                        ${isClient ? tlsLine(socket) : undefined}
                    }${isClient ? '' : ','}
                    ${isClient ? undefined : 'socket'}
                );
            }
            ${onlyIf(socket.heartbeatMember, (member) => expandToNode`

                override handleHeartbeat(): void {
                    this.machine.tracing && this.machine.traceAction(${JSON.stringify(`heartbeat ${socket.name}`)}, "heartbeat");
                    this.machine.actions.${member}(this.machine);
                }
            `)}
        }
    `;
}

function serverClass(machine: MachineView, socket: ServerSocketView): Generated {
    const session = socket.session;
    // A session that runs servers of its own passes on the actions of their sessions.
    const sessionArguments = ['host', `this.sessionActions.${session.className}`, ...(session.runsServers ? ['this.sessionActions'] : []), 'socket'].join(', ');
    return expandToNode`
        ${docComment(`Server \`${socket.name}\` of ${machine.name}: listens on ${addressText(socket)}${socket.tls ? ' over TLS' : ''} (override with ${socket.envVariable}=HOST:PORT or unix:PATH${tlsVariables(socket)}); each connection runs its own ${session.name} machine.`)}
        export class ${socket.className} extends ServerDispatcher {
            declare readonly machine: ${machine.className};

            constructor(machine: ${machine.className}, readonly sessionActions: ${machine.sessionsType}) {
                super(
                    machine,
                    ${JSON.stringify(socket.name)},
                    {
                        ${eventTable(machine, socket.events)}
                    },
                    {
                        ${addressLine(socket)}
                        ${optionLines({ backlog: socket.backlog, noDelay: socket.noDelay, keepAliveMs: socket.keepAliveMs })}
                        ${tlsLine(socket)}
                    }
                );
            }

            /** The session of an accepted connection; override to construct it with options of your own. */
            protected override createSession(host: MachineHost, socket: Socket): ${session.className} {
                return new ${session.className}(${sessionArguments});
            }
        }
    `;
}

function processClass(machine: MachineView, socket: ProcessSocketView): Generated {
    const commandLine = [socket.command, ...socket.args].map((part) => JSON.stringify(part)).join(' ');
    return expandToNode`
        ${docComment(`Process \`${socket.name}\` of ${machine.name}: runs ${commandLine} when the model spawns it; its stdout is read, \`send\` writes to its stdin.`)}
        export class ${socket.className} extends ProcessDispatcher {
            declare readonly machine: ${machine.className};

            constructor(machine: ${machine.className}) {
                super(
                    machine,
                    ${JSON.stringify(socket.name)},
                    {
                        ${eventTable(machine, socket.events)}
                    },
                    {
                        command: ${JSON.stringify(socket.command)},
                        args: [${socket.args.map((arg) => JSON.stringify(arg)).join(', ')}],
                        ${optionLines(socket.options)}
                    }
                );
            }
        }
    `;
}

export function dispatchersFile(machine: MachineView): string {
    const kinds = new Set(machine.sockets.map((socket) => socket.kind));
    const runtimeUses: Record<string, boolean> = {
        ClientDispatcher: kinds.has('client'),
        ConnectionDispatcher: kinds.has('connection'),
        NO_EVENT: true,
        ProcessDispatcher: kinds.has('process'),
        ServerDispatcher: kinds.has('server'),
        addressFromEnv: kinds.has('client') || kinds.has('server'),
        tlsFromEnv: machine.sockets.some((socket) => socket.kind !== 'process' && socket.kind !== 'connection' && socket.tls !== undefined),
        MachineHost: kinds.has('server')
    };
    return file(expandToNode`
        ${generatedHeader(`Socket handlers of machine ${machine.name}: Dispatcher classes in asyncore's roles.`, machine)}
        ${kinds.has('connection') || kinds.has('server') ? DISPATCHERS_FILE_IMPORTS.net.importLine() : undefined}
        ${DISPATCHERS_FILE_IMPORTS.runtime.importLine((name) => runtimeUses[name] === true)}
        import { ${machine.eventsConst}${kinds.has('server') ? `, type ${machine.sessionsType}` : ''} } from './${machine.fileBase}.events.js';
        import type { ${machine.className} } from './${machine.fileBase}.machine.js';
        ${eachLine(machine.serverSessions, (session) => `import { ${session.className} } from './${session.fileBase}.machine.js';`)}
        ${eachLine(machine.sockets, (socket) => expandToNode`

            ${socket.kind === 'server' ? serverClass(machine, socket) : socket.kind === 'process' ? processClass(machine, socket) : streamClass(machine, socket)}
        `)}
    `);
}
