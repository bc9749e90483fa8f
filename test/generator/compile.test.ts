// Every example's generated project type-checks under its own strict tsconfig, with zero errors.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
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

    it('compiles a machine whose socket class would be named like a global type it uses', async () => {
        // Was: `client array` of `Readonly` became class ReadonlyArray, which the signal table's type then named.
        const folder = await writeProject(
            await generateFrom(`machine Readonly { events Go initial state A { on Go -> A } client array connect 127.0.0.1:1 { read -> Go } signal SIGTERM -> Go }`)
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

/** The ```ts block of docs/generated-code.md that is a whole file of the user's, `// src/NAME.ts: …` on its first line. */
function docSource(name: string): string {
    const doc = readFileSync(new URL('../../docs/generated-code.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/^( *)```ts\n([\s\S]*?)^ *```$/gm)].map(([, indent, body]) =>
        body!
            .split('\n')
            .map((line) => line.slice(Math.min(indent!.length, line.length - line.trimStart().length)))
            .join('\n')
    );
    const found = blocks.filter((block) => block.startsWith(`// src/${name}:`));
    expect(found, `one ts block of docs/generated-code.md starting with // src/${name}:`).toHaveLength(1);
    return found[0]!;
}

describe('supplying your own Dispatchers (docs/generated-code.md, "Extending without losing work")', () => {
    const echoClient = exampleTexts[exampleFiles.indexOf('echo-client.fsm')]!;
    const echoServer = exampleTexts[exampleFiles.indexOf('echo-server.fsm')]!;

    it("the doc's src/app.ts compiles against the project generated from examples/echo-client.fsm", async () => {
        const folder = await writeProject(await generateFrom(echoClient, [], 'echo-client.fsm'));
        writeFileSync(path.join(folder, 'src', 'app.ts'), docSource('app.ts'));
        expect(typeCheck(folder)).toEqual([]);
    });

    it("a session's Dispatcher comes through the server's createSession, with the session machine's own options", async () => {
        const folder = await writeProject(await generateFrom(echoServer, [], 'echo-server.fsm'));
        writeFileSync(
            path.join(folder, 'src', 'app.ts'),
            `import type { Socket } from 'node:net';
import { Reactor, type MachineHost } from './runtime/index.js';
import { echoServerActions } from './echo-server.actions.js';
import { EchoServerListener } from './echo-server.dispatchers.js';
import { EchoServerMachine } from './echo-server.machine.js';
import { echoSessionActions } from './echo-session.actions.js';
import { EchoSessionPeer } from './echo-session.dispatchers.js';
import { EchoSessionMachine } from './echo-session.machine.js';

class QuietPeer extends EchoSessionPeer {
    override handleIdle(): void {}
}

class Listener extends EchoServerListener {
    protected override createSession(host: MachineHost, socket: Socket): EchoSessionMachine {
        return new EchoSessionMachine(host, this.sessionActions.EchoSessionMachine, socket, { sockets: { peer: (machine, accepted) => new QuietPeer(machine, accepted) } });
    }
}

const reactor = new Reactor();
reactor.add(new EchoServerMachine(reactor, echoServerActions, { EchoSessionMachine: echoSessionActions }, { sockets: { listener: (machine, sessions) => new Listener(machine, sessions) } }));
process.exitCode = await reactor.run();
`
        );
        expect(typeCheck(folder)).toEqual([]);
    });

    it('a factory must give the generated class or a subclass (the check is not vacuous)', async () => {
        const folder = await writeProject(await generateFrom(echoClient, [], 'echo-client.fsm'));
        writeFileSync(
            path.join(folder, 'src', 'app.ts'),
            `import { Reactor } from './runtime/index.js';
import { echoClientActions } from './echo-client.actions.js';
import { EchoClientMachine } from './echo-client.machine.js';

const reactor = new Reactor();
reactor.add(new EchoClientMachine(reactor, echoClientActions, { sockets: { upstream: () => ({ write: () => true }) } }));
`
        );
        expect(typeCheck(folder).join('\n')).toMatch(/app\.ts.*not assignable/s);
    });
    it('compiles processes (typed stdout and exit, send, pause, close), TLS clients and servers, and workers', async () => {
        const files = await generateFrom(`
                machine Gateway {
                    events Out(string), Exited(number), Failed(Error), Up, Reply(Buffer), Joined, Quit
                    initial state Running {
                        entry spawn tool, connect api
                        on Out [wanted] / keep, send api payload
                        on Out / pause tool, resume tool
                        on Reply / send tool payload
                        on Exited / restarted, spawn tool
                        on Failed / failed
                        on Up / up
                        on Joined / joined
                        on Quit -> Done / close tool
                    }
                    final state Done
                    process tool spawn "node" "tool.mjs" "--json" {
                        framing lines max 1MiB
                        stdout -> Out
                        exit -> Exited
                        error -> Failed
                    }
                    client api connect api.internal:8443 {
                        tls { ca "certs/ca.pem" cert "certs/c.pem" key "certs/k.pem" servername "api.internal" }
                        framing length 4
                        connect -> Up
                        read -> Reply
                    }
                    server front listen 0.0.0.0:7443 {
                        session Visit
                        tls { cert "certs/s.pem" key "certs/sk.pem" ca "certs/ca.pem" }
                        accept -> Joined
                        workers 2
                    }
                    signal SIGTERM -> Quit
                }
                machine Visit {
                    events Line, Gone
                    initial state Open { on Line / send peer payload  on Gone -> Closed }
                    final state Closed
                    connection peer { framing lines  read -> Line  close -> Gone }
                }`);
        // A process has no address: main.ts checks the overrides of the client and the server only.
        const main = files.find((file) => file.path.endsWith('main.ts'))!.content;
        expect(main).toContain('checkAddressOverrides(["GATEWAY_API", "GATEWAY_FRONT"])');
        expect(typeCheck(await writeProject(files))).toEqual([]);
    });
});
