// Template: one Dispatcher class per socket handler of a machine (asyncore's roles over Node's net).
import { expandToNode, type Generated } from 'langium/generate';
import { docComment, eachLine, ExternalModule, file, generatedHeader, onlyIf } from './code.js';
import type { MachineView, ServerSocketView, SocketView, StreamSocketView } from './view.js';

/** What a dispatchers file imports from Node and the runtime (see ExternalModule). */
export const DISPATCHERS_FILE_IMPORTS = {
    net: new ExternalModule('node:net', ['type Socket']),
    runtime: new ExternalModule('./runtime/index.js', ['ClientDispatcher', 'ConnectionDispatcher', 'NO_EVENT', 'ServerDispatcher', 'addressFromEnv', 'type MachineHost'])
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

function addressLine(socket: SocketView): string {
    const model = socket.path === undefined ? `{ host: ${JSON.stringify(socket.host)}, port: ${socket.port} }` : `{ host: "", port: 0, path: ${JSON.stringify(socket.path)} }`;
    return `...addressFromEnv(${JSON.stringify(socket.envVariable)}, ${model}),`;
}

/** The address as the model writes it: `HOST:PORT` or `unix:PATH`. */
function addressText(socket: SocketView): string {
    return socket.path === undefined ? `${socket.host}:${socket.port}` : `unix:${socket.path}`;
}

function streamClass(machine: MachineView, socket: StreamSocketView): Generated {
    const isClient = socket.kind === 'client';
    const doc = isClient
        ? `Client \`${socket.name}\` of ${machine.name}: connects to ${addressText(socket)} (override with ${socket.envVariable}=HOST:PORT or unix:PATH).`
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
        ${docComment(`Server \`${socket.name}\` of ${machine.name}: listens on ${addressText(socket)} (override with ${socket.envVariable}=HOST:PORT or unix:PATH); each connection runs its own ${session.name} machine.`)}
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

export function dispatchersFile(machine: MachineView): string {
    const kinds = new Set(machine.sockets.map((socket) => socket.kind));
    const runtimeUses: Record<string, boolean> = {
        ClientDispatcher: kinds.has('client'),
        ConnectionDispatcher: kinds.has('connection'),
        NO_EVENT: true,
        ServerDispatcher: kinds.has('server'),
        addressFromEnv: kinds.has('client') || kinds.has('server'),
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

            ${socket.kind === 'server' ? serverClass(machine, socket) : streamClass(machine, socket)}
        `)}
    `);
}
