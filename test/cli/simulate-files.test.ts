// `reactor-fsm simulate FILE FILES…`: several model files run as one program; scenario steps name the instances.
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, expectInputError, removeTempFolders, runCli, tempFolder } from './cli-helpers.js';

afterAll(removeTempFolders);

const SYSTEM_SCENARIO = `EchoServer.listener accept          # EchoSession#1 starts
EchoClient.upstream connected       # the client is online
EchoSession#1.peer data "hi\\n"      # the session echoes
`;

const LAMP = 'machine Lamp {\n    events Toggle\n    initial state Off { on Toggle -> On }\n    state On { on Toggle -> Off }\n}\n';

describe('reactor-fsm simulate with several files', () => {
    it('runs the machines of every file in one program: the server accepts, the client connects, the session gets data', async () => {
        const folder = await tempFolder({ 'system.scenario': SYSTEM_SCENARIO });
        const result = await runCli(['simulate', 'echo-client.fsm', 'echo-server.fsm', '--script', `${folder}/system.scenario`], EXAMPLES);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout.split('\n')).toEqual([
            '     0 ms  EchoClient  starts in Connecting',
            '     0 ms  EchoServer  starts in Serving',
            '     0 ms  EchoSession#1  starts in Open',
            '     0 ms  EchoServer  listener: accept EchoSession#1',
            '     0 ms  EchoServer  Serving: Joined (internal)',
            '     0 ms  EchoServer    / countClient',
            '     0 ms  EchoClient  upstream: connect',
            '     0 ms  EchoClient  Connecting --Connected--> Online',
            '     0 ms  EchoClient    entry greet',
            '     0 ms  EchoSession#1  peer: data (3 bytes)',
            '     0 ms  EchoSession#1  Open: Data (internal)',
            '     0 ms  EchoSession#1    / echo',
            ''
        ]);
    });

    it('plain steps are for the first top-level machine of the first file, or --machine', async () => {
        const clientFirst = await runCli(['simulate', 'echo-client.fsm', 'echo-server.fsm', '--json', '--script', '-'], EXAMPLES, { input: 'send Shutdown\n' });
        expect(clientFirst.stderr).toBe('');
        expect(clientFirst.code).toBe(0);
        const machinesOf = (stdout: string): string[] =>
            stdout
                .trim()
                .split('\n')
                .map((line) => JSON.parse(line) as { machine: string; kind: string })
                .map((line) => `${line.machine} ${line.kind}`);
        expect(machinesOf(clientFirst.stdout)).toEqual(['EchoClient start', 'EchoServer start', 'EchoClient transition', 'EchoClient finish']);
        const serverFirst = await runCli(['simulate', 'echo-server.fsm', 'echo-client.fsm', '--json', '--script', '-'], EXAMPLES, { input: 'send Shutdown\n' });
        expect(serverFirst.code).toBe(0);
        expect(machinesOf(serverFirst.stdout)).toEqual(['EchoServer start', 'EchoClient start', 'EchoServer transition', 'EchoServer finish']);
        const chosen = await runCli(['simulate', 'echo-client.fsm', 'echo-server.fsm', '--machine', 'EchoServer', '--json', '--script', '-'], EXAMPLES, { input: 'listener accept\n' });
        expect(chosen.stderr).toBe('');
        expect(chosen.code).toBe(0);
        expect(machinesOf(chosen.stdout)).toEqual(['EchoClient start', 'EchoServer start', 'EchoSession#1 start', 'EchoServer io', 'EchoServer internal', 'EchoServer action']);
    });

    it('a machine name two files define is a usage error naming both places (exit 2), not a crash', async () => {
        const folder = await tempFolder({ 'a.fsm': LAMP, 'b.fsm': '// the same name again\n\n' + LAMP });
        const result = await runCli(['simulate', 'a.fsm', 'b.fsm'], folder);
        expectInputError(result, "'Lamp'", 'a.fsm:1', 'b.fsm:3');
    });

    it('a model error in any of the files refuses the run (exit 1)', async () => {
        const folder = await tempFolder({ 'lamp.fsm': LAMP, 'broken.fsm': 'machine M {\n    events E\n    initial state A { on E -> Nowhere }\n}\n' });
        const result = await runCli(['simulate', 'lamp.fsm', 'broken.fsm'], folder);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^broken\.fsm:3:31 error unresolved-reference Unknown state 'Nowhere'/);
        expect(result.stderr).toMatch(/reactor-fsm: not simulating broken\.fsm: fix the error above first\n$/);
    });
});
