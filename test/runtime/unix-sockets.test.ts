// Unix domain sockets (`listen unix:PATH`, `connect unix:PATH`) in generated programs run as real processes: echo over
// a socket file with socat and Node peers, a stale socket file removed at start, a path in use or taken by a regular
// file refused (and left alone), the file removed at exit, overrides from the environment.
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgramFrom, hasCommand, removePrograms, startProgram, type Program } from './program-helpers.js';
import { Cleanup } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
const folder = mkdtempSync(path.join(os.tmpdir(), 'rfsm-unix-'));
afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await removePrograms();
});

const ECHO = `
machine UnixEcho {
    events Shutdown
    initial state Serving { on Shutdown -> Stopped }
    final state Stopped
    server listener listen unix:/tmp/reactor-fsm-never-used.sock { session UnixSession }
    signal SIGTERM -> Shutdown
}
machine UnixSession {
    events Line, Gone
    initial state Echoing {
        on Line / send peer payload
        on Gone -> Done
    }
    final state Done
    connection peer { framing lines  read -> Line  close -> Gone }
}`;

const CLIENT = `
machine UnixClient {
    events Up, Reply, Down
    initial state Asking {
        on Up / send upstream "question"
        on Reply -> Done / send upstream payload
        on Down -> Done
    }
    final state Done
    client upstream connect unix:/tmp/reactor-fsm-never-used-either.sock {
        framing lines
        connect -> Up
        read -> Reply
        close -> Down
    }
}`;

let echoDir = '';
let clientDir = '';
beforeAll(async () => {
    [echoDir, clientDir] = await Promise.all([buildProgramFrom(ECHO, {}), buildProgramFrom(CLIENT, {})]);
}, 120_000);

let counter = 0;
const socketPath = (): string => path.join(folder, `s${++counter}.sock`);

async function listening(program: Program): Promise<void> {
    await program.until(() => (program.jsonTrace.some((line) => line.kind === 'start') ? true : undefined), 10_000, 'the start');
}

/** Connects to a Unix socket, retrying while the program is still binding it (bounded). */
async function connectUnix(file: string): Promise<Socket> {
    for (let attempt = 0; ; attempt++) {
        const socket = netConnect({ path: file });
        try {
            await once(socket, 'connect');
            return cleanup.socket(socket);
        } catch (error) {
            socket.destroy();
            if (attempt > 200) {
                throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    }
}

describe('listen unix:PATH', () => {
    it('echoes lines over the socket file to socat and to a Node client; removes a stale file first and its own at exit', async () => {
        const file = socketPath();
        // A socket file left by a process that died: nobody listens on it.
        const stale = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(file)}, () => process.kill(process.pid, 'SIGKILL'))`]);
        expect(stale.signal).toBe('SIGKILL');
        expect(existsSync(file)).toBe(true);
        const program = startProgram(echoDir, { UNIX_ECHO_LISTENER: `unix:${file}` }, cleanup, [], { args: ['--trace=json'] });
        await listening(program);
        const client = await connectUnix(file);
        let received = '';
        client.setEncoding('utf8');
        client.on('data', (text: string) => (received += text));
        client.write('one\r\ntw');
        client.write('o\n');
        if (hasCommand('socat')) {
            const socat = spawnSync('socat', ['-t', '1', '-', `UNIX-CONNECT:${file}`], { input: 'over\nsocat\n', encoding: 'utf8', timeout: 10_000 });
            expect(socat.stdout).toBe('over\nsocat\n');
        }
        for (let waited = 0; received !== 'one\ntwo\n' && waited < 10_000; waited += 10) {
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(received).toBe('one\ntwo\n');
        client.end();
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(existsSync(file)).toBe(false);
    }, 30_000);

    it('a path another process listens on is refused (exit 1, the message names it) and keeps working for its owner', async () => {
        const file = socketPath();
        // The program probes the path (is anyone listening?) before it gives up: that connection is accepted here too.
        const owner = cleanup.server(createServer((socket) => cleanup.socket(socket).on('error', () => undefined).end('owner\n')));
        owner.listen({ path: file });
        await once(owner, 'listening');
        const program = startProgram(echoDir, { UNIX_ECHO_LISTENER: `unix:${file}` }, cleanup, [], { args: ['--trace=json'] });
        const exit = await program.exit(10_000);
        expect(exit.code).toBe(1);
        expect(program.stderr).toContain(`UnixEcho.listener: cannot listen on unix:${file}: address already in use`);
        const check = await connectUnix(file);
        const [reply] = (await once(check.setEncoding('utf8'), 'data')) as [string];
        expect(reply).toBe('owner\n');
    }, 30_000);

    it('a regular file at the path is not a stale socket: refused, and the file is left as it was', async () => {
        const file = socketPath();
        writeFileSync(file, 'precious');
        const program = startProgram(echoDir, { UNIX_ECHO_LISTENER: `unix:${file}` }, cleanup, [], { args: ['--trace=json'] });
        const exit = await program.exit(10_000);
        expect(exit.code).toBe(1);
        expect(readFileSync(file, 'utf8')).toBe('precious');
    }, 30_000);

    it('a malformed override (unix: without a path, a path over 107 bytes) stops the program before it starts (exit 2)', async () => {
        for (const value of ['unix:', `unix:/tmp/${'x'.repeat(120)}`]) {
            const program = startProgram(echoDir, { UNIX_ECHO_LISTENER: value }, cleanup, [], { args: ['--trace=json'] });
            const exit = await program.exit(10_000);
            expect(exit.code, value).toBe(2);
            expect(program.stderr).toContain('unix:PATH');
        }
    }, 30_000);
});

describe('connect unix:PATH', () => {
    it('a client talks to a Node server on a socket file, both ways, framed', async () => {
        const file = socketPath();
        let heard = '';
        const server = cleanup.server(
            createServer((socket) => {
                cleanup.socket(socket);
                socket.setEncoding('utf8');
                socket.on('data', (text: string) => {
                    heard += text;
                    if (heard === 'question\n') {
                        socket.write('answer\n');
                    } else if (heard === 'question\nanswer\n') {
                        socket.end();
                    }
                });
            })
        );
        server.listen({ path: file });
        await once(server, 'listening');
        const program = startProgram(clientDir, { UNIX_CLIENT_UPSTREAM: `unix:${file}` }, cleanup, [], { args: ['--trace=json'] });
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(heard).toBe('question\nanswer\n');
    }, 30_000);

    it('a socket file nobody listens on: the connect fails with its error', async () => {
        const program = startProgram(clientDir, { UNIX_CLIENT_UPSTREAM: `unix:${socketPath()}` }, cleanup, [], { args: ['--trace=json'] });
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', what: 'error', code: 'ENOENT' }));
    }, 30_000);
});
