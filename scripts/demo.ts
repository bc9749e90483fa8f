// The README's main job, after the build: generate and compile every example, then run the echo server and
// client against each other on 127.0.0.1, print their transitions, stop both with SIGTERM and show a clean exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const OUT = path.join(ROOT, 'generated');
const RUN_MS = 3_000;
const EXIT_LIMIT_MS = 10_000;

function run(command: string, args: string[]): string {
    const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) {
        process.stderr.write(result.stdout + result.stderr);
        throw new Error(`${path.basename(command)} ${args.join(' ')} failed`);
    }
    return result.stdout;
}

/** Generates and compiles one example; hand-written actions from examples/actions/ are put in place first (and kept). */
function build(example: string): void {
    const target = path.join(OUT, example.replace(/\.fsm$/, ''));
    const sources = path.join(target, 'src');
    const model = readFileSync(path.join(EXAMPLES, example), 'utf8');
    for (const actions of readdirSync(path.join(EXAMPLES, 'actions'))) {
        // `echo-session.actions.ts` holds the actions of machine EchoSession.
        const machine = actions.replace(/\.actions\.ts$/, '').replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
        const destination = path.join(sources, actions);
        if (new RegExp(`\\bmachine\\s+${machine}\\b`).test(model) && !existsSync(destination)) {
            mkdirSync(sources, { recursive: true });
            copyFileSync(path.join(EXAMPLES, 'actions', actions), destination);
        }
    }
    const summary = run(process.execPath, [path.join(ROOT, 'bin/reactor-fsm.js'), 'generate', path.join('examples', example), '-o', target]).trim().split('\n').pop();
    run(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', target]);
    process.stdout.write(`  ${summary}; compiled with tsc --strict: 0 errors\n`);
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
    });
}

function start(label: string, example: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [path.join(OUT, example, 'dist/main.js'), '--trace'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = (stream: NodeJS.ReadableStream): void => {
        let pending = '';
        stream.on('data', (chunk: Buffer) => {
            pending += chunk.toString('utf8');
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
                process.stdout.write(`  ${label} | ${line}\n`);
            }
        });
    };
    prefix(child.stdout);
    prefix(child.stderr);
    return child;
}

function exited(child: ChildProcess): Promise<number | string> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve(`no exit within ${EXIT_LIMIT_MS} ms`);
        }, EXIT_LIMIT_MS);
        child.once('exit', (code, signal) => {
            clearTimeout(timer);
            resolve(code ?? `killed by ${signal}`);
        });
    });
}

async function main(): Promise<number> {
    process.stdout.write('\nGenerating and compiling every example:\n');
    for (const example of readdirSync(EXAMPLES).filter((file) => file.endsWith('.fsm')).sort()) {
        process.stdout.write(`- examples/${example}\n`);
        build(example);
    }

    const port = await freePort();
    process.stdout.write(`\nRunning the echo server and the echo client on 127.0.0.1:${port} for ${RUN_MS / 1000} s:\n`);
    const server = start('server', 'echo-server', { ECHO_SERVER_LISTENER: `127.0.0.1:${port}` });
    const serverExit = exited(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const client = start('client', 'echo-client', { ECHO_CLIENT_UPSTREAM: `127.0.0.1:${port}` });
    const clientExit = exited(client);
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));

    process.stdout.write('\nSending SIGTERM to both:\n');
    client.kill('SIGTERM');
    const clientCode = await clientExit;
    server.kill('SIGTERM');
    const serverCode = await serverExit;
    process.stdout.write(`\nclient exit code: ${clientCode}\nserver exit code: ${serverCode}\n`);
    return clientCode === 0 && serverCode === 0 ? 0 : 1;
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    }
);
