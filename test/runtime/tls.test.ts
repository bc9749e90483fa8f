// TLS clients and servers over real loopback sockets, with certificates made by openssl in the test: round trips of
// framed lines, Node and openssl peers, mutual TLS, handshake failures as error events, unreadable files, environment
// overrides, the connect timeout over a handshake, the peer's FIN and a graceful close over TLS.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type TLSSocket, type TlsOptions } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientDispatcher, type ClientOptions } from '../../templates/runtime/client-dispatcher.js';
import { ConnectionDispatcher } from '../../templates/runtime/connection-dispatcher.js';
import { ReactorError } from '../../templates/runtime/errors.js';
import type { FramingSpec } from '../../templates/runtime/framing.js';
import type { Machine, MachineHost, MachineObserver } from '../../templates/runtime/machine.js';
import { ServerDispatcher, type ServerOptions } from '../../templates/runtime/server-dispatcher.js';
import { clientTlsOptions, TlsSetupError, tlsFromEnv, type TlsFiles } from '../../templates/runtime/tls.js';
import { Changes, Cleanup, RecordingMachine, TestHost, connectTo, listen, sha256, streamEvents, within } from './runtime-helpers.js';
import { makeTestCertificates, OPENSSL, type TestCertificates } from './tls-certificates.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let certs: TestCertificates;
beforeAll(() => {
    certs = makeTestCertificates();
}, 60_000);
afterAll(() => certs.remove());

const LINES: FramingSpec = { kind: 'lines', maxLength: 64 * 1024 };
const SERVER_NAMES = ['accept', 'error', 'close'];

/** The server's own files: its certificate and key, and (for mutual TLS) the CA its clients' certificates come from. */
const serverFiles = (extra: TlsFiles = {}): TlsFiles => ({ cert: certs.server.cert, key: certs.server.key, ...extra });

/** A session as generated ones are: it exposes its connection. */
class Session extends RecordingMachine {
    connection: ConnectionDispatcher | undefined;
    socket: Socket | undefined;
}

/** A host that records what would stop the program (a listen failure with no `error` mapped). */
class FailingHost extends TestHost {
    readonly failures: string[] = [];

    fail(message: string): void {
        this.failures.push(message);
    }
}

interface TlsServerRig {
    machine: RecordingMachine;
    server: ServerDispatcher;
    sessions: Session[];
    /** Notified at every session started. */
    changes: Changes;
}

/**
 * Our TLS server (a ServerDispatcher with `tls`) whose sessions echo every line they read (or do what `react` says),
 * with lines framing.
 */
function tlsServer(options: Partial<ServerOptions>, react?: (session: Session, line: Buffer) => void, host: TestHost = new TestHost(), events = { accept: 0, error: 1, close: 2 }): TlsServerRig {
    const machine = new RecordingMachine(host, SERVER_NAMES);
    const sessions: Session[] = [];
    const changes = new Changes();
    const factory = (sessionHost: MachineHost, socket: Socket): Machine => {
        const session = new Session(sessionHost);
        const peer = new ConnectionDispatcher(session, 'peer', streamEvents(), { framing: LINES }, socket);
        session.connection = peer;
        session.socket = socket;
        cleanup.add(() => peer.destroy());
        session.reaction = (record) => {
            if (record.event === 'read') {
                if (react) {
                    react(session, record.payload as Buffer);
                } else {
                    peer.send(record.payload as Buffer);
                }
            }
        };
        sessions.push(session);
        changes.notify();
        return session;
    };
    const server = new ServerDispatcher(machine, 'listener', events, { host: '127.0.0.1', port: 0, ...options }, factory);
    cleanup.add(() => server.close());
    machine.start();
    return { machine, server, sessions, changes };
}

/** Our TLS client to `port` with lines framing, torn down after the test. */
function tlsClient(machine: Machine, options: Partial<ClientOptions> & { port: number }): ClientDispatcher {
    const dispatcher = new ClientDispatcher(machine, 'upstream', streamEvents(), { host: '127.0.0.1', framing: LINES, ...options });
    cleanup.add(() => {
        void dispatcher.close();
        dispatcher.destroy();
    });
    return dispatcher;
}

/** A Node TLS server on 127.0.0.1 (the peer of our client); `onSocket` gets every socket whose handshake is done. */
async function nodeTlsServer(options: TlsOptions, onSocket: (socket: TLSSocket) => void): Promise<{ port: number; rejected: Error[] }> {
    const rejected: Error[] = [];
    const server = cleanup.server(
        createTlsServer(options, (socket) => {
            cleanup.socket(socket);
            onSocket(socket);
        })
    );
    server.on('tlsClientError', (error) => rejected.push(error));
    server.listen({ host: '127.0.0.1', port: 0 });
    await within(once(server, 'listening'), 2_000, 'the Node TLS server to listen');
    const address = server.address();
    return { port: typeof address === 'object' && address !== null ? address.port : 0, rejected };
}

/** A Node TLS client of our server; resolves once the handshake is done. (Node's tls.connect takes allowHalfOpen; its types do not say so.) */
async function nodeTlsClient(port: number, options: ConnectionOptions & { allowHalfOpen?: boolean } = {}): Promise<TLSSocket> {
    const socket = cleanup.socket(tlsConnect({ host: '127.0.0.1', port, ca: readPem(certs.ca), ...options }));
    await within(once(socket, 'secureConnect'), 3_000, 'the handshake with our server');
    return socket;
}

function readPem(file: string): Buffer {
    return clientTlsOptions({ ca: file }, '').ca as Buffer;
}

/** Everything a socket receives until its peer ends it. */
async function receiveAll(socket: Socket, ms: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await within(once(socket, 'end'), ms, 'the peer to end');
    return Buffer.concat(chunks);
}

function codeOf(payload: unknown): string | undefined {
    return (payload as NodeJS.ErrnoException).code;
}

/** Lines of printable bytes, different from each other, `count` × about `size` bytes. */
function makeLines(count: number, size: number, seed: string): Buffer[] {
    return Array.from({ length: count }, (_, i) => Buffer.from(`${seed}-${i}-${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(size / 36)).slice(i % 36, size)}`));
}

describe('tlsFromEnv', () => {
    it('overrides each file and the server name from PREFIX_TLS_*, when set and not empty, and leaves the model alone', () => {
        const model: TlsFiles = { ca: 'certs/ca.pem', cert: 'certs/client.pem', key: 'certs/client.key' };
        const env = { ECHO_CLIENT_UPSTREAM_TLS_CA: '/etc/ca.pem', ECHO_CLIENT_UPSTREAM_TLS_KEY: '', ECHO_CLIENT_UPSTREAM_TLS_SERVERNAME: 'db.internal', OTHER_TLS_CERT: 'x.pem' };
        expect(tlsFromEnv('ECHO_CLIENT_UPSTREAM', model, env)).toEqual({ ca: '/etc/ca.pem', cert: 'certs/client.pem', key: 'certs/client.key', servername: 'db.internal' });
        expect(model).toEqual({ ca: 'certs/ca.pem', cert: 'certs/client.pem', key: 'certs/client.key' });
        expect(tlsFromEnv('ECHO_CLIENT_UPSTREAM', {}, { ECHO_CLIENT_UPSTREAM_TLS_CERT: 'c.pem' })).toEqual({ cert: 'c.pem' });
        expect(tlsFromEnv('ECHO_CLIENT_UPSTREAM', model, {})).toEqual(model);
    });

    it('a client whose model names a missing CA connects with the CA the environment gives', async () => {
        const { server } = tlsServer({ tls: serverFiles() });
        await server.listen();
        const machine = new RecordingMachine();
        const tls = tlsFromEnv('APP_UPSTREAM', { ca: path.join(certs.folder, 'no-such-ca.pem') }, { APP_UPSTREAM_TLS_CA: certs.ca });
        const client = tlsClient(machine, { port: server.port!, tls });
        client.connect();
        await machine.next('connect', 3_000);
        client.send('over tls');
        expect((await machine.next('read', 3_000)).payload).toEqual(Buffer.from('over tls'));
    });
});

describe('TLS client and server', () => {
    it('our client and our server: a few MB of framed lines each way arrive whole and in order (hashes), then a graceful close', async () => {
        const { server, sessions } = tlsServer({ tls: serverFiles() });
        await server.listen();
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port: server.port!, tls: { ca: certs.ca } });
        const lines = makeLines(40_000, 100, 'up');
        let reads = 0;
        machine.reaction = (record) => {
            if (record.event === 'connect') {
                for (const line of lines) {
                    client.send(line);
                }
            } else if (record.event === 'read') {
                reads++;
            }
        };
        client.connect();
        // Counted as they come (the log is long: a condition that scans it at every event would be quadratic).
        await machine.until(() => reads >= lines.length || undefined, 30_000, 'every echoed line');
        const echoed = machine.named('read').map((r) => r.payload as Buffer);
        expect(echoed).toHaveLength(lines.length);
        expect(sha256(echoed)).toBe(sha256(lines));
        expect(sessions).toHaveLength(1);
        expect(sha256(sessions[0]!.named('read').map((r) => r.payload as Buffer))).toBe(sha256(lines));
        expect(client.bytesOut).toBeGreaterThan(3_000_000);
        expect(client.bytesIn).toBe(client.bytesOut);
        // The session's socket is a TLS socket whose handshake was done before the session started.
        expect((sessions[0]!.socket as TLSSocket).encrypted).toBe(true);
        await within(client.close(), 3_000, 'the graceful close');
        await sessions[0]!.next('close', 3_000);
        expect(machine.sequence.filter((e) => e !== 'read' && e !== 'drain')).toEqual(['connect', 'close']);
        expect(machine.named('close')[0]!.payload).toBe(false);
        expect(server.tlsRejected).toBe(0);
    });

    it('our client against a Node TLS server with mutual TLS: connect comes after the handshake, and the server saw our certificate', async () => {
        const { port } = await nodeTlsServer({ cert: readPem(certs.server.cert), key: readPem(certs.server.key), ca: readPem(certs.ca), requestCert: true, rejectUnauthorized: true }, (socket) => {
            socket.write(`hello ${String(socket.getPeerCertificate().subject.CN)}\n`);
            socket.end();
        });
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port, tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } });
        let authorizedAtConnect: boolean | undefined;
        machine.reaction = (record) => {
            if (record.event === 'connect') {
                authorizedAtConnect = (client.socket as TLSSocket).authorized;
            }
        };
        client.connect();
        await machine.next('close', 3_000);
        expect(authorizedAtConnect).toBe(true);
        expect(machine.sequence).toEqual(['connect', 'read', 'close']);
        expect(machine.named('read')[0]!.payload).toEqual(Buffer.from('hello client'));
    });

    it('our client checks the name it is given as servername (SNI), not the address it connects to', async () => {
        let sni: string | false | null | undefined;
        const { port } = await nodeTlsServer({ cert: readPem(certs.wrongName.cert), key: readPem(certs.wrongName.key) }, (socket) => {
            sni = socket.servername;
            socket.end('named\n');
        });
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port, tls: { ca: certs.ca, servername: 'wrong.example' } });
        client.connect();
        await machine.next('close', 3_000);
        expect(machine.sequence).toEqual(['connect', 'read', 'close']);
        expect(sni).toBe('wrong.example');
    });

    it('our server against openssl s_client (-CAfile, stdin closed): the line comes back and s_client verified us', async () => {
        const { server, sessions } = tlsServer({ tls: serverFiles() }, (session, line) => {
            session.connection!.send(Buffer.concat([Buffer.from('echo '), line]));
            void session.connection!.close();
        });
        await server.listen();
        const child = cleanup.child(
            spawn(OPENSSL, ['s_client', '-connect', `127.0.0.1:${server.port!}`, '-CAfile', certs.ca, '-verify_return_error', '-verify_ip', '127.0.0.1', '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] })
        );
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        child.stdin.end('from openssl\n');
        const [code] = (await within(once(child, 'exit'), 10_000, 's_client to exit')) as [number | null];
        expect(Buffer.concat(out).toString()).toBe('echo from openssl\n');
        expect(code, Buffer.concat(err).toString()).toBe(0);
        expect(Buffer.concat(err).toString()).toContain('verify return:1');
        expect(sessions).toHaveLength(1);
        expect(server.accepted).toBe(1);
    });

    it('mutual TLS, openssl s_client: with a client certificate it is served; without one it is refused, counted, and starts no session', async () => {
        const { machine, server, sessions } = tlsServer({ tls: serverFiles({ ca: certs.ca }) }, (session, line) => {
            const cn = String((session.socket as TLSSocket).getPeerCertificate().subject.CN);
            session.connection!.send(`${line.toString()} from ${cn}`);
            void session.connection!.close();
        });
        await server.listen();
        const run = async (extra: string[]): Promise<{ code: number | null; out: string }> => {
            const child = cleanup.child(spawn(OPENSSL, ['s_client', '-connect', `127.0.0.1:${server.port!}`, '-CAfile', certs.ca, '-verify_return_error', '-quiet', ...extra], { stdio: ['pipe', 'pipe', 'ignore'] }));
            const out: Buffer[] = [];
            child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
            child.stdin.end('hi\n');
            const [code] = (await within(once(child, 'exit'), 10_000, 's_client to exit')) as [number | null];
            return { code, out: Buffer.concat(out).toString() };
        };
        const served = await run(['-cert', certs.client.cert, '-key', certs.client.key]);
        expect(served).toEqual({ code: 0, out: 'hi from client\n' });
        const refused = await run([]);
        expect(refused.out).toBe('');
        expect(server.tlsRejected).toBe(1);
        expect(server.accepted).toBe(1);
        expect(sessions).toHaveLength(1);
        expect(machine.sequence).toEqual(['accept']);
    });

    it('mutual TLS, our client and our server: accepted with a client certificate; without one the client hears an error and close, the server counts a rejection and starts no session', async () => {
        const { machine: serverMachine, server, sessions } = tlsServer({ tls: serverFiles({ ca: certs.ca }) });
        await server.listen();
        const port = server.port!;
        const withCert = new RecordingMachine();
        const accepted = tlsClient(withCert, { port, tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } });
        withCert.reaction = (record) => record.event === 'connect' && accepted.send('mine');
        accepted.connect();
        expect((await withCert.next('read', 3_000)).payload).toEqual(Buffer.from('mine'));
        expect(String((sessions[0]!.socket as TLSSocket).getPeerCertificate().subject.CN)).toBe('client');

        const without = new RecordingMachine();
        const refused = tlsClient(without, { port, tls: { ca: certs.ca } });
        refused.connect();
        await without.next('close', 3_000);
        const errors = without.named('error');
        expect(errors).toHaveLength(1);
        // TLS 1.3: the client's handshake is done before the server checks its certificate, so it may see `connect`
        // first; then the server's alert (certificate required) comes as the error.
        expect(codeOf(errors[0]!.payload)).toMatch(/^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_HANDSHAKE_FAILURE)$/);
        expect(without.sequence.filter((e) => e !== 'connect')).toEqual(['error', 'close']);
        expect(without.named('close')[0]!.payload).toBe(true);
        // The server counts the rejection when it sends the alert the client has now received.
        expect(server.tlsRejected).toBe(1);
        expect(server.accepted).toBe(1);
        expect(sessions).toHaveLength(1);
        expect(serverMachine.sequence).toEqual(['accept']);
    });

    it('a plain TCP client of a TLS server is refused and counted: no session, no server event', async () => {
        const { machine, server, sessions } = tlsServer({ tls: serverFiles() });
        await server.listen();
        const socket = await connectTo(cleanup, server.port!);
        socket.on('error', () => undefined);
        socket.write('GET / HTTP/1.0\r\n\r\n');
        await within(once(socket, 'close'), 3_000, 'the server to drop the plain client');
        expect(server.tlsRejected).toBe(1);
        expect(server.accepted).toBe(0);
        expect(sessions).toHaveLength(0);
        expect(machine.sequence).toEqual([]);
    });

    it('out of descriptors (EMFILE), a TLS server pauses and listens again on the same port, still with TLS', async () => {
        const { machine, server } = tlsServer({ tls: serverFiles() });
        await server.listen();
        const port = server.port!;
        server.handleError(Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
        expect(server.pauses).toBe(1);
        await within(once(server.server!, 'listening'), 3_000, 'listening again');
        expect(server.port).toBe(port);
        const socket = await nodeTlsClient(port);
        const reply = once(socket, 'data') as Promise<[Buffer]>;
        socket.write('back\n');
        expect((await within(reply, 3_000, 'the echo'))[0].toString()).toBe('back\n');
        expect(machine.sequence).toEqual(['error', 'accept']);
    });

    const failures: Array<[string, () => TlsFiles, () => TlsFiles, string]> = [
        ['a self-signed certificate', () => certs.selfSigned, () => ({ ca: certs.ca }), 'DEPTH_ZERO_SELF_SIGNED_CERT'],
        ['a self-signed certificate, with Node\u2019s default CAs', () => certs.selfSigned, () => ({}), 'DEPTH_ZERO_SELF_SIGNED_CERT'],
        ['a certificate of another CA', () => certs.server, () => ({ ca: certs.otherCa }), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
        ['a certificate for another name', () => certs.wrongName, () => ({ ca: certs.ca }), 'ERR_TLS_CERT_ALTNAME_INVALID'],
        ['an expired certificate', () => certs.expired, () => ({ ca: certs.ca }), 'CERT_HAS_EXPIRED']
    ];
    for (const [what, serverPair, clientFiles, code] of failures) {
        it(`a server with ${what}: the client's error event has code ${code}, traced, then close; no connect`, async () => {
            const { server, sessions } = tlsServer({ tls: serverPair() });
            await server.listen();
            const host = new TestHost();
            const traced: Array<[string, unknown]> = [];
            const observer: MachineObserver = { io: (_machine, socket, io, detail) => traced.push([`${socket} ${io}`, detail]) };
            host.observers.push(observer);
            const machine = new RecordingMachine(host);
            const client = tlsClient(machine, { port: server.port!, tls: clientFiles() });
            client.connect();
            await machine.next('close', 3_000);
            expect(machine.sequence).toEqual(['error', 'close']);
            expect(codeOf(machine.named('error')[0]!.payload)).toBe(code);
            expect(machine.named('close')[0]!.payload).toBe(true);
            expect(traced).toEqual([
                ['upstream error', { code }],
                ['upstream close', { hadError: true }]
            ]);
            expect(sessions).toHaveLength(0);
            expect(client.active).toBe(false);
        });
    }

    it('a refused certificate is a failed connect: the client reconnects with backoff, and close() stops it', async () => {
        const { server } = tlsServer({ tls: certs.selfSigned });
        await server.listen();
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port: server.port!, tls: { ca: certs.ca }, reconnect: { minMs: 10, maxMs: 20 } });
        client.connect();
        await machine.until((log) => log.filter((r) => r.event === 'close').length >= 3 || undefined, 5_000, 'three failed connects');
        await client.close();
        expect(machine.sequence.slice(0, 6)).toEqual(['error', 'close', 'error', 'close', 'error', 'close']);
        expect(new Set(machine.named('error').map((r) => codeOf(r.payload)))).toEqual(new Set(['DEPTH_ZERO_SELF_SIGNED_CERT']));
        expect(client.nextReconnectMs).toBeUndefined();
    });

    it('the connect timeout covers the handshake: a listener that accepts and says nothing gives timeout ETIMEDOUT, then close', async () => {
        const { port } = await listen(cleanup, () => undefined);
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port, tls: { ca: certs.ca }, connectTimeoutMs: 300 });
        client.connect();
        const timeout = await machine.next('timeout', 3_000);
        expect(timeout.payload).toBeInstanceOf(ReactorError);
        expect(codeOf(timeout.payload)).toBe('ETIMEDOUT');
        await machine.next('close', 2_000);
        expect(machine.sequence).toEqual(['timeout', 'close']);
        expect(client.active).toBe(false);
    });

    it('close() during a handshake abandons it: close is reported, no connect and no error', async () => {
        const { port } = await listen(cleanup, () => undefined);
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port, tls: { ca: certs.ca } });
        client.connect();
        await within(once(client.socket!, 'connect'), 2_000, 'the TCP connect');
        expect(client.active).toBe(true);
        await within(client.close(), 2_000, 'the close');
        await machine.next('close', 2_000);
        expect(machine.sequence).toEqual(['close']);
    });

    it('a client whose CA file is missing hears error ENOENT naming the setting and the file, then close; nothing crashes', async () => {
        const machine = new RecordingMachine();
        const missing = path.join(certs.folder, 'missing-ca.pem');
        const client = tlsClient(machine, { port: 1, tls: { ca: missing } });
        client.connect();
        await machine.next('close', 2_000);
        expect(machine.sequence).toEqual(['error', 'close']);
        const error = machine.named('error')[0]!.payload as TlsSetupError;
        expect(error).toBeInstanceOf(TlsSetupError);
        expect(error.code).toBe('ENOENT');
        expect(error.setting).toBe('ca');
        expect(error.message).toContain('tls ca file');
        expect(error.message).toContain(missing);
        expect(client.active).toBe(false);
    });

    it('any errno is passed on: a CA path that is a folder is error EISDIR (root reads every file, so EACCES cannot be shown here)', async () => {
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port: 1, tls: { ca: certs.folder } });
        client.connect();
        await machine.next('close', 2_000);
        expect(machine.sequence).toEqual(['error', 'close']);
        expect(codeOf(machine.named('error')[0]!.payload)).toBe('EISDIR');
    });

    it('a client key file that is not PEM is an error event too (Node\u2019s code), not a throw', async () => {
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port: 1, tls: { cert: certs.client.cert, key: certs.ca } });
        client.connect();
        await machine.next('close', 2_000);
        expect(machine.sequence).toEqual(['error', 'close']);
        expect(machine.named('error')[0]!.payload).toBeInstanceOf(TlsSetupError);
    });

    it('a server whose certificate file is missing fails to listen: listen() rejects, the error event gets ENOENT, or the program stops with a message', async () => {
        const missing = path.join(certs.folder, 'missing-server.pem');
        const rejected = tlsServer({ tls: serverFiles({ cert: missing }) });
        await expect(rejected.server.listen()).rejects.toMatchObject({ code: 'ENOENT', setting: 'cert', file: missing });

        const mapped = tlsServer({ tls: serverFiles({ cert: missing }) });
        mapped.server.startListening();
        const error = await mapped.machine.next('error', 2_000);
        expect(codeOf(error.payload)).toBe('ENOENT');

        const host = new FailingHost();
        const unmapped = tlsServer({ tls: serverFiles({ key: missing }) }, undefined, host, { accept: 0, error: -1, close: 2 });
        unmapped.server.startListening();
        // listen() rejects at once (no socket was opened): the failure is handled after the pending promise jobs.
        await new Promise<void>((resolve) => setImmediate(resolve));
        expect(host.failures).toHaveLength(1);
        expect(host.failures[0]).toContain('cannot listen on 127.0.0.1:0');
        expect(host.failures[0]).toContain(`cannot read the tls key file ${JSON.stringify(missing)}: ENOENT`);
    });

    it('a server with no key given fails to listen with ERR_TLS_CERT_REQUIRED', async () => {
        const { server } = tlsServer({ tls: { cert: certs.server.cert } });
        await expect(server.listen()).rejects.toMatchObject({ code: 'ERR_TLS_CERT_REQUIRED' });
    });

    it('Unix socket paths work with TLS (the name checked is the servername)', async () => {
        const folder = mkdtempSync(path.join(os.tmpdir(), 'rfsm-tls-unix-'));
        cleanup.add(() => rmSync(folder, { recursive: true, force: true }));
        const file = path.join(folder, 'tls.sock');
        const { server } = tlsServer({ path: file, tls: serverFiles() });
        await server.listen();
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port: 0, host: '', path: file, tls: { ca: certs.ca, servername: 'localhost' } });
        machine.reaction = (record) => record.event === 'connect' && client.send('over a unix socket');
        client.connect();
        expect((await machine.next('read', 3_000)).payload).toEqual(Buffer.from('over a unix socket'));
    });
});

describe('TLS half-close and graceful close', () => {
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
        it(`${version}: the peer\u2019s end (close_notify and FIN) delivers the last line without LF, and our answer to it still reaches the peer`, async () => {
            const { server, sessions } = tlsServer({ tls: serverFiles() });
            await server.listen();
            const socket = await nodeTlsClient(server.port!, { allowHalfOpen: true, maxVersion: version });
            expect(socket.getProtocol()).toBe(version);
            const received = receiveAll(socket, 3_000);
            socket.end('first\nlast');
            expect((await received).toString()).toBe('first\nlast\n');
            await sessions[0]!.next('close', 3_000);
            expect(sessions[0]!.named('read').map((r) => (r.payload as Buffer).toString())).toEqual(['first', 'last']);
            expect(sessions[0]!.named('error')).toHaveLength(0);
            expect(sessions[0]!.socket!.allowHalfOpen).toBe(true);
        });
    }

    it('our client: a Node TLS peer that ends after "one\\ntwo" delivers both lines, and our answer to the last still reaches the peer', async () => {
        let resolveReceived: (bytes: Buffer) => void = () => undefined;
        const received = new Promise<Buffer>((resolve) => {
            resolveReceived = resolve;
        });
        const { port } = await nodeTlsServer({ cert: readPem(certs.server.cert), key: readPem(certs.server.key), allowHalfOpen: true }, (socket) => {
            void receiveAll(socket, 3_000).then(resolveReceived);
            socket.end('one\ntwo');
        });
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port, tls: { ca: certs.ca } });
        machine.reaction = (record) => record.event === 'read' && (record.payload as Buffer).toString() === 'two' && client.send('answer to two');
        client.connect();
        await machine.next('close', 3_000);
        expect(machine.sequence).toEqual(['connect', 'read', 'read', 'close']);
        expect(machine.named('read').map((r) => (r.payload as Buffer).toString())).toEqual(['one', 'two']);
        expect(machine.named('close')[0]!.payload).toBe(false);
        expect((await within(received, 3_000, 'the answer at the peer')).toString()).toBe('answer to two\n');
        expect(client.socket!.allowHalfOpen).toBe(true);
    });

    it('a session\u2019s graceful close right after an 8 MB write flushes every byte before the end', async () => {
        const data = Buffer.alloc(8 * 1024 * 1024);
        for (let i = 0; i < data.length; i++) {
            data[i] = (i * 31 + (i >> 11)) & 0xff;
        }
        const { server, sessions } = tlsServer({ tls: serverFiles() }, (session) => {
            session.connection!.write(data);
            void session.connection!.close();
        });
        await server.listen();
        const socket = await nodeTlsClient(server.port!);
        const received = receiveAll(socket, 20_000);
        socket.write('send\n');
        const bytes = await received;
        expect(bytes.length).toBe(data.length);
        expect(sha256([bytes])).toBe(sha256([data]));
        await sessions[0]!.next('close', 3_000);
        expect(sessions[0]!.named('error')).toHaveLength(0);
    });

    it('our client\u2019s graceful close right after an 8 MB write flushes every byte to a Node TLS peer', async () => {
        const data = Buffer.alloc(8 * 1024 * 1024, 'r');
        let resolveReceived: (bytes: Buffer) => void = () => undefined;
        const received = new Promise<Buffer>((resolve) => {
            resolveReceived = resolve;
        });
        const { port } = await nodeTlsServer({ cert: readPem(certs.server.cert), key: readPem(certs.server.key) }, (socket) => {
            void receiveAll(socket, 20_000).then(resolveReceived);
        });
        const machine = new RecordingMachine();
        const client = tlsClient(machine, { port, tls: { ca: certs.ca }, framing: { kind: 'none' } });
        machine.reaction = (record) => {
            if (record.event === 'connect') {
                client.write(data);
                void client.close();
            }
        };
        client.connect();
        const bytes = await within(received, 20_000, 'all 8 MB at the peer');
        expect(bytes.length).toBe(data.length);
        expect(sha256([bytes])).toBe(sha256([data]));
        await machine.next('close', 3_000);
        expect(machine.sequence).toEqual(['connect', 'close']);
    });
});
