// Template: one Dispatcher class per socket handler of a machine (asyncore's roles over Node's net).
import { docComment, ExternalModule, file, generatedHeaderLines, indent } from './code.js';
import type { MachineView, ServerSocketView, SocketView, StreamSocketView } from './view.js';

/** What a dispatchers file imports from Node and the runtime (see ExternalModule). */
export const DISPATCHERS_FILE_IMPORTS = {
    net: new ExternalModule('node:net', ['type Socket']),
    runtime: new ExternalModule('./runtime/index.js', ['ClientDispatcher', 'ConnectionDispatcher', 'NO_EVENT', 'ServerDispatcher', 'addressFromEnv', 'type MachineHost'])
};

function eventId(machine: MachineView, key: string | undefined): string {
    return key === undefined ? 'NO_EVENT' : `${machine.eventsConst}.${key}`;
}

/** The event ids of a dispatcher's roles, as a constructor argument (with its trailing comma). */
function eventTable(machine: MachineView, events: Record<string, string | undefined>): string[] {
    return ['{', ...indent(Object.entries(events).map(([role, key]) => `${role}: ${eventId(machine, key)},`)), '},'];
}

/** A literal as TypeScript source: numbers, booleans, strings and flat objects of them. */
function literal(value: unknown): string {
    if (value !== null && typeof value === 'object') {
        return `{ ${Object.entries(value).map(([name, inner]) => `${name}: ${literal(inner)}`).join(', ')} }`;
    }
    return JSON.stringify(value);
}

function optionLines(options: Record<string, unknown>): string[] {
    return Object.entries(options)
        .filter(([, value]) => value !== undefined && value !== false)
        .map(([name, value]) => `${name}: ${literal(value)},`);
}

function addressLine(socket: SocketView): string {
    return `...addressFromEnv(${JSON.stringify(socket.envVariable)}, ${JSON.stringify(socket.host)}, ${socket.port}),`;
}

function streamClass(machine: MachineView, socket: StreamSocketView): string[] {
    const isClient = socket.kind === 'client';
    const params = [`machine: ${machine.className}`, ...(isClient ? [] : ['socket: Socket'])];
    const options = optionLines(socket.options);
    const doc = isClient
        ? `Client \`${socket.name}\` of ${machine.name}: connects to ${socket.host}:${socket.port} (override with ${socket.envVariable}=HOST:PORT).`
        : `Connection \`${socket.name}\` of ${machine.name}: the socket its server accepted.`;
    const lines = [
        docComment(doc),
        `export class ${socket.className} extends ${isClient ? 'ClientDispatcher' : 'ConnectionDispatcher'} {`,
        `    declare readonly machine: ${machine.className};`,
        '',
        `    constructor(${params.join(', ')}) {`,
        '        super(',
        '            machine,',
        `            ${JSON.stringify(socket.name)},`,
        ...indent(eventTable(machine, socket.events), 3),
        ...(isClient ? indent(['{', ...indent([addressLine(socket), ...options]), '}'], 3) : indent(['{', ...indent(options), '},', 'socket'], 3)),
        '        );',
        '    }'
    ];
    if (socket.heartbeatMember) {
        lines.push(
            '',
            '    override handleHeartbeat(): void {',
            `        this.machine.tracing && this.machine.traceAction(${JSON.stringify(`heartbeat ${socket.name}`)}, "heartbeat");`,
            `        this.machine.actions.${socket.heartbeatMember}(this.machine);`,
            '    }'
        );
    }
    lines.push('}', '');
    return lines;
}

function serverClass(machine: MachineView, socket: ServerSocketView): string[] {
    const options = optionLines({ backlog: socket.backlog, noDelay: socket.noDelay, keepAliveMs: socket.keepAliveMs });
    const session = socket.session;
    const sessionArgs = ['host', `this.sessionActions.${session.className}`, ...(session.runsServers ? ['this.sessionActions'] : []), 'socket'];
    return [
        docComment(`Server \`${socket.name}\` of ${machine.name}: listens on ${socket.host}:${socket.port} (override with ${socket.envVariable}=HOST:PORT); each connection runs its own ${session.name} machine.`),
        `export class ${socket.className} extends ServerDispatcher {`,
        `    declare readonly machine: ${machine.className};`,
        '',
        `    constructor(machine: ${machine.className}, readonly sessionActions: ${machine.sessionsType}) {`,
        '        super(',
        '            machine,',
        `            ${JSON.stringify(socket.name)},`,
        ...indent(eventTable(machine, socket.events), 3),
        ...indent(['{', ...indent([addressLine(socket), ...options]), '}'], 3),
        '        );',
        '    }',
        '',
        `    /** The session of an accepted connection; override to construct it with options of your own. */`,
        `    protected override createSession(host: MachineHost, socket: Socket): ${session.className} {`,
        `        return new ${session.className}(${sessionArgs.join(', ')});`,
        '    }',
        '}',
        ''
    ];
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
    const lines = [
        ...generatedHeaderLines(`Socket handlers of machine ${machine.name}: Dispatcher classes in asyncore's roles.`, machine.sourceFile),
        ...(kinds.has('connection') || kinds.has('server') ? [DISPATCHERS_FILE_IMPORTS.net.importLine()!] : []),
        DISPATCHERS_FILE_IMPORTS.runtime.importLine((name) => runtimeUses[name] === true)!,
        `import { ${machine.eventsConst}${kinds.has('server') ? `, type ${machine.sessionsType}` : ''} } from './${machine.fileBase}.events.js';`,
        `import type { ${machine.className} } from './${machine.fileBase}.machine.js';`,
        ...machine.serverSessions.map((session) => `import { ${session.className} } from './${session.fileBase}.machine.js';`),
        '',
        ...machine.sockets.flatMap((socket) => (socket.kind === 'server' ? serverClass(machine, socket) : streamClass(machine, socket)))
    ];
    return file(lines);
}
