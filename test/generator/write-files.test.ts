// Writing a project: byte-identical regeneration, user files kept, nothing written outside the output folder.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReactorFsmServices } from '../../language/module.js';
import { generateProject } from '../../language/generator/generator.js';
import type { GeneratedFile } from '../../language/generator/generator.js';
import { insideFolder, writeGeneratedFiles } from '../../language/generator/write-files.js';
import { buildWorkspace } from '../../language/workspace-loader.js';
import { EmptyFileSystem } from 'langium';
import { generateFrom, removeTemporaryFolders, temporaryFolder } from './generate-helpers.js';

const MODEL = `machine Bell { events Ring, Quit initial state Idle { on Ring / chime  on Quit -> Off } final state Off signal SIGTERM -> Quit }`;

afterAll(removeTemporaryFolders);

async function listFiles(folder: string): Promise<string[]> {
    const entries = await readdir(folder, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name))).sort();
}

/** Every entry below `folder` (files, folders, links), without following links. */
async function listEntries(folder: string): Promise<string[]> {
    const entries = await readdir(folder, { recursive: true, withFileTypes: true });
    return entries.map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name))).sort();
}

/** Expects the write to be refused with a message matching every pattern, and `folder` to hold exactly `before` afterwards. */
async function expectRefusedUntouched(folder: string, files: readonly GeneratedFile[], ...patterns: RegExp[]): Promise<void> {
    const before = await listEntries(folder);
    let message = '';
    await writeGeneratedFiles(folder, files).then(
        () => expect.unreachable('the write was refused'),
        (error: unknown) => {
            message = error instanceof Error ? error.message : String(error);
        }
    );
    for (const pattern of patterns) {
        expect(message).toMatch(pattern);
    }
    expect(await listEntries(folder), 'nothing was written').toEqual(before);
}

describe('regeneration', () => {
    it('gives byte-identical files from fresh services, and reports them unchanged on disk', async () => {
        const first = await generateFrom(MODEL, [], 'bell.fsm');
        const { ReactorFsm } = createReactorFsmServices(EmptyFileSystem);
        const [document] = await buildWorkspace(ReactorFsm, [{ uri: 'memory:///elsewhere/bell.fsm', text: MODEL }]);
        const second = generateProject(document!.parseResult.value, 'bell.fsm');
        expect(second).toEqual(first);

        const folder = await temporaryFolder();
        const initial = await writeGeneratedFiles(folder, first);
        expect(initial.kept).toEqual([]);
        expect(initial.written.length).toBe(first.length);
        const again = await writeGeneratedFiles(folder, second);
        expect(again.written).toEqual([]);
        expect(again.unchanged).toEqual(first.filter((file) => file.overwrite).map((file) => file.path));
        expect(again.kept).toEqual(['package.json', 'tsconfig.json', 'src/bell.actions.ts']);
    });

    it('never overwrites the actions file, package.json or tsconfig.json, and rewrites generated files', async () => {
        const folder = await temporaryFolder();
        await writeGeneratedFiles(folder, await generateFrom(MODEL, [], 'bell.fsm'));
        const mine = '// my own code\nexport const bellActions = { chime() { process.stdout.write("ding\\n"); } };\n';
        await writeFile(path.join(folder, 'src/bell.actions.ts'), mine);
        await writeFile(path.join(folder, 'package.json'), '{"name":"mine"}\n');
        await writeFile(path.join(folder, 'src/bell.machine.ts'), '// tampered\n');

        const changed = MODEL.replace('on Ring / chime', 'on Ring / chime, blink');
        const report = await writeGeneratedFiles(folder, await generateFrom(changed, [], 'bell.fsm'));
        expect(await readFile(path.join(folder, 'src/bell.actions.ts'), 'utf8')).toBe(mine);
        expect(await readFile(path.join(folder, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
        expect(report.kept).toContain('src/bell.actions.ts');
        expect(report.written).toContain('src/bell.machine.ts');
        expect(report.written).toContain('src/bell.events.ts'); // the interface gained `blink`
        expect(await readFile(path.join(folder, 'src/bell.events.ts'), 'utf8')).toMatch(/blink\(machine: BellMachine/);
        expect(await listFiles(folder)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
    });
});

describe('output folder safety', () => {
    it('refuses paths that leave the folder', () => {
        const root = path.resolve('/tmp/out');
        expect(insideFolder(root, 'src/a.ts')).toBe(path.join(root, 'src/a.ts'));
        for (const bad of ['../x.ts', 'src/../../x.ts', '/etc/passwd', '', '.']) {
            expect(() => insideFolder(root, bad)).toThrow(/outside/);
        }
    });

    it('does not follow a folder inside the output that links elsewhere, and creates nothing through it', async () => {
        const folder = await temporaryFolder();
        const elsewhere = await temporaryFolder();
        await symlink(elsewhere, path.join(folder, 'src'));
        const src = path.join(folder, 'src');
        await expectRefusedUntouched(folder, await generateFrom(MODEL, [], 'bell.fsm'), new RegExp(`into '${src}': it is a symbolic link \\(to '${elsewhere}'\\)`));
        // Was: src/runtime was created inside the other folder before the write was refused.
        expect(await listEntries(elsewhere)).toEqual([]);
    });

    it('refuses a folder inside the output that links back inside it too: no file goes through a link', async () => {
        const folder = await temporaryFolder();
        await mkdir(path.join(folder, 'real'));
        await symlink(path.join(folder, 'real'), path.join(folder, 'src'));
        await expectRefusedUntouched(folder, await generateFrom(MODEL, [], 'bell.fsm'), /src': it is a symbolic link/);
    });

    it('does not write through a file that is a symbolic link, and writes nothing else first', async () => {
        const folder = await temporaryFolder();
        const elsewhere = await temporaryFolder();
        await mkdir(path.join(folder, 'src'), { recursive: true });
        await writeFile(path.join(elsewhere, 'target.ts'), 'untouched\n');
        await symlink(path.join(elsewhere, 'target.ts'), path.join(folder, 'src/main.ts'));
        // Was: package.json, tsconfig.json and the runtime were written before main.ts was refused.
        await expectRefusedUntouched(folder, await generateFrom(MODEL, [], 'bell.fsm'), /src\/main\.ts': it is a symbolic link/);
        expect(await readFile(path.join(elsewhere, 'target.ts'), 'utf8')).toBe('untouched\n');
    });

    it('names a dangling link, as a folder or as a file, instead of a bare ENOENT', async () => {
        const files = await generateFrom(MODEL, [], 'bell.fsm');
        const asFolder = await temporaryFolder();
        await symlink(path.join(asFolder, 'missing'), path.join(asFolder, 'src'));
        await expectRefusedUntouched(asFolder, files, /into '[^']*src': it is a symbolic link \(to '[^']*missing'\) that leads nowhere/);

        const asFile = await temporaryFolder();
        await mkdir(path.join(asFile, 'src'));
        await symlink(path.join(asFile, 'missing.ts'), path.join(asFile, 'src', 'main.ts'));
        await expectRefusedUntouched(asFile, files, /main\.ts': it is a symbolic link/);

        const parent = await temporaryFolder();
        await symlink(path.join(parent, 'missing'), path.join(parent, 'out'));
        await expect(writeGeneratedFiles(path.join(parent, 'out'), files)).rejects.toThrow(/^cannot write into '[^']*out': it is a symbolic link \(to '[^']*missing'\) that leads nowhere/);
        await expect(writeGeneratedFiles(path.join(parent, 'out', 'deeper'), files)).rejects.toThrow(/out': it is a symbolic link/);
        expect(await listEntries(parent)).toEqual(['out']);
    });

    it('refuses a file where a folder is needed, and a folder where a file is needed, writing nothing', async () => {
        const files = await generateFrom(MODEL, [], 'bell.fsm');
        const fileAsFolder = await temporaryFolder();
        await writeFile(path.join(fileAsFolder, 'src'), 'a file\n');
        await expectRefusedUntouched(fileAsFolder, files, /into '[^']*src': it exists and is not a folder/);

        const folderAsFile = await temporaryFolder();
        await mkdir(path.join(folderAsFile, 'src', 'main.ts'), { recursive: true });
        await expectRefusedUntouched(folderAsFile, files, /main\.ts': it is a folder/);

        const outputIsFile = await temporaryFolder();
        await writeFile(path.join(outputIsFile, 'out'), 'a file\n');
        await expect(writeGeneratedFiles(path.join(outputIsFile, 'out'), files)).rejects.toThrow(/into '[^']*out': it exists and is not a folder/);
    });

    it('refuses a FIFO where a generated file goes instead of waiting forever to read it', { timeout: 10_000 }, async (context) => {
        const folder = await temporaryFolder();
        await mkdir(path.join(folder, 'src'));
        const made = spawnSync('mkfifo', [path.join(folder, 'src', 'main.ts')]);
        if (made.status !== 0) {
            context.skip('mkfifo is not available');
        }
        await expectRefusedUntouched(folder, await generateFrom(MODEL, [], 'bell.fsm'), /main\.ts': it is not a regular file/);
    });

    it('refuses a name longer than the file system allows before writing anything, naming the file', async () => {
        const long = 'B'.repeat(300);
        const files = await generateFrom(MODEL.replace(/Bell/g, long), [], 'bell.fsm');
        const folder = await temporaryFolder();
        // Was: 14 files written, then a bare ENAMETOOLONG.
        await expectRefusedUntouched(folder, files, new RegExp(`src/${long.toLowerCase()}\\.events\\.ts': the name '${'b'.repeat(40)}…' is 310 bytes long; the file system allows at most 255 bytes per name`));
        await expect(writeGeneratedFiles(path.join(folder, 'x'.repeat(256)), files)).rejects.toThrow(/into '[^']*x{256}': the name/);
        await expect(writeGeneratedFiles(path.join(folder, 'ü'.repeat(128)), files)).rejects.toThrow(/is 256 bytes long/); // bytes, not characters
        expect(await listEntries(folder)).toEqual([]);
    });

    it('refuses a path longer than the file system allows', async () => {
        const folder = await temporaryFolder();
        const deep = path.join(folder, ...Array.from({ length: 40 }, () => 'f'.repeat(120)));
        await expect(writeGeneratedFiles(deep, await generateFrom(MODEL, [], 'bell.fsm'))).rejects.toThrow(/the path is \d+ bytes long; the file system allows at most/);
        expect(await listEntries(folder)).toEqual([]);
    });

    it('writes a file whose name is at the limit: the temporary copy beside it has a short name of its own', async () => {
        const folder = await temporaryFolder();
        const name = `${'n'.repeat(252)}.ts`; // 255 bytes: the longest name Linux file systems take
        // Was: the temporary file `NAME.PID.tmp` was longer than 255 bytes: ENAMETOOLONG.
        const report = await writeGeneratedFiles(folder, [{ path: `src/${name}`, content: 'x\n', overwrite: true }]);
        expect(report.written).toEqual([`src/${name}`]);
        expect(await listFiles(folder)).toEqual([`src/${name}`]);
    });

    it('refuses an empty output folder name instead of writing into the working folder', async () => {
        await expect(writeGeneratedFiles('', await generateFrom(MODEL, [], 'bell.fsm'))).rejects.toThrow(/empty name/);
    });

    it('creates missing folders one level at a time, and stops with the folder named where the file system takes none', { timeout: 20_000 }, async (context) => {
        const folder = await temporaryFolder();
        const report = await writeGeneratedFiles(path.join(folder, 'a', 'b', 'c'), await generateFrom(MODEL, [], 'bell.fsm'));
        expect(report.written).toContain('src/runtime/machine.ts');
        if (!existsSync('/proc/self')) {
            context.skip('no /proc here');
        }
        // Was: Node's recursive mkdir looped forever on /proc/x (ENOENT for a parent that exists).
        await expect(writeGeneratedFiles('/proc/x/out', await generateFrom(MODEL, [], 'bell.fsm'))).rejects.toThrow(/'\/proc\/x'/);
    });

    it('keeps model text out of code: comments in the model cannot end a generated comment', async () => {
        const files = await generateFrom('machine M { events Go initial state A { on Go /* */ / act } }', [], 'm.fsm');
        const own = files.filter((file) => !file.path.startsWith('src/runtime/'));
        const linesWithModelText = own.flatMap((file) => file.content.split('\n').filter((line) => line.includes('on Go /*')));
        expect(linesWithModelText.length).toBeGreaterThan(0);
        for (const line of linesWithModelText) {
            const text = line.trim();
            // A line comment, or a doc comment whose only `*/` is its own end.
            expect(text.startsWith('//') || (text.startsWith('/**') && text.indexOf('*/') === text.length - 2)).toBe(true);
        }
    });
});
