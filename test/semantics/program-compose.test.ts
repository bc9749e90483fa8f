// Several model files as one program (programOfModels): machines in order, sessions from any file, name clashes,
// and the parsed addresses of clients and servers.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../language/generated/ast.js';
import { assertComposable, ProgramCompositionError, programOf, programOfModels, type ProgramSpec } from '../../language/semantics/program.js';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { withDocuments } from '../helpers.js';
import { brief } from './simulate-helpers.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const ECHO_CLIENT = readFileSync(path.join(EXAMPLES, 'echo-client.fsm'), 'utf8');
const ECHO_SERVER = readFileSync(path.join(EXAMPLES, 'echo-server.fsm'), 'utf8');

const models = (documents: readonly LangiumDocument<Model>[]): Model[] => documents.map((document) => document.parseResult.value);
const fileOf = (document: LangiumDocument): string => document.uri.path.split('/').pop()!;
const socketOf = (program: ProgramSpec, machine: string, socket: string) => program.machines.get(machine)?.sockets.find((each) => each.name === socket);

describe('programOfModels', () => {
    it('runs every machine of the files: top-level ones in the order of the files, then the sessions', async () => {
        await withDocuments([ECHO_CLIENT, ECHO_SERVER], (documents) => {
            const [client, server] = models(documents);
            const program = programOfModels([client!, server!]);
            expect(program.topLevel).toEqual(['EchoClient', 'EchoServer']);
            expect([...program.machines.keys()]).toEqual(['EchoClient', 'EchoServer', 'EchoSession']);
            expect(programOfModels([server!, client!]).topLevel).toEqual(['EchoServer', 'EchoClient']);
        });
    });

    it('is programOf for one file, and a file given twice counts once', async () => {
        await withDocuments([ECHO_SERVER], (documents) => {
            const [server] = models(documents);
            expect(programOfModels([server!])).toEqual(programOf(server!));
            expect(programOfModels([server!, server!]).topLevel).toEqual(['EchoServer']);
        });
    });

    it('a session written in another file runs as a session, whether that file is composed or only context', async () => {
        const front = 'machine Front {\n    initial state Up\n    server s listen 127.0.0.1:9000 { session Worker }\n}\n';
        const worker = 'machine Worker {\n    initial state Busy\n    connection c { }\n}\n';
        await withDocuments([front, worker], (documents) => {
            const [frontModel, workerModel] = models(documents);
            for (const program of [programOf(frontModel!), programOfModels([frontModel!]), programOfModels([frontModel!, workerModel!])]) {
                expect(program.topLevel).toEqual(['Front']);
                expect([...program.machines.keys()]).toEqual(['Front', 'Worker']);
            }
            expect(programOfModels([workerModel!, frontModel!]).topLevel).toEqual(['Front']);
        });
    });

    it('a machine name two files define is a ProgramCompositionError naming both places', async () => {
        const first = 'machine Lamp {\n    initial state Off\n}\n';
        const second = '// another lamp\n\nmachine Lamp {\n    initial state On\n}\n';
        await withDocuments([first, second], (documents) => {
            const [a, b] = models(documents);
            let thrown: unknown;
            try {
                programOfModels([a!, b!]);
            } catch (error) {
                thrown = error;
            }
            expect(thrown).toBeInstanceOf(ProgramCompositionError);
            const error = thrown as ProgramCompositionError;
            expect(error.machine).toBe('Lamp');
            expect(error.message).toContain(`${fileOf(documents[0]!)}:1`);
            expect(error.message).toContain(`${fileOf(documents[1]!)}:3`);
            expect(() => assertComposable([b!, a!])).toThrow(`${fileOf(documents[1]!)}:3 and ${fileOf(documents[0]!)}:1`);
            // Each file alone is fine.
            expect(programOfModels([a!]).topLevel).toEqual(['Lamp']);
        });
    });

    it('runs a scenario across the files: the server accepts, the client connects, the session gets data', async () => {
        await withDocuments([ECHO_CLIENT, ECHO_SERVER], (documents) => {
            const program = programOfModels(models(documents));
            const steps = parseScenario('EchoServer.listener accept\nEchoClient.upstream connected\nEchoSession#1.peer data "hi\\n"\n');
            const run = runScenario(program, steps);
            expect(run.trace.map(brief)).toEqual([
                'EchoClient start Connecting',
                'EchoServer start Serving',
                'EchoSession#1 start Open',
                'EchoServer io listener accept EchoSession#1',
                'EchoServer Serving internal Joined',
                'EchoServer transition countClient@Serving',
                'EchoClient io upstream connect',
                'EchoClient Connecting -Connected-> Online',
                'EchoClient entry greet@Online',
                'EchoSession#1 io peer data 3B',
                'EchoSession#1 Open internal Data',
                'EchoSession#1 transition echo@Open'
            ]);
        });
    });
});

describe('SocketSpec.address', () => {
    it("is the parsed address of a client's connect and a server's listen, undefined for connections and processes", async () => {
        const sockets = `machine Sockets {
    initial state Idle
    client tcp connect localhost:7001 { }
    client six connect [::1]:7002 { }
    server local listen unix:/tmp/reactor.sock { session Peer }
    process job run "true" { }
}
machine Peer {
    initial state Open
    connection c { }
}
`;
        await withDocuments([ECHO_CLIENT, ECHO_SERVER, sockets], (documents) => {
            const [client, server, other] = models(documents);
            const echo = programOfModels([client!, server!]);
            expect(socketOf(echo, 'EchoClient', 'upstream')?.address).toEqual({ host: '127.0.0.1', port: 7000 });
            expect(socketOf(echo, 'EchoServer', 'listener')?.address).toEqual({ host: '0.0.0.0', port: 7000 });
            expect(socketOf(echo, 'EchoSession', 'peer')?.kind).toBe('connection');
            expect(socketOf(echo, 'EchoSession', 'peer')?.address).toBeUndefined();
            const program = programOf(other!);
            expect(socketOf(program, 'Sockets', 'tcp')?.address).toEqual({ host: 'localhost', port: 7001 });
            expect(socketOf(program, 'Sockets', 'six')?.address).toEqual({ host: '::1', port: 7002 });
            expect(socketOf(program, 'Sockets', 'local')?.address).toEqual({ host: '', port: 0, path: '/tmp/reactor.sock' });
            expect(socketOf(program, 'Sockets', 'job')?.kind).toBe('process');
            expect(socketOf(program, 'Sockets', 'job')?.address).toBeUndefined();
        });
    });
});
