// `reactor-fsm simulate` as a user runs it: a trace on stdout, NDJSON with --json, bad scenarios and bad models refused.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, EXAMPLES, removeTempFolders, runCli, tempFolder } from './cli-helpers.js';

afterAll(removeTempFolders);

const LAMP = `machine Lamp {
    events Toggle
    initial state Off { on Toggle -> On }
    state On {
        entry lightUp
        on Toggle -> Off
        after 2s -> Off
    }
}
`;

describe('reactor-fsm simulate', () => {
    it('prints the trace of a scenario, one line per step of the model', async () => {
        const folder = await tempFolder({ 'lamp.fsm': LAMP, 'lamp.scenario': 'send Toggle\nadvance 2s\n' });
        const result = await runCli(['simulate', 'lamp.fsm', '--script', 'lamp.scenario'], folder);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout.split('\n')).toEqual([
            '     0 ms  Lamp  starts in Off',
            '     0 ms  Lamp  Off --Toggle--> On',
            '     0 ms  Lamp    entry lightUp',
            '  2000 ms  Lamp  On --after 2s--> Off',
            ''
        ]);
    });

    it('--json prints one trace object per line; the scenario may come from standard input', async () => {
        const folder = await tempFolder({ 'lamp.fsm': LAMP });
        const result = await runCli(['simulate', 'lamp.fsm', '--json', '--script', '-'], folder, { input: 'send Toggle\n' });
        expect(result.code).toBe(0);
        expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
            { t: 0, kind: 'start', machine: 'Lamp', state: 'Off' },
            { t: 0, kind: 'transition', machine: 'Lamp', from: 'Off', event: 'Toggle', to: 'On' },
            { t: 0, kind: 'action', machine: 'Lamp', name: 'lightUp', state: 'On', phase: 'entry' }
        ]);
    });

    it('a reader that stops early (| head) ends the command quietly, without a stack trace', async () => {
        const folder = await tempFolder({ 'lamp.fsm': LAMP, 'long.scenario': 'send Toggle\n'.repeat(20_000) });
        const result = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} simulate lamp.fsm --script long.scenario --json | head -n 1; echo "status \${PIPESTATUS[0]}" >&2`], { cwd: folder, encoding: 'utf8' });
        expect(result.stdout).toBe('{"t":0,"kind":"start","machine":"Lamp","state":"Off"}\n');
        expect(result.stderr).toBe('status 0\n');
    });

    it('a bad scenario line is an error with its line number (exit 2); the trace up to there is printed', async () => {
        const folder = await tempFolder({ 'lamp.fsm': LAMP, 'bad.scenario': 'send Toggle\nadvance 2 s\n', 'unknown.scenario': 'send Toggle\n# fine\nsend Tgogle\n' });
        const syntax = await runCli(['simulate', 'lamp.fsm', '--script', 'bad.scenario'], folder);
        expect(syntax.code).toBe(2);
        expect(syntax.stdout).toBe('');
        expect(syntax.stderr).toBe("bad.scenario:2: 'advance' takes one duration, like 'advance 1500ms'\n");
        const unknown = await runCli(['simulate', 'lamp.fsm', '--script', 'unknown.scenario'], folder);
        expect(unknown.code).toBe(2);
        expect(unknown.stdout.split('\n')).toHaveLength(4);
        expect(unknown.stderr).toBe("unknown.scenario:3: machine Lamp has no event 'Tgogle'\n");
    });

    it('a model with errors is refused as generate refuses it (exit 1)', async () => {
        const folder = await tempFolder({ 'broken.fsm': 'machine M {\n    events E\n    initial state A { on E -> Nowhere }\n}\n' });
        const result = await runCli(['simulate', 'broken.fsm'], folder);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^broken\.fsm:3:31 error unresolved-reference Unknown state 'Nowhere'/);
        expect(result.stderr).toMatch(/reactor-fsm: not simulating broken\.fsm: fix the error above first\n$/);
    });

    it('--machine picks the machine plain steps are for; a session machine or an unknown one is a usage error', async () => {
        const other = await runCli(['simulate', 'echo-server.fsm', '--machine', 'EchoSession'], EXAMPLES);
        expect(other.code).toBe(2);
        expect(other.stderr).toMatch(/'EchoSession' is a session machine/);
        const missing = await runCli(['simulate', 'echo-server.fsm', '--machine', 'Nope'], EXAMPLES);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toMatch(/no machine 'Nope' in the file \(top-level machines: EchoServer\)/);
        const missingScript = await runCli(['simulate', 'echo-server.fsm', '--script', 'nope.scenario'], EXAMPLES);
        expect(missingScript.code).toBe(2);
        expect(missingScript.stderr).toBe("reactor-fsm: cannot read the scenario 'nope.scenario': no such file\n");
    });
});
