// Checks of the endpoints beyond TCP: a `process` (its command, who spawns it), a `tls { … }` block, `workers N`.
import type { ValidationAcceptor } from 'langium';
import { AstUtils } from 'langium';
import { isSpawnAction, type Machine, type Process, type SpawnAction, type TlsOption, type WorkersOption } from '../generated/ast.js';
import { processCommand, tlsSettingValue } from '../values/endpoints.js';
import { parseCount } from '../values/quantities.js';
import { MAX_WORKERS } from '../values/workers.js';
import { sessionsStartedBy, withSessions } from '../generator/sessions.js';
import { IssueCodes } from './issue-codes.js';
import { lineOf } from './locations.js';
import { report } from './report.js';

/** The command line is a list of valid strings, the first not empty; some action spawns the process. */
export function checkProcess(process: Process, accept: ValidationAcceptor): void {
    const command = processCommand(process);
    if (!command.ok) {
        report(accept, IssueCodes.BadCommand, command.message, { node: process, property: 'command' });
    }
    const machine = process.$container;
    const spawned = AstUtils.streamAst(machine).some((node) => isSpawnAction(node) && node.socket?.ref === process);
    if (!spawned && process.name !== undefined) {
        report(accept, IssueCodes.NeverSpawned, `Nothing spawns process '${process.name}': add 'spawn ${process.name}' to an entry or a transition (a process starts only when spawned).`, {
            node: process,
            property: 'name'
        });
    }
}

/** `spawn NAME` names a process. */
export function checkSpawnTarget(action: SpawnAction, accept: ValidationAcceptor): void {
    const socket = action.socket?.ref;
    if (socket && socket.$type !== 'Process') {
        const hint = socket.$type === 'Client' ? `use 'connect ${socket.name}'` : socket.$type === 'Server' ? 'a server listens from the start' : 'a connection is accepted by its server';
        report(accept, IssueCodes.BadSpawnTarget, `'spawn' needs a process: '${socket.name}' is a ${socket.$type.toLowerCase()} (${hint}).`, { node: action, property: 'socket' });
    }
}

/** Each setting once, a valid non-empty string; a server has `cert` and `key`; `cert` and `key` come together; `servername` only on clients. */
export function checkTls(option: TlsOption, accept: ValidationAcceptor): void {
    const seen = new Map<string, (typeof option.settings)[number]>();
    const isServer = option.$container.$type === 'Server';
    for (const setting of option.settings) {
        const earlier = seen.get(setting.name);
        if (earlier) {
            report(accept, IssueCodes.RepeatedOption, `'${setting.name}' is already given on line ${lineOf(earlier)}: each TLS setting appears once.`, { node: setting });
            continue;
        }
        seen.set(setting.name, setting);
        const value = tlsSettingValue(setting);
        if (value === undefined) {
            report(accept, IssueCodes.BadOptionValue, `The ${setting.name} is not a valid string: use JSON escapes (\\\\ for a backslash).`, { node: setting, property: 'value' });
        } else if (value.trim() === '') {
            report(accept, IssueCodes.BadOptionValue, `'${setting.name}' is empty: write ${setting.name === 'servername' ? 'the host name the certificate must carry' : 'the path of a PEM file'}.`, { node: setting, property: 'value' });
        }
        if (setting.name === 'servername' && isServer) {
            report(accept, IssueCodes.MisplacedOption, "'servername' belongs to clients: it is the name the server's certificate must carry.", { node: setting });
        }
    }
    const missing = (['cert', 'key'] as const).filter((name) => !seen.has(name));
    if (isServer && missing.length > 0) {
        report(accept, IssueCodes.BadOptionValue, `A TLS server needs its certificate and private key: add ${missing.map((name) => `${name} "FILE.pem"`).join(' and ')}.`, { node: option, property: 'option' });
    } else if (!isServer && missing.length === 1) {
        const has = missing[0] === 'cert' ? 'key' : 'cert';
        report(accept, IssueCodes.BadOptionValue, `A client certificate needs both 'cert' and 'key': '${has}' is given without '${missing[0]}'.`, { node: seen.get(has)! });
    }
}

/** `workers N` (1–256 or `auto`) on a server of a machine the program starts, the same count wherever it is given. */
export function checkWorkers(option: WorkersOption, accept: ValidationAcceptor): void {
    if (option.count !== undefined) {
        const count = parseCount(option.count, 1, MAX_WORKERS);
        if (!count.ok) {
            report(accept, IssueCodes.BadOptionValue, count.message, { node: option, property: 'count' });
        }
    }
    const machine = option.$container.$container;
    const model = machine.$container;
    const sessions = new Set(withSessions(model.machines).flatMap(sessionsStartedBy));
    if (sessions.has(machine)) {
        report(accept, IssueCodes.MisplacedOption, `'workers' runs the whole program in several processes: put it on a server of a machine the program starts, not on one of session machine '${machine.name}'.`, { node: option });
        return;
    }
    const first = firstWorkers(model.machines.filter((each) => !sessions.has(each)));
    if (first && first !== option && workersText(first) !== workersText(option)) {
        report(accept, IssueCodes.ConflictingOptionValues, `The program already runs in '${workersText(first)}' (line ${lineOf(first)}): every 'workers' of a program gives the same count.`, { node: option });
    }
}

function workersText(option: WorkersOption): string {
    return option.auto ? 'workers auto' : `workers ${option.count ?? ''}`;
}

function firstWorkers(machines: readonly Machine[]): WorkersOption | undefined {
    for (const machine of machines) {
        for (const socket of machine.sockets) {
            const found = socket.members.find((member): member is WorkersOption => member.$type === 'WorkersOption');
            if (found) {
                return found;
            }
        }
    }
    return undefined;
}
