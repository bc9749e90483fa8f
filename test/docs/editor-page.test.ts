// docs/editor.md documents what the extension contributes: every command (palette title and id), every setting, and
// every attribute of the debug configurations.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const page = readFileSync(path.join(ROOT, 'docs/editor.md'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: {
        commands: Array<{ command: string; title: string; category: string }>;
        configuration: { properties: Record<string, unknown> };
        debuggers: Array<{ type: string; configurationAttributes: Record<string, { properties: Record<string, unknown> }> }>;
    };
};

/** The rows of the first table under the `## heading` of the page, as arrays of cells. */
function tableRows(heading: string): string[][] {
    const section = page.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
    return section
        .split('\n')
        .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
        .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('docs/editor.md', () => {
    it('lists every command with its palette title and id', () => {
        const rows = tableRows('Commands');
        for (const command of manifest.contributes.commands) {
            expect(rows, command.command).toContainEqual(expect.arrayContaining([`${command.category}: ${command.title}`, `\`${command.command}\``]));
        }
        expect(rows.length - 1).toBe(manifest.contributes.commands.length);
    });

    it('lists every setting', () => {
        const rows = tableRows('Settings');
        for (const setting of Object.keys(manifest.contributes.configuration.properties)) {
            expect(rows.map((row) => row[0]), setting).toContain(`\`${setting}\``);
        }
    });

    it('explains every attribute of the launch and attach configurations', () => {
        const debug = page.split(/^## /m).find((part) => part.startsWith('Simulate and debug\n')) ?? '';
        const [debuggerContribution] = manifest.contributes.debuggers;
        expect(Object.keys(debuggerContribution!.configurationAttributes)).toEqual(['launch', 'attach']);
        for (const [request, attributes] of Object.entries(debuggerContribution!.configurationAttributes)) {
            for (const attribute of Object.keys(attributes.properties)) {
                expect(debug, `${request}.${attribute}`).toMatch(new RegExp(`^\\| \`${attribute}\` \\|`, 'm'));
            }
        }
    });
});
