// The grammar: the baseline examples, every construct's AST shape, and words that stay usable as names.
import { allStates } from '../../language/ast/hierarchy.js';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHelper } from 'langium/test';
import type { Model } from '../../language/generated/ast.js';
import { services } from '../helpers.js';

const parse = parseHelper<Model>(services);

async function parseClean(text: string): Promise<Model> {
    const document = await parse(text);
    const { lexerErrors, parserErrors } = document.parseResult;
    expect([...lexerErrors.map((e) => e.message), ...parserErrors.map((e) => e.message)]).toEqual([]);
    return document.parseResult.value;
}

describe('baseline examples', () => {
    for (const file of readdirSync(new URL('../../examples/', import.meta.url)).filter((name) => name.endsWith('.fsm'))) {
        it(`parses examples/${file} without a syntax error`, async () => {
            const model = await parseClean(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));
            expect(model.machines.length).toBeGreaterThan(0);
        });
    }

    it('reads the echo client as LANGUAGE.md describes it', async () => {
        const model = await parseClean(readFileSync(new URL('../../examples/echo-client.fsm', import.meta.url), 'utf8'));
        const machine = model.machines[0]!;
        expect(machine.name).toBe('EchoClient');
        expect(machine.eventLists[0]!.events.map((e) => e.name)).toEqual(['Connected', 'Data', 'Closed', 'Failed', 'HeartbeatLost', 'Shutdown']);
        expect(machine.states.map((s) => [s.name, s.initial, s.final])).toEqual([
            ['Connecting', true, false],
            ['Backoff', false, false],
            ['Online', false, false],
            ['Done', false, true]
        ]);
        const backoff = machine.states[1]!;
        expect(backoff.timers[0]!.delay).toBe('1s');
        expect(backoff.timers[0]!.actions[0]!.$type).toBe('ConnectAction');
        const online = machine.states[2]!;
        expect(online.entries[0]!.actions.map((a) => a.$type)).toEqual(['CallAction']);
        const dataTransition = online.transitions[0]!;
        expect(dataTransition.target).toBeUndefined();
        expect(dataTransition.actions.map((a) => a.$type === 'CallAction' && a.name)).toEqual(['printReply']);
        const client = machine.sockets[0]!;
        expect(client.$type).toBe('Client');
        expect(client.$type === 'Client' && client.address).toBe('127.0.0.1:7000');
        expect(client.members.map((m) => m.$type)).toEqual([
            'TimeoutOption', 'FlagOption', 'KeepaliveOption', 'HeartbeatOption', 'EventMapping', 'EventMapping', 'EventMapping', 'EventMapping'
        ]);
        expect(machine.signals.map((s) => [s.signal, s.event.$refText])).toEqual([
            ['SIGINT', 'Shutdown'],
            ['SIGTERM', 'Shutdown']
        ]);
    });
});

describe('constructs', () => {
    it('parses guards, negated guards, action lists and built-in actions', async () => {
        const model = await parseClean(`machine M {
            events A, B
            initial state S {
                on A [ready] -> T / log, raise B, close c, connect c
                on A [!ready] / stop
                on B -> S
            }
            state T { on A -> S }
            client c connect 127.0.0.1:1 { read -> A }
        }`);
        const [guarded, negated] = model.machines[0]!.states[0]!.transitions;
        expect(guarded!.guard).toMatchObject({ name: 'ready', negated: false });
        expect(guarded!.actions.map((a) => a.$type)).toEqual(['CallAction', 'RaiseAction', 'CloseAction', 'ConnectAction']);
        expect(negated!.guard).toMatchObject({ name: 'ready', negated: true });
        expect(negated!.actions.map((a) => a.$type)).toEqual(['StopAction']);
    });

    it('parses server, client and connection blocks with every option', async () => {
        const model = await parseClean(`machine M {
            events E
            initial state S { on E -> S }
            server s listen 0.0.0.0:7000 { reuseaddr backlog 511 nodelay keepalive session W accept -> E error -> E close -> E }
            client c connect [::1]:7000 { timeout 3s reconnect 100ms..5s heartbeat 5s timeout 15s -> E idle 30s -> E connect -> E timeout -> E drain -> E }
            connection p
        }
        machine W { events X initial state Q { on X -> Q } connection peer { read -> X } }`);
        const [server, client, connection] = model.machines[0]!.sockets;
        expect(server!.members.map((m) => m.$type === 'EventMapping' ? `${m.socketEvent}->` : m.option)).toEqual([
            'reuseaddr', 'backlog', 'nodelay', 'keepalive', 'session', 'accept->', 'error->', 'close->'
        ]);
        const reconnect = client!.members[1]!;
        expect(reconnect).toMatchObject({ $type: 'ReconnectOption', min: '100ms', max: '5s' });
        expect(client!.members[2]).toMatchObject({ $type: 'HeartbeatOption', interval: '5s', timeout: '15s' });
        expect(client!.members.filter((m) => m.$type === 'EventMapping').map((m) => m.$type === 'EventMapping' && m.socketEvent)).toEqual(['connect', 'timeout', 'drain']);
        expect(connection).toMatchObject({ $type: 'Connection', name: 'p', members: [] });
    });

    it('accepts quoted addresses, IPv6 in brackets and host names', async () => {
        const model = await parseClean(`machine M {
            client a connect localhost:80
            client b connect "db.internal:5432"
            client c connect [fe80::1]:22
            client d connect my-host.example.com:443
        }`);
        expect(model.machines[0]!.sockets.map((s) => (s.$type === 'Client' || s.$type === 'Server') && s.address)).toEqual(['localhost:80', 'db.internal:5432', '[fe80::1]:22', 'my-host.example.com:443']);
    });

    it('keeps socket-event and option words usable as names', async () => {
        const model = await parseClean(`machine read {
            events timeout, close, idle, session, signal, accept
            initial state connect { on timeout -> error  on close -> connect  on idle -> connect }
            state error { on session -> connect  on signal / read, drain  on accept -> connect }
        }`);
        const machine = model.machines[0]!;
        expect(machine.name).toBe('read');
        expect(machine.states.map((s) => s.name)).toEqual(['connect', 'error']);
        expect(machine.states[1]!.transitions[1]!.actions.map((a) => a.$type === 'CallAction' && a.name)).toEqual(['read', 'drain']);
    });

    it('takes comments anywhere and several machines per file', async () => {
        const model = await parseClean(`// leading
            /* block
               comment */ machine A { events X /* inline */ initial state S { on X -> S } // trailing
            }
            machine B { initial state S }`);
        expect(model.machines.map((m) => m.name)).toEqual(['A', 'B']);
    });

    it('lexes loose durations as one token so validation can explain them', async () => {
        const model = await parseClean(`machine M { initial state S { after 5sec -> S  after -3s -> S  after 1.5s -> S  after 250ms -> S } }`);
        expect(model.machines[0]!.states[0]!.timers.map((t) => t.delay)).toEqual(['5sec', '-3s', '1.5s', '250ms']);
    });

    it('parses an empty file as an empty model', async () => {
        const model = await parseClean('');
        expect(model.machines).toEqual([]);
    });

    it('recovers after a missing closing brace at the next state', async () => {
        // States may hold states, so T is read as S's child and the missing brace is found at the end.
        const document = await parse(`machine M {
            events A
            initial state S { on A -> T
            state T { on A -> S }
        }`);
        expect(document.parseResult.parserErrors.length).toBeGreaterThan(0);
        expect(allStates(document.parseResult.value.machines[0]!).map((s) => s.name)).toEqual(['S', 'T']);
    });
});
