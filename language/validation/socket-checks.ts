// Checks of socket handlers: addresses, durations, counts, which options fit which kind of socket, and options that change nothing.
import type { ValidationAcceptor } from 'langium';
import { DiagnosticTag } from 'vscode-languageserver';
import {
    isConnection,
    type ConnectAction,
    type Event,
    type PauseAction,
    type Process,
    type RaiseAction,
    type ResumeAction,
    type SendAction,
    type Socket,
    type SocketMember,
    type SpawnAction,
    type TlsOption,
    type WorkersOption
} from '../generated/ast.js';
import { checkProcess, checkSpawnTarget, checkTls, checkWorkers } from './endpoint-checks.js';
import { parseAddress } from '../values/addresses.js';
import { parseFraming, sendText, sendTextProblem, socketFraming } from '../values/framing.js';
import { payloadProblem } from './send-payload.js';
import { payloadTypeProblems, raisePayloadProblem } from './payload-types.js';
import { parseCount, parseDuration } from '../values/quantities.js';
import { IssueCodes, type IssueCode } from './issue-codes.js';
import { report } from './report.js';
import { lineOf } from './locations.js';

type SocketKind = Socket['$type'];

/** Network sockets; a `process` is a stream too, but has no address, no close (it exits) and no TCP options. */
const ALL: readonly SocketKind[] = ['Server', 'Client', 'Connection'];
const STREAMS: readonly SocketKind[] = ['Client', 'Connection'];
const STREAMS_AND_PROCESSES: readonly SocketKind[] = ['Client', 'Connection', 'Process'];

/** Which kinds of socket each option or socket event belongs to. */
const FITS: Record<string, readonly SocketKind[]> = {
    'accept ->': ['Server'],
    'connect ->': ['Client'],
    'read ->': STREAMS,
    'stdout ->': ['Process'],
    'exit ->': ['Process'],
    'drain ->': STREAMS_AND_PROCESSES,
    'close ->': ALL,
    'error ->': [...ALL, 'Process'],
    'timeout ->': ['Client'],
    reuseaddr: ['Server'],
    backlog: ['Server'],
    session: ['Server'],
    nodelay: ALL,
    keepalive: ALL,
    timeout: ['Client'],
    reconnect: ['Client'],
    heartbeat: STREAMS,
    idle: STREAMS,
    framing: STREAMS_AND_PROCESSES,
    tls: ['Client', 'Server'],
    workers: ['Server']
};

/** Options that parse and fit, yet change nothing at run time: why, for the warning. Old models keep parsing. */
const INEFFECTIVE: Record<string, string> = {
    reuseaddr: "'reuseaddr' has no effect: Node always sets SO_REUSEADDR on listening sockets. Remove it."
};

const KIND_WORDS: Record<SocketKind, string> = { Server: 'a server', Client: 'a client', Connection: 'a connection', Process: 'a process' };

/** The member's key in FITS: its option word, or its socket event followed by '->'. */
function memberKey(member: SocketMember): string {
    return member.$type === 'EventMapping' ? `${member.socketEvent} ->` : member.option;
}

function fitsWhere(key: string): string {
    const fits = FITS[key] ?? [];
    const kinds = fits.filter((kind) => kind !== 'Process').map((kind) => KIND_WORDS[kind].replace(/^an? /, ''));
    const sockets = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]!} sockets` : kinds.length === 1 ? `${kinds[0]!} sockets` : '';
    // A process is not a socket: `client and connection sockets, and processes`.
    return fits.includes('Process') ? (sockets === '' ? 'processes' : `${sockets}, and processes`) : sockets;
}

/** What a process has instead of a socket's event. */
const PROCESS_INSTEAD: Record<string, string> = {
    'read ->': " (a process's output comes as 'stdout ->')",
    'close ->': " (a process ends with 'exit ->', whose payload is its exit status)",
    'connect ->': " (a process starts with 'spawn NAME')"
};

/** The service `validation.checks.Sockets`. */
export class SocketChecks {
    /** `HOST:PORT` has a valid host and a port in 0–65535. */
    checkAddress(socket: Socket, accept: ValidationAcceptor): void {
        if (socket.$type === 'Connection' || socket.$type === 'Process' || socket.address === undefined) {
            return;
        }
        const address = parseAddress(socket.address);
        if (!address.ok) {
            report(accept, IssueCodes.BadAddress, address.message, { node: socket, property: 'address' });
        }
    }

    /** Every option fits the socket's kind, is given once, and has a valid value. */
    checkMembers(socket: Socket, accept: ValidationAcceptor): void {
        const seen = new Map<string, SocketMember>();
        for (const member of socket.members) {
            const key = memberKey(member);
            const fits = FITS[key] ?? [];
            if (!fits.includes(socket.$type)) {
                const what = member.$type === 'EventMapping' ? `The '${member.socketEvent}' event` : `'${key}'`;
                const instead = socket.$type === 'Process' ? PROCESS_INSTEAD[key] : key === 'stdout ->' || key === 'exit ->' ? ` (a socket's bytes come as 'read', its end as 'close')` : '';
                report(accept, IssueCodes.MisplacedOption, `${what} does not fit ${KIND_WORDS[socket.$type]}: it belongs to ${fitsWhere(key)}${instead ?? ''}.`, { node: member });
                continue;
            }
            const earlier = seen.get(key);
            if (earlier) {
                report(accept, IssueCodes.RepeatedOption, `'${key}' is already given on line ${lineOf(earlier)}: each option and socket event appears once per socket.`, { node: member });
                continue;
            }
            seen.set(key, member);
            const ineffective = INEFFECTIVE[key];
            if (ineffective !== undefined) {
                report(accept, IssueCodes.IneffectiveOption, ineffective, { node: member, tags: [DiagnosticTag.Unnecessary] });
            }
            this.checkValues(member, accept);
        }
        if (socket.$type === 'Server' && socket.name !== undefined && !seen.has('session')) {
            report(accept, IssueCodes.MissingSession, `Server '${socket.name}' needs 'session MACHINE': the machine each accepted connection runs.`, {
                node: socket,
                property: 'name'
            });
        }
    }

    private checkValues(member: SocketMember, accept: ValidationAcceptor): void {
        const bad = (code: IssueCode, message: string, property: string): void => report(accept, code, message, { node: member, property });
        const duration = (text: string | undefined, property: string): number | undefined => {
            if (text === undefined) {
                return undefined;
            }
            const parsed = parseDuration(text);
            if (!parsed.ok) {
                bad(IssueCodes.BadOptionValue, parsed.message, property);
                return undefined;
            }
            return parsed.value;
        };
        switch (member.$type) {
            case 'KeepaliveOption':
            case 'TimeoutOption':
            case 'IdleOption':
                duration(member.delay, 'delay');
                break;
            case 'BacklogOption': {
                const size = member.size === undefined ? undefined : parseCount(member.size, 1, 65535);
                if (size && !size.ok) {
                    bad(IssueCodes.BadOptionValue, size.message, 'size');
                }
                break;
            }
            case 'ReconnectOption': {
                const min = duration(member.min, 'min');
                const max = duration(member.max, 'max');
                if (min !== undefined && max !== undefined && min > max) {
                    bad(IssueCodes.ConflictingOptionValues, `The reconnect delay grows from ${member.min} up to ${member.max}: the first must not be longer than the second.`, 'max');
                }
                break;
            }
            case 'HeartbeatOption': {
                const interval = duration(member.interval, 'interval');
                const timeout = duration(member.timeout, 'timeout');
                if (interval !== undefined && timeout !== undefined && timeout <= interval) {
                    bad(IssueCodes.ConflictingOptionValues, `The heartbeat timeout (${member.timeout}) must be longer than its interval (${member.interval}), or every beat would time out.`, 'timeout');
                }
                break;
            }
            case 'FramingOption': {
                const framing = parseFraming(member);
                if (!framing.ok) {
                    bad(IssueCodes.BadOptionValue, framing.message, member.kind === 'delimiter' ? 'delimiter' : member.kind === 'length' && !['1', '2', '4'].includes(member.prefix ?? '') ? 'prefix' : 'max');
                }
                break;
            }
            case 'SessionOption': {
                const session = member.machine?.ref;
                if (session && session === member.$container.$container) {
                    bad(IssueCodes.SelfSession, `Machine '${session.name}' cannot run itself as a session: name the machine each connection runs.`, 'machine');
                } else if (session && !session.sockets.some(isConnection)) {
                    bad(IssueCodes.SessionWithoutConnection, `Machine '${session.name}' has no 'connection' block, so it cannot run a session: add 'connection NAME { … }' to it.`, 'machine');
                }
                break;
            }
            default:
                break;
        }
    }

    /** `connect NAME` names a client: servers listen and connections are accepted, neither connects. */
    checkConnectTarget(action: ConnectAction, accept: ValidationAcceptor): void {
        const socket = action.socket?.ref;
        if (socket && socket.$type !== 'Client') {
            const hint = socket.$type === 'Process' ? ` (start it with 'spawn ${socket.name}')` : '';
            report(accept, IssueCodes.BadConnectTarget, `'connect' needs a client socket: '${socket.name}' is ${KIND_WORDS[socket.$type]}${hint}.`, { node: action, property: 'socket' });
        }
    }

    /** `spawn NAME` names a process. */
    checkSpawnTarget(action: SpawnAction, accept: ValidationAcceptor): void {
        checkSpawnTarget(action, accept);
    }

    /** A process's command line is valid and something spawns it. */
    checkProcess(process: Process, accept: ValidationAcceptor): void {
        checkProcess(process, accept);
    }

    /** A `tls` block's settings: once each, valid, complete for a server. */
    checkTls(option: TlsOption, accept: ValidationAcceptor): void {
        checkTls(option, accept);
    }

    /** `workers N` on a server of a machine the program starts, one count per program. */
    checkWorkers(option: WorkersOption, accept: ValidationAcceptor): void {
        checkWorkers(option, accept);
    }

    /**
     * `send`, `pause` and `resume` name a client or a connection (a server only accepts); the text of `send` is a valid
     * string that the socket's framing can send; `send NAME payload` runs where the event's payload is bytes.
     */
    checkStreamAction(action: SendAction | PauseAction | ResumeAction, accept: ValidationAcceptor): void {
        const socket = action.socket?.ref;
        const word = action.$type === 'SendAction' ? 'send' : action.$type === 'PauseAction' ? 'pause' : 'resume';
        if (socket && socket.$type === 'Server') {
            report(accept, IssueCodes.BadSocketAction, `'${word}' needs a client, a connection or a process: '${socket.name}' is a server (it accepts; each session's connection reads and writes).`, { node: action, property: 'socket' });
            return;
        }
        if (action.$type !== 'SendAction') {
            return;
        }
        const text = sendText(action);
        if (text !== undefined) {
            if (!text.ok) {
                report(accept, IssueCodes.BadSendText, text.message, { node: action, property: 'text' });
            } else if (socket) {
                const problem = sendTextProblem(text.value, socketFraming(socket));
                if (problem !== undefined) {
                    report(accept, IssueCodes.BadSendText, `Cannot send this on '${socket.name}': ${problem}.`, { node: action, property: 'text' });
                }
            }
        } else if (action.payload) {
            const problem = payloadProblem(action);
            if (problem !== undefined) {
                report(accept, IssueCodes.PayloadNotBytes, problem, { node: action, property: 'payload' });
            }
        }
    }

    /** A typed event (`Line(string)`): each socket mapping, option or signal that produces it gives what it declares. */
    checkEventPayload(event: Event, accept: ValidationAcceptor): void {
        for (const problem of payloadTypeProblems(event)) {
            report(accept, IssueCodes.PayloadTypeMismatch, problem.message, { node: problem.node });
        }
    }

    /** `raise E` gives E nothing, `raise E(payload)` the current event's payload: either must fit what E declares. */
    checkRaisePayload(action: RaiseAction, accept: ValidationAcceptor): void {
        const problem = raisePayloadProblem(action);
        if (problem !== undefined) {
            report(accept, IssueCodes.PayloadTypeMismatch, problem, { node: action });
        }
    }

    /** A session machine receives one accepted socket, so it has at most one `connection`. */
    checkSingleConnection(socket: Socket, accept: ValidationAcceptor): void {
        if (!isConnection(socket)) {
            return;
        }
        const first = socket.$container.sockets.find(isConnection);
        if (first && first !== socket && socket.name !== undefined && first.name !== undefined) {
            report(accept, IssueCodes.ManyConnections, `Machine '${socket.$container.name}' already has connection '${first.name}' (line ${lineOf(first)}): a session machine owns exactly one accepted socket.`, {
                node: socket,
                property: 'name'
            });
        }
    }
}
