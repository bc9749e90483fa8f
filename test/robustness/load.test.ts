// Runtime faults under load, against generated programs run as child processes over real loopback sockets:
// 1,000 concurrent echo sessions while peers reset, stall and reconnect; a client whose upstream keeps restarting;
// SIGTERM while a few hundred sessions stream. Counts go through scale() (ROBUSTNESS_SCALE raises them).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removePrograms, startProgram } from '../runtime/program-helpers.js';
import { Cleanup, seededRandom, within } from '../runtime/runtime-helpers.js';
import { recordFigures, scale } from './figures.js';
import { LoadPeer, PeerConnection, StreamingPeer, type PeerKind, type StreamingKind } from './load/peers.js';
import { buildEchoServer, buildRestartClient } from './load/programs.js';
import { lingerExpiredSessions, matchSessions, openFileLimit, serverStats, sessionRecords, startEchoServer, statsWhen, unflushedBySession } from './load/server.js';
import { RecordStream } from './load/stream.js';
import { FlakyUpstream, clientEvents, reconnectDelays, type DropMode } from './load/upstream.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
afterAll(async () => {
    await cleanup.run();
    await removePrograms();
});

let serverDir = '';
let clientDir = '';

beforeAll(async () => {
    [serverDir, clientDir] = await Promise.all([buildEchoServer(), buildRestartClient()]);
}, 90_000);

const figures: Record<string, number | string> = {};

/**
 * Of every 100 peers: 10 reset, 3 stall, 10 reconnect, the rest stream steadily. A stall moves about 10 MB each way
 * (what the kernel buffers of both ends hold on loopback) and the peer keeps its stream to check the echo: past the
 * first 3,000 peers (90 stalls, about 1 GB) the stall slots stream steadily instead, so that a large
 * ROBUSTNESS_SCALE does not run out of memory.
 */
function kindOf(id: number): PeerKind {
    const slot = id % 100;
    return slot < 10 ? 'reset' : slot < 13 ? (id < 3_000 ? 'stall' : 'steady') : slot < 23 ? 'reconnect' : 'steady';
}

/** A stalled peer writes until its writes back up, at most this much. */
const STALL_BYTES = 24 * 1024 * 1024;

describe('runtime under load', () => {
    it('1,000 concurrent echo sessions while peers reset, stall and reconnect: every acknowledged byte comes back once, in order', async () => {
        const wanted = scale(1_000);
        // This process holds one descriptor per peer, the server one per session: leave room for Node and vitest.
        const limit = openFileLimit();
        const sessions = Math.min(wanted, Math.floor(limit - 512));
        if (sessions < wanted) {
            figures['sessions scaled down'] = `${wanted} → ${sessions}: open-file limit ${limit}`;
        }
        const server = await startEchoServer(serverDir, cleanup);
        const { program, port } = server;
        const baseline = await serverStats(program);
        const random = seededRandom(20_240_601);
        const peers: LoadPeer[] = [];
        for (let id = 0; id < sessions; id++) {
            const kind = kindOf(id);
            // A stalled peer must send more than the kernel buffers of both ends hold (several MB on loopback)
            // before its writes back up; the others send 32–160 KB.
            const size = kind === 'stall' ? STALL_BYTES : 32 * 1024 + Math.floor(random() * 128 * 1024);
            peers.push(new LoadPeer(id, kind, port, size, seededRandom(id + 1), { waitMs: 20_000, stallMaxMs: 8_000, stallBlockedMs: 300, stallHoldMs: 200 }));
        }
        cleanup.add(() => {
            for (const peer of peers) {
                for (const connection of peer.connections) {
                    connection.socket.destroy();
                }
            }
        });

        const started = performance.now();
        // Join in batches, so the listen backlog (511) never overflows; every peer has a live, echoing session after.
        for (let from = 0; from < peers.length; from += 100) {
            await within(Promise.all(peers.slice(from, from + 100).map((peer) => peer.join())), 20_000, `peers ${from}… to join`);
        }
        const joinedMs = performance.now() - started;
        const peak = await serverStats(program);
        expect(peak.live, 'every peer has its own live session at the same time').toBe(sessions);

        const results = await within(Promise.allSettled(peers.map((peer) => peer.run())), 60_000, 'every peer to finish');
        const runMs = performance.now() - started - joinedMs;
        const failures = results.flatMap((result, id) => (result.status === 'rejected' ? [`peer ${id} (${peers[id]!.kind}): ${String(result.reason)}`] : []));
        expect(failures.slice(0, 10), `${failures.length} peers failed`).toEqual([]);

        const outcomes = peers.map((peer) => peer.outcome());
        const connections = outcomes.flatMap((outcome) => outcome.connections.map((report) => ({ ...report, kind: outcome.kind, peer: outcome.id })));
        // Every byte that came back was checked against what was sent; per connection, the checksums agree.
        for (const connection of connections) {
            expect(connection.problem, `peer ${connection.peer} port ${connection.localPort}`).toBeUndefined();
            expect(connection.checksumOk, `peer ${connection.peer} port ${connection.localPort}`).toBe(true);
        }
        // Completing peers got their whole stream back. A reconnecting peer resumed at the first record that had not
        // come back whole: records [0, k) on the first connection, [k, end) on the second, each in sequence as it
        // arrived, so every record it sent and got back arrived exactly once, in order.
        for (const outcome of outcomes) {
            if (outcome.kind === 'reset') {
                expect(outcome.completed).toBe(false);
                continue;
            }
            expect(outcome.completed, `peer ${outcome.id} (${outcome.kind})`).toBe(true);
            const last = outcome.connections[outcome.connections.length - 1]!;
            expect(last.start + last.received).toBe(outcome.total);
            if (outcome.kind === 'reconnect') {
                expect(outcome.connections).toHaveLength(2);
                const [first, second] = outcome.connections as [(typeof outcome.connections)[0], (typeof outcome.connections)[0]];
                expect(first.firstRecord).toBe(0);
                expect(first.endRecord, `peer ${outcome.id}: some records came back before the drop`).toBeGreaterThan(1);
                expect(second.firstRecord, `peer ${outcome.id}: resumed right after the last record echoed whole`).toBe(first.endRecord);
                expect(second.endRecord).toBeGreaterThan(second.firstRecord);
            }
        }

        // The server has no session left, no handle more than before the load, and answers a fresh connection.
        const after = await statsWhen(program, (stats) => stats.live === 0, 20, 250);
        expect(after.live).toBe(0);
        expect(withoutStdio(after.resources), 'active handles of the server before and after the load').toEqual(withoutStdio(baseline.resources));
        expect(after.resources.PipeWrap ?? 0).toBeLessThanOrEqual(2);
        const fresh = new RecordStream(7);
        fresh.ensureRecords(10);
        const probe = await PeerConnection.open(port, fresh, 0, seededRandom(7), 5_000);
        cleanup.add(() => probe.socket.destroy());
        await probe.sendUpTo(fresh.length);
        await probe.echoReaches(fresh.length, 5_000);
        await probe.finish(5_000);
        expect(probe.report().checksumOk).toBe(true);
        expect(program.child.exitCode, program.output).toBeNull();

        program.child.kill('SIGTERM');
        const exit = await program.exit(10_000);
        expect(exit.code, program.output).toBe(0);

        // The server's own record of every session agrees with the peers, connection by connection.
        const { opened, sessions: records } = await sessionRecords(server);
        expect(opened).toBe(connections.length + 1);
        const unflushed = unflushedBySession(program.stderr);
        let serverResets = 0;
        const matched = matchSessions(connections, records);
        for (const [connection, session] of matched) {
            expect(session, `a session for peer ${connection.peer} port ${connection.localPort}`).toBeDefined();
            const whole = connection.ending === 'closed';
            if (whole) {
                // Closed by a FIN after the whole echo: the server took every byte and delivered every byte it accepted.
                expect(session!.bytesIn, `${session!.name} (${connection.kind})`).toBe(connection.sent);
                expect(session!.bytesOut, `${session!.name} (${connection.kind})`).toBe(connection.received);
                expect(session!.failure).toBeNull();
                expect(unflushed.has(session!.name)).toBe(false);
            } else {
                expect(session!.bytesIn).toBeLessThanOrEqual(connection.sent);
                expect(session!.bytesOut).toBeGreaterThanOrEqual(connection.received);
                if (session!.failure !== null) {
                    expect(session!.failure).toMatch(/^(ECONNRESET|EPIPE)$/);
                    serverResets++;
                }
            }
        }
        // Warnings on stderr: only bytes a dropped peer never took.
        const stderrWithoutUnflushed = program.stderr
            .replace(/\(node:\d+\) ReactorSocketError: EchoSession#\d+\.peer: socket closed with \d+ bytes not sent\n/g, '')
            .replace(/\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/g, '');
        expect(stderrWithoutUnflushed).toBe('');

        const stalls = outcomes.filter((outcome) => outcome.kind === 'stall');
        const stallsBackedUp = stalls.filter((outcome) => outcome.stallBackedUp).length;
        const serverBackedUp = matched.filter(([connection, session]) => connection.kind === 'stall' && (session?.queuedWrites ?? 0) > 0).length;
        expect(serverBackedUp, 'most stalls made the server queue its echo and stop reading from the peer').toBeGreaterThan(stalls.length / 2);
        const checked = connections.reduce((sum, connection) => sum + connection.received, 0);
        Object.assign(figures, {
            sessions: opened,
            'concurrent sessions (peak)': peak.live,
            'bytes echoed and checked': checked,
            resets: outcomes.filter((outcome) => outcome.kind === 'reset').length,
            'dropped sessions the server saw fail (ECONNRESET/EPIPE; resets and aborted reconnects)': serverResets,
            stalls: stalls.length,
            'stalls that backed up the server (echo queued, reading paused)': serverBackedUp,
            'stalls that blocked the peer\'s writes (no drain for 300 ms)': stallsBackedUp,
            'longest stall (ms)': Math.round(Math.max(0, ...stalls.map((outcome) => outcome.stalledMs))),
            'echo peers that reconnected and resumed': outcomes.filter((outcome) => outcome.kind === 'reconnect' && outcome.connections.length === 2).length,
            'bytes reported unflushed (dropped peers)': [...unflushed.values()].reduce((a, b) => a + b, 0),
            'echo server handles before/after the load (stdio pipes aside)': `${describeResources(baseline.resources)} / ${describeResources(after.resources)}`,
            'all sessions joined (ms)': Math.round(joinedMs),
            'load run (ms)': Math.round(runMs)
        });
    }, 120_000);
});

/** The model's `reconnect 20ms..320ms` (test/robustness/load/restart-client.fsm). */
const RECONNECT = { minMs: 20, maxMs: 320 };
/** A timer may fire this late on a busy 2-core machine (other suites running); never more than a rounding early. */
const LATE_MS = 150;
const EARLY_MS = 2;

describe('a generated client whose upstream keeps restarting', () => {
    it('reconnects with growing, bounded delays, and holds the same handles after every restart', async () => {
        const upstream = new FlakyUpstream();
        cleanup.add(() => upstream.down());
        await upstream.up();
        const program = startProgram(clientDir, { RESTART_CLIENT_UPSTREAM: `127.0.0.1:${upstream.port}` }, cleanup);
        const printed = (kind: string, after: number, timeoutMs: number): Promise<number> =>
            program.until((lines) => {
                const events = clientEvents(lines).filter((event) => event.kind === kind);
                return events.length > after ? events.length : undefined;
            }, timeoutMs, `${after + 1} '${kind}' events from the client`);
        /** At a steady state (connected, heartbeats flowing), the client's handles by type (SIGUSR2). */
        const resources = async (): Promise<Record<string, number>> => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            const seen = clientEvents(program.lines).filter((event) => event.kind === 'resources').length;
            program.child.kill('SIGUSR2');
            await printed('resources', seen, 5_000);
            return clientEvents(program.lines).filter((event) => event.kind === 'resources')[seen]!.detail as Record<string, number>;
        };

        await upstream.accepted(1, 10_000);
        await printed('connected', 0, 5_000);
        const before = await resources();

        // Restarts that drop the connection: the server closes it (FIN), destroys it, or resets it (RST).
        const drops = scale(24);
        const modes: DropMode[] = ['end', 'destroy', 'reset'];
        const random = seededRandom(99);
        // Each drop waits until the client has seen its connection: dropped before the client's event loop took the
        // connect (the upstream accepts first), a reset makes that connect fail instead (once seen on a busy machine).
        for (let cycle = 0; cycle < drops; cycle++) {
            await printed('connected', cycle, 5_000);
            const accepted = upstream.accepts.length;
            upstream.drop(modes[cycle % modes.length]!);
            await upstream.accepted(accepted + 1, 5_000);
            await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 80)));
        }

        // Restarts that take the upstream away: connects are refused until it listens again on the same port.
        const outages = scale(3);
        const comebacks: number[] = [];
        for (let outage = 0; outage < outages; outage++) {
            await printed('connected', drops + outage, 5_000);
            const accepted = upstream.accepts.length;
            await upstream.down();
            await new Promise((resolve) => setTimeout(resolve, 1_200));
            await upstream.up();
            const backAt = performance.now();
            comebacks.push((await upstream.accepted(accepted + 1, 5_000)) - backAt);
        }
        const connects = drops + outages + 1;
        await printed('connected', connects - 1, 5_000);
        const after = await resources();

        program.child.kill('SIGTERM');
        const exit = await program.exit(5_000);
        expect(exit.code, program.output).toBe(0);
        expect(program.textTrace).toContain('RestartClient  Online --Shutdown--> Done');

        const events = clientEvents(program.lines);
        expect(events.filter((event) => event.kind === 'connected')).toHaveLength(connects);
        expect(upstream.accepts).toHaveLength(connects);
        // Every connect sees the same handles as the first (the socket and its connect request, the heartbeat timer):
        // no socket, connect timer or reconnect timer is left over from earlier connections; and a steady state after
        // all the restarts has the same handles as before them.
        const atConnect = events.filter((event) => event.kind === 'connected').map((event) => event.detail);
        for (const [index, snapshot] of atConnect.entries()) {
            expect(withoutStdio(snapshot as Record<string, number>), `handles at connect #${index + 1}`).toEqual(withoutStdio(atConnect[0] as Record<string, number>));
            expect((snapshot as Record<string, number>).PipeWrap ?? 0).toBeLessThanOrEqual(2);
        }
        expect(withoutStdio(after), 'handles at a steady state after every restart').toEqual(withoutStdio(before));
        expect(after.PipeWrap ?? 0).toBeLessThanOrEqual(2);

        const delays = reconnectDelays(events);
        const refused = delays.filter((delay) => delay.outcome === 'failed');
        expect(refused.length, 'connects refused while the upstream was away').toBeGreaterThanOrEqual(outages * 5);
        for (const delay of delays) {
            // Equal jitter: the n-th delay after a connect lies in [c/2, c] with c = min(max, min·2ⁿ).
            const ceiling = Math.min(RECONNECT.maxMs, RECONNECT.minMs * 2 ** delay.attempt);
            expect(delay.ms, `reconnect attempt ${delay.attempt} (${delay.outcome})`).toBeGreaterThanOrEqual(ceiling / 2 - EARLY_MS);
            expect(delay.ms, `reconnect attempt ${delay.attempt} (${delay.outcome})`).toBeLessThanOrEqual(ceiling + LATE_MS);
        }
        // After a drop the first reconnect (attempt 0) finds the upstream; in every outage the delays grew to the cap
        // (attempt 4: 20 ms · 2⁴ = 320 ms) before it came back, and then it was found again within the cap.
        const reconnected = delays.filter((delay) => delay.outcome === 'connected');
        expect(reconnected).toHaveLength(drops + outages);
        expect(reconnected.filter((delay) => delay.attempt === 0)).toHaveLength(drops);
        expect(reconnected.filter((delay) => delay.attempt >= 4)).toHaveLength(outages);
        for (const ms of comebacks) {
            expect(ms).toBeLessThanOrEqual(RECONNECT.maxMs + LATE_MS);
        }
        expect(program.stderr, program.output).toBe('');

        Object.assign(figures, {
            'upstream restarts (drops + outages)': `${drops} + ${outages}`,
            'client reconnects after upstream restarts': connects - 1,
            'connects refused during outages': refused.length,
            'reconnect delays (ms) by attempt, observed min–max': describeDelays(delays),
            'longest reconnect delay (ms)': Math.round(Math.max(...delays.map((delay) => delay.ms))),
            'upstream back → client connected (ms, worst)': Math.round(Math.max(...comebacks)),
            'handles before/after': `generated client at steady state, stdio pipes aside: ${describeResources(before)} / ${describeResources(after)}`
        });
    }, 60_000);
});

/** The runtime's graceful-close linger (DEFAULT_LINGER_MS), and what the exit may take beyond it. */
const LINGER_MS = 2_000;
const EXIT_MARGIN_MS = 1_000;

interface ShutdownRun {
    count: number;
    stalled: number;
    exitCode: number | null;
    exitSignal: NodeJS.Signals | null;
    exitMs: number;
    shutdownTraced: boolean;
    /** Per connection: the echo was checked byte for byte and by checksum; problems found. */
    echoProblems: string[];
    sessionsMissing: number;
    /** Sessions whose accepted bytes were neither delivered nor reported. */
    lost: string[];
    lostBytes: number;
    accepted: number;
    delivered: number;
    reported: number;
    /** stderr besides the ERR_UNFLUSHED warnings. */
    /** Bytes missing from sessions whose linger ran out: reported as possibly lost, with no exact count. */
    lostAfterLinger: number;
    otherStderr: string;
    output: string;
}

/**
 * Starts the generated echo server, has `count` peers of the given kinds join and stream (stalled peers until
 * their writes are blocked), sends SIGTERM, and accounts for every byte each session accepted for writing:
 * delivered to its peer (read after the exit, from what the kernel still held) or reported ERR_UNFLUSHED.
 */
async function shutdownUnderLoad(count: number, kindOf: (id: number) => StreamingKind): Promise<ShutdownRun> {
    const server = await startEchoServer(serverDir, cleanup);
    const { program, port } = server;
    const peers: StreamingPeer[] = [];
    for (let id = 0; id < count; id++) {
        const kind = kindOf(id);
        peers.push(new StreamingPeer(id, kind, port, kind === 'streaming' ? 4 * 1024 * 1024 : 48 * 1024 * 1024, seededRandom(1_000 + id), 15_000));
    }
    cleanup.add(() => {
        for (const peer of peers) {
            peer.connection?.socket.destroy();
        }
    });
    for (let from = 0; from < peers.length; from += 100) {
        await within(Promise.all(peers.slice(from, from + 100).map((peer) => peer.join())), 20_000, `peers ${from}… to join`);
    }
    // Everyone streams; the stalled peers fill the buffers until their writes are blocked.
    await within(Promise.all(peers.map((peer) => peer.start())), 20_000, 'the stalled peers to be blocked');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const streaming = peers.filter((peer) => peer.connection.isOpen && !peer.connection.ended).length;
    expect(streaming, 'every session still streaming at SIGTERM').toBe(count);
    expect(peers.filter((peer) => peer.kind !== 'streaming' && !peer.blocked), 'stalled peers whose writes were not blocked').toEqual([]);

    const termAt = performance.now();
    program.child.kill('SIGTERM');
    const exit = await program.exit(LINGER_MS + 10_000);
    // The stalled peers read again only now, and take what the kernel still holds for them.
    await within(Promise.all(peers.map((peer) => peer.release())), 10_000, 'the peers to stop writing');
    await within(Promise.all(peers.map((peer) => peer.connection.closed)), 10_000, 'every peer connection to close');

    const { sessions: records } = await sessionRecords(server);
    const unflushed = unflushedBySession(program.stderr);
    const lingered = lingerExpiredSessions(program.stderr);
    const reports = peers.map((peer) => ({ ...peer.connection.report(), kind: peer.kind, id: peer.id }));
    const run: ShutdownRun = {
        count,
        stalled: peers.filter((peer) => peer.kind !== 'streaming').length,
        exitCode: exit.code,
        exitSignal: exit.signal,
        exitMs: exit.at - termAt,
        shutdownTraced: program.textTrace.includes('EchoServer  Serving --Shutdown--> Stopped'),
        echoProblems: [],
        sessionsMissing: 0,
        lost: [],
        lostBytes: 0,
        accepted: 0,
        delivered: 0,
        reported: 0,
        lostAfterLinger: 0,
        otherStderr: program.stderr
            .replace(/\(node:\d+\) ReactorSocketError: EchoSession#\d+\.peer: socket closed with \d+ bytes not sent\n/g, '')
            .replace(/\(node:\d+\) ReactorSocketError: EchoSession#\d+\.peer: the peer did not close within \d+ ms: destroyed with \d+ bytes not sent, and bytes the kernel still held for the peer may be lost\n/g, '')
            .replace(/\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/g, ''),
        output: program.output
    };
    for (const [connection, session] of matchSessions(reports, records)) {
        if (!session) {
            run.sessionsMissing++;
            continue;
        }
        // What came back is exactly what was sent, in order, up to where it stopped, and no more than was accepted.
        if (connection.problem || !connection.checksumOk || connection.received > session.bytesOut) {
            run.echoProblems.push(`peer ${connection.id} (${connection.kind}): ${connection.problem ?? 'checksum differs'}, received ${connection.received} of ${session.bytesOut} accepted`);
        }
        const notSent = unflushed.get(session.name) ?? 0;
        run.accepted += session.bytesOut;
        run.delivered += connection.received;
        run.reported += notSent;
        const missing = session.bytesOut - connection.received - notSent;
        if (missing > 0 && lingered.has(session.name)) {
            // Reported: the session's report says the kernel's queue for the peer may be lost (Node cannot count it).
            run.lostAfterLinger += missing;
        } else if (missing > 0) {
            run.lostBytes += missing;
            run.lost.push(
                `${session.name} (peer ${connection.id}, ${connection.kind}, client ${connection.ending}${connection.errorCode ? ` ${connection.errorCode}` : ''}): ` +
                    `accepted ${session.bytesOut}, delivered ${connection.received}, reported unflushed ${notSent}: ${missing} bytes lost silently`
            );
        }
    }
    return run;
}

describe('SIGTERM under load', () => {
    it('with a few hundred sessions streaming, the server delivers or reports every byte it accepted, and exits 0 within the linger', async () => {
        const wanted = scale(300);
        const count = Math.min(wanted, Math.floor(openFileLimit() - 512));
        // One peer in 20 stops reading (its echo backs up in the server: the linger runs out for it); the others stream.
        const run = await shutdownUnderLoad(count, (id) => (id % 20 === 0 ? 'stalled' : 'streaming'));
        Object.assign(figures, {
            'sessions streaming at SIGTERM': run.count,
            'of them stalled (not reading, writes blocked)': run.stalled,
            'exit after SIGTERM (ms)': Math.round(run.exitMs),
            'exit bound (ms)': `${LINGER_MS} linger + ${EXIT_MARGIN_MS} margin`,
            'bytes accepted for writing by the sessions': run.accepted,
            'bytes delivered': run.delivered,
            'bytes reported ERR_UNFLUSHED': run.reported
        });
        expect(run.exitCode, run.output).toBe(0);
        expect(run.exitSignal).toBeNull();
        expect(run.exitMs, `exit ${Math.round(run.exitMs)} ms after SIGTERM`).toBeLessThan(LINGER_MS + EXIT_MARGIN_MS);
        expect(run.shutdownTraced).toBe(true);
        expect(run.sessionsMissing).toBe(0);
        expect(run.echoProblems).toEqual([]);
        expect(run.reported, 'the stalled sessions could not flush everything within the linger').toBeGreaterThan(0);
        expect(run.otherStderr).toBe('');
        expect(run.lost, 'bytes accepted for writing but neither delivered nor reported').toEqual([]);
    }, 60_000);

    /** The run of the next two tests: a scenario that works (exit, echo) and one guarantee that does not hold. */
    let neverReading: ShutdownRun | undefined;

    it('SIGTERM while some peers send but never read: the server still exits 0 within the linger, every echo intact', async () => {
        // One peer in 4 stops reading, fills the buffers until its writes are blocked, then keeps sending a few KB
        // every few ms whatever the backpressure; the others stream.
        const run = await shutdownUnderLoad(scale(40), (id) => (id % 4 === 0 ? 'stalled-writing' : 'streaming'));
        neverReading = run;
        figures['SIGTERM with peers that send but never read: sessions, exit (ms)'] = `${run.count} (${run.stalled} never reading), ${Math.round(run.exitMs)}`;
        figures['SIGTERM with peers that send but never read: bytes lost silently'] = `${run.lostBytes} in ${run.lost.length} of ${run.stalled} never-reading sessions`;
        figures['SIGTERM with peers that send but never read: bytes lost to the reset after the linger (reported ERR_LINGER_EXPIRED)'] = run.lostAfterLinger;
        expect(run.exitCode, run.output).toBe(0);
        expect(run.exitSignal).toBeNull();
        expect(run.exitMs, `exit ${Math.round(run.exitMs)} ms after SIGTERM`).toBeLessThan(LINGER_MS + EXIT_MARGIN_MS);
        expect(run.sessionsMissing).toBe(0);
        expect(run.echoProblems).toEqual([]);
        expect(run.otherStderr).toBe('');
    }, 60_000);

    // Regression: a peer that keeps sending but never reads still has unread input at the server when the 2 s linger
    // runs out, so the kernel answers the close with an RST, which discards the server's whole send queue. Node cannot
    // count those bytes; the runtime now reports every linger expiry (ERR_LINGER_EXPIRED) as possibly losing them.
    it('SIGTERM while some peers send but never read: every byte accepted for writing is delivered or reported', () => {
        expect(neverReading, 'the previous test ran').toBeDefined();
        expect(neverReading!.lost, 'bytes accepted for writing but neither delivered nor reported').toEqual([]);
        expect(neverReading!.lostAfterLinger, 'the never-reading peers lost bytes to the reset, which the reports announce').toBeGreaterThan(0);
    });
});

afterAll(() => {
    const echoReconnects = figures['echo peers that reconnected and resumed'];
    const clientReconnects = figures['client reconnects after upstream restarts'];
    if (echoReconnects !== undefined || clientReconnects !== undefined) {
        figures.reconnects = `${echoReconnects ?? '–'} echo peers resumed on a new connection; ${clientReconnects ?? '–'} by the generated client`;
    }
    recordFigures('runtime-load', {
        claim:
            'Over real loopback sockets, the generated echo server keeps 1,000 concurrent sessions apart while peers reset, stall and reconnect ' +
            '(every byte it echoed comes back once, in order, and no handle is left behind), a generated client follows a restarting upstream with ' +
            'growing delays within its cap and the same handles after every restart, and SIGTERM with 300 sessions streaming exits 0 within the ' +
            '2 s linger plus 1 s, every accepted byte delivered or reported (ERR_UNFLUSHED with the count; for a peer that sends but never ' +
            'reads, ERR_LINGER_EXPIRED says that what the kernel still held for it may be lost to the reset).',
        figures
    });
});

/**
 * Active resources without the stdio pipes, which Node opens lazily: stdout with the first trace line, and stderr
 * the first time any socket is destroyed (node:net's Socket._destroy compares the socket with process.stderr,
 * which creates it). Both are at most one pipe each (checked separately).
 */
function withoutStdio(resources: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(resources).filter(([type]) => type !== 'PipeWrap' && type !== 'TTYWrap'));
}

function describeDelays(delays: ReadonlyArray<{ attempt: number; ms: number }>): string {
    const byAttempt = new Map<number, number[]>();
    for (const delay of delays) {
        byAttempt.set(delay.attempt, [...(byAttempt.get(delay.attempt) ?? []), delay.ms]);
    }
    return [...byAttempt]
        .sort(([a], [b]) => a - b)
        .map(([attempt, ms]) => `#${attempt} ${Math.round(Math.min(...ms))}–${Math.round(Math.max(...ms))}`)
        .join(', ');
}

function describeResources(resources: Record<string, number>): string {
    return Object.entries(withoutStdio(resources))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, count]) => `${type} ${count}`)
        .join(', ');
}
