// The network resetting wired connections (ExploreOptions.networkFaults, `explore --network-faults`): off by default;
// on, either end of a wired connection may be reset first, what was on its way to it is lost and the other end gets the
// reset after what is already on its way; findings only such a reset causes are found with their shortest traces, and
// their scenarios replay to them.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import type { ProgramSpec } from '../../language/semantics/program.js';
import { checkSystem } from '../../language/system/check-system.js';
import { wire } from '../../language/system/wiring.js';
import { SystemContext, World, type Move } from '../../language/system/world.js';
import { shortest } from './brute-force.js';
import { deadlocked } from './finding-conditions.js';
import { fixtureFiles, instancesOf, ROOT, withFixture, withSystem } from './system-helpers.js';

function faultyContext(program: ProgramSpec): SystemContext {
    return new SystemContext(program, wire(program), { sessions: 2, networkFaults: true });
}

/** The move whose scenario lines include `line`. */
function moveWith(world: World, line: string): Move {
    const move = world.moves().find((candidate) => world.replay(candidate, []).lines.includes(line));
    expect(move, `a move '${line}' among ${world.moves().map((candidate) => JSON.stringify(candidate)).join(', ')}`).toBeDefined();
    return move!;
}

/** Network resets among the moves of every world within `depth` moves of the start (each of a socket on a wired link). */
function wiredResets(start: World, depth: number): number {
    let count = 0;
    let layer = [start];
    for (let level = 0; level <= depth; level++) {
        const next: World[] = [];
        for (const world of layer) {
            for (const move of world.moves()) {
                if (move.kind === 'env' && move.what === 'network-reset') {
                    expect(world.links.some((link) => [link.client, link.session].some((end) => end.instance === move.instance && end.socket === move.socket))).toBe(true);
                    count++;
                }
                next.push(world.replay(move, []).world);
            }
        }
        layer = next;
    }
    return count;
}

const EXAMPLES = path.join(ROOT, 'examples');

function examplePair(...files: string[]): Map<string, string> {
    return new Map(files.map((file) => [path.join(EXAMPLES, file), readFileSync(path.join(EXAMPLES, file), 'utf8')]));
}

describe('network faults on wired connections', () => {
    it('are off by default, and on only when asked for', async () => {
        await withSystem(examplePair('echo-client.fsm', 'echo-server.fsm'), ({ program }) => {
            const plain = new SystemContext(program, wire(program), { sessions: 2 });
            expect(wiredResets(World.start(plain), 3)).toBe(0);
            expect(wiredResets(World.start(faultyContext(program)), 3)).toBeGreaterThan(0);
            const off = checkSystem(program);
            const on = checkSystem(program, { networkFaults: true });
            expect(off.stats.networkFaults).toBe(false);
            expect(on.stats.networkFaults).toBe(true);
            expect(on.stats.states).toBeGreaterThan(off.stats.states);
        });
    });

    it('reset one end first: what was on its way to it is lost, the other end gets the reset after what is on its way to it', async () => {
        await withFixture('orphan-session', 'fixed', ({ program }) => {
            let world = World.start(faultyContext(program));
            // The connect is one move; the client then sends its job, which is on its way to the session.
            world = world.replay(moveWith(world, 'JobClient.upstream connected'), []).world;
            const [link] = world.links;
            expect(link!.session.inbox.map((item) => item.kind)).toEqual(['data']);

            const clientFirst = world.replay(moveWith(world, 'JobClient.upstream reset'), []).world;
            const [afterClient] = clientFirst.links;
            expect(afterClient!.client).toMatchObject({ ended: true, inbox: [] });
            expect(afterClient!.session.inbox.map((item) => item.kind)).toEqual(['data', 'rst']);
            expect(clientFirst.simulation.instance('JobClient')!.stream('upstream').status).toBe('closed');

            const sessionFirst = world.replay(moveWith(world, 'JobSession#1.peer reset'), []).world;
            const [afterSession] = sessionFirst.links;
            // The job on its way to the session is lost with the connection; the client hears the reset.
            expect(afterSession!.session).toMatchObject({ ended: true, inbox: [] });
            expect(afterSession!.client.inbox.map((item) => item.kind)).toEqual(['rst']);
            // Once one end is reset, the network resets neither again: the other end gets the reset in flight.
            expect(sessionFirst.moves().filter((move) => move.kind === 'env' && move.what === 'network-reset')).toEqual([]);
            expect(clientFirst.moves().filter((move) => move.kind === 'env' && move.what === 'network-reset')).toEqual([]);
        });
    });

    it('spare a paused socket: its reset would wait while its peer goes on (the session pauses for each job)', async () => {
        await withFixture('orphan-session', 'bug', ({ program }) => {
            const check = checkSystem(program, { networkFaults: true });
            expect(check.stats.complete).toBe(true);
            expect(check.stats.refused, check.stats.firstRefusal).toBe(0);
            let world = World.start(faultyContext(program));
            world = world.replay(moveWith(world, 'JobClient.upstream connected'), []).world;
            world = world.replay(moveWith(world, 'JobSession#1.peer data "JOB 42\\n"'), []).world;
            expect(world.simulation.instance('JobSession#1')!.stream('peer').paused).toBe(true);
            const resets = world.moves().flatMap((move) => (move.kind === 'env' && move.what === 'network-reset' ? [move.instance] : []));
            expect(resets).toEqual(['JobClient']);
        });
    });

    it('find what only a reset of the network causes, with the shortest trace, and its scenario replays to it', async () => {
        await withFixture('orphan-session', 'fixed', ({ program }) => {
            expect(checkSystem(program).findings).toEqual([]);
            const check = checkSystem(program, { networkFaults: true });
            expect(check.stats.complete).toBe(true);
            expect(check.stats.refused).toBe(0);
            expect(check.findings.map((finding) => `${finding.code} ${path.basename(finding.spot.file)}:${finding.spot.line}`)).toEqual(['system-deadlock client.fsm:8']);
            const [finding] = check.findings;
            const brute = shortest(World.start(faultyContext(program)), deadlocked, 4);
            expect(brute?.length).toBe(finding!.steps.length);
            // The network resets the session's end (the job on its way there is lost); the reset reaches the client.
            expect(finding!.scenario).toEqual(['JobServer.listener accept', 'JobClient.upstream connected', 'JobSession#1.peer reset', 'JobClient.upstream reset']);
            expect(finding!.steps.map((step) => (step.move.kind === 'env' ? step.move.what : step.move.kind))).toEqual(['accept', 'network-reset', 'deliver']);
            const run = runScenario(program, parseScenario(finding!.scenario.join('\n')));
            expect(instancesOf(run.simulation)).toEqual([...finding!.machines]);
        });
    });

    it('a client that gives up when its connection fails is clean with them', async () => {
        const [client, server] = fixtureFiles('orphan-session', 'fixed').sort();
        const fixed = readFileSync(client!, 'utf8').replace('        on Answer -> Done\n', '        on Answer -> Done\n        on Failed -> GaveUp\n');
        expect(fixed).toContain('on Failed -> GaveUp\n    }\n    final state Done');
        await withSystem(
            new Map([
                [client!, fixed],
                [server!, readFileSync(server!, 'utf8')]
            ]),
            ({ program }) => {
                const check = checkSystem(program, { networkFaults: true });
                expect(check.stats.complete).toBe(true);
                expect(check.findings).toEqual([]);
            }
        );
    });

    for (const files of [
        ['echo-client.fsm', 'echo-server.fsm'],
        ['chat-client.fsm', 'chat-room.fsm'],
        ['edge-gateway.fsm', 'rpc-server.fsm']
    ]) {
        it(`leave the wired examples clean: ${files.join(' + ')}`, async () => {
            await withSystem(examplePair(...files), ({ program }) => {
                const check = checkSystem(program, { networkFaults: true });
                expect(check.stats.complete).toBe(true);
                expect(check.stats.refused).toBe(0);
                expect(check.findings.map((finding) => `${finding.code} ${path.basename(finding.spot.file)}:${finding.spot.line}`)).toEqual([]);
            });
        }, 30_000);
    }
});
