// Generated programs and signals, as real processes: a program that only waits for a signal stays alive until it
// comes (also after its last timer fired, and on the manual clock); sessions bind their signals while they run, and a
// signal reaches every running machine that binds it, in the order they started, each running it to completion.
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, interpreterTrace, removePrograms, startProgram, untimed, type Program } from './program-helpers.js';
import { Cleanup, absenceWindow, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(() => removePrograms());

const WAITER = `
machine Waiter {
    events Shutdown
    initial state Waiting { on Shutdown -> Done }
    final state Done
    signal SIGTERM -> Shutdown
}`;

const TIMED = `
machine Timed {
    events Shutdown
    initial state First { after 50ms -> Second }
    state Second { on Shutdown -> Done }
    final state Done
    signal SIGTERM -> Shutdown
}`;

const HUB = `
machine Hub {
    events Poke, Echo, Shutdown
    initial state Serving {
        entry announce
        on Poke / poked, raise Echo
        on Echo / echoed
        on Shutdown -> Done
    }
    final state Done
    server listener listen 127.0.0.1:0 { session Peer }
    signal SIGUSR2 -> Poke
    signal SIGTERM -> Shutdown
}

machine Peer {
    events Poke, Bye
    initial state Open {
        on Poke / poked
        on Bye -> Gone
    }
    final state Gone
    connection conn { close -> Bye }
    signal SIGUSR2 -> Poke
}`;

const HUB_ACTIONS = `import { writeSync } from 'node:fs';
import type { HubActions } from './hub.events.js';

export const hubActions: HubActions = {
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
    poked(machine, payload) {
        writeSync(1, \`POKED \${machine.name} \${payload}\\n\`);
    },
    echoed(machine) {
        writeSync(1, \`ECHO \${machine.name}\\n\`);
    },
};
`;

const PEER_ACTIONS = `import { writeSync } from 'node:fs';
import type { PeerActions } from './peer.events.js';

export const peerActions: PeerActions = {
    poked(machine, payload) {
        writeSync(1, \`POKED \${machine.name} \${payload}\\n\`);
    },
};
`;

// Only the session binds SIGUSR2: while a session runs, the signal is its event, not the death of the server.
const LOBBY = `
machine Lobby {
    events Shutdown
    initial state Open {
        entry announce
        on Shutdown -> Closed
    }
    final state Closed
    server door listen 127.0.0.1:0 { session Guest }
    signal SIGTERM -> Shutdown
}

machine Guest {
    events Poke, Left
    initial state Here {
        on Poke / poked
        on Left -> Gone
    }
    final state Gone
    connection conn { close -> Left }
    signal SIGUSR2 -> Poke
}`;

const LOBBY_ACTIONS = HUB_ACTIONS.replace(/HubActions/g, 'LobbyActions')
    .replace('./hub.events.js', './lobby.events.js')
    .replace('hubActions', 'lobbyActions')
    .replace('machine.sockets.listener', 'machine.sockets.door')
    .replace(/ {4}poked[\s\S]*?\n {4}},\n {4}echoed[\s\S]*?\n {4}},\n/, '');
const GUEST_ACTIONS = PEER_ACTIONS.replace(/PeerActions/g, 'GuestActions').replace('./peer.events.js', './guest.events.js').replace('peerActions', 'guestActions');

let lobbyDir = '';
let waiterDir = '';
let timedDir = '';
let hubDir = '';

beforeAll(async () => {
    waiterDir = await buildProgramFrom(WAITER, {});
    timedDir = await buildProgramFrom(TIMED, {});
    hubDir = await buildProgramFrom(HUB, { 'hub.actions.ts': HUB_ACTIONS, 'peer.actions.ts': PEER_ACTIONS });
    lobbyDir = await buildProgramFrom(LOBBY, { 'lobby.actions.ts': LOBBY_ACTIONS, 'guest.actions.ts': GUEST_ACTIONS });
}, 120_000);

/** Sends `signal` once the program has run a while without exiting, and expects exit status 0. */
async function stillRunningThenSignal(program: Program, signal: NodeJS.Signals): Promise<void> {
    await absenceWindow(300);
    expect(program.child.exitCode, `the program exited before ${signal}:\n${program.output}`).toBeNull();
    program.child.kill(signal);
    const exit = await program.exit(5_000);
    expect(exit.signal, program.output).toBeNull();
    expect(exit.code, program.output).toBe(0);
}

describe('a program whose machines only wait for a signal', () => {
    it('keeps running until SIGTERM comes, then exits 0 (not 13, unfinished)', async () => {
        const program = startProgram(waiterDir, {}, cleanup);
        await program.line(/Waiter {2}starts in Waiting$/, 5_000);
        await stillRunningThenSignal(program, 'SIGTERM');
        expect(program.textTrace).toEqual(['Waiter  starts in Waiting', 'Waiter  Waiting --Shutdown--> Done', 'Waiter  finished in Done']);
    });

    it('keeps running after its last timer fired, until SIGTERM', async () => {
        const program = startProgram(timedDir, {}, cleanup);
        await program.line(/Timed {2}First --after 50ms--> Second$/, 5_000);
        await stillRunningThenSignal(program, 'SIGTERM');
        expect(program.textTrace.slice(-2)).toEqual(['Timed  Second --Shutdown--> Done', 'Timed  finished in Done']);
    });

    it('on the manual clock: time moves only by `advance` lines on stdin, and SIGTERM still arrives', async () => {
        const program = startProgram(timedDir, {}, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        await program.untilStderr((lines) => (lines.some((line) => line.includes('"kind":"start"')) ? true : undefined), 5_000, 'the start line');
        await absenceWindow(200);
        expect(program.jsonTrace.map((line) => line.kind)).toEqual(['start']);
        program.send('advance 49');
        await absenceWindow(100);
        expect(program.jsonTrace.map((line) => line.kind)).toEqual(['start']);
        program.send('advance 1');
        await program.untilStderr((lines) => (lines.some((line) => line.includes('"kind":"transition"')) ? true : undefined), 5_000, 'the timer');
        await stillRunningThenSignal(program, 'SIGTERM');
        expect(program.jsonTrace).toEqual([
            { t: 0, kind: 'start', machine: 'Timed', state: 'First' },
            { t: 50, kind: 'transition', machine: 'Timed', from: 'First', event: 'after 50ms', to: 'Second' },
            { t: 50, kind: 'transition', machine: 'Timed', from: 'Second', event: 'Shutdown', to: 'Done' },
            { t: 50, kind: 'finish', machine: 'Timed', state: 'Done' }
        ]);
        expect(untimed(program.jsonTrace)).toEqual(untimed(await interpreterTrace(TIMED, 'advance 50ms\nsignal SIGTERM')));
    });

    it('on the manual clock with stdin closed at once: still alive until SIGTERM', async () => {
        const program = startProgram(waiterDir, {}, cleanup, [], { args: ['--clock=manual', '--trace'] });
        await program.line(/Waiter {2}starts in Waiting$/, 5_000);
        await stillRunningThenSignal(program, 'SIGTERM');
        expect(program.textTrace).toEqual(['Waiter  starts in Waiting', 'Waiter  Waiting --Shutdown--> Done', 'Waiter  finished in Done']);
    });
});

describe('signals and sessions', () => {
    /** Connects a client that closes its side when the server closes its own (Node's default, allowHalfOpen false). */
    async function client(port: number): Promise<Socket> {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        socket.on('error', () => undefined);
        await within(new Promise((resolve) => socket.once('connect', resolve)), 3_000, 'connect');
        return socket;
    }

    it('a signal reaches the top-level machine and every running session, in the order they started, each to completion first', async () => {
        const program = startProgram(hubDir, {}, cleanup, [], { args: ['--trace=json', '--clock=manual'], stdin: 'pipe' });
        const port = Number((await program.line(/^LISTENING (\d+)$/, 5_000))[1]);
        const accepted = (n: number) => (): true | undefined => (program.jsonTrace.filter((line) => line.kind === 'io' && line.what === 'accept').length >= n ? true : undefined);
        const one = await client(port);
        await program.until(accepted(1), 5_000, 'Peer#1');
        const two = await client(port);
        await program.until(accepted(2), 5_000, 'Peer#2');

        program.child.kill('SIGUSR2');
        await program.line(/^POKED Peer#2 SIGUSR2$/, 5_000);
        expect(program.lines.filter((line) => !line.startsWith('LISTENING'))).toEqual(['POKED Hub SIGUSR2', 'ECHO Hub', 'POKED Peer#1 SIGUSR2', 'POKED Peer#2 SIGUSR2']);

        // Peer#1's client leaves: the session finishes and no longer binds SIGUSR2.
        one.end();
        await program.until(() => (program.jsonTrace.some((line) => line.kind === 'finish' && line.machine === 'Peer#1') ? true : undefined), 5_000, 'Peer#1 to finish');
        program.child.kill('SIGUSR2');
        await program.until((lines) => (lines.filter((line) => line === 'POKED Peer#2 SIGUSR2').length === 2 ? true : undefined), 5_000, 'the second SIGUSR2 at Peer#2');
        expect(program.lines.filter((line) => line.startsWith('POKED') || line.startsWith('ECHO')).slice(4)).toEqual(['POKED Hub SIGUSR2', 'ECHO Hub', 'POKED Peer#2 SIGUSR2']);

        // SIGTERM: the hub finishes, its server closes Peer#2's connection gracefully, the client answers, all exit 0.
        program.child.kill('SIGTERM');
        const exit = await program.exit(5_000);
        expect(exit.signal, program.output).toBeNull();
        expect(exit.code, program.output).toBe(0);
        expect(two.readableEnded).toBe(true);

        // Line by line what the interpreter says for the same scenario.
        const expected = await interpreterTrace(HUB, ['listener accept', 'listener accept', 'signal SIGUSR2', 'Peer#1.conn closed', 'signal SIGUSR2', 'signal SIGTERM', 'Peer#2.conn closed'].join('\n'));
        expect(untimed(program.jsonTrace)).toEqual(untimed(expected));
    });

    it('a signal only a session binds reaches the session and leaves the server running (no exit 140)', async () => {
        const program = startProgram(lobbyDir, {}, cleanup, [], { args: ['--trace=json'] });
        const port = Number((await program.line(/^LISTENING (\d+)$/, 5_000))[1]);
        await client(port);
        await program.until(() => (program.jsonTrace.some((line) => line.kind === 'io' && line.what === 'accept') ? true : undefined), 5_000, 'Guest#1');
        program.child.kill('SIGUSR2');
        await program.line(/^POKED Guest#1 SIGUSR2$/, 5_000);
        expect(program.child.exitCode).toBeNull();
        program.child.kill('SIGTERM');
        const exit = await program.exit(5_000);
        expect(exit.signal, program.output).toBeNull();
        expect(exit.code, program.output).toBe(0);
        expect(program.jsonTrace.filter((line) => line.kind === 'finish').map((line) => line.kind === 'finish' && `${line.machine} ${line.state}`)).toEqual(['Lobby Closed', 'Guest#1 Gone']);
    });
});
