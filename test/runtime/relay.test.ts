// The relay of examples/tcp-relay.fsm, generated and compiled, with actions written from the model's comments, between a
// client and an echoing upstream (socat): traffic in both directions at once must neither deadlock nor grow memory.
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Program, ROOT, buildProgram, removePrograms } from './program-helpers.js';
import { socatEcho, socketQueues, streamThrough } from './relay/relay-helpers.js';
import { Cleanup } from './runtime-helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const RELAY_FIXTURES = path.join(ROOT, 'test', 'runtime', 'relay');
let relayDir = '';

beforeAll(async () => {
    // RELAY_TEST_PROJECT=DIR runs the test against a relay compiled elsewhere (say, with another runtime in src/runtime/).
    if (process.env.RELAY_TEST_PROJECT) {
        relayDir = process.env.RELAY_TEST_PROJECT;
        return;
    }
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'runtime');
    relayDir = await buildProgram(path.join(ROOT, 'examples', 'tcp-relay.fsm'), {
        [path.relative(fixtures, path.join(RELAY_FIXTURES, 'tcp-relay.actions.ts.txt'))]: 'tcp-relay.actions.ts',
        [path.relative(fixtures, path.join(RELAY_FIXTURES, 'relay-session.actions.ts.txt'))]: 'relay-session.actions.ts'
    });
}, 90_000);

afterAll(() => removePrograms());

interface Queued {
    writable: number;
    maxWritable: number;
    readable: number;
    maxReadable: number;
    rssMb: number;
}

/** The last `QUEUED` line the relay printed (its actions file samples its sessions' buffers). */
function lastQueued(program: Program): Queued | undefined {
    for (let i = program.lines.length - 1; i >= 0; i--) {
        const match = /^QUEUED (\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(program.lines[i]!);
        if (match) {
            const [writable, maxWritable, readable, maxReadable, rssMb] = match.slice(1).map(Number) as [number, number, number, number, number];
            return { writable, maxWritable, readable, maxReadable, rssMb };
        }
    }
    return undefined;
}

describe('tcp-relay (generated from examples/tcp-relay.fsm)', () => {
    it('relays 200 MB to an echoing upstream and back while the client reads concurrently: intact, in time, memory bounded', async () => {
        const TOTAL = 200 * 1024 * 1024;
        const upstream = await socatEcho(cleanup);
        const program = new Program(
            process.execPath,
            [path.join(relayDir, 'dist', 'main.js')],
            relayDir,
            { TCP_RELAY_LISTENER: '127.0.0.1:0', RELAY_SESSION_UPSTREAM: `127.0.0.1:${upstream.port}` },
            cleanup
        );
        const relayPort = Number((await program.line(/^LISTENING (\d+)$/, 10_000))[1]);
        const describeRelay = (): string =>
            `relay: ${JSON.stringify(lastQueued(program))}\nss:\n${socketQueues([relayPort, upstream.port])}\n${program.output}\nsocat:\n${upstream.log().slice(-1_000)}`;
        const result = await streamThrough(cleanup, relayPort, TOTAL, { timeoutMs: 120_000, stallMs: 10_000 }, describeRelay);
        expect(result.sent).toBe(TOTAL);
        expect(result.received).toBe(TOTAL);
        expect(result.receivedSha256).toBe(result.sentSha256);
        expect(result.seconds).toBeLessThan(120);
        console.log(`relay: ${TOTAL / (1024 * 1024)} MB each way in ${result.seconds.toFixed(1)} s (${(TOTAL / (1024 * 1024) / result.seconds).toFixed(0)} MB/s)`);
        // The client has its echo and closes: the session closes both sides and ends.
        await program.line(/^SESSION-END RelaySession#1 /, 10_000);
        const end = program.lines.find((line) => line.startsWith('SESSION-END RelaySession#1 '))!;
        expect(end).toBe(`SESSION-END RelaySession#1 down in ${TOTAL} out ${TOTAL} up in ${TOTAL} out ${TOTAL}`);
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        // Memory: what Node held for writing and what it had read ahead, over both sockets, sampled after every write and
        // four times a second, stayed within a few socket buffers' worth.
        const queued = lastQueued(program);
        expect(queued, program.output).toBeDefined();
        console.log(`relay: at most ${queued!.maxWritable} bytes queued for writing, ${queued!.maxReadable} read ahead; rss ${queued!.rssMb} MB at exit`);
        expect(queued!.maxWritable).toBeLessThan(4 * 1024 * 1024);
        expect(queued!.maxReadable).toBeLessThan(4 * 1024 * 1024);
        expect(program.stderr).toBe('');
    }, 150_000);
});
