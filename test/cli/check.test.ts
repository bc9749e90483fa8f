// `reactor-fsm check` as a user runs it: the built CLI in a child process, on real files in temporary folders.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
    BUNDLE,
    EXAMPLES,
    ROOT,
    coveredText,
    expectInputError,
    fixture,
    identityRefused,
    parseJson,
    parseText,
    positionOf,
    removeTempFolders,
    runCli,
    tempFolder,
    type Reported,
    type TextDiagnostic
} from './cli-helpers.js';

const CLEAN = fixture('clean.fsm');
const WARNINGS = fixture('warnings.fsm');
const ERRORS = fixture('errors.fsm');
const INFOS = fixture('infos.fsm');
const CROSS_SERVER = fixture('cross/server.fsm');
const CROSS_SESSION = fixture('cross/session.fsm');
const TWIN_ONE = fixture('dup/one.fsm');
const TWIN_TWO = fixture('dup/two.fsm');

beforeAll(() => {
    if (!existsSync(BUNDLE)) {
        throw new Error(`${BUNDLE} is missing: run \`npm run build\` (or \`npm run -s bundle\`) before the CLI tests`);
    }
});

afterEach(removeTempFolders);

/** `file:line:col severity code ` — the part of a text line before the message. */
function head(d: Pick<TextDiagnostic, 'file' | 'line' | 'column' | 'severity' | 'code'>): string {
    return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`;
}

function isSortedByPosition(list: ReadonlyArray<{ line: number; column: number }>): boolean {
    return list.every((d, i) => i === 0 || list[i - 1]!.line < d.line || (list[i - 1]!.line === d.line && list[i - 1]!.column <= d.column));
}

/** Every .fsm file below a folder. */
function fsmFilesBelow(folder: string): string[] {
    return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.fsm') && !name.split(path.sep).some((part) => part.startsWith('.') || part === 'node_modules'));
}

describe('check: text output', () => {
    it('prints only the summary line and exits 0 for a clean model', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN });
        const result = await runCli(['check', 'clean.fsm'], folder);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('');
        expect(result.stdout.split('\n')).toHaveLength(2); // one line and its newline
        const { diagnostics, others, summary } = parseText(result.stdout);
        expect(diagnostics).toEqual([]);
        expect(others).toEqual([]);
        expect(summary).toEqual({ files: 1, errors: 0, warnings: 0, infos: 0 });
    });

    it('exits 0 for a model with only warnings, and prints every warning', async () => {
        const folder = await tempFolder({ 'warnings.fsm': WARNINGS });
        const result = await runCli(['check', 'warnings.fsm'], folder);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('');
        const { diagnostics, others, summary } = parseText(result.stdout);
        expect(others).toEqual([]);
        expect(diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['warning unused-event', 'warning unreachable-state']);
        expect(summary).toEqual({ files: 1, errors: 0, warnings: 2, infos: 0 });
    });

    it('exits 0 for a model with only an info', async () => {
        const folder = await tempFolder({ 'infos.fsm': INFOS });
        const result = await runCli(['check', 'infos.fsm'], folder);
        expect(result.code).toBe(0);
        const { diagnostics, summary } = parseText(result.stdout);
        const ping = positionOf(INFOS, 'events Ping', 'Ping');
        expect(diagnostics.map(head)).toEqual([head({ file: 'infos.fsm', ...ping, severity: 'info', code: 'event-never-fires' })]);
        expect(diagnostics[0]!.message).toContain("'Ping'");
        expect(summary).toEqual({ files: 1, errors: 0, warnings: 0, infos: 1 });
    });

    it('warns that reuseaddr has no effect (exit 0), and reports exit actions of a final state as an error (exit 1)', async () => {
        const server = 'machine Front {\n    events J, Quit\n    initial state S { on J -> S  on Quit -> End }\n    final state End\n    server l listen 127.0.0.1:0 {\n        reuseaddr\n        session Worker\n        accept -> J\n    }\n    signal SIGTERM -> Quit\n}\n';
        const worker = 'machine Worker {\n    events X, Gone\n    initial state W { on X -> W  on Gone -> Done }\n    final state Done {\n        exit goodbye\n    }\n    connection peer { read -> X  close -> Gone }\n}\n';
        const folder = await tempFolder({ 'front.fsm': server, 'worker.fsm': worker });
        const warned = await runCli(['check', 'front.fsm'], folder);
        expect(warned.code).toBe(0);
        expect(warned.stdout).toBe(
            "front.fsm:6:9 warning ineffective-option 'reuseaddr' has no effect: Node always sets SO_REUSEADDR on listening sockets. Remove it.\n" +
                '1 file checked: 0 errors, 1 warning, 0 infos\n'
        );
        const refused = await runCli(['check', 'worker.fsm'], folder);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe(
            "worker.fsm:5:9 error final-has-transitions Final state 'Done' cannot have exit actions: a final state is never left, so they can never run. Remove this line, or drop 'final'.\n" +
                '1 file checked: 1 error, 0 warnings, 0 infos\n'
        );
    });

    it('exits 1 for a model with errors', async () => {
        const folder = await tempFolder({ 'errors.fsm': ERRORS });
        const result = await runCli(['check', 'errors.fsm'], folder);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('');
        const { diagnostics, summary } = parseText(result.stdout);
        expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['nondeterministic', 'final-has-transitions']);
        expect(summary).toEqual({ files: 1, errors: 2, warnings: 2, infos: 0 });
    });

    it('prints `file:line:col severity code message` with 1-based positions of the offending text', async () => {
        const folder = await tempFolder({ 'warnings.fsm': WARNINGS, 'errors.fsm': ERRORS });
        const warnings = parseText((await runCli(['check', 'warnings.fsm'], folder)).stdout).diagnostics;
        const unused = positionOf(WARNINGS, 'events Toggle, Unused', 'Unused'); // line 3, column 20
        const orphan = positionOf(WARNINGS, 'state Orphan', 'Orphan');
        expect(unused).toEqual({ line: 3, column: 20 }); // guards the fixture and positionOf themselves
        expect(warnings.map(head)).toEqual([
            head({ file: 'warnings.fsm', ...unused, severity: 'warning', code: 'unused-event' }),
            head({ file: 'warnings.fsm', ...orphan, severity: 'warning', code: 'unreachable-state' })
        ]);
        expect(warnings[0]!.raw.startsWith('warnings.fsm:3:20 warning unused-event ')).toBe(true);
        expect(warnings[0]!.message).toContain("'Unused'");
        expect(warnings[1]!.message).toContain("'Orphan'");

        const errors = parseText((await runCli(['check', 'errors.fsm'], folder)).stdout).diagnostics;
        const secondPush = positionOf(ERRORS, 'on Push -> Shut', 'Push');
        const finalTransition = positionOf(ERRORS, 'on Pull -> Shut');
        const spare = positionOf(ERRORS, 'state Spare', 'Spare');
        expect(errors.map(head)).toEqual([
            head({ file: 'errors.fsm', ...secondPush, severity: 'error', code: 'nondeterministic' }),
            head({ file: 'errors.fsm', ...finalTransition, severity: 'error', code: 'final-has-transitions' }),
            head({ file: 'errors.fsm', ...spare, severity: 'warning', code: 'terminal-state' }),
            head({ file: 'errors.fsm', ...spare, severity: 'warning', code: 'unreachable-state' })
        ]);
    });

    it('reports a problem at the very first character as line 1, column 1', async () => {
        const folder = await tempFolder({ 'stray.fsm': 'state Stray\n' });
        const result = await runCli(['check', 'stray.fsm'], folder);
        expect(result.code).toBe(1);
        const { diagnostics } = parseText(result.stdout);
        expect(diagnostics.map(head)).toEqual(['stray.fsm:1:1 error syntax-error']);
    });

    it('reports the same positions for CRLF line endings as for LF', async () => {
        const folder = await tempFolder({ 'lf.fsm': ERRORS, 'crlf.fsm': ERRORS.replace(/\n/g, '\r\n').replace('CliErrGate', 'CliErrGateCrlf') });
        const lf = parseText((await runCli(['check', 'lf.fsm'], folder)).stdout).diagnostics;
        const crlf = parseText((await runCli(['check', 'crlf.fsm'], folder)).stdout).diagnostics;
        expect(crlf.length).toBe(4);
        expect(crlf.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(lf.map((d) => `${d.line}:${d.column} ${d.code}`));
    });

    it('counts files, errors, warnings and infos in the summary line', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN, 'warnings.fsm': WARNINGS, 'errors.fsm': ERRORS, 'infos.fsm': INFOS });
        const result = await runCli(['check', 'clean.fsm', 'warnings.fsm', 'errors.fsm', 'infos.fsm'], folder);
        expect(result.code).toBe(1);
        const { diagnostics, summary } = parseText(result.stdout);
        expect(summary).toEqual({ files: 4, errors: 2, warnings: 4, infos: 1 });
        const count = (severity: string): number => diagnostics.filter((d) => d.severity === severity).length;
        expect({ errors: count('error'), warnings: count('warning'), infos: count('info') }).toEqual({ errors: 2, warnings: 4, infos: 1 });
    });

    it('sorts the diagnostics of a file by line and column, whatever order the checks find them in', async () => {
        const folder = await tempFolder({ 'errors.fsm': ERRORS, 'warnings.fsm': WARNINGS });
        for (const file of ['errors.fsm', 'warnings.fsm']) {
            const { diagnostics } = parseText((await runCli(['check', file], folder)).stdout);
            expect(diagnostics.length).toBeGreaterThanOrEqual(2);
            expect(isSortedByPosition(diagnostics), diagnostics.map((d) => d.raw).join('\n')).toBe(true);
        }
        // errors.fsm: the checks emit line 12, 12, 10, 6 in that order; sorted it must be 6, 10, 12, 12.
        const { diagnostics } = parseText((await runCli(['check', 'errors.fsm'], folder)).stdout);
        expect(diagnostics.map((d) => d.line)).toEqual([6, 10, 12, 12]);
    });

    it('reports several files, each diagnostic under its own file and each file in one block', async () => {
        const folder = await tempFolder({ 'warnings.fsm': WARNINGS, 'errors.fsm': ERRORS, 'clean.fsm': CLEAN });
        const alone = async (file: string): Promise<string[]> => parseText((await runCli(['check', file], folder)).stdout).diagnostics.map((d) => d.raw);
        const expected = [...(await alone('warnings.fsm')), ...(await alone('errors.fsm'))];
        const result = await runCli(['check', 'warnings.fsm', 'clean.fsm', 'errors.fsm'], folder);
        expect(result.code).toBe(1);
        const { diagnostics, summary } = parseText(result.stdout);
        expect(summary).toEqual({ files: 3, errors: 2, warnings: 4, infos: 0 });
        expect(diagnostics.map((d) => d.raw).sort()).toEqual([...expected].sort());
        // Each file's lines stay together and in position order.
        const order = diagnostics.map((d) => d.file).filter((file, i, all) => i === 0 || all[i - 1] !== file);
        expect(new Set(order).size).toBe(order.length);
        for (const file of ['warnings.fsm', 'errors.fsm']) {
            expect(isSortedByPosition(diagnostics.filter((d) => d.file === file))).toBe(true);
        }
    });

    it('checks a folder recursively, only its .fsm files, and shows their paths from the working directory', async () => {
        const folder = await tempFolder({
            'models/door.fsm': CLEAN,
            'models/sub/deeper/lamp.fsm': WARNINGS,
            'models/notes.txt': 'machine { this is not a model',
            'models/door.fsm.bak': 'machine Broken {',
            'models/sub/README.md': '# not a model\nmachine X {',
            'models/sub/fsm': 'machine Y {'
        });
        const result = await runCli(['check', 'models'], folder);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('');
        const { diagnostics, summary } = parseText(result.stdout);
        expect(summary).toEqual({ files: 2, errors: 0, warnings: 2, infos: 0 });
        const lamp = path.join('models', 'sub', 'deeper', 'lamp.fsm');
        expect(diagnostics.map((d) => d.file)).toEqual([lamp, lamp]);
        expect(diagnostics.map(head)).toEqual([
            head({ file: lamp, ...positionOf(WARNINGS, 'events Toggle, Unused', 'Unused'), severity: 'warning', code: 'unused-event' }),
            head({ file: lamp, ...positionOf(WARNINGS, 'state Orphan', 'Orphan'), severity: 'warning', code: 'unreachable-state' })
        ]);
    });

    it('checks a file once when it is named both directly and through its folder', async () => {
        const folder = await tempFolder({ 'models/lamp.fsm': WARNINGS });
        const result = await runCli(['check', 'models', path.join('models', 'lamp.fsm'), `.${path.sep}models${path.sep}lamp.fsm`], folder);
        expect(result.code).toBe(0);
        const { diagnostics, summary } = parseText(result.stdout);
        expect(summary).toEqual({ files: 1, errors: 0, warnings: 2, infos: 0 });
        expect(diagnostics).toHaveLength(2);
    });

    it('--summary adds one line per machine naming its file, states, events, sockets and signals', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN, 'pair.fsm': `${CROSS_SERVER}\n${CROSS_SESSION}` });
        const plain = parseText((await runCli(['check', 'clean.fsm', 'pair.fsm'], folder)).stdout);
        expect(plain.others).toEqual([]);

        const result = await runCli(['check', '--summary', 'clean.fsm', 'pair.fsm'], folder);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('');
        const { diagnostics, others, summary } = parseText(result.stdout);
        expect(summary).toEqual({ files: 2, errors: 0, warnings: 1, infos: 0 });
        expect(diagnostics.map((d) => d.raw)).toEqual(plain.diagnostics.map((d) => d.raw));
        expect(others).toHaveLength(3);
        const [door, server, session] = others as [string, string, string];
        expect(door).toContain('clean.fsm');
        expect(door).toMatch(/\bmachine CliCleanDoor\b/);
        expect(door).toMatch(/\b3 states\b/);
        expect(door).toMatch(/\b3 events\b/);
        expect(door).not.toMatch(/socket|signal/);
        expect(server).toContain('pair.fsm');
        expect(server).toMatch(/\bmachine CliCrossServer\b/);
        expect(server).toMatch(/\b2 states\b/);
        expect(server).toMatch(/\b2 events\b/);
        expect(server).toMatch(/\bserver listener\b/);
        expect(server).toContain('SIGTERM');
        expect(session).toContain('pair.fsm');
        expect(session).toMatch(/\bmachine CliCrossSession\b/);
        expect(session).toMatch(/\b2 states\b/);
        expect(session).toMatch(/\b3 events\b/);
        expect(session).toMatch(/\bconnection peer\b/);
        expect(session).not.toContain('SIG');
    });
});

describe('check --json', () => {
    it('prints one JSON array with exactly the specified fields and types, and nothing else', async () => {
        const folder = await tempFolder({ 'errors.fsm': ERRORS, 'warnings.fsm': WARNINGS });
        const result = await runCli(['check', '--json', 'errors.fsm', 'warnings.fsm'], folder);
        expect(result.stderr).toBe('');
        expect(result.stdout.trim().startsWith('[')).toBe(true);
        expect(result.stdout.trim().endsWith(']')).toBe(true);
        expect(result.stdout).not.toMatch(/files? checked/);
        const reported = parseJson(result.stdout);
        expect(reported).toHaveLength(6);
        expect(reported.map((d) => `${d.file} ${d.severity} ${d.code}`).sort()).toEqual(
            [
                'errors.fsm error nondeterministic',
                'errors.fsm error final-has-transitions',
                'errors.fsm warning terminal-state',
                'errors.fsm warning unreachable-state',
                'warnings.fsm warning unused-event',
                'warnings.fsm warning unreachable-state'
            ].sort()
        );
    });

    it('reports the same 1-based positions, severities, codes and messages as the text output', async () => {
        const folder = await tempFolder({ 'errors.fsm': ERRORS, 'warnings.fsm': WARNINGS, 'infos.fsm': INFOS });
        const args = ['errors.fsm', 'warnings.fsm', 'infos.fsm'];
        const text = parseText((await runCli(['check', ...args], folder)).stdout).diagnostics;
        const json = parseJson((await runCli(['check', '--json', ...args], folder)).stdout);
        expect(json.length).toBe(7);
        expect(json.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`)).toEqual(text.map((d) => d.raw));
    });

    it('gives ranges whose end covers exactly the offending text', async () => {
        const folder = await tempFolder({ 'errors.fsm': ERRORS, 'warnings.fsm': WARNINGS, 'infos.fsm': INFOS });
        const reported = parseJson((await runCli(['check', '--json', 'errors.fsm', 'warnings.fsm', 'infos.fsm'], folder)).stdout);
        const sources: Record<string, string> = { 'errors.fsm': ERRORS, 'warnings.fsm': WARNINGS, 'infos.fsm': INFOS };
        const covered = reported.map((d) => `${d.file} ${d.code} ${JSON.stringify(coveredText(sources[d.file]!, d))}`);
        expect(covered).toEqual([
            'errors.fsm nondeterministic "Push"',
            'errors.fsm final-has-transitions "on Pull -> Shut"',
            'errors.fsm terminal-state "Spare"',
            'errors.fsm unreachable-state "Spare"',
            'warnings.fsm unused-event "Unused"',
            'warnings.fsm unreachable-state "Orphan"',
            'infos.fsm event-never-fires "Ping"'
        ]);
        // Same start as computed from the fixture, and the end is on the same line just after the name.
        const orphan = reported.find((d) => d.code === 'unreachable-state' && d.file === 'warnings.fsm')!;
        const start = positionOf(WARNINGS, 'state Orphan', 'Orphan');
        expect(orphan).toMatchObject({ line: start.line, column: start.column, endLine: start.line, endColumn: start.column + 'Orphan'.length });
        const push = reported.find((d) => d.code === 'nondeterministic')!;
        const pushStart = positionOf(ERRORS, 'on Push -> Shut', 'Push');
        expect(push).toMatchObject({ line: pushStart.line, column: pushStart.column, endLine: pushStart.line, endColumn: pushStart.column + 4 });
    });

    it('exits with the same codes as the text output', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN, 'warnings.fsm': WARNINGS, 'infos.fsm': INFOS, 'errors.fsm': ERRORS });
        for (const [file, code] of [
            ['clean.fsm', 0],
            ['warnings.fsm', 0],
            ['infos.fsm', 0],
            ['errors.fsm', 1]
        ] as const) {
            const text = await runCli(['check', file], folder);
            const json = await runCli(['check', '--json', file], folder);
            expect({ file, text: text.code, json: json.code }).toEqual({ file, text: code, json: code });
        }
        const missing = await runCli(['check', '--json', 'missing.fsm'], folder);
        expectInputError(missing, 'missing.fsm');
    });

    it('prints an empty array for a clean file', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN });
        const result = await runCli(['check', '--json', 'clean.fsm'], folder);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('');
        expect(parseJson(result.stdout)).toEqual([]);
        expect(result.stdout.trim()).toBe('[]');
    });

    it('still prints only JSON when --summary is given too', async () => {
        const folder = await tempFolder({ 'warnings.fsm': WARNINGS });
        const result = await runCli(['check', '--json', '--summary', 'warnings.fsm'], folder);
        expect(result.code).toBe(0);
        expect(parseJson(result.stdout).map((d) => d.code)).toEqual(['unused-event', 'unreachable-state']);
        expect(result.stdout).not.toContain('machine CliWarnLamp');
    });

    it('prints a large report completely', async () => {
        const names = Array.from({ length: 1500 }, (_, i) => `Unused${i}`);
        const model = `machine CliMany {\n    events Go, ${names.join(', ')}\n    initial state A {\n        on Go -> B\n    }\n    final state B\n}\n`;
        const folder = await tempFolder({ 'many.fsm': model });
        const result = await runCli(['check', '--json', 'many.fsm'], folder);
        expect(result.code).toBe(0);
        const reported = parseJson(result.stdout);
        expect(reported).toHaveLength(1500);
        expect(reported.every((d) => d.code === 'unused-event')).toBe(true);
        expect(coveredText(model, reported[1499]!)).toBe('Unused1499');
    });
});

describe('check: input that cannot be used (exit 2, one line on stderr)', () => {
    it('refuses a missing path', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN });
        expectInputError(await runCli(['check', 'nope.fsm'], folder), 'nope.fsm');
        expectInputError(await runCli(['check', 'clean.fsm', path.join('gone', 'nope.fsm')], folder), path.join('gone', 'nope.fsm'));
    });

    it('refuses a folder without .fsm files', async () => {
        const folder = await tempFolder({ 'empty/notes.txt': 'machine X {}', 'empty/sub/model.fsm.bak': 'machine Y {}' });
        expectInputError(await runCli(['check', 'empty'], folder), 'empty');
    });

    it('refuses a file that is not a .fsm file, named on the command line (check, explore and diagram alike)', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN, 'notes.md': '# machine X {}\n' });
        for (const command of [['check'], ['explore'], ['diagram', '--mermaid', '-']]) {
            expectInputError(await runCli([...command, 'notes.md'], folder), "'notes.md' is not a .fsm file");
        }
        expectInputError(await runCli(['check', 'clean.fsm', 'notes.md'], folder), 'notes.md');
    });

    it('refuses a binary file (NUL bytes)', async () => {
        const folder = await tempFolder({ 'blob.fsm': Buffer.from('machine Blob {\0\0\0}\n', 'latin1') });
        expectInputError(await runCli(['check', 'blob.fsm'], folder), 'blob.fsm');
    });

    it('refuses a binary file found in a folder, naming that file', async () => {
        const folder = await tempFolder({ 'models/a.fsm': CLEAN, 'models/blob.fsm': Buffer.from('machine InFolder {\0\0}\n', 'utf8') });
        expectInputError(await runCli(['check', 'models'], folder), path.join('models', 'blob.fsm'));
    });

    it('refuses a file that is not valid UTF-8', async () => {
        const bytes = Buffer.concat([Buffer.from('machine Latin {\n    // caf'), Buffer.from([0xe9, 0xff, 0xc3, 0x28]), Buffer.from('\n}\n')]);
        const folder = await tempFolder({ 'latin1.fsm': bytes });
        expectInputError(await runCli(['check', 'latin1.fsm'], folder), 'latin1.fsm');
    });

    it('refuses an unreadable file (chmod 000; as root the CLI runs as nobody)', async (context) => {
        const folder = await tempFolder({ 'locked.fsm': CLEAN });
        const locked = path.join(folder, 'locked.fsm');
        await chmod(locked, 0o000);
        const identity = identityRefused(locked, 'file');
        if (typeof identity === 'string') {
            context.skip(`cannot make a file unreadable here: ${identity}`);
            return;
        }
        expectInputError(await runCli(['check', 'locked.fsm'], folder, identity), 'locked.fsm');
    });

    it('refuses an unreadable folder (chmod 000; as root the CLI runs as nobody)', async (context) => {
        const folder = await tempFolder({ 'locked/a.fsm': CLEAN });
        const locked = path.join(folder, 'locked');
        await chmod(locked, 0o000);
        try {
            const identity = identityRefused(locked, 'folder');
            if (typeof identity === 'string') {
                context.skip(`cannot make a folder unreadable here: ${identity}`);
                return;
            }
            expectInputError(await runCli(['check', 'locked'], folder, identity), 'locked');
        } finally {
            await chmod(locked, 0o755);
        }
    });

    it('does not crash on a socket named like a model (cannot be read even by root)', async () => {
        const folder = await tempFolder();
        const server = net.createServer();
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(path.join(folder, 'socket.fsm'), resolve);
        });
        try {
            expectInputError(await runCli(['check', 'socket.fsm'], folder), 'socket.fsm');
        } finally {
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it('refuses a folder named x.fsm given explicitly when it holds no models', async () => {
        const folder = await tempFolder();
        await mkdir(path.join(folder, 'x.fsm'));
        expectInputError(await runCli(['check', 'x.fsm'], folder), 'x.fsm');
    });

    it('refuses a symbolic link loop', async () => {
        const folder = await tempFolder();
        await symlink('loop.fsm', path.join(folder, 'loop.fsm'));
        expectInputError(await runCli(['check', 'loop.fsm'], folder), 'loop.fsm');
    });

    it('treats an unknown option as a usage error', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN });
        expectInputError(await runCli(['check', '--bogus', 'clean.fsm'], folder), '--bogus');
    });

    it('treats an unknown command as a usage error', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN });
        expectInputError(await runCli(['frobnicate', 'clean.fsm'], folder), 'frobnicate');
    });

    it('treats `check` without paths as a usage error', async () => {
        const folder = await tempFolder({ 'clean.fsm': CLEAN });
        expectInputError(await runCli(['check'], folder));
        expectInputError(await runCli(['check', '--json'], folder));
    });

    it('prints the usage on stderr and exits 2 without any argument', async () => {
        const folder = await tempFolder();
        const result = await runCli([], folder);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/usage/i);
        expect(result.stderr).toContain('check');
        expect(result.stderr).not.toContain('    at ');
    });
});

describe('check: models across files', () => {
    it('resolves a session machine declared in a sibling file while reporting only the file named', async () => {
        const folder = await tempFolder({ 'net/server.fsm': CROSS_SERVER, 'net/session.fsm': CROSS_SESSION });
        const result = await runCli(['check', path.join('net', 'server.fsm')], folder);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const { diagnostics, summary } = parseText(result.stdout);
        // session.fsm has an unused-event warning of its own: context only, never reported.
        expect(diagnostics).toEqual([]);
        expect(summary).toEqual({ files: 1, errors: 0, warnings: 0, infos: 0 });
        expect(result.stdout).not.toContain('session.fsm');
        const json = parseJson((await runCli(['check', '--json', path.join('net', 'server.fsm')], folder)).stdout);
        expect(json).toEqual([]);
    });

    it('reports the session machine as unknown when no file declares it (control for the sibling test)', async () => {
        const folder = await tempFolder({ 'net/server.fsm': CROSS_SERVER });
        const result = await runCli(['check', path.join('net', 'server.fsm')], folder);
        expect(result.code).toBe(1);
        const { diagnostics } = parseText(result.stdout);
        const at = positionOf(CROSS_SERVER, 'session CliCrossSession', 'CliCrossSession');
        expect(diagnostics.map(head)).toEqual([head({ file: path.join('net', 'server.fsm'), ...at, severity: 'error', code: 'unresolved-reference' })]);
        expect(diagnostics[0]!.message).toContain('CliCrossSession');
    });

    it('still checks the named file when a sibling .fsm file is binary', async () => {
        const folder = await tempFolder({ 'net/server.fsm': CROSS_SERVER, 'net/session.fsm': CROSS_SESSION, 'net/junk.fsm': Buffer.from([0, 1, 2, 3]) });
        const result = await runCli(['check', path.join('net', 'server.fsm')], folder);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(parseText(result.stdout).summary).toEqual({ files: 1, errors: 0, warnings: 0, infos: 0 });
    });

    it('reports duplicate-name for one machine name declared in two files', async () => {
        const folder = await tempFolder({ 'twins/one.fsm': TWIN_ONE, 'twins/two.fsm': TWIN_TWO });
        const one = path.join('twins', 'one.fsm');
        const two = path.join('twins', 'two.fsm');
        const result = await runCli(['check', 'twins'], folder);
        expect(result.code).toBe(1);
        const { diagnostics, summary } = parseText(result.stdout);
        expect(summary).toEqual({ files: 2, errors: 2, warnings: 0, infos: 0 });
        expect(diagnostics.map(head)).toEqual([
            head({ file: one, ...positionOf(TWIN_ONE, 'machine CliTwin', 'CliTwin'), severity: 'error', code: 'duplicate-name' }),
            head({ file: two, ...positionOf(TWIN_TWO, 'machine CliTwin', 'CliTwin'), severity: 'error', code: 'duplicate-name' })
        ]);
        expect(diagnostics[0]!.message).toContain('CliTwin');
        expect(diagnostics[0]!.message).toContain('two.fsm');
        expect(diagnostics[1]!.message).toContain('one.fsm');

        // Naming only one file: the other is still context, and only the named file is reported.
        const single = await runCli(['check', '--json', one], folder);
        expect(single.code).toBe(1);
        const reported = parseJson(single.stdout);
        expect(reported.map((d) => `${d.file} ${d.code} ${coveredText(TWIN_ONE, d)}`)).toEqual([`${one} duplicate-name CliTwin`]);
    });
});

describe('check: syntax errors and half-typed models', () => {
    it('reports syntax-error with a friendly message at the offending token', async () => {
        const text = 'machine CliTyping {\n    events Go\n    initial state A {\n        on Go ->\n    }\n}\n';
        const folder = await tempFolder({ 'typing.fsm': text });
        const result = await runCli(['check', 'typing.fsm'], folder);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('');
        const { diagnostics, summary } = parseText(result.stdout);
        const brace = { line: 5, column: 5 }; // the '}' closing state A, right after the missing target
        expect(positionOf(text, '->\n    }', '}')).toEqual(brace);
        // Only the syntax error: no phantom graph warnings about the half-typed state.
        expect(diagnostics.map(head)).toEqual([head({ file: 'typing.fsm', ...brace, severity: 'error', code: 'syntax-error' })]);
        expect(summary).toEqual({ files: 1, errors: 1, warnings: 0, infos: 0 });
        const message = diagnostics[0]!.message;
        expect(message).toContain("'}'");
        expect(message).toMatch(/name/);
        expect(message).not.toMatch(/\b(ID|QUANTITY|ADDRESS|STRING|EOF)\b|Expecting|token|one of:/);
    });

    it('describes the end of the file in words when a model stops half-way', async () => {
        const text = 'machine CliCut {\n    events Go\n    initial state A {\n        after 2s ->';
        const folder = await tempFolder({ 'cut.fsm': text });
        const result = await runCli(['check', '--json', 'cut.fsm'], folder);
        expect(result.code).toBe(1);
        const reported = parseJson(result.stdout);
        const syntax = reported.filter((d) => d.code === 'syntax-error');
        expect(syntax.length).toBeGreaterThanOrEqual(1);
        expect(syntax[0]!.message).toMatch(/end of the file/);
        expect(syntax[0]!.message).not.toMatch(/\bEOF\b|Expecting|token/);
        expect(syntax[0]!.line).toBe(4);
    });

    it('survives every prefix of every example: no crash, valid JSON, positions inside the file', async () => {
        const examples = fsmFilesBelow(EXAMPLES);
        expect(examples.length).toBeGreaterThan(0);
        const files: Record<string, string> = {};
        const texts = examples.map((name) => readFileSync(path.join(EXAMPLES, name), 'utf8'));
        const total = texts.reduce((sum, text) => sum + text.length, 0);
        const step = Math.max(1, Math.ceil(total / 1200)); // keep the run short as examples are added
        texts.forEach((text, n) => {
            for (let cut = 0; cut <= text.length; cut += step) {
                files[`prefixes/e${n}-${String(cut).padStart(6, '0')}.fsm`] = text.slice(0, cut);
            }
        });
        const folder = await tempFolder(files);
        const result = await runCli(['check', '--json', 'prefixes'], folder);
        expect(result.stderr).toBe('');
        expect(result.signal).toBeNull();
        expect([0, 1]).toContain(result.code);
        const reported = parseJson(result.stdout);
        expect(reported.some((d) => d.code === 'syntax-error')).toBe(true);
        const outside = reported.filter((d) => {
            const lines = (files[d.file] ?? '').split('\n');
            const fits = (line: number, column: number): boolean => line <= lines.length && column <= lines[line - 1]!.length + 1;
            return !(d.file in files) || !fits(d.line, d.column) || !fits(d.endLine, d.endColumn);
        });
        expect(outside).toEqual([]);
        // Every cut inside a machine block leaves it unclosed: each such file has a syntax error.
        const withSyntaxError = new Set(reported.filter((d) => d.code === 'syntax-error').map((d) => d.file));
        const unclosed = Object.entries(files).filter(([, text]) => {
            const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
            return (code.match(/\{/g) ?? []).length > (code.match(/\}/g) ?? []).length;
        });
        expect(unclosed.length).toBeGreaterThan(0);
        expect(unclosed.filter(([name]) => !withSyntaxError.has(name)).map(([name]) => name)).toEqual([]);
    });

    it('names no "undefined" machine in messages for a half-typed machine without a name', async () => {
        const folder = await tempFolder({ 'nameless.fsm': 'machine\n' });
        const result = await runCli(['check', '--json', 'nameless.fsm'], folder);
        expect(result.code).toBe(1);
        const reported: Reported[] = parseJson(result.stdout);
        expect(reported.some((d) => d.code === 'syntax-error')).toBe(true);
        expect(reported.filter((d) => /undefined/.test(d.message)).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    });

    it('names no "undefined" server in messages for a half-typed server line', async () => {
        const text = 'machine CliHalfServer {\n    events Go\n    initial state A {\n        on Go -> B\n    }\n    final state B\n    server\n}\n';
        const folder = await tempFolder({ 'half-server.fsm': text });
        const result = await runCli(['check', '--json', 'half-server.fsm'], folder);
        expect(result.code).toBe(1);
        const reported = parseJson(result.stdout);
        expect(reported.some((d) => d.code === 'syntax-error')).toBe(true);
        expect(reported.filter((d) => /undefined/.test(d.message)).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    });

    it('--summary prints no "undefined" for half-typed machine and socket names', async () => {
        const folder = await tempFolder({
            'nameless.fsm': 'machine\n',
            'half-client.fsm': 'machine CliHalfClient {\n    events Go\n    initial state A {\n        on Go -> B\n    }\n    final state B\n    client\n}\n'
        });
        const result = await runCli(['check', '--summary', 'nameless.fsm', 'half-client.fsm'], folder);
        expect(result.code).toBe(1);
        const { others } = parseText(result.stdout);
        expect(others).toHaveLength(2);
        expect(others.filter((line) => line.includes('undefined'))).toEqual([]);
    });

    it('reports an unclosed /* comment as an unclosed comment', async () => {
        const text = 'machine CliNote {\n    events Go\n    /* a note that never ends\n    initial state A {\n        on Go -> A\n    }\n}\n';
        const folder = await tempFolder({ 'note.fsm': text });
        const result = await runCli(['check', '--json', 'note.fsm'], folder);
        expect(result.code).toBe(1);
        const syntax = parseJson(result.stdout).filter((d) => d.code === 'syntax-error');
        expect(syntax.length).toBeGreaterThan(0);
        expect(syntax.map((d) => d.message).join('\n')).toMatch(/unclosed comment/i);
        expect(syntax[0]).toMatchObject(positionOf(text, '/* a note', '/*'));
    });
});

describe('check: the examples folder', () => {
    it('checks every example without a single diagnostic', async () => {
        const count = fsmFilesBelow(EXAMPLES).length;
        expect(count).toBeGreaterThan(0);
        const result = await runCli(['check', 'examples'], ROOT);
        expect(result.stderr).toBe('');
        const { diagnostics, others, summary } = parseText(result.stdout);
        expect(diagnostics.map((d) => d.raw)).toEqual([]);
        expect(others).toEqual([]);
        expect(summary).toEqual({ files: count, errors: 0, warnings: 0, infos: 0 });
        expect(result.code).toBe(0);
    });

    it('prints an empty JSON array for the examples folder', async () => {
        const result = await runCli(['check', '--json', 'examples'], ROOT);
        expect(result.code).toBe(0);
        expect(parseJson(result.stdout)).toEqual([]);
    });
});
