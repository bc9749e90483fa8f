// Grammar-aware inputs of the language fuzzer: valid models built from a spec (every reference resolves, every check
// passes, so no error may be reported), and what is built on them and on the examples: token-level mutations
// (deletions, duplications, swaps, replacements), random Unicode, comment and string edge cases, long names and
// nesting hundreds deep. Inputs that stay valid by construction carry `valid: true`: the oracle then also requires
// that no error is reported.
import fc from 'fast-check';
import { deepNesting, EXAMPLES, generatedModel, invalidBytes, mutatedExample, token, tokenSoup, truncatedExample, type FuzzInput } from './inputs.js';

// ---------------------------------------------------------------------------------------------------------------
// Text as tokens with the whitespace between them

/** A text cut into tokens (words, punctuation, comments, strings) and the gaps around them: gaps.length === tokens.length + 1. */
export interface Tokens {
    readonly tokens: readonly string[];
    readonly gaps: readonly string[];
}

export function joinTokens({ tokens, gaps }: Tokens): string {
    let text = gaps[0] ?? '';
    for (let i = 0; i < tokens.length; i++) {
        text += tokens[i]! + (gaps[i + 1] ?? '');
    }
    return text;
}

/** The language's tokens, roughly (the language's own lexer is what is under test): comments and strings are one token each. */
const TOKEN_PATTERN =
    /\/\/[^\r\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:\\.|[^"\\\r\n])*"?|(?:\[[0-9a-fA-F:.]*\]|[0-9a-fA-F:]*::[0-9a-fA-F:]*|[a-zA-Z0-9_][a-zA-Z0-9_.-]*):[0-9]+|-?[0-9]+(?:\.[0-9]+)?[a-zA-Z_]*|[_a-zA-Z]\w*|->|\.\.|\S/gu;

export function tokenize(text: string): Tokens {
    const tokens: string[] = [];
    const gaps: string[] = [];
    let end = 0;
    for (const match of text.matchAll(TOKEN_PATTERN)) {
        gaps.push(text.slice(end, match.index));
        tokens.push(match[0]);
        end = match.index + match[0].length;
    }
    gaps.push(text.slice(end));
    return { tokens, gaps };
}

const EXAMPLE_TOKENS: ReadonlyArray<{ name: string; tokens: Tokens }> = EXAMPLES.map(({ name, text }) => ({ name, tokens: tokenize(text) }));

// ---------------------------------------------------------------------------------------------------------------
// Valid models: a spec of indices, resolved so that every name is declared, unique and used where it fits

/** Names that are not reserved anywhere: ordinary ones, and keywords that stay usable as names. */
const SOFT_KEYWORDS = [
    'read', 'timeout', 'session', 'error', 'accept', 'drain', 'idle', 'heartbeat', 'listen', 'signal', 'reuseaddr', 'nodelay', 'keepalive', 'backlog', 'reconnect',
    'framing', 'none', 'lines', 'length', 'delimiter', 'max', 'payload'
];
const BUILT_IN_ACTIONS = ['close', 'connect', 'raise', 'stop', 'send', 'pause', 'resume'];
const EVENT_NAMES = ['Go', 'Stop', 'Data', 'Tick', 'Closed', 'Connected', 'Failed', 'Shutdown', 'x', '_', '_1', 'E2e', ...SOFT_KEYWORDS, ...BUILT_IN_ACTIONS];
const STATE_NAMES = ['Idle', 'Busy', 'Done', 'S', 'Online', 'Backoff', 'Waiting', 'Closed', 'a1b2', '__', ...SOFT_KEYWORDS, ...BUILT_IN_ACTIONS];
const SOCKET_NAMES = ['up', 'down', 'conn', 'listener', 'peer', 'upstream', ...SOFT_KEYWORDS, ...BUILT_IN_ACTIONS];
const MACHINE_NAMES = ['Main', 'Session', 'Worker', 'EchoServer', 'session', 'read', 'close', 'M_1'];
/** User actions: any name but the built-in actions. */
const ACTION_NAMES = ['log', 'sendAll', 'echo', 'Close', 'Stop', 'Send', 'notify_all', 'x', ...SOFT_KEYWORDS];
const GUARD_NAMES = ['ready', 'retriesLeft', 'isCommand', 'ok', ...SOFT_KEYWORDS, ...BUILT_IN_ACTIONS];
const ADDRESSES = ['127.0.0.1:7000', 'localhost:80', 'db-1.internal:5432', '[::1]:7001', '[::]:6667', '0.0.0.0:0', 'a:65535', '"metrics.internal:2003"', '"[::1]:1"', 'unix:/run/app.sock', '"unix:/tmp/a b.sock"'];
/** Signals a machine may bind (at most once each). */
const CATCHABLE = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGBREAK', 'SIGWINCH', 'SIGPIPE', 'SIGCHLD', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGVTALRM', 'SIGPROF'];
const SOCKET_EVENTS = ['accept', 'connect', 'read', 'drain', 'close', 'error', 'timeout'] as const;
type SocketKind = 'server' | 'client' | 'connection';
/** Which socket kinds each member fits (docs/language.md, "Socket events and options"). */
const FITS: Record<string, readonly SocketKind[]> = {
    'accept ->': ['server'],
    'connect ->': ['client'],
    'read ->': ['client', 'connection'],
    'drain ->': ['client', 'connection'],
    'close ->': ['server', 'client', 'connection'],
    'error ->': ['server', 'client', 'connection'],
    'timeout ->': ['client'],
    reuseaddr: ['server'],
    backlog: ['server'],
    nodelay: ['server', 'client', 'connection'],
    keepalive: ['server', 'client', 'connection'],
    timeout: ['client'],
    reconnect: ['client'],
    heartbeat: ['client', 'connection'],
    idle: ['client', 'connection']
};

/** A duration in a unit it is a whole number of (or seconds with decimals): always a valid duration. */
type DurationSpec = { ms: number; unit: number };
const durationSpec: fc.Arbitrary<DurationSpec> = fc.record({
    ms: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 2_147_483_647 }), fc.constantFrom(1000, 1500, 60_000, 3_600_000, 2_145_600_000)),
    unit: fc.nat({ max: 4 })
});
function durationText(ms: number, unit: number): string {
    if (unit === 1 && ms % 3_600_000 === 0) {
        return `${ms / 3_600_000}h`;
    }
    if (unit === 2 && ms % 60_000 === 0) {
        return `${ms / 60_000}m`;
    }
    if (unit === 3 && ms % 1000 === 0) {
        return `${ms / 1000}s`;
    }
    if (unit === 4) {
        return `${ms / 1000}s`; // 1.5s, 0.001s, 2147483.647s
    }
    return `${ms}ms`;
}
const renderDuration = ({ ms, unit }: DurationSpec): string => durationText(ms, unit);

type ActionSpec = { kind: 'call'; name: number } | { kind: 'close' | 'connect'; socket: number } | { kind: 'raise'; event: number } | { kind: 'stop' };
const actionSpec: fc.Arbitrary<ActionSpec> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('call' as const), name: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('close' as const, 'connect' as const), socket: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('raise' as const), event: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const) }) }
);
const actionList = fc.array(actionSpec, { minLength: 1, maxLength: 3 });

type StateMemberSpec =
    | { kind: 'on'; event: number; guard: { negated: boolean; name: number } | null; target: number | null; actions: ActionSpec[] }
    | { kind: 'after'; delay: DurationSpec; target: number; actions: ActionSpec[] }
    | { kind: 'entry' | 'exit'; actions: ActionSpec[] };
const stateMemberSpec: fc.Arbitrary<StateMemberSpec> = fc.oneof(
    {
        weight: 5,
        arbitrary: fc.record({
            kind: fc.constant('on' as const),
            event: fc.nat(),
            guard: fc.option(fc.record({ negated: fc.boolean(), name: fc.nat() })),
            target: fc.option(fc.nat()),
            actions: fc.array(actionSpec, { maxLength: 3 })
        })
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('after' as const), delay: durationSpec, target: fc.nat(), actions: fc.array(actionSpec, { maxLength: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('entry' as const, 'exit' as const), actions: actionList }) }
);
type StateSpec = { name: number; final: boolean; body: boolean; members: StateMemberSpec[] };
const stateSpec: fc.Arbitrary<StateSpec> = fc.record({
    name: fc.nat(),
    final: fc.nat({ max: 4 }).map((n) => n === 0),
    body: fc.nat({ max: 5 }).map((n) => n !== 0),
    members: fc.array(stateMemberSpec, { maxLength: 4 })
});

type MemberSpec =
    | { kind: 'event'; socketEvent: (typeof SOCKET_EVENTS)[number]; event: number }
    | { kind: 'reuseaddr' | 'nodelay' }
    | { kind: 'keepalive'; delay: DurationSpec | null }
    | { kind: 'backlog'; size: number }
    | { kind: 'timeout'; delay: DurationSpec }
    | { kind: 'reconnect'; a: number; b: number; unit: number }
    | { kind: 'heartbeat'; interval: number; more: number; unit: number; event: number }
    | { kind: 'idle'; delay: DurationSpec; event: number };
const memberSpec: fc.Arbitrary<MemberSpec> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('event' as const), socketEvent: fc.constantFrom(...SOCKET_EVENTS), event: fc.nat() }) },
    fc.record({ kind: fc.constantFrom('reuseaddr' as const, 'nodelay' as const) }),
    fc.record({ kind: fc.constant('keepalive' as const), delay: fc.option(durationSpec) }),
    fc.record({ kind: fc.constant('backlog' as const), size: fc.oneof(fc.integer({ min: 1, max: 65_535 }), fc.constantFrom(1, 511, 65_535)) }),
    fc.record({ kind: fc.constant('timeout' as const), delay: durationSpec }),
    fc.record({ kind: fc.constant('reconnect' as const), a: fc.integer({ min: 1, max: 1e8 }), b: fc.integer({ min: 1, max: 1e8 }), unit: fc.nat({ max: 4 }) }),
    fc.record({ kind: fc.constant('heartbeat' as const), interval: fc.integer({ min: 1, max: 1e8 }), more: fc.integer({ min: 1, max: 1e8 }), unit: fc.nat({ max: 4 }), event: fc.nat() }),
    fc.record({ kind: fc.constant('idle' as const), delay: durationSpec, event: fc.nat() })
);
type SocketSpec = { kind: SocketKind; name: number; address: number; body: boolean; members: MemberSpec[] };
const socketSpec: fc.Arbitrary<SocketSpec> = fc.record({
    kind: fc.constantFrom<SocketKind>('server', 'client', 'connection'),
    name: fc.nat(),
    address: fc.nat(),
    body: fc.boolean(),
    members: fc.array(memberSpec, { maxLength: 6 })
});

type MachineSpec = {
    name: number;
    events: number[];
    eventLines: number;
    states: StateSpec[];
    initial: number;
    sockets: SocketSpec[];
    signals: Array<[number, number]>;
    /** Sort keys that interleave the machine's members (the grammar takes them in any order). */
    order: number[];
};
const machineSpec: fc.Arbitrary<MachineSpec> = fc.record({
    name: fc.nat(),
    events: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    eventLines: fc.integer({ min: 1, max: 3 }),
    states: fc.array(stateSpec, { minLength: 1, maxLength: 5 }),
    initial: fc.nat(),
    sockets: fc.array(socketSpec, { maxLength: 3 }),
    signals: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
    order: fc.array(fc.nat({ max: 9 }), { maxLength: 12 })
});

/** How the tokens are laid out: house style, one line, or random whitespace (Unicode spaces included) between every two tokens. */
type Layout = { kind: 'pretty' | 'one-line' | 'random'; indent: string; eol: string; gaps: number[] };
/** Whitespace only: JavaScript's \s, which is what the language's WS terminal matches. */
const LAYOUT_GAPS = [' ', ' ', ' ', '  ', '\t', '\n', '\r\n', '\n\n', '\n    ', ' \n\t ', '\r', '\u00A0', '\u2003', '\u3000', '\uFEFF', '\u2028', '\v', '\f', '\n\n\n\n'];
const layout: fc.Arbitrary<Layout> = fc.record({
    kind: fc.constantFrom<Layout['kind']>('pretty', 'pretty', 'one-line', 'random'),
    indent: fc.constantFrom('    ', '    ', '\t', '  ', ''),
    eol: fc.constantFrom('\n', '\n', '\r\n'),
    gaps: fc.array(fc.nat({ max: LAYOUT_GAPS.length - 1 }), { minLength: 1, maxLength: 16 })
});

export type ModelSpec = { machines: MachineSpec[]; layout: Layout };
export const modelSpec: fc.Arbitrary<ModelSpec> = fc.record({ machines: fc.array(machineSpec, { minLength: 1, maxLength: 2 }), layout });

/** Picks names from `pool` by index, unique within the list (a clash gets a number appended). */
function uniqueNames(indices: readonly number[], pool: readonly string[], taken = new Set<string>()): string[] {
    return indices.map((index) => {
        const base = pool[index % pool.length]!;
        let name = base;
        for (let n = 2; taken.has(name); n++) {
            name = `${base}${n}`;
        }
        taken.add(name);
        return name;
    });
}

/** One line of a model: its depth and its tokens. */
type Line = { depth: number; tokens: string[] };

/** The lines of a valid model: every name declared once, every reference resolved, every option and duration valid. */
export function modelLines(spec: ModelSpec): Line[] {
    const machineNames = uniqueNames(spec.machines.map((m) => m.name), MACHINE_NAMES);
    // A server's session is another machine with a `connection`: the first connection of a machine is kept, so a
    // machine has one exactly when its spec has one.
    const withConnection = spec.machines.map((m) => m.sockets.some((s) => s.kind === 'connection'));
    const lines: Line[] = [];
    spec.machines.forEach((machine, m) => {
        const sessions = machineNames.filter((_, other) => other !== m && withConnection[other]);
        const events = uniqueNames(machine.events, EVENT_NAMES);
        const states = uniqueNames(machine.states.map((s) => s.name), STATE_NAMES);
        // Sockets: at most one connection; a server only when there is a session machine to name.
        let connections = 0;
        const kinds = machine.sockets.map((s): SocketKind => {
            if (s.kind === 'connection' && connections++ > 0) {
                return 'client';
            }
            return s.kind === 'server' && sessions.length === 0 ? 'client' : s.kind;
        });
        const sockets = uniqueNames(machine.sockets.map((s) => s.name), SOCKET_NAMES);
        const clients = sockets.filter((_, i) => kinds[i] === 'client');
        const event = (n: number): string => events[n % events.length]!;
        const state = (n: number): string => states[n % states.length]!;
        const actions = (list: readonly ActionSpec[]): string[] =>
            list.flatMap((action, i) => {
                const separator = i === 0 ? [] : [','];
                switch (action.kind) {
                    case 'close':
                        return sockets.length > 0 ? [...separator, 'close', sockets[action.socket % sockets.length]!] : [...separator, 'log'];
                    case 'connect':
                        return clients.length > 0 ? [...separator, 'connect', clients[action.socket % clients.length]!] : [...separator, 'sendAll'];
                    case 'raise':
                        return [...separator, 'raise', event(action.event)];
                    case 'stop':
                        return [...separator, 'stop'];
                    case 'call':
                        return [...separator, ACTION_NAMES[action.name % ACTION_NAMES.length]!];
                }
            });

        const members: Array<{ key: number; lines: Line[] }> = [];
        const eventLineCount = Math.min(machine.eventLines, events.length);
        for (let l = 0; l < eventLineCount; l++) {
            const names = events.filter((_, i) => i % eventLineCount === l);
            members.push({ key: 0, lines: [{ depth: 1, tokens: ['events', ...names.flatMap((n, i) => (i === 0 ? [n] : [',', n]))] }] });
        }
        const initial = machine.initial % machine.states.length;
        machine.states.forEach((s, i) => {
            const head = [...(i === initial ? ['initial'] : []), ...(s.final ? ['final'] : []), 'state', states[i]!];
            // A final state takes no transitions, timers or exit actions (it is never left); two unguarded transitions on one
            // event would be nondeterministic.
            const unguarded = new Set<string>();
            const body = s.members
                .filter((member) => !(s.final && member.kind !== 'entry'))
                .map((member): string[] => {
                    switch (member.kind) {
                        case 'on': {
                            const name = event(member.event);
                            let guard = member.guard;
                            if (!guard && unguarded.has(name)) {
                                guard = { negated: false, name: member.event };
                            }
                            if (!guard) {
                                unguarded.add(name);
                            }
                            return [
                                'on',
                                name,
                                ...(guard ? ['[', ...(guard.negated ? ['!'] : []), GUARD_NAMES[guard.name % GUARD_NAMES.length]!, ']'] : []),
                                ...(member.target !== null ? ['->', state(member.target)] : []),
                                ...(member.actions.length > 0 ? ['/', ...actions(member.actions)] : [])
                            ];
                        }
                        case 'after':
                            return ['after', renderDuration(member.delay), '->', state(member.target), ...(member.actions.length > 0 ? ['/', ...actions(member.actions)] : [])];
                        case 'entry':
                        case 'exit':
                            return [member.kind, ...actions(member.actions)];
                    }
                });
            if (s.body || body.length > 0) {
                members.push({ key: 1, lines: [{ depth: 1, tokens: [...head, '{'] }, ...body.map((tokens) => ({ depth: 2, tokens })), { depth: 1, tokens: ['}'] }] });
            } else {
                members.push({ key: 1, lines: [{ depth: 1, tokens: head }] });
            }
        });
        machine.sockets.forEach((s, i) => {
            const kind = kinds[i]!;
            const address = ADDRESSES[s.address % ADDRESSES.length]!;
            const head = kind === 'server' ? ['server', sockets[i]!, 'listen', address] : kind === 'client' ? ['client', sockets[i]!, 'connect', address] : ['connection', sockets[i]!];
            const seen = new Set<string>();
            const body: string[][] = [];
            for (const member of s.members) {
                const key = member.kind === 'event' ? `${member.socketEvent} ->` : member.kind;
                if (!FITS[key]!.includes(kind) || seen.has(key)) {
                    continue;
                }
                seen.add(key);
                switch (member.kind) {
                    case 'event':
                        body.push([member.socketEvent, '->', event(member.event)]);
                        break;
                    case 'reuseaddr':
                    case 'nodelay':
                        body.push([member.kind]);
                        break;
                    case 'keepalive':
                        body.push(['keepalive', ...(member.delay ? [renderDuration(member.delay)] : [])]);
                        break;
                    case 'backlog':
                        body.push(['backlog', String(member.size)]);
                        break;
                    case 'timeout':
                        body.push(['timeout', renderDuration(member.delay)]);
                        break;
                    case 'reconnect':
                        body.push(['reconnect', durationText(Math.min(member.a, member.b), member.unit), '..', durationText(Math.max(member.a, member.b), member.unit)]);
                        break;
                    case 'heartbeat':
                        body.push(['heartbeat', durationText(member.interval, member.unit), 'timeout', durationText(member.interval + member.more, member.unit), '->', event(member.event)]);
                        break;
                    case 'idle':
                        body.push(['idle', renderDuration(member.delay), '->', event(member.event)]);
                        break;
                }
            }
            if (kind === 'server') {
                body.push(['session', sessions[(s.name + s.address) % sessions.length]!]);
            }
            if (kind === 'server' || s.body || body.length > 0) {
                members.push({ key: 2, lines: [{ depth: 1, tokens: [...head, '{'] }, ...body.map((tokens) => ({ depth: 2, tokens })), { depth: 1, tokens: ['}'] }] });
            } else {
                members.push({ key: 2, lines: [{ depth: 1, tokens: head }] });
            }
        });
        const signals = uniqueNames(machine.signals.map(([signal]) => signal), CATCHABLE);
        machine.signals.forEach(([signal, target], i) => {
            if (signals[i] === CATCHABLE[signal % CATCHABLE.length]) {
                members.push({ key: 3, lines: [{ depth: 1, tokens: ['signal', signals[i]!, '->', event(target)] }] });
            }
        });
        const ordered = machine.order.length === 0 ? members : members.map((member, i) => ({ ...member, key: machine.order[i % machine.order.length]! })).sort((a, b) => a.key - b.key);
        lines.push({ depth: 0, tokens: ['machine', machineNames[m]!, '{'] }, ...ordered.flatMap((member) => member.lines), { depth: 0, tokens: ['}'] });
    });
    return lines;
}

/** Lays the lines out as tokens and gaps. */
export function layOut(lines: readonly Line[], { kind, indent, eol, gaps }: Layout): Tokens {
    const tokens: string[] = [];
    const between: string[] = [''];
    let serial = 0;
    lines.forEach((line, l) => {
        line.tokens.forEach((t, i) => {
            if (tokens.length > 0) {
                if (kind === 'random') {
                    between.push(LAYOUT_GAPS[gaps[serial++ % gaps.length]!]!);
                } else if (kind === 'one-line' || i > 0) {
                    between.push(' ');
                } else {
                    // A blank line between machines.
                    between.push((line.tokens[0] === 'machine' && l > 0 ? eol : '') + eol + indent.repeat(line.depth));
                }
            }
            tokens.push(t);
        });
    });
    between.push(kind === 'one-line' ? '' : eol);
    return { tokens, gaps: between };
}

export function validModelTokens(spec: ModelSpec): Tokens {
    return layOut(modelLines(spec), spec.layout);
}

/** Valid models in one of three layouts: the oracle requires that no error is reported. */
export const validModel: fc.Arbitrary<FuzzInput> = modelSpec.map((spec) => ({
    origin: `valid model (${spec.machines.length} machine(s), ${spec.layout.kind} layout)`,
    text: joinTokens(validModelTokens(spec)),
    valid: true
}));

/** A valid model's tokens or an example's. */
const source: fc.Arbitrary<{ name: string; tokens: Tokens; valid: boolean }> = fc.oneof(
    { weight: 2, arbitrary: modelSpec.map((spec) => ({ name: 'a valid model', tokens: validModelTokens(spec), valid: true })) },
    { weight: 1, arbitrary: fc.constantFrom(...EXAMPLE_TOKENS).map(({ name, tokens }) => ({ name, tokens, valid: false })) }
);

// ---------------------------------------------------------------------------------------------------------------
// Token mutations

export type TokenMutation =
    | { kind: 'delete' | 'duplicate' | 'glue' | 'split'; at: number }
    | { kind: 'swap' | 'move' | 'delete-run' | 'duplicate-run' | 'reverse-run'; at: number; to: number }
    | { kind: 'replace' | 'insert'; at: number; token: string };

const tokenMutation: fc.Arbitrary<TokenMutation> = fc.oneof(
    fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'glue' as const, 'split' as const), at: fc.nat() }),
    fc.record({ kind: fc.constantFrom('swap' as const, 'move' as const, 'delete-run' as const, 'duplicate-run' as const, 'reverse-run' as const), at: fc.nat(), to: fc.nat() }),
    fc.record({ kind: fc.constantFrom('replace' as const, 'insert' as const), at: fc.nat(), token })
);

/** Applies one token mutation; indices wrap around the number of tokens. */
export function mutateTokens(source: Tokens, m: TokenMutation): Tokens {
    const tokens = [...source.tokens];
    const gaps = [...source.gaps];
    if (tokens.length === 0) {
        return m.kind === 'insert' || m.kind === 'replace' ? { tokens: [m.token], gaps: [gaps[0] ?? '', ' '] } : source;
    }
    const at = m.at % tokens.length;
    const range = (to: number): [number, number] => {
        const other = to % tokens.length;
        // Runs are short (up to 40 tokens), like a line or a member.
        return at <= other ? [at, Math.min(other, at + 40)] : [other, Math.min(at, other + 40)];
    };
    switch (m.kind) {
        case 'delete':
            tokens.splice(at, 1);
            gaps.splice(at + 1, 1);
            break;
        case 'duplicate':
            tokens.splice(at, 0, tokens[at]!);
            gaps.splice(at + 1, 0, ' ');
            break;
        case 'glue':
            // The gap after the token disappears: `state A` becomes `stateA`, `-> B` becomes `->B`.
            gaps[at + 1] = '';
            break;
        case 'split': {
            const t = tokens[at]!;
            const cut = Math.max(1, t.length >> 1);
            if (t.length > 1) {
                tokens.splice(at, 1, t.slice(0, cut), t.slice(cut));
                gaps.splice(at + 1, 0, ' ');
            }
            break;
        }
        case 'swap': {
            const other = m.to % tokens.length;
            [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
            break;
        }
        case 'move': {
            const [moved] = tokens.splice(at, 1);
            gaps.splice(at + 1, 1);
            const to = m.to % (tokens.length + 1);
            tokens.splice(to, 0, moved!);
            gaps.splice(to + 1, 0, ' ');
            break;
        }
        case 'delete-run': {
            const [a, b] = range(m.to);
            tokens.splice(a, b - a + 1);
            gaps.splice(a + 1, b - a + 1);
            break;
        }
        case 'duplicate-run': {
            const [a, b] = range(m.to);
            tokens.splice(b + 1, 0, ...tokens.slice(a, b + 1));
            gaps.splice(b + 1, 0, ...gaps.slice(a + 1, b + 1), ' ');
            break;
        }
        case 'reverse-run': {
            const [a, b] = range(m.to);
            tokens.splice(a, b - a + 1, ...tokens.slice(a, b + 1).reverse());
            break;
        }
        case 'replace':
            tokens[at] = m.token;
            break;
        case 'insert':
            tokens.splice(at, 0, m.token);
            gaps.splice(at + 1, 0, ' ');
            break;
    }
    return { tokens, gaps };
}

/** A valid model or an example with one to five token mutations. */
export const mutatedModel: fc.Arbitrary<FuzzInput> = fc
    .tuple(source, fc.array(tokenMutation, { minLength: 1, maxLength: 5 }))
    .map(([from, mutations]) => ({
        origin: `token mutation of ${from.name} (${mutations.map((m) => m.kind).join(', ')})`,
        text: joinTokens(mutations.reduce(mutateTokens, from.tokens))
    }));

// ---------------------------------------------------------------------------------------------------------------
// Random Unicode

/** Code points from the whole range, weighted towards the blocks that break things: combining marks, surrogates, bidi. */
const codePoint: fc.Arbitrary<number> = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0x80, max: 0x10ffff }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
    fc.integer({ min: 0x300, max: 0x36f }), // combining marks
    fc.integer({ min: 0xd800, max: 0xdfff }), // lone surrogates (two in a row may pair)
    fc.integer({ min: 0x1f300, max: 0x1faff }), // emoji
    fc.integer({ min: 0x2000, max: 0x206f }), // spaces, zero-width, line/paragraph separators, bidi controls
    fc.integer({ min: 0x590, max: 0x6ff }), // Hebrew, Arabic
    fc.integer({ min: 0xfe00, max: 0xffff }), // variation selectors, BOM, specials, noncharacters
    fc.integer({ min: 0x400, max: 0x4ff }), // Cyrillic look-alikes
    fc.integer({ min: 0xff00, max: 0xffef }), // full width
    fc.integer({ min: 0x1d400, max: 0x1d7ff }), // mathematical letters
    fc.constantFrom(0x85, 0xa0, 0x2028, 0x2029, 0xfeff, 0x200b, 0x200d, 0x202e, 0xfffd, 0x1f469, 0x0)
);
export const unicodeText: fc.Arbitrary<string> = fc.array(codePoint, { minLength: 1, maxLength: 10 }).map((points) => String.fromCodePoint(...points));

/** Look-alikes of ASCII letters: a name with one of them is not a name. */
const HOMOGLYPHS: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', S: 'Ѕ', I: 'І', A: 'Ａ', i: 'ı', s: 'ſ', K: 'K' };

type UnicodeEdit = { kind: 'gap' | 'inside-token' | 'replace-token' | 'in-comment' | 'in-string' | 'homoglyph'; at: number; text: string };
const unicodeEdit: fc.Arbitrary<UnicodeEdit> = fc.record({
    kind: fc.constantFrom<UnicodeEdit['kind']>('gap', 'inside-token', 'replace-token', 'in-comment', 'in-comment', 'in-string', 'homoglyph'),
    at: fc.nat(),
    text: unicodeText
});

/** A comment holding `text` that stays one comment: no line break in a line comment, no `*` `/` in a block comment. */
function commentOf(text: string, block: boolean): string {
    return block ? `/*${text.replace(/\*\//g, '* /')}*/` : `//${text.replace(/[\r\n]/g, ' ')}`;
}

/** Puts a comment into gap `g` so that it separates the tokens around it and stays a comment. */
function insertComment(t: { tokens: string[]; gaps: string[] }, g: number, comment: string, tight: boolean): void {
    const before = t.tokens[g - 1];
    const lineComment = comment.startsWith('//');
    // `/` `/*x*/` would lex as a line comment; a line comment needs a line break after it.
    const lead = tight && before !== undefined && !/[/*-]$/.test(before) ? '' : ' ';
    const trail = lineComment ? '\n' : tight ? '' : ' ';
    t.gaps[g] = lead + comment + trail + t.gaps[g]!;
}

/** A valid model or an example with one to four Unicode edits; valid still when every edit is inside a comment. */
export const unicodeModel: fc.Arbitrary<FuzzInput> = fc.tuple(source, fc.array(unicodeEdit, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([from, edits, block]) => {
    const t = { tokens: [...from.tokens.tokens], gaps: [...from.tokens.gaps] };
    for (const edit of edits) {
        const g = edit.at % t.gaps.length;
        const i = t.tokens.length === 0 ? -1 : edit.at % t.tokens.length;
        switch (edit.kind) {
            case 'gap':
                t.gaps[g] += edit.text;
                break;
            case 'inside-token':
                if (i >= 0) {
                    const cut = (edit.at >> 3) % (t.tokens[i]!.length + 1);
                    t.tokens[i] = t.tokens[i]!.slice(0, cut) + edit.text + t.tokens[i]!.slice(cut);
                }
                break;
            case 'replace-token':
                if (i >= 0) {
                    t.tokens[i] = edit.text;
                }
                break;
            case 'in-comment':
                insertComment(t, g, commentOf(edit.text, block), (edit.at & 1) === 1);
                break;
            case 'in-string': {
                const addresses = t.tokens.flatMap((token, n) => (/:[0-9]+$/.test(token) ? [n] : []));
                const n = addresses[edit.at % Math.max(1, addresses.length)] ?? i;
                if (n >= 0) {
                    t.tokens[n] = `"${t.tokens[n]!.replace(/^"|"$/g, '').replace(/:/, `${edit.text.replace(/["\\\r\n]/g, '')}:`)}"`;
                }
                break;
            }
            case 'homoglyph':
                if (i >= 0) {
                    const word = t.tokens[i]!;
                    const letter = [...word].findIndex((c) => c in HOMOGLYPHS);
                    t.tokens[i] = letter < 0 ? word + edit.text : word.slice(0, letter) + HOMOGLYPHS[word[letter]!]! + word.slice(letter + 1);
                }
                break;
        }
    }
    const kinds = edits.map((e) => e.kind);
    return {
        origin: `unicode in ${from.name} (${kinds.join(', ')})`,
        text: joinTokens(t),
        valid: from.valid && kinds.every((k) => k === 'in-comment')
    };
});

// ---------------------------------------------------------------------------------------------------------------
// Comments and strings

/** What a comment may hold and still be one comment: openers, closers of the other kind, stars, slashes, line breaks (block only). */
const commentBody: fc.Arbitrary<string> = fc
    .array(fc.constantFrom('*', '/', '//', '/*', ' ', 'a', '"', '\\', '\t', 'é', '😀', '\u2028', '\n', '\r\n', '\r', '\n    ', '*/'), { maxLength: 12 })
    .map((parts) => parts.join(''));

/** Ways to break comments and strings (the input is not valid after these). */
const BREAKERS = [
    '/*', '/* unclosed', '*/', '/* /* */ */', '/', '//', '"', '"unterminated', '"a\nb:1"', '"\\":1', '"\\"', '""', '"a:1"', '"\\u0000:1"',
    '"a\\tb:1"', '"//x:1"', '"/*:1"', '"é:1"', "'a:1'", '`a:1`', '"a:1""b:2"', '"' + 'x'.repeat(300) + ':1"'
];

type CommentEdit =
    | { kind: 'line-comment' | 'block-comment'; at: number; body: string; tight: boolean }
    | { kind: 'quote-address'; at: number }
    | { kind: 'break'; at: number; piece: string; inside: boolean };
const commentEdit: fc.Arbitrary<CommentEdit> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('line-comment' as const, 'block-comment' as const), at: fc.nat(), body: commentBody, tight: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('quote-address' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('break' as const), at: fc.nat(), piece: fc.constantFrom(...BREAKERS), inside: fc.boolean() }) }
);

/**
 * A valid model or an example with comments in every odd place (between any two tokens, tight against them, holding
 * other comments' openers and line breaks), addresses in quotes, or a broken comment or string. Valid still unless
 * something was broken.
 */
export const commentsAndStrings: fc.Arbitrary<FuzzInput> = fc
    .tuple(source, fc.array(commentEdit, { minLength: 1, maxLength: 6 }), fc.boolean())
    .map(([from, edits, atEnd]) => {
        const t = { tokens: [...from.tokens.tokens], gaps: [...from.tokens.gaps] };
        for (const edit of edits) {
            const g = edit.at % t.gaps.length;
            switch (edit.kind) {
                case 'line-comment':
                case 'block-comment':
                    insertComment(t, g, commentOf(edit.body, edit.kind === 'block-comment'), edit.tight);
                    break;
                case 'quote-address': {
                    const addresses = t.tokens.flatMap((token, n) => (/^[^"].*:[0-9]+$/.test(token) ? [n] : []));
                    const n = addresses[edit.at % Math.max(1, addresses.length)];
                    if (n !== undefined) {
                        t.tokens[n] = `"${t.tokens[n]!}"`;
                    }
                    break;
                }
                case 'break':
                    if (edit.inside && t.tokens.length > 0) {
                        const i = edit.at % t.tokens.length;
                        const cut = (edit.at >> 3) % (t.tokens[i]!.length + 1);
                        t.tokens[i] = t.tokens[i]!.slice(0, cut) + edit.piece + t.tokens[i]!.slice(cut);
                    } else {
                        t.gaps[g] = ` ${edit.piece} ${t.gaps[g]!}`;
                    }
                    break;
            }
        }
        if (atEnd) {
            // A line comment as the very last thing, with no line break after it.
            t.gaps[t.gaps.length - 1] = `${t.gaps[t.gaps.length - 1]!.trimEnd()} // the end`;
        }
        const kinds = edits.map((e) => e.kind);
        return {
            origin: `comments and strings in ${from.name} (${kinds.join(', ')}${atEnd ? ', comment at the end' : ''})`,
            text: joinTokens(t),
            valid: from.valid && !kinds.includes('break')
        };
    });

// ---------------------------------------------------------------------------------------------------------------
// Long names and nesting hundreds deep (the 100 KB and thousands-deep ones are in inputs.ts)

const RESERVED = new Set(['machine', 'events', 'initial', 'final', 'state', 'on', 'entry', 'exit', 'after', 'client', 'server', 'connection', ...SOFT_KEYWORDS, ...BUILT_IN_ACTIONS]);

/**
 * A valid model with one of its names made long (around the 64 characters above which no "did you mean" is
 * computed, up to 20,000), everywhere it occurs (still valid), or everywhere but once (a typo).
 */
export const longNames: fc.Arbitrary<FuzzInput> = fc
    .tuple(modelSpec, fc.nat(), fc.oneof(fc.integer({ min: 60, max: 70 }), fc.integer({ min: 71, max: 2000 }), fc.constantFrom(4096, 20_000)), fc.constantFrom('a', 'Z', '_', 'x9'), fc.boolean(), fc.nat())
    .map(([spec, pick, length, letter, typo, where]) => {
        const t = validModelTokens(spec);
        // Names only: not keywords, not signal names (`SIGTERM` is a word, not a name).
        const words = [...new Set(t.tokens.filter((w) => /^[_a-zA-Z]\w*$/.test(w) && !RESERVED.has(w) && !CATCHABLE.includes(w)))];
        if (words.length === 0) {
            return { origin: 'long names (no name to lengthen)', text: joinTokens(t), valid: true };
        }
        const word = words[pick % words.length]!;
        const long = (word + letter.repeat(length)).slice(0, length);
        const occurrences = t.tokens.filter((w) => w === word).length;
        const typoAt = typo && occurrences > 1 ? where % occurrences : -1;
        let seen = 0;
        const tokens = t.tokens.map((w) => (w === word ? (seen++ === typoAt ? `${long.slice(0, -1)}Q` : long) : w));
        return {
            origin: `long names: '${word}' as ${length} characters${typoAt >= 0 ? `, one occurrence off by a letter` : ''}`,
            text: joinTokens({ tokens, gaps: t.gaps }),
            valid: typoAt < 0
        };
    });

const NESTING = ['{', '}', '{}', '[', ']', '[!', 'state S {', 'machine M {', 'on E -> S {', '/* ', '*/', '( ', '->', '"', 'initial state I { on Go -> I }'];
const CLOSERS: Readonly<Record<string, string>> = { '{': '}', '[': ']', '[!': ']', 'state S {': '}', 'machine M {': '}', 'on E -> S {': '}', '/* ': '*/', '( ': ')' };

/** Openers (balanced or not) repeated 2 to 250 times between two tokens of a valid model or an example. */
export const nesting: fc.Arbitrary<FuzzInput> = fc
    .tuple(source, fc.nat(), fc.constantFrom(...NESTING), fc.integer({ min: 2, max: 250 }), fc.boolean(), fc.constantFrom('', ' ', '\n'))
    .map(([from, at, opener, depth, balanced, separator]) => {
        const closer = balanced ? CLOSERS[opener] : undefined;
        const g = at % from.tokens.gaps.length;
        const gaps = [...from.tokens.gaps];
        gaps[g] = ` ${Array(depth).fill(opener).join(separator)}${closer ? Array(depth).fill(closer).join(separator) : ''} ${gaps[g]!}`;
        return { origin: `${depth} × '${opener}'${closer ? ' balanced' : ''} in ${from.name}`, text: joinTokens({ tokens: from.tokens.tokens, gaps }) };
    });

/** Any of the in-process input kinds, for the CLI sample. */
export const anyInput: fc.Arbitrary<FuzzInput> = fc.oneof(
    { weight: 2, arbitrary: tokenSoup },
    { weight: 2, arbitrary: generatedModel },
    { weight: 2, arbitrary: validModel },
    { weight: 2, arbitrary: mutatedExample },
    { weight: 2, arbitrary: mutatedModel },
    { weight: 1, arbitrary: truncatedExample },
    { weight: 1, arbitrary: unicodeModel },
    { weight: 1, arbitrary: commentsAndStrings },
    { weight: 2, arbitrary: invalidBytes },
    { weight: 1, arbitrary: nesting },
    { weight: 1, arbitrary: deepNesting }
);
