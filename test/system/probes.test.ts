// Probes of the environment's moves (test/fixtures/system/probes/README.md): each once gave a finding on a correct
// model or missed a state that a real program reaches.
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import { World } from '../../language/system/world.js';
import { shortest } from './brute-force.js';
import { lostSignal, orphanForever } from './finding-conditions.js';
import { contextOf, SYSTEM_FIXTURES, withSystem } from './system-helpers.js';

const PROBES = path.join(SYSTEM_FIXTURES, 'probes');

function probes(...files: string[]): Map<string, string> {
    return new Map(files.map((file) => [path.join(PROBES, file), readFileSync(path.join(PROBES, file), 'utf8')]));
}

function reported(files: string[]): Promise<string[]> {
    return withSystem(probes(...files), ({ program }) => {
        const check = checkSystem(program);
        expect(check.stats.complete).toBe(true);
        expect(check.stats.refused).toBe(0);
        return check.findings.map((finding) => `${finding.code} ${finding.spot.file}:${finding.spot.line} ${finding.scenario.join(' | ')}`);
    });
}

describe('probes of the environment', () => {
    it('no drain comes after the machine\'s own close', async () => {
        expect(await reported(['closer.fsm'])).toEqual([]);
    });

    it('a write made while connecting may drain once connected', async () => {
        expect(await reported(['early-writer.fsm'])).toEqual(['system-deadlock early-writer.fsm:12 EarlyWriter.upstream connected | EarlyWriter.upstream drained | EarlyWriter.upstream closed']);
    });

    it('a listen fails once at most, and a server whose listen failed gets no connection', async () => {
        expect(await reported(['failing-hub.fsm'])).toEqual([]);
        await withSystem(probes('failing-hub.fsm'), ({ program }) => {
            const start = World.start(contextOf(program));
            const failed = start.replay(start.moves().find((move) => move.kind === 'env' && move.what === 'listen-error')!, []).world;
            expect(failed.simulation.instance('Hub')!.stateName).toBe('Degraded');
            const kinds = failed.moves().map((move) => (move.kind === 'env' ? move.what : move.kind));
            expect(kinds).not.toContain('listen-error');
            expect(kinds).not.toContain('accept');
            expect(kinds).toContain('advance');
        });
    });

    it('a connect timeout lets time pass for every machine: a process spawned before has started for good', async () => {
        expect(await reported(['runner.fsm'])).toEqual([]);
        expect(await reported(['runner.fsm', 'dialer.fsm'])).toEqual([]);
    });

    it('a deadlock offers a signal only when a running machine still binds one', async () => {
        const deadlock = path.join(SYSTEM_FIXTURES, 'system-deadlock', 'bug');
        const files = new Map([...probes('quitter.fsm'), ...['client.fsm', 'server.fsm'].map((file): [string, string] => [path.join(deadlock, file), readFileSync(path.join(deadlock, file), 'utf8')])]);
        await withSystem(files, ({ program }) => {
            const messages = checkSystem(program).findings.filter((finding) => finding.code === 'system-deadlock').map((finding) => finding.message);
            expect(messages.length).toBeGreaterThan(0);
            for (const message of messages) {
                expect(message).toMatch(/nothing the environment can do\)\.$/);
            }
        });
    });

    it('a connect timeout is a move only when its timer is next: what is due before it happens first', async () => {
        expect(await reported(['late-runner.fsm'])).toEqual([]);
        expect(await reported(['late-runner.fsm', 'dialer.fsm'])).toEqual([]);
    });

    it('a finished machine\'s timer on no wired link does not hide a deadlock', async () => {
        expect(await reported(['waiter.fsm'])).toEqual(['system-deadlock waiter.fsm:3 ']);
        expect(await reported(['quick.fsm', 'waiter.fsm'])).toEqual(['system-deadlock waiter.fsm:3 Quick.upstream connected']);
    });

    it('two servers that run one session machine number their sessions together: every move names the session it is about', async () => {
        expect(await reported(['twin-servers.fsm'])).toEqual([]);
        await withSystem(probes('twin-servers.fsm'), ({ program }) => {
            let world = World.start(contextOf(program));
            for (const server of ['front', 'back']) {
                world = world.replay(world.moves().find((move) => move.kind === 'env' && move.what === 'accept' && move.socket === server)!, []).world;
            }
            expect(world.simulation.instances.map((instance) => `${instance.name}${instance.server ? ` of ${instance.server.socket}` : ''}`)).toEqual(['TwinHub', 'TwinPeer#1 of front', 'TwinPeer#2 of back']);
            const data = world.moves().filter((move) => move.kind === 'env' && move.what === 'data');
            expect(data.map((move) => (move.kind === 'env' ? move.instance : ''))).toEqual(['TwinPeer#1', 'TwinPeer#2']);
            const closed = world.replay(world.moves().find((move) => move.kind === 'env' && move.what === 'closed' && move.instance === 'TwinPeer#2')!, []).world;
            const hub = closed.simulation.instance('TwinHub')!;
            const live = (server: string): string[] => {
                const socket = hub.sockets.get(server);
                return socket?.kind === 'server' ? socket.sessions.map((session) => `${session}: ${closed.simulation.instance(session)!.stateName}`) : [];
            };
            expect([live('front'), live('back')]).toEqual([['TwinPeer#1: Open'], []]);
        });
    });

    it('a session machine\'s server gets connections from the environment, bounded over all its sessions', async () => {
        expect(await reported(['ftp-like.fsm'])).toEqual([]);
        await withSystem(probes('ftp-like.fsm'), ({ program }) => {
            const take = (world: World, what: string, instance: string): World => world.replay(world.moves().find((move) => move.kind === 'env' && move.what === what && move.instance === instance)!, []).world;
            let world = take(take(World.start(contextOf(program)), 'accept', 'FtpLike'), 'accept', 'FtpLike');
            world = take(take(world, 'accept', 'ControlSession#1'), 'accept', 'ControlSession#2');
            expect(world.simulation.instances.map((instance) => instance.name)).toEqual(['FtpLike', 'ControlSession#1', 'ControlSession#2', 'Transfer#1', 'Transfer#2']);
            // Two live sessions of `data` over both control sessions: no third.
            expect(world.moves().filter((move) => move.kind === 'env' && move.what === 'accept').map((move) => (move.kind === 'env' ? move.instance : ''))).toEqual([]);
            // The control session that ran Transfer#1 ends; its transfer runs on, and its server with it.
            world = take(world, 'closed', 'ControlSession#1');
            expect(world.simulation.instances.map((instance) => `${instance.name}${instance.finished ? ' (finished)' : ''}`)).toEqual(['FtpLike', 'ControlSession#1 (finished)', 'ControlSession#2', 'Transfer#1', 'Transfer#2']);
            world = take(world, 'closed', 'Transfer#1');
            expect(world.simulation.instances.map((instance) => instance.name)).toEqual(['FtpLike', 'ControlSession#2', 'Transfer#2']);
        });
    });

    it('a listen on an address another server holds fails at once, as the only move: every session on one fixed port', async () => {
        expect(await reported(['fixed-data-port.fsm'])).toEqual([]);
        await withSystem(probes('fixed-data-port.fsm'), ({ program }) => {
            let world = World.start(contextOf(program));
            for (let accepts = 0; accepts < 2; accepts++) {
                world = world.replay(world.moves().find((move) => move.kind === 'env' && move.what === 'accept' && move.instance === 'FixedFtp')!, []).world;
            }
            expect(world.moves()).toEqual([{ kind: 'env', instance: 'FixedControl#2', socket: 'data', what: 'listen-clash' }]);
            const failed = world.replay(world.moves()[0]!, []);
            expect(failed.lines).toEqual(['FixedControl#2.data error EADDRINUSE']);
            expect(failed.world.simulation.instances.map((instance) => `${instance.name}${instance.finished ? ' (finished)' : ''}`)).toEqual(['FixedFtp', 'FixedControl#1', 'FixedControl#2 (finished)']);
        });
    });

    it('two servers of the files on one port: the later one cannot listen, before anything else happens', async () => {
        const text = readFileSync(path.join(PROBES, 'twin-servers.fsm'), 'utf8').replace('listen 127.0.0.1:7611', 'listen 0.0.0.0:7610');
        await withSystem(new Map([[path.join(PROBES, 'twin-servers.fsm'), text]]), ({ program }) => {
            const start = World.start(contextOf(program));
            expect(start.moves()).toEqual([{ kind: 'env', instance: 'TwinHub', socket: 'back', what: 'listen-clash' }]);
            const failed = start.replay(start.moves()[0]!, []);
            // `back` maps no error: the program cannot go on, and exits with status 1.
            expect(failed.lines).toEqual(['TwinHub.back error EADDRINUSE']);
            expect(failed.world.simulation.exitCode).toBe(1);
            expect(failed.world.moves()).toEqual([]);
        });
    });

    it('a finished session stays while a session of its own server still lingers (exhaustive and random walks)', async () => {
        await withSystem(probes('lingering-transfer.fsm'), ({ program }) => {
            const check = checkSystem(program);
            expect(check.stats.complete).toBe(true);
            expect(check.stats.refused).toBe(0);
            for (const seed of [1, 2, 3]) {
                expect(checkSystem(program, { randomWalk: 3_000, seed }).stats.refused).toBe(0);
            }
        });
    });

    it('sessions running under a finished session are part of the state: the deadlock without them is found', async () => {
        const deadlock = 'system-deadlock transfer-after-control.fsm:11 DFtp.control accept | DControl#1.peer closed | DControl#1.data accept | DTransfer#1.peer closed';
        expect((await reported(['transfer-after-control.fsm'])).filter((finding) => finding.startsWith('system-deadlock'))).toEqual([deadlock]);
    });

    it('two transitions that take a fault into one trap are two stuck-after-fault findings, one on each', async () => {
        const stuck = (await reported(['two-faulty-transitions.fsm'])).filter((finding) => finding.startsWith('stuck-after-fault')).map((finding) => finding.split(' ')[1]);
        expect(stuck).toEqual(['two-faulty-transitions.fsm:10', 'two-faulty-transitions.fsm:15']);
    });

    it('timers by order alone merge states whose gaps differ; with exactTime they stay apart and Bomb\'s trap is found, as brute force finds it', async () => {
        await withSystem(probes('ticker-and-bomb.fsm'), ({ program }) => {
            const exact = checkSystem(program, { exactTime: true });
            expect(exact.stats.complete).toBe(true);
            expect(exact.stats.exactTime).toBe(true);
            const lost = exact.findings.find((finding) => finding.code === 'lost-signal');
            expect(lost?.scenario).toEqual(['advance 1000ms', 'advance 1000ms', 'advance 500ms', 'signal SIGTERM']);
            expect(shortest(World.start(contextOf(program)), lostSignal(4), 4)?.map((taken) => taken.outcome.lines.join(' / '))).toEqual(lost?.scenario);
            // By order alone, the state after the first tick is the start again: the search is done after 2 states.
            expect(checkSystem(program).stats.states).toBe(2);
        });
    });

    it('a server on a host name binds after the servers on IP addresses that start with it: it is the one that cannot listen', async () => {
        expect(await reported(['name-binds-later.fsm'])).toEqual(['address-in-use name-binds-later.fsm:11 NamedHub.one error EADDRINUSE']);
    });

    it('a program that stops (`stop`) ends with its sessions: one still open then is no orphan', async () => {
        expect(await reported(['stopper.fsm'])).toEqual([]);
        await withSystem(probes('stopper.fsm'), ({ program }) => {
            let world = World.start(contextOf(program));
            for (const line of ['StopServer.listener accept', 'advance 1000ms']) {
                const move = world.moves().find((candidate) => world.replay(candidate, []).lines.includes(line))!;
                world = world.replay(move, []).world;
            }
            // The probe reaches what it is for: stopped, with the session open and its peer's close on its way.
            expect(world.simulation.stopped).toBe(true);
            expect(world.moves()).toEqual([]);
            expect(world.simulation.instance('StopSession#1')?.finished).toBe(false);
            expect(world.links.some((link) => link.client.ended)).toBe(true);
            expect(shortest(World.start(contextOf(program)), orphanForever(6), 6)).toBeUndefined();
        });
    });

    it('sessions of a session machine\'s server accumulate like any other: unbounded-sessions on that server', async () => {
        expect((await reported(['transfer-after-control.fsm'])).filter((finding) => finding.startsWith('unbounded-sessions'))).toEqual([
            'unbounded-sessions transfer-after-control.fsm:38 DFtp.control accept | DControl#1.data accept | DControl#1.data accept'
        ]);
        // In ftp-like.fsm a silent control session ends by its idle timeout and takes its transfers with it: none.
        expect(await reported(['ftp-like.fsm'])).toEqual([]);
    });
});

