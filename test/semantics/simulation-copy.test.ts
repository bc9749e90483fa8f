// Simulation.copy: a copy taken between steps runs on exactly as the original would (the explorer branches from copies),
// and the two never share what changes.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../language/semantics/interpreter.js';
import { applyStep } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { brief, programFrom } from './simulate-helpers.js';

async function example(name: string): Promise<string> {
    return readFile(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
}

/** Runs `before`, copies, runs `after` on the copy and on the original: both traces after the copy must be equal. */
async function copyAgrees(model: string, machine: string, before: string, after: string, others: string[] = []): Promise<string[]> {
    const program = await programFrom(model, others);
    const original = new Simulation(program);
    original.start();
    for (const step of parseScenario(before)) {
        applyStep(original, step, machine);
    }
    const copy = original.copy();
    expect(copy.trace.map(brief)).toEqual(original.trace.map(brief));
    const mark = original.trace.length;
    for (const step of parseScenario(after)) {
        applyStep(copy, step, machine);
    }
    // The original has not moved while its copy ran.
    expect(original.trace.length).toBe(mark);
    for (const step of parseScenario(after)) {
        applyStep(original, step, machine);
    }
    const tail = original.trace.slice(mark).map((line) => `${line.t} ${brief(line)}`);
    expect(copy.trace.slice(mark).map((line) => `${line.t} ${brief(line)}`)).toEqual(tail);
    expect(copy.now).toBe(original.now);
    return tail;
}

describe('Simulation.copy', () => {
    it('a client with connect timeout, heartbeat and reconnect: timers armed before the copy fire in the copy', async () => {
        const tail = await copyAgrees(await example('echo-client.fsm'), 'EchoClient', 'upstream connected\nadvance 4s', 'advance 20s\nupstream connected\nupstream data "x"\nadvance 1s');
        expect(tail.some((line) => line.includes('HeartbeatLost'))).toBe(true);
        expect(tail.filter((line) => line.includes('io upstream connect'))).toHaveLength(1);
    });

    it('a server and its sessions: an accepted session, its idle timer and a graceful close carry over', async () => {
        const tail = await copyAgrees(
            await example('echo-server.fsm'),
            'EchoServer',
            'listener accept\nlistener accept\nEchoSession#1.peer data "hi"',
            'advance 31s\nEchoSession#2.peer closed\nadvance 5s\nlistener accept\nsignal SIGTERM'
        );
        expect(tail.filter((line) => line.includes('finish')).length).toBeGreaterThanOrEqual(3);
    });

    it('a paused line-framed socket: held bytes and a half-read line are the copy\'s own', async () => {
        const model = `machine C {
            events Up, Msg, Down, Hold, Go
            initial state A {
                on Msg / got
                on Hold / pause link
                on Go / resume link
                on Down -> Z
            }
            final state Z
            client link connect 127.0.0.1:9 {
                framing lines
                connect -> Up
                read -> Msg
                close -> Down
            }
        }`;
        const tail = await copyAgrees(model, 'C', 'link connected\nlink data "par"\nsend Hold\nlink data "t1\\nx"', 'send Go\nlink data "y\\n"\nlink closed');
        expect(tail.filter((line) => line.includes('internal Msg'))).toHaveLength(2);
    });

    it('two copies taken one after the other (no step between) and their source, stepped in turn, each run as a fresh run does', async () => {
        // The source makes a new writer token only when an instance holds its current one: the second copy is taken
        // while no instance does. Steps alternate between the three, so that each changes instances the others share.
        const program = await programFrom(await example('echo-server.fsm'));
        const before = parseScenario('listener accept\nlistener accept\nEchoSession#1.peer data "hi"');
        const after = parseScenario('EchoSession#2.peer data "yo"\nadvance 31s\nEchoSession#1.peer closed\nlistener accept\nadvance 5s\nsignal SIGTERM\nadvance 3s');
        const original = new Simulation(program);
        original.start();
        for (const step of before) {
            applyStep(original, step, 'EchoServer');
        }
        const mark = original.trace.length;
        const first = original.copy();
        const second = original.copy();
        for (const step of after) {
            for (const simulation of [second, original, first]) {
                applyStep(simulation, step, 'EchoServer');
            }
        }
        const fresh = new Simulation(program);
        fresh.start();
        for (const step of [...before, ...after]) {
            applyStep(fresh, step, 'EchoServer');
        }
        const tail = (simulation: Simulation): string[] => simulation.trace.slice(mark).map((line) => `${line.t} ${brief(line)}`);
        expect(tail(fresh).filter((line) => line.includes('finish')).length).toBeGreaterThanOrEqual(3);
        expect(tail(original)).toEqual(tail(fresh));
        expect(tail(first)).toEqual(tail(fresh));
        expect(tail(second)).toEqual(tail(fresh));
    });

    it('a copy with keepTrace false keeps no lines but tells onTrace', async () => {
        const program = await programFrom(await example('echo-client.fsm'));
        const original = new Simulation(program);
        original.start();
        const told: string[] = [];
        const copy = original.copy({ keepTrace: false, onTrace: (line) => told.push(brief(line)) });
        applyStep(copy, parseScenario('upstream refused')[0]!, 'EchoClient');
        expect(copy.trace).toEqual([]);
        expect(told).toContain('EchoClient Connecting -Failed-> Backoff');
    });
});
