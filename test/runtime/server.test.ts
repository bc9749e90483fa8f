// ServerDispatcher over real loopback sockets: sessions per connection, graceful close, pausing on EMFILE.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionDispatcher } from '../../templates/runtime/connection-dispatcher.js';
import type { Machine, MachineHost } from '../../templates/runtime/machine.js';
import { ServerDispatcher } from '../../templates/runtime/server-dispatcher.js';
import { Reactor } from '../../templates/runtime/reactor.js';
import { Cleanup, RecordingMachine, TestHost, closedPort, connectTo, streamEvents, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SERVER_NAMES = ['accept', 'error', 'close'];

/** A session as generated ones are: it exposes its connection, which a closing server closes gracefully. */
class Session extends RecordingMachine {
    connection: ConnectionDispatcher | undefined;
}

/** A server of a recording machine whose sessions echo what they read. */
function echoServer(port: number): { machine: RecordingMachine; server: ServerDispatcher; sessions: Session[] } {
    const machine = new RecordingMachine(new TestHost(), SERVER_NAMES);
    const sessions: Session[] = [];
    const factory = (host: MachineHost, socket: Socket): Machine => {
        const session = new Session(host);
        const peer = new ConnectionDispatcher(session, 'peer', streamEvents(), {}, socket);
        session.connection = peer;
        cleanup.add(() => peer.destroy());
        session.reaction = (record) => {
            if (record.event === 'read') {
                peer.write(record.payload as Buffer);
            }
        };
        sessions.push(session);
        return session;
    };
    const server = new ServerDispatcher(machine, 'listener', { accept: 0, error: 1, close: 2 }, { host: '127.0.0.1', port }, factory);
    cleanup.add(() => server.close());
    machine.start();
    return { machine, server, sessions };
}

/** Sends a line and resolves with the first bytes that come back. */
async function roundTrip(socket: Socket, text: string): Promise<string> {
    const reply = once(socket, 'data') as Promise<[Buffer]>;
    socket.write(text);
    const [data] = await within(reply, 2_000, `the echo of ${JSON.stringify(text)}`);
    return data.toString();
}

describe('ServerDispatcher', () => {
    it('numbers sessions over every server of the program (the reactor counts them); under a host that does not, each server numbers its own', async () => {
        for (const [host, expected] of [
            [new Reactor(), ['Recorder#1', 'Recorder#2', 'Recorder#3']],
            [new TestHost(), ['Recorder#1', 'Recorder#1', 'Recorder#2']]
        ] as const) {
            const machine = new RecordingMachine(host, SERVER_NAMES);
            const started: Machine[] = [];
            const factory = (sessionHost: MachineHost, socket: Socket): Machine => {
                const session = new Session(sessionHost);
                const peer = new ConnectionDispatcher(session, 'peer', streamEvents(), {}, socket);
                cleanup.add(() => peer.destroy());
                started.push(session);
                return session;
            };
            const servers = ['front', 'back'].map((name) => new ServerDispatcher(machine, name, { accept: 0, error: 1, close: 2 }, { host: '127.0.0.1', port: 0 }, factory));
            for (const server of servers) {
                cleanup.add(() => server.close());
            }
            machine.start();
            await Promise.all(servers.map((server) => server.listen()));
            for (const [count, server] of [servers[0]!, servers[1]!, servers[0]!].entries()) {
                await connectTo(cleanup, server.port!);
                for (let tries = 0; started.length <= count && tries < 200; tries++) {
                    await new Promise((resolve) => setTimeout(resolve, 5));
                }
            }
            expect(started.map((session) => session.name)).toEqual(expected);
        }
    });

    it('runs a session per connection; close() drains: it stops listening, the sessions run on, and close is raised once they ended', async () => {
        const { machine, server, sessions } = echoServer(0);
        await server.listen();
        const port = server.port!;
        expect(port).toBeGreaterThan(0);
        const one = await connectTo(cleanup, port);
        const two = await connectTo(cleanup, port);
        expect(await roundTrip(one, 'one\n')).toBe('one\n');
        expect(server.accepted).toBe(2);
        expect(machine.named('accept').map((r) => r.payload)).toEqual(sessions);
        const closed = server.close();
        expect(server.server!.listening).toBe(false);
        // Draining: the sessions are untouched, they still echo.
        expect(await roundTrip(two, 'still here\n')).toBe('still here\n');
        expect(sessions.some((session) => session.finished)).toBe(false);
        expect(machine.named('close')).toHaveLength(0);
        one.end();
        two.end();
        await within(closed, 3_000, 'the sessions to end and the server to close');
        expect(sessions.every((session) => session.finished && session.named('close').length === 1)).toBe(true);
        expect(machine.named('close').map((r) => r.payload)).toEqual([false]);
    });

    it('when its machine finishes, the server closes every session connection gracefully; the sessions read on and finish on their peers close', async () => {
        const { machine, server, sessions } = echoServer(0);
        await server.listen();
        const one = await connectTo(cleanup, server.port!);
        const two = await connectTo(cleanup, server.port!);
        expect(await roundTrip(one, 'one\n')).toBe('one\n');
        expect(await roundTrip(two, 'two\n')).toBe('two\n');
        // The clients answer the server's FIN with their own (Node's default), `one` after one more line.
        const oneEnded = once(one, 'end');
        const twoEnded = once(two, 'end');
        const finished = machine.finish();
        expect(server.server!.listening).toBe(false);
        // The sessions run on while their connections close: they still read what their peers send.
        expect(sessions.some((session) => session.finished)).toBe(false);
        one.write('late\n');
        await within(Promise.all([oneEnded, twoEnded, finished]), 3_000, 'FIN at both clients and the server to close');
        expect(sessions[0]!.named('read').map((r) => (r.payload as Buffer).toString())).toEqual(['one\n', 'late\n']);
        // Its echo could not go out any more: the write side was ended, and the session heard of it as an error.
        expect(sessions[0]!.named('error').map((r) => (r.payload as NodeJS.ErrnoException).code)).toEqual(['ERR_SOCKET_CLOSED']);
        expect(sessions.every((session) => session.finished && session.named('close').length === 1)).toBe(true);
        // The server's own machine has finished: its close event has nobody to go to.
        expect(machine.named('close')).toHaveLength(0);
    });

    it('pauses accepting when out of descriptors (EMFILE) and listens again on the same port after a short pause', async () => {
        const port = await closedPort();
        const { machine, server } = echoServer(port);
        await server.listen();
        const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
        server.handleError(emfile);
        expect(machine.named('error').map((r) => r.payload)).toEqual([emfile]);
        expect(server.pauses).toBe(1);
        expect(server.server!.listening).toBe(false);
        await within(once(server.server!, 'listening'), 2_000, 'listening again');
        expect(server.port).toBe(port);
        const client = await connectTo(cleanup, port);
        expect(await roundTrip(client, 'back\n')).toBe('back\n');
    });

    // A server on port 0 (as with a `NAME_LISTENER=127.0.0.1:0` override) must come back on the port it had, not a new random one.
    it('listens again on the port it had when its configured port is 0', async () => {
        const { server } = echoServer(0);
        await server.listen();
        const before = server.port!;
        server.handleError(Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
        await within(once(server.server!, 'listening'), 2_000, 'listening again');
        expect(server.port).toBe(before);
    });
});
