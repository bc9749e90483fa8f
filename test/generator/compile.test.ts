// Every example's generated project type-checks under its own strict tsconfig, with zero errors.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFrom, removeTemporaryFolders, typeCheck, writeProject } from './generate-helpers.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const exampleFiles = readdirSync(EXAMPLES).filter((name) => name.endsWith('.fsm')).sort();
const exampleTexts = exampleFiles.map((name) => readFileSync(new URL(name, EXAMPLES), 'utf8'));

afterAll(removeTemporaryFolders);

describe('generated projects compile with tsc --strict', () => {
    it.each(exampleFiles.map((name, index) => [name, index] as const))('examples/%s', async (name, index) => {
        const others = exampleTexts.filter((_, other) => other !== index);
        const folder = await writeProject(await generateFrom(exampleTexts[index]!, others, name));
        expect(typeCheck(folder)).toEqual([]);
    });

    it('compiles a model whose names collide with TypeScript words and generated members', async () => {
        const folder = await writeProject(
            await generateFrom(`
                machine Machine {
                    events constructor, Enter, Exit, Timer, toString, class, delete, __proto__, Machine, raise
                    initial state class {
                        entry delete, constructor, prototype
                        exit new
                        on constructor [this] -> delete / typeof, void
                        on Enter [!this] -> Machine
                        on Enter -> Machine_
                        on Exit / raise __proto__
                        on Timer -> MachineState
                        on toString -> class
                        on class -> class
                    }
                    state delete { on delete -> class  on __proto__ -> class  after 1s -> class }
                    state Machine { on Machine -> class  on raise -> class }
                    state Machine_ { on Machine -> class }
                    state MachineState { on constructor -> class }
                    client type connect 127.0.0.1:1 { read -> delete  error -> Exit  heartbeat 1s timeout 3s -> Timer }
                    client sockets connect 127.0.0.1:2 { read -> Machine  connect -> raise }
                }`)
        );
        expect(typeCheck(folder)).toEqual([]);
    });

    it('compiles machines whose names differ only in case, and states named like imports', async () => {
        const folder = await writeProject(
            await generateFrom(`
                machine Echo { events Go initial state StartEvent { on Go -> NoEvent } state NoEvent { on Go -> StartEvent } client Machine connect 127.0.0.1:1 { read -> Go } }
                machine echo { events Go initial state Socket { on Go -> Socket } }
                machine EchoMachine { events Go initial state Reactor { on Go -> Reactor } }`)
        );
        expect(typeCheck(folder)).toEqual([]);
    });

    it('reports real type errors (the check is not vacuous)', async () => {
        const files = await generateFrom(`machine M { events Go initial state A { on Go / act } }`);
        const broken = files.map((file) => (file.path === 'src/m.actions.ts' ? { ...file, content: file.content.replace(/act\(_machine/, 'act(_machine: number') } : file));
        const folder = await writeProject(broken);
        expect(typeCheck(folder).join('\n')).toMatch(/m\.actions\.ts.*not assignable/s);
    });
});
