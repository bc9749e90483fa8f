// examples/edge-gateway.fsm generated, compiled and run as a user runs it, against two real peers on loopback: a
// collector for the uplink and a console. Its two regions must live side by side in the running program: the console
// unplugged and plugged back while the uplink stays online, data on the uplink while the console is away, and one
// SIGTERM that leaves both regions, closes both sockets and exits 0.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildProgramFrom, removePrograms, startProgram, type Program } from './program-helpers.js';
import { Cleanup, listen, within } from './runtime-helpers.js';

const MODEL = readFileSync(path.join(ROOT, 'examples', 'edge-gateway.fsm'), 'utf8');

/** The user's actions: each visible to a peer, so the test sees the program act, not only its trace. */
const ACTIONS = `// Actions of the edge gateway for the end-to-end test: greet the collector, draw on the console.
import type { EdgeGatewayActions } from './edge-gateway.events.js';

let acks = 0;

export const edgeGatewayActions: EdgeGatewayActions = {
    sendHello(machine) {
        machine.sockets.uplink.write('HELLO\\n');
    },
    countFailure() {},
    showOffline(machine) {
        if (machine.sockets.console.writable) {
            machine.sockets.console.write('uplink offline\\n');
        }
    },
    countAck(machine) {
        acks++;
        if (machine.sockets.console.writable) {
            machine.sockets.console.write(\`acks \${acks}\\n\`);
        }
    },
    showOnline(machine) {
        if (machine.sockets.console.writable) {
            machine.sockets.console.write('uplink online\\n');
        }
    },
    handleKey(machine) {
        machine.sockets.console.write('key\\n');
    },
    dimScreen() {},
    drawScreen(machine) {
        machine.sockets.console.write('screen\\n');
    },
    consoleOpen(machine) {
        return machine.sockets.console.writable || machine.sockets.console.closingGracefully;
    },
    uplinkOpen(machine) {
        return machine.sockets.uplink.writable || machine.sockets.uplink.closingGracefully;
    },
};
`;

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let dir = '';
beforeAll(async () => {
    dir = await buildProgramFrom(MODEL, { 'edge-gateway.actions.ts': ACTIONS });
}, 90_000);
afterAll(() => removePrograms());

/** A peer that records what it receives, per connection, and hands each new connection to the test. */
class Peer {
    readonly connections: Socket[] = [];
    readonly received: string[] = [];
    private readonly waiting: Array<() => void> = [];

    async listen(): Promise<number> {
        const { port } = await listen(cleanup, (socket) => {
            const index = this.connections.push(socket) - 1;
            this.received[index] = '';
            socket.setEncoding('utf8');
            socket.on('data', (text: string) => {
                this.received[index] += text;
                this.wake();
            });
            socket.on('end', () => socket.end());
            socket.on('error', () => undefined);
            this.wake();
        });
        return port;
    }

    /** Waits until `condition` holds (checked on every connection and every chunk), bounded. */
    until(condition: () => boolean, what: string): Promise<void> {
        if (condition()) {
            return Promise.resolve();
        }
        return within(
            new Promise<void>((resolve) => {
                const check = (): void => {
                    if (condition()) {
                        resolve();
                    } else {
                        this.waiting.push(check);
                    }
                };
                this.waiting.push(check);
            }),
            10_000,
            what
        );
    }

    private wake(): void {
        for (const check of this.waiting.splice(0)) {
            check();
        }
    }
}

/** How many trace lines match `pattern`. */
function count(program: Program, pattern: RegExp): number {
    return program.lines.filter((line) => pattern.test(line)).length;
}

async function untilCount(program: Program, pattern: RegExp, n: number): Promise<void> {
    await program.until((lines) => (lines.filter((line) => pattern.test(line)).length >= n ? true : undefined), 10_000, `${n} lines matching ${pattern}`);
}

describe('edge gateway (parallel regions) as a running program', () => {
    it('the console comes and goes while the uplink stays online; SIGTERM leaves both regions and exits 0', { timeout: 60_000 }, async () => {
        const collector = new Peer();
        const consolePeer = new Peer();
        const [uplinkPort, consolePort] = await Promise.all([collector.listen(), consolePeer.listen()]);
        const program = startProgram(dir, { EDGE_GATEWAY_UPLINK: `127.0.0.1:${uplinkPort}`, EDGE_GATEWAY_CONSOLE: `127.0.0.1:${consolePort}` }, cleanup);

        // Both regions reach their connected state, each on its own socket.
        await untilCount(program, /Offline --UplinkUp--> Online/, 1);
        await untilCount(program, /Unplugged --ConsoleUp--> Lit/, 1);
        await collector.until(() => collector.received[0] === 'HELLO\n', 'HELLO at the collector');
        await consolePeer.until(() => (consolePeer.received[0] ?? '').includes('screen\n'), 'the screen drawn on the console');

        // A key on the console: handled by the Console region, the uplink region untouched.
        consolePeer.connections[0]!.write('k');
        await consolePeer.until(() => consolePeer.received[0]!.includes('key\n'), 'the key answered');

        // Unplug the console: Console goes to Unplugged; Online is not left.
        consolePeer.connections[0]!.destroy();
        await untilCount(program, /Lit --ConsoleDown--> Unplugged/, 1);
        expect(count(program, /leaves Online/), program.output).toBe(0);

        // The uplink keeps working while the console is away.
        collector.connections[0]!.write('ACK\n');
        await untilCount(program, /Online: Ack \(internal\)/, 1);

        // `reconnect 1s..5s`: the console is dialled again and lit again, with the uplink still online.
        await consolePeer.until(() => consolePeer.connections.length === 2, 'the console dialled again');
        await untilCount(program, /Unplugged --ConsoleUp--> Lit/, 2);
        await consolePeer.until(() => consolePeer.received[1]!.includes('screen\n'), 'the screen drawn again');
        expect(count(program, /leaves Online/), program.output).toBe(0);
        expect(count(program, /UplinkUp/), program.output).toBe(1);

        // SIGTERM: one transition of the parallel state leaves both regions; Stopping closes both sockets.
        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);
        const text = program.lines.join('\n');
        expect(text).toMatch(/Running --Shutdown--> Stopping/);
        expect(text).toMatch(/--> Stopped/);
        for (const state of ['Lit', 'Console', 'Online', 'Uplink', 'Running']) {
            expect(count(program, new RegExp(`leaves ${state}$`)), `${state} left once, at the shutdown\n${program.output}`).toBe(state === 'Lit' ? 2 : 1);
        }
        // Both peers saw their connection closed by the program (an orderly end, not a reset).
        await collector.until(() => collector.connections[0]!.readableEnded, 'the uplink ended by the program');
        await consolePeer.until(() => consolePeer.connections[1]!.readableEnded, 'the console ended by the program');
    });
});
