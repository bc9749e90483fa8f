// Whole generated programs as child processes over loopback: SIGTERM during a transfer, running out of file
// descriptors, and talking to socat, a peer nobody here wrote.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, Program, buildProgram, hasCommand, removePrograms, startProgram } from './program-helpers.js';
import { Cleanup, sha256, within } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let serverDir = '';
let clientDir = '';

beforeAll(async () => {
    [serverDir, clientDir] = await Promise.all([
        buildProgram(path.join(FIXTURES, 'echo-server.fsm'), {
            'echo-server/echo-server.actions.ts.txt': 'echo-server.actions.ts',
            'echo-server/echo-session.actions.ts.txt': 'echo-session.actions.ts'
        }),
        buildProgram(path.join(ROOT, 'examples', 'echo-client.fsm'), {
            'echo-client/echo-client.actions.ts.txt': 'echo-client.actions.ts'
        })
    ]);
}, 90_000);

afterAll(() => removePrograms());

/** Starts the generated echo server on a port the OS picks and resolves with it and the port. */
async function startEchoServer(prefix: readonly string[] = []): Promise<{ program: Program; port: number }> {
    const program = startProgram(serverDir, { ECHO_SERVER_LISTENER: '127.0.0.1:0' }, cleanup, prefix);
    const match = await program.line(/^LISTENING (\d+)$/, 10_000);
    return { program, port: Number(match[1]) };
}

type Outcome = 'echoed' | 'dropped';

/** Connects, sends a line, and tells whether it came back or the connection was dropped (bounded). */
function probe(port: number, keep: Socket[]): Promise<Outcome> {
    return new Promise((resolve) => {
        const socket = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        let reply = '';
        const settle = (outcome: Outcome): void => {
            clearTimeout(timer);
            socket.removeAllListeners('data');
            if (outcome === 'echoed') {
                keep.push(socket);
            } else {
                socket.destroy();
            }
            resolve(outcome);
        };
        const timer = setTimeout(() => settle('dropped'), 3_000);
        socket.on('error', () => settle('dropped'));
        socket.on('close', () => settle('dropped'));
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => {
            reply += text;
            if (reply === 'probe\n') {
                settle('echoed');
            }
        });
        socket.on('connect', () => socket.write('probe\n'));
    });
}

describe('generated programs', () => {
    it('echo server: SIGTERM during a transfer exits 0 within the linger, after flushing every byte it accepted for writing', async () => {
        const { program, port } = await startEchoServer();
        const client = cleanup.socket(netConnect({ host: '127.0.0.1', port }));
        await within(new Promise((resolve) => client.once('connect', resolve)), 3_000, 'connect');
        const chunk = randomBytes(64 * 1024);
        const LIMIT = 512 * 1024 * 1024;
        let sent = 0;
        let received = 0;
        let stopped = false;
        let termAt = 0;
        const stop = (): void => {
            stopped = true;
        };
        client.on('end', stop);
        client.on('close', stop);
        client.on('error', stop);
        const pump = (): void => {
            while (!stopped && sent < LIMIT && !client.destroyed && client.writable) {
                sent += chunk.byteLength;
                if (!client.write(chunk)) {
                    client.once('drain', pump);
                    return;
                }
            }
        };
        const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        client.on('data', (data: Buffer) => {
            received += data.byteLength;
            if (termAt === 0 && received >= 2 * 1024 * 1024) {
                // Mid-transfer, both directions busy. The client stops reading until the server has taken the
                // Shutdown transition, so the server's sessions close with echoed bytes still waiting to be flushed.
                termAt = performance.now();
                client.pause();
                program.child.kill('SIGTERM');
                const resume = (): void => {
                    client.resume();
                };
                program.line(/EchoServer {2}Serving --Shutdown--> Stopped$/, 5_000).then(resume, resume);
            }
        });
        pump();
        const exit = await program.exit(15_000);
        await within(clientClosed, 5_000, 'the client socket to close');
        expect(termAt, 'SIGTERM was sent').toBeGreaterThan(0);
        expect(exit.code, program.output).toBe(0);
        expect(exit.signal).toBeNull();
        // Linger is 2 s: the program is gone by then, plus a margin for start-up of the exit path.
        expect(exit.at - termAt, program.output).toBeLessThan(2_000 + 1_500);
        expect(program.textTrace).toContain('EchoServer  Serving --Shutdown--> Stopped');
        expect(program.textTrace).toContain('EchoServer  finished in Stopped');
        const echoed = program.lines.find((line) => line.startsWith('ECHOED '));
        expect(echoed, program.output).toBeDefined();
        const accepted = Number(echoed!.slice('ECHOED '.length));
        expect(accepted).toBeGreaterThanOrEqual(2 * 1024 * 1024);
        // Every byte the server accepted for writing reached the client, and nothing was reported lost.
        expect(received).toBe(accepted);
        expect(program.stderr).not.toMatch(/ERR_UNFLUSHED|not sent|Error/);
        expect(sent).toBeGreaterThanOrEqual(accepted);
    }, 30_000);

    it('echo server: survives running out of file descriptors on accept and serves again once connections close', async (context) => {
        const prefix = hasCommand('prlimit') ? ['prlimit', '--nofile=64:64'] : ['bash', '-c', 'ulimit -n 64 && exec "$0" "$@"'];
        if (prefix[0] === 'bash' && !hasCommand('bash')) {
            context.skip();
        }
        const { program, port } = await startEchoServer(prefix);
        const open: Socket[] = [];
        const outcomes: Outcome[] = [];
        // Far more connections than 64 descriptors allow (Node itself holds about 20).
        for (let i = 0; i < 100; i++) {
            outcomes.push(await probe(port, open));
        }
        const echoed = outcomes.filter((o) => o === 'echoed').length;
        const dropped = outcomes.length - echoed;
        expect(echoed, `echoed ${echoed}, dropped ${dropped}`).toBeGreaterThan(10);
        expect(dropped, `the limit was reached: echoed ${echoed}, dropped ${dropped}`).toBeGreaterThan(0);
        expect(program.child.exitCode, program.output).toBeNull();
        expect(program.child.signalCode).toBeNull();
        // Every open session still works.
        for (const socket of open.slice(0, 5)) {
            const back = new Promise<string>((resolve) => socket.once('data', (text: string) => resolve(text)));
            socket.write('again\n');
            expect(await within(back, 3_000, 'an echo on an open session')).toBe('again\n');
        }
        // The clients close: every session finishes, which frees its descriptor.
        const finishedBefore = program.textTrace.filter((line) => /^EchoSession#\d+ {2}finished in /.test(line)).length;
        for (const socket of open) {
            socket.end();
        }
        await program.until(
            () => (program.textTrace.filter((line) => /^EchoSession#\d+ {2}finished in /.test(line)).length >= finishedBefore + open.length ? true : undefined),
            10_000,
            `${open.length} sessions to finish`
        );
        // A new connection is served again (allowing for an accept pause of up to 2 s after EMFILE).
        const again: Socket[] = [];
        let outcome: Outcome = 'dropped';
        const deadline = performance.now() + 5_000;
        for (let attempt = 0; attempt < 20 && outcome === 'dropped' && performance.now() < deadline; attempt++) {
            outcome = await probe(port, again);
        }
        expect(outcome, program.output).toBe('echoed');
        expect(program.stderr, program.output).not.toMatch(/Error|uncaught|EMFILE/i);
        program.child.kill('SIGTERM');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
    }, 40_000);

    it('echo server answers socat (a peer nobody here wrote): 1 MB through `socat - TCP:127.0.0.1:PORT` comes back intact', async () => {
        expect(hasCommand('socat'), 'socat is installed (apt-get install -y socat)').toBe(true);
        const { program, port } = await startEchoServer();
        const input = Buffer.from(randomBytes(768 * 1024).toString('base64').replace(/(.{76})/g, '$1\n') + '\n');
        const socat = cleanup.child(spawn('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'] }));
        const out: Buffer[] = [];
        let err = '';
        socat.stdout.on('data', (data: Buffer) => out.push(data));
        socat.stderr.on('data', (data: Buffer) => {
            err += data.toString();
        });
        const done = new Promise<number | null>((resolve) => socat.once('close', (code) => resolve(code)));
        socat.stdin.end(input);
        const code = await within(done, 10_000, 'socat to finish');
        expect(code, err).toBe(0);
        const output = Buffer.concat(out);
        expect(output.byteLength).toBe(input.byteLength);
        expect(sha256([output])).toBe(sha256([input]));
        // socat closed its side after stdin's end: the session saw it and finished.
        await program.line(/EchoSession#1 {2}finished in Closed$/, 3_000);
        expect(program.textTrace).toContain('EchoSession#1  Open --PeerClosed--> Closed');
        program.child.kill('SIGTERM');
        expect((await program.exit(5_000)).code, program.output).toBe(0);
    }, 20_000);

    it('echo client talks to a socat echo server (`socat TCP-LISTEN:…,fork EXEC:cat`) and shuts down cleanly on SIGTERM', async () => {
        expect(hasCommand('socat'), 'socat is installed (apt-get install -y socat)').toBe(true);
        const socat = cleanup.child(
            spawn('socat', ['-d', '-d', 'TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork', 'EXEC:cat'], { stdio: ['ignore', 'ignore', 'pipe'] })
        );
        let log = '';
        const port = await within(
            new Promise<number>((resolve) => {
                socat.stderr.on('data', (data: Buffer) => {
                    log += data.toString();
                    const match = /listening on AF=2 127\.0\.0\.1:(\d+)/.exec(log);
                    if (match) {
                        resolve(Number(match[1]));
                    }
                });
            }),
            5_000,
            'socat to listen'
        );
        const program = startProgram(clientDir, { ECHO_CLIENT_UPSTREAM: `127.0.0.1:${port}` }, cleanup);
        await program.line(/^REPLY hello from reactor-fsm$/, 10_000);
        expect(program.textTrace).toContain('EchoClient  starts in Connecting');
        expect(program.textTrace).toContain('EchoClient  Connecting --Connected--> Online');
        program.child.kill('SIGTERM');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.textTrace).toContain('EchoClient  Online --Shutdown--> Done');
        expect(program.textTrace).toContain('EchoClient  finished in Done');
        // socat's side saw the connection come and go without errors of its own.
        await within(
            new Promise<void>((resolve) => {
                const check = (): void => {
                    if (/exiting with status 0|childdied|exited with status 0/.test(log)) {
                        resolve();
                    }
                };
                socat.stderr.on('data', check);
                check();
            }),
            3_000,
            `socat's child to end:\n${log}`
        );
        expect(log).not.toMatch(/ E /);
        expect(program.stderr).toBe('');
    }, 20_000);
});
