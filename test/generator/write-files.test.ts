// Writing a project: byte-identical regeneration, user files kept, nothing written outside the output folder.
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReactorFsmServices } from '../../language/module.js';
import { generateProject } from '../../language/generator/generator.js';
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

    it('does not follow a folder inside the output that links elsewhere', async () => {
        const folder = await temporaryFolder();
        const elsewhere = await temporaryFolder();
        await symlink(elsewhere, path.join(folder, 'src'));
        await expect(writeGeneratedFiles(folder, await generateFrom(MODEL, [], 'bell.fsm'))).rejects.toThrow(/links outside/);
        expect(await listFiles(elsewhere)).toEqual([]);
    });

    it('does not write through a file that is a symbolic link', async () => {
        const folder = await temporaryFolder();
        const elsewhere = await temporaryFolder();
        await mkdir(path.join(folder, 'src'), { recursive: true });
        await writeFile(path.join(elsewhere, 'target.ts'), 'untouched\n');
        await symlink(path.join(elsewhere, 'target.ts'), path.join(folder, 'src/main.ts'));
        await expect(writeGeneratedFiles(folder, await generateFrom(MODEL, [], 'bell.fsm'))).rejects.toThrow(/symbolic link/);
        expect(await readFile(path.join(elsewhere, 'target.ts'), 'utf8')).toBe('untouched\n');
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
