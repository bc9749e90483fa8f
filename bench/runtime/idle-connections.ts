// Part 4: one generated echo server holding 10,000 idle connections: open them in batches, check that the server
// has a session for each and still echoes, report the time and the server's RSS, then close everything.
import type { Socket } from 'node:net';
import { fdLimit, rssOf } from './system.js';
import { connect, echoOnce } from './ping-pong.js';
import { serverStats, startGeneratedEcho, startRawEcho, type RunningServer } from './servers.js';

export interface IdlePlan {
    readonly connections: number;
    readonly batch: number;
    /** File-descriptor limits to try for the server child with `prlimit`, in order (the first one that works is used). */
    readonly nofile: readonly number[];
    /** Idle connections that must still echo afterwards (spread over all of them). */
    readonly samples: number;
}

export interface IdleResult {
    /** Why the test could not run as planned (fd limits), or undefined. */
    readonly limitation?: string;
    /** The server child's open-file limit ("soft:hard") and how it was set. */
    readonly serverNofile: string;
    readonly requested: number;
    /** Connections the client saw established. */
    readonly established: number;
    /** Live sessions the server reported at the end of opening. */
    readonly sessions: number;
    readonly openMs: number;
    readonly rssBefore: number;
    readonly rssAfter: number;
    /** Sampled idle connections that echoed, and whether a new connection echoed. */
    readonly sampledEchoes: number;
    readonly samples: number;
    readonly freshEcho: boolean;
    /** Sessions left on the server after closing every client (should be 0) and how long that took. */
    readonly sessionsAfterClose: number;
    readonly closeMs: number;
    readonly acceptPauses: number;
    /** The same connections held by the raw `net` echo server: its RSS before and after (a baseline, no target). */
    readonly raw?: { readonly established: number; readonly rssBefore: number; readonly rssAfter: number };
}

interface Opened {
    readonly sockets: Socket[];
    readonly failed: number;
}

/** Opens `count` connections, `batch` at a time (each batch fully connected before the next); stops at the first failures. */
async function openConnections(port: number, count: number, batch: number): Promise<Opened> {
    const sockets: Socket[] = [];
    let failed = 0;
    for (let opened = 0; opened < count && failed === 0; opened += batch) {
        const size = Math.min(batch, count - opened);
        const results = await Promise.allSettled(Array.from({ length: size }, () => connect(port)));
        for (const result of results) {
            if (result.status === 'fulfilled') {
                sockets.push(result.value);
            } else {
                failed++;
            }
        }
    }
    return { sockets, failed };
}

function establishedCount(sockets: readonly Socket[]): number {
    return sockets.filter((socket) => !socket.destroyed && socket.readyState === 'open').length;
}

/** The raw server's RSS with the same number of idle connections: what Node itself needs per connection. */
async function rawBaseline(rawScript: string, count: number, batch: number): Promise<IdleResult['raw']> {
    const server = await startRawEcho(rawScript);
    let sockets: Socket[] = [];
    try {
        const pid = server.child.process.pid!;
        await new Promise((resolve) => setTimeout(resolve, 200));
        const rssBefore = rssOf(pid) ?? 0;
        sockets = (await openConnections(server.port, count, batch)).sockets;
        // Give the server time to accept the last batch.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const established = establishedCount(sockets);
        const fresh = await connect(server.port);
        await echoOnce(fresh);
        fresh.destroy();
        return { established, rssBefore, rssAfter: rssOf(pid) ?? 0 };
    } finally {
        for (const socket of sockets) {
            socket.destroy();
        }
        await server.stop();
    }
}

async function startWithLimit(dist: string, tries: readonly number[]): Promise<{ server: RunningServer; notes: string[] }> {
    const notes: string[] = [];
    for (const nofile of tries) {
        try {
            return { server: await startGeneratedEcho(dist, nofile), notes };
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            notes.push(`prlimit --nofile=${nofile}:${nofile} failed (${message.split('\n').find((line) => line.includes('prlimit')) ?? message})`);
        }
    }
    notes.push('prlimit unavailable: server runs with the inherited limit');
    return { server: await startGeneratedEcho(dist), notes };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !(await condition())) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

export async function measureIdleConnections(echoDist: string, rawScript: string, plan: IdlePlan): Promise<IdleResult> {
    const own = fdLimit();
    const { server, notes } = await startWithLimit(echoDist, plan.nofile);
    let sockets: Socket[] = [];
    let result: IdleResult;
    try {
        const pid = server.child.process.pid!;
        const limits = fdLimit(pid);
        const serverNofile = limits ? `${limits.soft}:${limits.hard}` : 'unknown';
        let requested = plan.connections;
        // This process holds the client ends: it needs a descriptor per connection too.
        const room = Math.min(own?.soft ?? Infinity, limits?.soft ?? Infinity) - 200;
        if (room < requested) {
            notes.push(`fd limits (client ${own?.soft ?? '?'}, server ${limits?.soft ?? '?'}) allow only ${room} connections`);
            requested = Math.max(0, room);
        }
        await serverStats(server);
        const rssBefore = rssOf(pid) ?? 0;
        const start = process.hrtime.bigint();
        const opened = await openConnections(server.port, requested, plan.batch);
        sockets = opened.sockets;
        if (opened.failed > 0) {
            notes.push(`${opened.failed} connects failed; stopped opening`);
        }
        // Established on the client side; the server has a session once it has accepted (wait for the backlog to drain).
        await waitFor(async () => (await serverStats(server)).sessions >= sockets.length, 15_000);
        const openMs = Number(process.hrtime.bigint() - start) / 1e6;
        const stats = await serverStats(server);
        const rssAfter = rssOf(pid) ?? stats.rss;
        const established = establishedCount(sockets);

        const step = Math.max(1, Math.floor(sockets.length / Math.max(1, plan.samples)));
        const sampled = sockets.filter((_, i) => i % step === 0).slice(0, plan.samples);
        const echoes = await Promise.all(sampled.map((socket) => echoOnce(socket)));
        const fresh = await connect(server.port).catch(() => undefined);
        let freshEcho = false;
        if (fresh) {
            freshEcho = (await echoOnce(fresh)) && (await echoOnce(fresh));
            fresh.destroy();
        }

        const closeStart = process.hrtime.bigint();
        for (const socket of sockets.splice(0)) {
            socket.destroy();
        }
        await waitFor(async () => (await serverStats(server)).sessions === 0, 10_000);
        const after = await serverStats(server);
        result = {
            serverNofile,
            requested: plan.connections,
            established,
            sessions: stats.sessions,
            openMs,
            rssBefore,
            rssAfter,
            sampledEchoes: echoes.filter(Boolean).length,
            samples: sampled.length,
            freshEcho,
            sessionsAfterClose: after.sessions,
            closeMs: Number(process.hrtime.bigint() - closeStart) / 1e6,
            acceptPauses: after.pauses
        };
    } finally {
        for (const socket of sockets) {
            socket.destroy();
        }
        await server.stop();
    }
    const raw = await rawBaseline(rawScript, result.established, plan.batch).catch((error: unknown) => {
        notes.push(`raw baseline failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
    });
    return { ...result, ...(raw ? { raw } : {}), ...(notes.length > 0 ? { limitation: notes.join('; ') } : {}) };
}
