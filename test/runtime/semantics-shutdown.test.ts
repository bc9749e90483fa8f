// Server shutdown in a generated program, as a real process with 200 real connections. `close listener` drains: the
// server stops accepting and the sessions run on until their peers leave. When the server's machine finishes, the
// server closes every session's connection gracefully; the sessions run on, still read what their peers send, see
// their peer's close as their `close` event and finish in their final state (its entry actions run). Either way the
// server's `close` event then reaches its machine (when it still runs), and the program exits 0.
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, removePrograms, startProgram, type Program } from './program-helpers.js';
import { Cleanup, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

const MODEL = `
machine Front {
    events Shutdown, Quit, ListenerClosed
    initial state Serving {
        entry announce
        on Shutdown -> Draining / close listener
        on Quit -> Stopped
    }
    state Draining {
        entry draining
        on ListenerClosed -> Stopped
    }
    final state Stopped { entry stopped }
    server listener listen 127.0.0.1:0 { session Talk  close -> ListenerClosed }
    signal SIGTERM -> Shutdown
    signal SIGINT -> Quit
}

machine Talk {
    events Data, PeerClosed
    initial state Open {
        on Data / got
        on PeerClosed -> Closed
    }
    final state Closed { entry bye }
    connection peer { read -> Data  close -> PeerClosed }
}`;

const FRONT_ACTIONS = `import { writeSync } from 'node:fs';
import type { FrontActions } from './front.events.js';

export const frontActions: FrontActions = {
    announce(machine) {
        const listener = machine.sockets.listener;
        const print = (): void => {
            writeSync(1, \`LISTENING \${listener.port}\\n\`);
        };
        if (listener.server?.listening) {
            print();
        } else {
            listener.server?.once('listening', print);
        }
    },
    draining() {
        writeSync(1, 'DRAINING\\n');
    },
    stopped(machine) {
        writeSync(1, \`STOPPED \${machine.sockets.listener.sessions.size}\\n\`);
    },
};
`;

const TALK_ACTIONS = `import { writeSync } from 'node:fs';
import type { TalkActions } from './talk.events.js';

export const talkActions: TalkActions = {
    got(machine, payload) {
        for (const line of payload.toString().split('\\n').filter((text) => text !== '')) {
            writeSync(1, \`GOT \${machine.name} \${line}\\n\`);
        }
    },
    bye(machine) {
        writeSync(1, \`BYE \${machine.name}\\n\`);
    },
};
`;

const SESSIONS = 200;

let dir = '';

beforeAll(async () => {
    dir = await buildProgramFrom(MODEL, { 'front.actions.ts': FRONT_ACTIONS, 'talk.actions.ts': TALK_ACTIONS });
}, 120_000);

/**
 * A client that says hello, and when the server ends its side, says one more line and then closes its own side
 * (half-open on purpose, so that the late line travels after the shutdown began).
 */
function client(port: number, index: number): Promise<Socket> {
    const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port, allowHalfOpen: true }));
    socket.on('error', () => undefined);
    socket.on('end', () => {
        socket.end(`late ${index}\n`);
    });
    return within(
        new Promise<Socket>((resolve) =>
            socket.once('connect', () => {
                socket.write(`hello ${index}\n`);
                resolve(socket);
            })
        ),
        5_000,
        `client ${index} to connect`
    );
}

/** Starts the program and connects SESSIONS clients; resolves once every session has read its hello. */
async function serving(): Promise<{ program: Program; clients: Socket[] }> {
    const program = startProgram(dir, {}, cleanup, [], { args: [] });
    const port = Number((await program.line(/^LISTENING (\d+)$/, 5_000))[1]);
    const clients: Socket[] = [];
    for (let i = 1; i <= SESSIONS; i++) {
        clients.push(await client(port, i));
    }
    await program.until((lines) => (lines.filter((line) => / hello \d+$/.test(line)).length === SESSIONS ? true : undefined), 10_000, `${SESSIONS} hellos`);
    return { program, clients };
}

/** Every session read its late line, and ran its final state's entry action, once each. */
function expectEverySessionDrained(program: Program): void {
    const late = program.lines.filter((line) => /^GOT Talk#\d+ late \d+$/.test(line));
    const bye = program.lines.filter((line) => /^BYE Talk#\d+$/.test(line));
    expect(late, program.output).toHaveLength(SESSIONS);
    expect(new Set(bye).size, program.output).toBe(SESSIONS);
    expect(bye).toHaveLength(SESSIONS);
    // Each session read its peer's late line before it saw the peer's close.
    for (const line of late) {
        const name = line.split(' ')[1]!;
        expect(program.lines.indexOf(line)).toBeLessThan(program.lines.indexOf(`BYE ${name}`));
    }
}

describe(`server shutdown with ${SESSIONS} sessions`, () => {
    it('close listener drains: the sessions run on until their peers leave, finish in their final state, then the server machine hears close, exit 0', async () => {
        const { program, clients } = await serving();
        program.child.kill('SIGTERM');
        await program.line(/^DRAINING$/, 5_000);
        // Draining closes no connection: the sessions still echo nothing and wait; the clients leave by themselves.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(program.lines.filter((line) => line.startsWith('BYE')), program.output).toEqual([]);
        clients.forEach((socket, index) => socket.end(`late ${index + 1}\n`));
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expectEverySessionDrained(program);
        // The server's close event came once every session had finished.
        const stopped = program.lines.indexOf('STOPPED 0');
        expect(stopped, program.output).toBe(program.lines.length - 1);
        expect(program.stderr).toBe('');
    }, 30_000);

    it('the server machine finishes at once (SIGINT): its sessions still drain and finish in their final state, exit 0', async () => {
        const { program } = await serving();
        program.child.kill('SIGINT');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expectEverySessionDrained(program);
        // Stopped was entered before the sessions drained; the program waited for them.
        expect(program.lines.indexOf(`STOPPED ${SESSIONS}`)).toBeLessThan(program.lines.findIndex((line) => line.startsWith('BYE')));
        expect(program.stderr).toBe('');
    }, 30_000);
});
