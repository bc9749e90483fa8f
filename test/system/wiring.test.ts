// Which client talks to which server when files are checked together: by address (0.0.0.0 and :: take any host,
// localhost is 127.0.0.1, the port must match); a wired client's connect is the server's accept, any other client
// talks to the environment, and a server no checked client reaches gets its connections from the environment.
import { describe, expect, it } from 'vitest';
import { parseAddress, type SocketAddress } from '../../language/values/addresses.js';
import { listensClash, wire } from '../../language/system/wiring.js';
import { World } from '../../language/system/world.js';
import { sessionServer } from './inline-models.js';
import { contextOf, inlineFiles, withSystem } from './system-helpers.js';

const client = (address: string): string => `// A client of the server under test.
machine Caller {
    events Up, Failed
    initial state Connecting {
        on Up -> Done
        on Failed -> Done
    }
    final state Done

    client upstream connect ${address} {
        framing lines
        connect -> Up
        error -> Failed
    }
}
`;

const server = (address: string): string => sessionServer('Listener', 'Talk', address);

/** The moves at the start, as `kind what` words. */
async function startMoves(to: string, on: string): Promise<{ wired: boolean; moves: string[] }> {
    return withSystem(inlineFiles({ 'caller.fsm': client(to), 'listener.fsm': server(on) }), ({ program }) => {
        const wiring = wire(program);
        const moves = World.start(contextOf(program))
            .moves()
            .map((move) => (move.kind === 'env' ? `env ${move.instance}.${move.socket} ${move.what}` : move.kind === 'accept' ? `accept ${move.client}.${move.socket} -> ${move.server}.${move.listener}` : move.kind === 'connect-fault' ? `${move.fault} ${move.instance}.${move.socket}` : move.kind));
        return { wired: wiring.clients.get('Caller.upstream')?.machine === 'Listener', moves };
    });
}

// At the start a listen may also fail (EADDRINUSE): only then.
const WIRED = ['accept Caller.upstream -> Listener.listener', 'refused Caller.upstream', 'env Listener.listener listen-error'];
const NOT_WIRED = ['env Caller.upstream connected', 'refused Caller.upstream', 'env Listener.listener accept', 'env Listener.listener listen-error'];

describe('servers that cannot listen at once', () => {
    const address = (text: string): SocketAddress => {
        const parsed = parseAddress(text);
        if (!parsed.ok) {
            throw new Error(parsed.message);
        }
        return parsed.value;
    };
    const cases: ReadonlyArray<[string, string, boolean]> = [
        ['127.0.0.1:7100', '127.0.0.1:7100', true],
        ['0.0.0.0:7100', '127.0.0.1:7100', true],
        ['[::]:7100', '10.1.2.3:7100', true],
        ['localhost:7100', '127.0.0.1:7100', true],
        ['127.0.0.1:7100', '127.0.0.1:7101', false],
        ['127.0.0.1:7100', '10.1.2.3:7100', false],
        ['127.0.0.1:0', '127.0.0.1:0', false],
        ['0.0.0.0:7100', '[::1]:7100', false],
        ['[::1]:7100', '127.0.0.1:7100', false],
        ['[::1]:7100', '[::1]:7100', true],
        ['[0:0:0:0:0:0:0:1]:7100', '[::1]:7100', true],
        ['[0:0:0:0:0:0:0:0]:7100', '0.0.0.0:7100', true],
        ['[::ffff:127.0.0.1]:7100', '127.0.0.1:7100', true],
        ['0.0.0.0:7100', 'db-1.internal:7100', true],
        ['unix:/tmp/a.sock', 'unix:/tmp/a.sock', true],
        ['unix:a.sock', 'unix:./a.sock', true],
        ['unix:/tmp/a.sock', 'unix:/tmp/b.sock', false],
        ['unix:/tmp/a.sock', '127.0.0.1:7100', false]
    ];
    for (const [a, b, clash] of cases) {
        it(`listen ${a} and listen ${b}: ${clash ? 'the later one fails' : 'both listen'}`, () => {
            expect(listensClash(address(a), address(b))).toBe(clash);
            expect(listensClash(address(b), address(a))).toBe(clash);
        });
    }
});

describe('wiring clients to servers by address', () => {
    const cases: ReadonlyArray<[string, string, boolean]> = [
        ['127.0.0.1:7100', '127.0.0.1:7100', true],
        ['127.0.0.1:7100', '0.0.0.0:7100', true],
        ['10.1.2.3:7100', '0.0.0.0:7100', true],
        ['localhost:7100', '127.0.0.1:7100', true],
        ['127.0.0.1:7100', 'localhost:7100', true],
        ['127.0.0.1:7101', '127.0.0.1:7100', false],
        ['10.1.2.3:7100', '127.0.0.1:7100', false],
        ['localhost:7100', '10.1.2.3:7100', false],
        ['[::1]:7100', '127.0.0.1:7100', false],
        ['[::1]:7100', '0.0.0.0:7100', false],
        ['[::1]:7100', '[::]:7100', true],
        ['127.0.0.1:7100', '[::]:7100', true],
        ['127.0.0.1:7100', '[::1]:7100', false]
    ];
    for (const [to, on, wired] of cases) {
        it(`connect ${to} ${wired ? 'reaches' : 'does not reach'} listen ${on}`, async () => {
            const result = await startMoves(to, on);
            expect(result.wired).toBe(wired);
            expect(result.moves.sort()).toEqual([...(wired ? WIRED : NOT_WIRED)].sort());
        });
    }

    it('a wired connect is the server\'s accept and the client\'s connected: the session starts, linked to the client', async () => {
        await withSystem(inlineFiles({ 'caller.fsm': client('localhost:7100'), 'listener.fsm': server('0.0.0.0:7100') }), ({ program }) => {
            const start = World.start(contextOf(program));
            const accept = start.moves().find((move) => move.kind === 'accept')!;
            const [outcome] = start.outcomes(accept);
            expect(outcome!.lines).toEqual(['Listener.listener accept', 'Caller.upstream connected']);
            const world = outcome!.world;
            expect(world.simulation.instance('Caller')!.finished).toBe(true);
            expect(world.simulation.instance('Talk#1')?.stateName).toBe('Open');
            // The client finished: its end closes, so the session gets a FIN (or reset) to deliver.
            expect(world.links).toHaveLength(1);
            expect(world.links[0]!.session.instance).toBe('Talk#1');
            expect(world.links[0]!.session.inbox.map((item) => item.kind)).not.toEqual([]);
        });
    });
});
