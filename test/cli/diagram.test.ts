// `reactor-fsm diagram`: SVG and Mermaid of a chosen machine, written to files or standard output.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectInputError, removeTempFolders, runCli, tempFolder } from './cli-helpers.js';

afterEach(removeTempFolders);

const TWO = `machine Lamp { events Toggle initial state Off { on Toggle -> On } state On { on Toggle -> Off } }
machine Door { events Open initial state Shut { on Open -> Ajar } final state Ajar }
`;

describe('diagram', () => {
    it('writes the first machine as SVG and Mermaid files', async () => {
        const folder = await tempFolder({ 'two.fsm': TWO });
        const result = await runCli(['diagram', 'two.fsm', '--svg', 'lamp.svg', '--mermaid', 'lamp.md'], folder);
        expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
        const svg = readFileSync(path.join(folder, 'lamp.svg'), 'utf8');
        expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="fsm-diagram" data-machine="Lamp"/);
        expect(svg).toContain('<style>');
        expect(svg.match(/class="fsm-node fsm-state/g)).toHaveLength(2);
        expect(readFileSync(path.join(folder, 'lamp.md'), 'utf8')).toBe(
            'stateDiagram-v2\n    %% machine Lamp\n    state "Off" as s0\n    state "On" as s1\n    [*] --> s0\n    s0 --> s1 : Toggle\n    s1 --> s0 : Toggle\n'
        );
    });

    it('picks a machine by name and writes to standard output with -', async () => {
        const folder = await tempFolder({ 'two.fsm': TWO });
        const result = await runCli(['diagram', 'two.fsm', '--machine', 'Door', '--mermaid', '-'], folder);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('%% machine Door');
        expect(result.stdout).toContain('s1 --> [*]');
    });

    it('draws a model with errors too (the picture helps fixing it)', async () => {
        const folder = await tempFolder({ 'bad.fsm': 'machine M { events Go initial state A { on Go -> B } state B state Lost }' });
        const result = await runCli(['diagram', 'bad.fsm', '--svg', '-'], folder);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('fsm-unreachable');
        expect(result.stdout).toContain('terminal-state');
    });

    it('refuses a missing output choice, an unknown machine and a file without machines, in one line', async () => {
        const folder = await tempFolder({ 'two.fsm': TWO, 'empty.fsm': '' });
        expectInputError(await runCli(['diagram', 'two.fsm'], folder), '--svg', '--mermaid');
        expectInputError(await runCli(['diagram', 'two.fsm', '--machine', 'Nope', '--svg', 'x.svg'], folder), "no machine 'Nope'", 'Lamp, Door');
        expectInputError(await runCli(['diagram', 'empty.fsm', '--svg', 'x.svg'], folder), 'declares no machine');
        expect(existsSync(path.join(folder, 'x.svg'))).toBe(false);
    });
});
