// Generated programs with `tls { … }` blocks, run for real as two processes: a TLS echo server (a session per client,
// framing lines) and a TLS client whose actions send numbered lines and hash the echo. Certificates come from openssl
// (tls-certificates.ts). A client that does not trust the server's certificate sees its `error` event with Node's code,
// as the interpreter does for `api error CODE`; the environment overrides a model's file; a server whose certificate
// file is missing exits 1 naming the file.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { buildProgramFrom, interpreterTrace, Program, removePrograms, untimed } from './program-helpers.js';
import { absenceWindow, Cleanup, closedPort } from './runtime-helpers.js';
import { makeTestCertificates, type TestCertificates } from './tls-certificates.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SERVER = `
machine EchoSession {
    events Line, Gone, Failed(Error)
    initial state Open {
        on Line / send peer payload
        on Failed -> Closed
        on Gone -> Closed
    }
    final state Closed
    connection peer {
        framing lines
        read -> Line
        error -> Failed
        close -> Gone
    }
}

machine EchoServer {
    events Quit
    initial state Serving { on Quit -> Done }
    final state Done
    server listener listen 127.0.0.1:0 {
        session EchoSession
        tls { cert "certs/server.pem" key "certs/server-key.pem" }
    }
    signal SIGTERM -> Quit
}`;

const CLIENT = `
machine EchoClient {
    events Up, Reply(string), AllBack, Failed(Error), Gone
    initial state Connecting {
        on Up -> Online / sendLines
        on Failed -> Done
        on Gone -> Done
    }
    state Online {
        on Reply / check
        on AllBack -> Done
        on Failed -> Done
        on Gone -> Done
    }
    final state Done
    client api connect 127.0.0.1:9 {
        tls { ca "certs/ca.pem" servername "localhost" }
        framing lines
        connect -> Up
        read -> Reply
        error -> Failed
        close -> Gone
    }
}`;

/** The client's actions: ECHO_LINES numbered lines sent at once; each echo hashed; at the last, the hash on stdout and AllBack. */
const CLIENT_ACTIONS = `import { createHash } from 'node:crypto';
import { EchoClientEvent, type EchoClientActions } from './echo-client.events.js';

const count = Number(process.env.ECHO_LINES ?? '1000');
const hash = createHash('sha256');
let echoed = 0;

export const echoClientActions: EchoClientActions = {
    sendLines(machine) {
        for (let index = 0; index < count; index++) {
            machine.sockets.api.send(\`line \${index} \${'x'.repeat(index % 500)}\`);
        }
    },

    check(machine, payload) {
        hash.update(\`\${payload}\\n\`);
        echoed++;
        if (echoed === count) {
            process.stdout.write(\`echoed \${echoed} \${hash.digest('hex')}\\n\`);
            machine.raise(EchoClientEvent.AllBack);
        }
    },
};
`;

/** What the client sends (and must get back): the same lines as its actions. */
function expectedHash(count: number): string {
    const hash = createHash('sha256');
    for (let index = 0; index < count; index++) {
        hash.update(`line ${index} ${'x'.repeat(index % 500)}\n`);
    }
    return hash.digest('hex');
}

let certificates: TestCertificates;
let serverDir = '';
let clientDir = '';
const workDirs: string[] = [];

beforeAll(async () => {
    certificates = makeTestCertificates();
    [serverDir, clientDir] = await Promise.all([buildProgramFrom(SERVER, {}), buildProgramFrom(CLIENT, { 'echo-client.actions.ts': CLIENT_ACTIONS })]);
}, 150_000);

afterAll(async () => {
    for (const dir of workDirs.splice(0)) {
        await rm(dir, { recursive: true, force: true });
    }
    certificates?.remove();
    await removePrograms();
});

/** A working directory with certs/ holding `files` (source path → name in certs/). */
async function workDir(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rfsm-tls-program-'));
    workDirs.push(dir);
    await mkdir(path.join(dir, 'certs'));
    for (const [source, name] of Object.entries(files)) {
        await copyFile(source, path.join(dir, 'certs', name));
    }
    return dir;
}

function start(project: string, cwd: string, env: Record<string, string>): Program {
    return new Program(process.execPath, [path.join(project, 'dist', 'main.js'), '--trace=json'], cwd, env, cleanup);
}

/** Waits (bounded) until a plain TCP connect to the port succeeds: the server listens (the probe is closed at once). */
async function listening(port: number, server: Program): Promise<void> {
    for (let attempt = 0; ; attempt++) {
        const connected = await new Promise<boolean>((resolve) => {
            const socket = netConnect({ host: '127.0.0.1', port });
            socket.once('connect', () => {
                socket.destroy();
                resolve(true);
            });
            socket.once('error', () => resolve(false));
        });
        if (connected) {
            return;
        }
        if (attempt > 300 || server.child.exitCode !== null) {
            throw new Error(`the server does not listen on ${port}:\n${server.output}`);
        }
        await absenceWindow(20);
    }
}

/** A TLS echo server with the CA's server certificate, listening. */
async function startServer(): Promise<{ server: Program; port: number }> {
    const dir = await workDir({ [certificates.server.cert]: 'server.pem', [certificates.server.key]: 'server-key.pem' });
    const port = await closedPort();
    const server = start(serverDir, dir, { ECHO_SERVER_LISTENER: `127.0.0.1:${port}` });
    await listening(port, server);
    return { server, port };
}

type Fields = { kind: string; machine?: string; socket?: string; what?: string; code?: string };
const fields = (line: TraceLine): Fields => line as unknown as Fields;

/** The trace of the client machine only (the probe connection and the sessions are the server's). */
const clientLines = (program: Program): TraceLine[] => program.jsonTrace.filter((line) => fields(line).machine === 'EchoClient');

describe('a generated TLS client and a generated TLS server, as two processes', () => {
    it('round trip: 3000 lines out and back over TLS (sha256), the client exits 0, the server stops on SIGTERM', async () => {
        const { server, port } = await startServer();
        const dir = await workDir({ [certificates.ca]: 'ca.pem' });
        const count = 3000;
        const client = start(clientDir, dir, { ECHO_CLIENT_API: `127.0.0.1:${port}`, ECHO_LINES: String(count) });
        const exit = await client.exit(30_000);
        expect(exit.code, client.output).toBe(0);
        expect(client.lines).toContain(`echoed ${count} ${expectedHash(count)}`);
        expect(clientLines(client)).toContainEqual(expect.objectContaining({ kind: 'transition', from: 'Online', event: 'AllBack', to: 'Done' }));
        server.child.kill('SIGTERM');
        expect((await server.exit(10_000)).code, server.output).toBe(0);
        // The session of the round trip started only after the handshake; the plain TCP probe started none.
        expect(server.jsonTrace.filter((line) => line.kind === 'start' && fields(line).machine?.startsWith('EchoSession#'))).toHaveLength(1);
    }, 60_000);

    it('a client trusting another CA: error UNABLE_TO_VERIFY_LEAF_SIGNATURE (the model then finishes), the same trace as the interpreter for `api error …`', async () => {
        const { server, port } = await startServer();
        const dir = await workDir({ [certificates.otherCa]: 'ca.pem' });
        const client = start(clientDir, dir, { ECHO_CLIENT_API: `127.0.0.1:${port}` });
        const exit = await client.exit(30_000);
        expect(exit.code, client.output).toBe(0);
        expect(client.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', socket: 'api', what: 'error', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }));
        const expected = await interpreterTrace(CLIENT, 'api error UNABLE_TO_VERIFY_LEAF_SIGNATURE');
        expect(untimed(client.jsonTrace)).toEqual(untimed(expected));
        server.child.kill('SIGTERM');
        expect((await server.exit(10_000)).code, server.output).toBe(0);
        expect(server.jsonTrace.filter((line) => line.kind === 'start' && fields(line).machine?.startsWith('EchoSession#'))).toHaveLength(0);
    }, 60_000);

    it('ECHO_CLIENT_API_TLS_CA overrides the model\'s file: the right CA from the environment makes the same client succeed', async () => {
        const { server, port } = await startServer();
        const dir = await workDir({ [certificates.otherCa]: 'ca.pem' });
        const count = 50;
        const client = start(clientDir, dir, { ECHO_CLIENT_API: `127.0.0.1:${port}`, ECHO_LINES: String(count), ECHO_CLIENT_API_TLS_CA: certificates.ca });
        const exit = await client.exit(30_000);
        expect(exit.code, client.output).toBe(0);
        expect(client.lines).toContain(`echoed ${count} ${expectedHash(count)}`);
        server.child.kill('SIGTERM');
        expect((await server.exit(10_000)).code, server.output).toBe(0);
    }, 60_000);

    it('a self-signed server certificate (through ECHO_SERVER_LISTENER_TLS_CERT/_KEY): the client\'s error DEPTH_ZERO_SELF_SIGNED_CERT, as the interpreter says', async () => {
        const dir = await workDir({});
        const port = await closedPort();
        const server = start(serverDir, dir, {
            ECHO_SERVER_LISTENER: `127.0.0.1:${port}`,
            ECHO_SERVER_LISTENER_TLS_CERT: certificates.selfSigned.cert,
            ECHO_SERVER_LISTENER_TLS_KEY: certificates.selfSigned.key
        });
        await listening(port, server);
        const client = start(clientDir, await workDir({ [certificates.ca]: 'ca.pem' }), { ECHO_CLIENT_API: `127.0.0.1:${port}` });
        expect((await client.exit(30_000)).code, client.output).toBe(0);
        expect(untimed(client.jsonTrace)).toEqual(untimed(await interpreterTrace(CLIENT, 'api error DEPTH_ZERO_SELF_SIGNED_CERT')));
        expect(client.jsonTrace).toContainEqual(expect.objectContaining({ what: 'error', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
        server.child.kill('SIGTERM');
        expect((await server.exit(10_000)).code, server.output).toBe(0);
    }, 60_000);

    it('a servername the certificate does not name (ECHO_CLIENT_API_TLS_SERVERNAME): error ERR_TLS_CERT_ALTNAME_INVALID, as the interpreter says', async () => {
        const { server, port } = await startServer();
        const dir = await workDir({ [certificates.ca]: 'ca.pem' });
        const client = start(clientDir, dir, { ECHO_CLIENT_API: `127.0.0.1:${port}`, ECHO_CLIENT_API_TLS_SERVERNAME: 'wrong.example' });
        expect((await client.exit(30_000)).code, client.output).toBe(0);
        expect(client.jsonTrace).toContainEqual(expect.objectContaining({ what: 'error', code: 'ERR_TLS_CERT_ALTNAME_INVALID' }));
        expect(untimed(client.jsonTrace)).toEqual(untimed(await interpreterTrace(CLIENT, 'api error ERR_TLS_CERT_ALTNAME_INVALID')));
        server.child.kill('SIGTERM');
        expect((await server.exit(10_000)).code, server.output).toBe(0);
    }, 60_000);

    it('mutual TLS from the environment (ECHO_SERVER_LISTENER_TLS_CA): a client without a certificate is refused after its connect; with one (…_TLS_CERT/_KEY) it gets its echo', async () => {
        const dir = await workDir({ [certificates.server.cert]: 'server.pem', [certificates.server.key]: 'server-key.pem' });
        const port = await closedPort();
        const server = start(serverDir, dir, { ECHO_SERVER_LISTENER: `127.0.0.1:${port}`, ECHO_SERVER_LISTENER_TLS_CA: certificates.ca });
        await listening(port, server);
        const clientDirWithCa = await workDir({ [certificates.ca]: 'ca.pem' });

        const refused = start(clientDir, clientDirWithCa, { ECHO_CLIENT_API: `127.0.0.1:${port}`, ECHO_LINES: '1' });
        expect((await refused.exit(30_000)).code, refused.output).toBe(0);
        // Under TLS 1.3 (Node's default) the client has connected before the server refuses it: connect, then the error.
        expect(refused.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', socket: 'api', what: 'error', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }));
        const steps = ['api connected', 'api error ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'];
        expect(untimed(refused.jsonTrace)).toEqual(untimed(await interpreterTrace(CLIENT, steps.join('\n'))));

        const count = 100;
        const accepted = start(clientDir, clientDirWithCa, {
            ECHO_CLIENT_API: `127.0.0.1:${port}`,
            ECHO_LINES: String(count),
            ECHO_CLIENT_API_TLS_CERT: certificates.client.cert,
            ECHO_CLIENT_API_TLS_KEY: certificates.client.key
        });
        expect((await accepted.exit(30_000)).code, accepted.output).toBe(0);
        expect(accepted.lines).toContain(`echoed ${count} ${expectedHash(count)}`);
        server.child.kill('SIGTERM');
        expect((await server.exit(10_000)).code, server.output).toBe(0);
        expect(server.jsonTrace.filter((line) => line.kind === 'start' && fields(line).machine?.startsWith('EchoSession#'))).toHaveLength(1);
    }, 60_000);

    it('a server whose certificate file is missing: error ENOENT on its listener, exit 1, the file named on stderr', async () => {
        const dir = await workDir({ [certificates.server.key]: 'server-key.pem' });
        const port = await closedPort();
        const server = start(serverDir, dir, { ECHO_SERVER_LISTENER: `127.0.0.1:${port}` });
        const exit = await server.exit(15_000);
        expect(exit.code, server.output).toBe(1);
        expect(server.stderr).toContain('certs/server.pem');
        expect(server.stderr).toMatch(/cannot read the tls cert file "certs\/server\.pem"/);
        expect(server.jsonTrace).toContainEqual(expect.objectContaining({ kind: 'io', machine: 'EchoServer', socket: 'listener', what: 'error', code: 'ENOENT' }));
        expect(untimed(server.jsonTrace)).toEqual(untimed(await interpreterTrace(SERVER, 'listener error ENOENT')));
    }, 30_000);
});
