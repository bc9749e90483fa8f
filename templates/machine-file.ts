// Template: a machine as the GoF State pattern — an abstract state, one class per state, and the context that owns them.
import { expandToNode, type Generated } from 'langium/generate';
import type { ActionPhase } from './runtime/trace-format.js';
import { blocks, commentText, docComment, eachLine, ExternalModule, file, generatedHeader, onlyIf } from './code.js';
import type { ActionCall, Branch, MachineView, SocketView, StateView } from './view.js';

/** What a machine file imports from Node and the runtime (see ExternalModule). */
export const MACHINE_FILE_IMPORTS = {
    net: new ExternalModule('node:net', ['type Socket']),
    runtime: new ExternalModule('./runtime/index.js', ['Machine', 'START_EVENT', 'State', 'type MachineHost'])
};

/** The members every state class has (from the runtime's State) besides one method per event: no event method may take these names. */
export const STATE_MEMBERS: readonly string[] = ['onEnter', 'onExit', 'onTimer', 'name', 'final'];

/** A call of a user action or guard: the machine, and the payload cast to the member's type when it takes one. */
export function memberCall(member: string, payloadType: string | undefined): string {
    return `m.actions.${member}(m${payloadType ? `, m.payload as ${payloadType}` : ''})`;
}

/** One action call as a statement; `m` is the machine. */
export function actionStatement(machine: MachineView, call: ActionCall): string {
    switch (call.kind) {
        case 'call':
            return `${memberCall(call.member, call.payloadType)};`;
        case 'close':
            return `void m.sockets.${call.socket}.close();`;
        case 'connect':
            return `m.sockets.${call.socket}.connect();`;
        case 'raise':
            return `m.raise(${machine.eventsConst}.${call.event}${call.payload ? ', m.payload' : ''});`;
        case 'stop':
            return 'm.stopReactor();';
        case 'send':
            return `m.sockets.${call.socket}.send(${call.text === undefined ? 'm.payload' : JSON.stringify(call.text)});`;
        case 'pause':
            return `m.sockets.${call.socket}.pauseReading();`;
        case 'resume':
            return `m.sockets.${call.socket}.resumeReading();`;
        case 'spawn':
            return `m.sockets.${call.socket}.spawn();`;
    }
}

/** Action calls as statements; observers hear of each first, in `phase`, and an unobserved machine pays one boolean check. */
function actionLines(machine: MachineView, calls: readonly ActionCall[], phase: ActionPhase): Generated {
    return eachLine(calls, (call) => expandToNode`
        m.tracing && m.traceAction(${JSON.stringify(call.label)}, ${JSON.stringify(phase)});
        ${actionStatement(machine, call)}
    `);
}

/** The statements of one branch: exit, transition actions, entry — or just the actions of an internal transition. */
function branchBody(machine: MachineView, branch: Branch, eventExpression: string): Generated {
    if (branch.target === undefined) {
        return expandToNode`
            m.tracing && m.traceInternal(${eventExpression});
            ${actionLines(machine, branch.actions, 'transition')}
        `;
    }
    return expandToNode`
        m.exit();
        ${actionLines(machine, branch.actions, 'transition')}
        m.enter(${branch.target}, ${eventExpression});
    `;
}

/** Guarded branches are tried in order; an unguarded one is the fallback; without one the event is `unhandled`. */
function branches(machine: MachineView, all: readonly Branch[], eventExpression: string, unhandled?: string): Generated {
    const fallback = all.findIndex((branch) => branch.guard === undefined);
    const tried = fallback < 0 ? all : all.slice(0, fallback + 1);
    return expandToNode`
        ${eachLine(tried, (branch) =>
            branch.guard
                ? expandToNode`
                    // ${commentText(branch.source)}
                    if (${branch.guard.negated ? '!' : ''}${memberCall(branch.guard.member, branch.guard.payloadType)}) {
                        ${branchBody(machine, branch, eventExpression)}
                        return;
                    }
                `
                : expandToNode`
                    // ${commentText(branch.source)}
                    ${branchBody(machine, branch, eventExpression)}
                `
        )}
        ${fallback < 0 ? unhandled : undefined}
    `;
}

function stateClass(machine: MachineView, state: StateView): Generated {
    const m = machine.className;
    return expandToNode`
        ${docComment(`State ${state.name}${state.initial ? ' (initial)' : ''}${state.final ? ' (final)' : ''}.`)}
        class ${state.className} extends ${machine.stateBase} {
            readonly name = ${JSON.stringify(state.name)};
            ${state.final ? 'override readonly final = true;' : undefined}
            ${onlyIf(state.entry.length > 0 || state.timers.length > 0, () => expandToNode`

                override onEnter(m: ${m}): void {
                    ${actionLines(machine, state.entry, 'entry')}
                    ${eachLine(state.timers, (timer) => `m.armTimer(${timer.slot}, ${timer.ms}, ${timer.id});`)}
                }
            `)}
            ${onlyIf(state.exit.length > 0, () => expandToNode`

                override onExit(m: ${m}): void {
                    ${actionLines(machine, state.exit, 'exit')}
                }
            `)}
            ${eachLine(state.handlers, (handler) => {
                const event = `${machine.eventsConst}.${handler.event.key}`;
                return expandToNode`

                    override ${handler.event.method}(m: ${m}): void {
                        ${branches(machine, handler.branches, event, handler.exhaustive ? undefined : `m.unhandled(${event});`)}
                    }
                `;
            })}
            ${onlyIf(state.timers.length > 0, () => expandToNode`

                override onTimer(m: ${m}, timer: number): void {
                    switch (timer) {
                        ${eachLine(state.timers, (timer) => expandToNode`
                            case ${timer.id}: {
                                ${branches(machine, [timer.branch], String(timer.id))}
                                return;
                            }
                        `)}
                    }
                }
            `)}
        }
    `;
}

/** The constructor parameters a socket's Dispatcher takes after the machine. */
function socketParameters(machine: MachineView, socket: SocketView): string {
    return socket.kind === 'server' ? `, sessions: ${machine.sessionsType}` : socket.kind === 'connection' ? ', socket: Socket' : '';
}

/** The arguments a socket's Dispatcher is constructed with. */
function socketArguments(socket: SocketView): string {
    return socket.kind === 'server' ? 'this, sessions' : socket.kind === 'connection' ? 'this, socket' : 'this'; // clients and processes: the machine
}

/** What `openSockets` does for a socket: a client connects, a server listens, an accepted connection is already open. */
function startSocket(socket: SocketView): Generated {
    switch (socket.kind) {
        case 'client':
            return `this.sockets.${socket.key}.connect();`;
        case 'server':
            return expandToNode`
                // A failure to listen arrives as the server's error event (without one, the program stops with status 1).
                this.sockets.${socket.key}.startListening();
            `;
        case 'connection':
        case 'process': // a process starts when the model spawns it
            return undefined;
    }
}

/** How a machine class differs by kind: what its constructor passes to its base, its `process`, its other members. */
export interface MachineClassParts {
    superArguments: string;
    process: Generated;
    extra: Generated[];
}

/** The switch of a flat machine: each event to the current state's method, the start, timers. */
function flatProcess(machine: MachineView): Generated {
    return expandToNode`
        protected process(event: number): void {
            switch (event) {
                ${eachLine(machine.events, (event) => expandToNode`
                    case ${machine.eventsConst}.${event.key}:
                        this.state.${event.method}(this);
                        return;
                `)}
                case START_EVENT:
                    this.begin();
                    return;
                ${onlyIf(machine.timerCount > 0, () => expandToNode`
                    default:
                        this.timerEvent(event);
                `)}
            }
        }
    `;
}

/** The members of the machine class, one blank line apart: only what differs between machines (the rest is the runtime's Machine). */
export function machineMembers(machine: MachineView, parts: MachineClassParts = { superArguments: machine.initial.constName, process: flatProcess(machine), extra: [] }): Generated[] {
    const hasServer = machine.sockets.some((socket) => socket.kind === 'server');
    const connection = machine.sockets.find((socket) => socket.kind === 'connection');
    const hasSockets = machine.sockets.length > 0;
    const constructorParameters = [
        'host: MachineHost',
        `readonly actions: ${machine.actionsType}`,
        ...(hasServer ? [`sessions: ${machine.sessionsType}`] : []),
        ...(connection ? ['socket: Socket'] : []),
        ...(hasSockets ? [`options?: ${machine.optionsType}`] : [])
    ];
    const members: Array<Generated | false> = [
        hasSockets &&
            expandToNode`
                readonly sockets: {
                    ${eachLine(machine.sockets, (socket) => `readonly ${socket.key}: ${socket.className};`)}
                };
            `,
        expandToNode`
            constructor(${constructorParameters.join(', ')}) {
                super(host, ${parts.superArguments});
                ${onlyIf(hasSockets, () => expandToNode`
                    const factories = options?.sockets;
                    this.sockets = {
                        ${eachLine(machine.sockets, (socket) => `${socket.key}: factories?.${socket.key}?.(${socketArguments(socket)}) ?? new ${socket.className}(${socketArguments(socket)}),`)}
                    };
                `)}
            }
        `,
        expandToNode`
            get type(): string {
                return ${JSON.stringify(machine.name)};
            }
        `,
        expandToNode`
            protected get eventNames(): readonly string[] {
                return ${machine.eventNamesConst};
            }
        `,
        machine.signals.length > 0 &&
            expandToNode`
                override get signals(): ReadonlyArray<readonly [NodeJS.Signals, number]> {
                    return ${machine.signalsConst};
                }
            `,
        connection !== undefined &&
            expandToNode`
                /** The accepted connection: a server that closes ends it gracefully, and the session runs on until it has closed. */
                get connection(): ${connection.className} {
                    return this.sockets.${connection.key};
                }
            `,
        ...parts.extra,
        parts.process,
        machine.sockets.some((socket) => socket.kind !== 'connection') &&
            expandToNode`
                protected override openSockets(): void {
                    ${eachLine(machine.sockets, startSocket)}
                }
            `
    ];
    return members.filter((member): member is Generated => member !== false);
}

/** A machine file's header and imports; `runtimeImport` is the line importing the runtime. */
export function machineFileHead(machine: MachineView, summary: string, runtimeImport: string | undefined): Generated {
    const hasServer = machine.sockets.some((socket) => socket.kind === 'server');
    const connection = machine.sockets.find((socket) => socket.kind === 'connection');
    const hasSockets = machine.sockets.length > 0;
    const eventImports = [machine.eventsConst, machine.eventNamesConst, `type ${machine.eventIdType}`, `type ${machine.actionsType}`, ...(hasServer ? [`type ${machine.sessionsType}`] : [])];
    // Accepted sessions are the payload of `accept` events, so their classes appear in payload types.
    const sessionImports = machine.serverSessions.filter((session) => session.className !== machine.className);
    return expandToNode`
        ${generatedHeader(summary, machine)}
        ${connection ? MACHINE_FILE_IMPORTS.net.importLine() : undefined}
        ${eachLine(sessionImports, (session) => `import type { ${session.className} } from './${session.fileBase}.machine.js';`)}
        ${runtimeImport}
        import { ${eventImports.join(', ')} } from './${machine.fileBase}.events.js';
        ${hasSockets ? `import { ${machine.sockets.map((socket) => socket.className).join(', ')} } from './${machine.fileBase}.dispatchers.js';` : undefined}
    `;
}

/** The signals a machine turns into events and, when it has sockets, the options its constructor takes (every machine file has them). */
export function signalsAndOptions(machine: MachineView): Generated {
    const m = machine.className;
    const hasSockets = machine.sockets.length > 0;
    return expandToNode`
    ${onlyIf(machine.signals.length > 0, () => expandToNode`

        ${docComment(`The signals ${machine.name} turns into events, while it runs.`)}
        const ${machine.signalsConst}: ReadonlyArray<readonly [NodeJS.Signals, number]> = [
            ${eachLine(machine.signals, (signal) => `[${JSON.stringify(signal.signal)}, ${machine.eventsConst}.${signal.eventKey}],`)}
        ];
    `)}
    ${onlyIf(hasSockets, () => expandToNode`

        ${docComment(`How to construct ${m}: a factory per socket gives the machine your subclass of its generated Dispatcher.`)}
        export interface ${machine.optionsType} {
            sockets?: {
                ${eachLine(machine.sockets, (socket) => `${socket.key}?: (machine: ${m}${socketParameters(machine, socket)}) => ${socket.className};`)}
            };
        }
    `)}
    `;
}

/** A flat machine's file: an abstract state, one class per state, and the machine. */
export function machineFile(machine: MachineView): string {
    const m = machine.className;
    return file(expandToNode`
        ${machineFileHead(machine, `Machine ${machine.name}: the GoF State pattern.`, MACHINE_FILE_IMPORTS.runtime.importLine())}

        ${docComment(`A state of ${machine.name}: one method per event; by default an event is ignored and reported as unhandled.`)}
        export abstract class ${machine.stateBase} extends State {
            ${blocks(machine.events, (event) => expandToNode`
                ${event.method}(m: ${m}): void {
                    m.unhandled(${machine.eventsConst}.${event.key});
                }
            `)}
        }
        ${eachLine(machine.states, (state) => expandToNode`

            ${stateClass(machine, state)}
        `)}

        ${eachLine(machine.states, (state) => `const ${state.constName} = new ${state.className}();`)}
        ${signalsAndOptions(machine)}

        ${docComment(`Machine ${machine.name}: owns the current state and dispatches events to it (the runtime's Machine does the rest).`)}
        export class ${m} extends Machine<${machine.stateBase}, ${machine.eventIdType}> {
            ${blocks(machineMembers(machine), (member) => member)}
        }
    `);
}
