// Template: a machine as the GoF State pattern — an abstract state, one class per state, and the context that owns them.
import type { ActionPhase } from './runtime/trace-format.js';
import { commentText, docComment, ExternalModule, file, generatedHeaderLines, indent } from './code.js';
import type { ActionCall, Branch, MachineView, StateView } from './view.js';

/** What a machine file imports from Node and the runtime (see ExternalModule). */
export const MACHINE_FILE_IMPORTS = {
    net: new ExternalModule('node:net', ['type Socket']),
    runtime: new ExternalModule('./runtime/index.js', ['Machine', 'START_EVENT', 'type MachineHost'])
};

/** The members every state class has besides one method per event: no event method may take these names. */
export const STATE_MEMBERS: readonly string[] = ['onEnter', 'onExit', 'onTimer', 'name', 'final'];

/** A call of a user action or guard: the machine, and the payload cast to the member's type when it takes one. */
function memberCall(member: string, payloadType: string | undefined): string {
    return `m.actions.${member}(m${payloadType ? `, m.payload as ${payloadType}` : ''})`;
}

/**
 * One action call as statements; `m` is the machine. Observers hear of it first, in `phase`; an unobserved machine
 * pays one boolean check.
 */
function actionStatements(machine: MachineView, call: ActionCall, phase: ActionPhase): string[] {
    return [`m.tracing && m.traceAction(${JSON.stringify(call.label)}, ${JSON.stringify(phase)});`, actionStatement(machine, call)];
}

function actionList(machine: MachineView, calls: readonly ActionCall[], phase: ActionPhase): string[] {
    return calls.flatMap((call) => actionStatements(machine, call, phase));
}

/** One action call as a statement; `m` is the machine. */
function actionStatement(machine: MachineView, call: ActionCall): string {
    switch (call.kind) {
        case 'call':
            return `${memberCall(call.member, call.payloadType)};`;
        case 'close':
            return `void m.sockets.${call.socket}.close();`;
        case 'connect':
            return `m.sockets.${call.socket}.connect();`;
        case 'raise':
            return `m.raise(${machine.eventsConst}.${call.event});`;
        case 'stop':
            return 'm.stopReactor();';
    }
}

/** The statements of one branch: exit, transition actions, entry — or just the actions of an internal transition. */
function branchBody(machine: MachineView, branch: Branch, eventExpression: string): string[] {
    const actions = actionList(machine, branch.actions, 'transition');
    if (branch.target === undefined) {
        return [`m.tracing && m.traceInternal(${eventExpression});`, ...actions];
    }
    return ['m.exit();', ...actions, `m.enter(${branch.target}, ${eventExpression});`];
}

function guardExpression(branch: Branch): string {
    const guard = branch.guard!;
    const call = memberCall(guard.member, guard.payloadType);
    return guard.negated ? `!${call}` : call;
}

/** Guarded branches are tried in order; an unguarded one is the fallback; without one the event is unhandled. */
function branchesBody(machine: MachineView, branches: readonly Branch[], eventExpression: string, unhandled: string | undefined): string[] {
    const lines: string[] = [];
    for (const branch of branches) {
        lines.push(`// ${commentText(branch.source)}`);
        if (branch.guard) {
            lines.push(`if (${guardExpression(branch)}) {`, ...indent(branchBody(machine, branch, eventExpression)), '    return;', '}');
        } else {
            lines.push(...branchBody(machine, branch, eventExpression));
            return lines;
        }
    }
    if (unhandled) {
        lines.push(unhandled);
    }
    return lines;
}

function stateClass(machine: MachineView, state: StateView): string[] {
    const m = machine.className;
    const body: string[] = [`readonly name = ${JSON.stringify(state.name)};`];
    if (state.final) {
        body.push('override readonly final = true;');
    }
    const entry = [...actionList(machine, state.entry, 'entry'), ...state.timers.map((timer) => `m.armTimer(${timer.slot}, ${timer.ms}, ${timer.id});`)];
    if (entry.length > 0) {
        body.push('', `override onEnter(m: ${m}): void {`, ...indent(entry), '}');
    }
    if (state.exit.length > 0) {
        body.push('', `override onExit(m: ${m}): void {`, ...indent(actionList(machine, state.exit, 'exit')), '}');
    }
    for (const handler of state.handlers) {
        const eventExpression = `${machine.eventsConst}.${handler.event.key}`;
        body.push(
            '',
            `override ${handler.event.method}(m: ${m}): void {`,
            ...indent(branchesBody(machine, handler.branches, eventExpression, handler.exhaustive ? undefined : `m.unhandled(${eventExpression});`)),
            '}'
        );
    }
    if (state.timers.length > 0) {
        body.push('', `override onTimer(m: ${m}, timer: number): void {`, '    switch (timer) {');
        for (const timer of state.timers) {
            body.push(`        case ${timer.id}: {`, ...indent(branchesBody(machine, [timer.branch], String(timer.id), undefined), 3), '            return;', '        }');
        }
        body.push('    }', '}');
    }
    return [docComment(`State ${state.name}${state.initial ? ' (initial)' : ''}${state.final ? ' (final)' : ''}.`), `class ${state.className} extends ${machine.stateBase} {`, ...indent(body), '}', ''];
}

export function machineFile(machine: MachineView): string {
    const m = machine.className;
    const hasConnection = machine.sockets.some((socket) => socket.kind === 'connection');
    const hasServer = machine.sockets.some((socket) => socket.kind === 'server');
    const socketClasses = machine.sockets.map((socket) => socket.className);
    const eventImports = [machine.eventsConst, machine.eventNamesConst, `type ${machine.eventIdType}`, `type ${machine.actionsType}`, ...(hasServer ? [`type ${machine.sessionsType}`] : [])];

    const hasSockets = machine.sockets.length > 0;
    const constructorParams = [
        'host: MachineHost',
        `readonly actions: ${machine.actionsType}`,
        ...(hasServer ? [`sessions: ${machine.sessionsType}`] : []),
        ...(hasConnection ? ['socket: Socket'] : []),
        ...(hasSockets ? [`options?: ${machine.optionsType}`] : [])
    ];
    const socketArgs = (socket: MachineView['sockets'][number]): string[] => [
        ...(socket.kind === 'server' ? ['sessions'] : []),
        ...(socket.kind === 'connection' ? ['socket'] : [])
    ];
    const socketConstruction = machine.sockets.map((socket) => {
        const args = ['this', ...socketArgs(socket)].join(', ');
        return `${socket.key}: factories?.${socket.key}?.(${args}) ?? new ${socket.className}(${args}),`;
    });
    const factoryTypes = machine.sockets.map((socket) => {
        const params = [`machine: ${m}`, ...(socket.kind === 'server' ? [`sessions: ${machine.sessionsType}`] : []), ...(socket.kind === 'connection' ? ['socket: Socket'] : [])];
        return `${socket.key}?: (${params.join(', ')}) => ${socket.className};`;
    });
    const connection = machine.sockets.find((socket) => socket.kind === 'connection');
    const startSockets = machine.sockets.flatMap((socket) => {
        if (socket.kind === 'client') {
            return [`this.sockets.${socket.key}.connect();`];
        }
        if (socket.kind === 'server') {
            return [`// A failure to listen arrives as the server's error event (without one, the program stops with status 1).`, `this.sockets.${socket.key}.startListening();`];
        }
        return [];
    });

    const lines: string[] = [
        ...generatedHeaderLines(`Machine ${machine.name}: the GoF State pattern.`, machine.sourceFile),
        ...(hasConnection ? [MACHINE_FILE_IMPORTS.net.importLine()!] : []),
        // Accepted sessions are the payload of `accept` events, so their classes appear in payload types.
        ...machine.serverSessions
            .filter((session) => session.className !== machine.className)
            .map((session) => `import type { ${session.className} } from './${session.fileBase}.machine.js';`),
        MACHINE_FILE_IMPORTS.runtime.importLine()!,
        `import { ${eventImports.join(', ')} } from './${machine.fileBase}.events.js';`,
        ...(socketClasses.length > 0 ? [`import { ${socketClasses.join(', ')} } from './${machine.fileBase}.dispatchers.js';`] : []),
        '',
        docComment(`A state of ${machine.name}: one method per event; by default an event is ignored and reported as unhandled.`),
        `export abstract class ${machine.stateBase} {`,
        ...indent([
            'abstract readonly name: string;',
            'readonly final: boolean = false;',
            '',
            `onEnter(_m: ${m}): void {}`,
            '',
            `onExit(_m: ${m}): void {}`,
            '',
            `onTimer(_m: ${m}, _timer: number): void {}`,
            ...machine.events.flatMap((event) => ['', `${event.method}(m: ${m}): void {`, `    m.unhandled(${machine.eventsConst}.${event.key});`, '}'])
        ]),
        '}',
        '',
        ...machine.states.flatMap((state) => stateClass(machine, state)),
        ...machine.states.map((state) => `const ${state.constName} = new ${state.className}();`),
        '',
        ...(hasSockets
            ? [
                  docComment(`How to construct ${m}: a factory per socket gives the machine your subclass of its generated Dispatcher.`),
                  `export interface ${machine.optionsType} {`,
                  '    sockets?: {',
                  ...indent(factoryTypes, 2),
                  '    };',
                  '}',
                  ''
              ]
            : []),
        docComment(`Machine ${machine.name}: owns the current state and dispatches events to it.`),
        `export class ${m} extends Machine {`,
        ...indent([
            `readonly type = ${JSON.stringify(machine.name)};`,
            `protected readonly eventNames = ${machine.eventNamesConst};`,
            `state: ${machine.stateBase} = ${machine.initial.constName};`,
            ...(machine.sockets.length > 0
                ? [`readonly sockets: {`, ...indent(machine.sockets.map((socket) => `readonly ${socket.key}: ${socket.className};`)), '};']
                : []),
            ...(machine.signals.length > 0
                ? [
                      `override readonly signals: ReadonlyArray<readonly [NodeJS.Signals, number]> = [`,
                      ...indent(machine.signals.map((signal) => `[${JSON.stringify(signal.signal)}, ${machine.eventsConst}.${signal.eventKey}],`)),
                      '];'
                  ]
                : []),
            '',
            `constructor(${constructorParams.join(', ')}) {`,
            '    super(host);',
            ...(hasSockets ? ['    const factories = options?.sockets;', '    this.sockets = {', ...indent(socketConstruction, 2), '    };'] : []),
            '}',
            '',
            'get stateName(): string {',
            '    return this.state.name;',
            '}',
            ...(connection
                ? [
                      '',
                      docComment('The accepted connection: a server that closes ends it gracefully, and the session runs on until it has closed.'),
                      `get connection(): ${connection.className} {`,
                      `    return this.sockets.${connection.key};`,
                      '}'
                  ]
                : []),
            '',
            docComment('Raises an event: it is processed after the current one (run-to-completion).'),
            `raise(event: ${machine.eventIdType}): void {`,
            '    this.dispatch(event);',
            '}',
            '',
            docComment("Leaves the current state: its exit actions run and its timers stop."),
            'exit(): void {',
            '    this.state.onExit(this);',
            '    this.clearTimers();',
            '}',
            '',
            docComment('Enters a state: observers hear of the transition, then its entry actions run and its timers start.'),
            `enter(to: ${machine.stateBase}, event: number): void {`,
            '    const from = this.state.name;',
            '    this.state = to;',
            '    this.epoch++;',
            '    this.notifyTransition(from, event, to.name);',
            '    to.onEnter(this);',
            '    if (to.final) {',
            '        void this.finish();',
            '    }',
            '}',
            '',
            'protected process(event: number): void {',
            '    switch (event) {',
            ...indent(
                machine.events.flatMap((event) => [`case ${machine.eventsConst}.${event.key}:`, `    this.state.${event.method}(this);`, '    return;']),
                2
            ),
            '        case START_EVENT:',
            '            this.begin();',
            '            return;',
            ...(machine.timerCount > 0
                ? ['        default:', '            if (!this.isStaleTimer()) {', '                this.state.onTimer(this, event);', '            }']
                : []),
            '    }',
            '}',
            '',
            'private begin(): void {',
            ...indent(startSockets),
            `    this.notifyTransition('', START_EVENT, this.state.name);`,
            '    this.state.onEnter(this);',
            '    if (this.state.final) {',
            '        void this.finish();',
            '    }',
            '}'
        ]),
        '}'
    ];
    return file(lines);
}
