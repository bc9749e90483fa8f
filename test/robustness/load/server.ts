// Running the generated echo server for the load suite: start it on a port the OS picks, ask it for its figures
// (SIGUSR2 prints one `STATS {json}` line), and read the per-session record it writes at exit.
import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProgram, type Program } from '../../runtime/program-helpers.js';
import type { Cleanup } from '../../runtime/runtime-helpers.js';

export interface ServerStats {
    /** Sessions not finished yet. */
    live: number;
    /** Sessions started so far. */
    opened: number;
    /** process.getActiveResourcesInfo() counted by type. */
    resources: Record<string, number>;
}

/** One session as the server recorded it at exit (src/echo-session.actions.ts of the load fixtures). */
export interface SessionRecord {
    name: string;
    port: number;
    bytesIn: number;
    bytesOut: number;
    /** Echo writes that returned false (the session then stopped reading until 'drain'). */
    queuedWrites: number;
    failure: string | null;
    finished: boolean;
}

export interface RunningServer {
    program: Program;
    port: number;
    statsFile: string;
}

let started = 0;

/** Starts `node dist/main.js --trace` of the generated echo server on 127.0.0.1:0; resolves once it listens. */
export async function startEchoServer(dir: string, cleanup: Cleanup): Promise<RunningServer> {
    const statsFile = path.join(os.tmpdir(), `reactor-fsm-load-${process.pid}-${++started}.json`);
    cleanup.add(() => rm(statsFile, { force: true }));
    const program = startProgram(dir, { ECHO_SERVER_LISTENER: '127.0.0.1:0', LOAD_STATS_FILE: statsFile }, cleanup);
    const match = await program.line(/^LISTENING (\d+)$/, 10_000);
    return { program, port: Number(match[1]), statsFile };
}

/** Sends SIGUSR2 and resolves with the STATS line it prints. */
export async function serverStats(program: Program, timeoutMs = 5_000): Promise<ServerStats> {
    const from = program.lines.length;
    program.child.kill('SIGUSR2');
    return program.until(
        (lines) => {
            for (let i = from; i < lines.length; i++) {
                if (lines[i]!.startsWith('STATS ')) {
                    return JSON.parse(lines[i]!.slice('STATS '.length)) as ServerStats;
                }
            }
            return undefined;
        },
        timeoutMs,
        'a STATS line after SIGUSR2'
    );
}

/** Asks for STATS until `condition` holds (at most `attempts` times, `pauseMs` apart); resolves with the last. */
export async function statsWhen(program: Program, condition: (stats: ServerStats) => boolean, attempts: number, pauseMs: number): Promise<ServerStats> {
    let stats = await serverStats(program);
    for (let attempt = 1; attempt < attempts && !condition(stats); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        stats = await serverStats(program);
    }
    return stats;
}

/** The sessions the server wrote at exit. */
export async function sessionRecords(server: RunningServer): Promise<{ opened: number; sessions: SessionRecord[] }> {
    return JSON.parse(await readFile(server.statsFile, 'utf8')) as { opened: number; sessions: SessionRecord[] };
}

/** Bytes each session reported as not sent (`ERR_UNFLUSHED` process warnings on stderr), by session name. */
export function unflushedBySession(stderr: string): Map<string, number> {
    const unflushed = new Map<string, number>();
    const pattern = /ReactorSocketError: (EchoSession#\d+)\.peer: (?:socket closed with|the peer did not close within \d+ ms: destroyed with) (\d+) bytes not sent/g;
    for (const match of stderr.matchAll(pattern)) {
        unflushed.set(match[1]!, (unflushed.get(match[1]!) ?? 0) + Number(match[2]));
    }
    return unflushed;
}

/** Sessions destroyed after the linger: their reports say that bytes the kernel held may be lost (an unknown count). */
export function lingerExpiredSessions(stderr: string): Set<string> {
    return new Set([...stderr.matchAll(/ReactorSocketError: (EchoSession#\d+)\.peer: the peer did not close within \d+ ms/g)].map((match) => match[1]!));
}

/** Matches client connections to server sessions by the client's local port (a port may serve several in turn). */
export function matchSessions<C extends { localPort: number; openedAt: number }>(connections: C[], sessions: SessionRecord[]): Array<[C, SessionRecord | undefined]> {
    const byPort = new Map<number, SessionRecord[]>();
    for (const session of [...sessions].sort((a, b) => sessionNumber(a) - sessionNumber(b))) {
        const list = byPort.get(session.port) ?? [];
        list.push(session);
        byPort.set(session.port, list);
    }
    return [...connections]
        .sort((a, b) => a.openedAt - b.openedAt)
        .map((connection) => [connection, byPort.get(connection.localPort)?.shift()]);
}

function sessionNumber(session: SessionRecord): number {
    return Number(session.name.slice(session.name.indexOf('#') + 1));
}

/** The soft limit on open files of processes started from here (Node raises its own to the hard limit at start). */
export function openFileLimit(): number {
    const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
    const text = result.stdout.trim();
    if (text === 'unlimited') {
        return Number.POSITIVE_INFINITY;
    }
    const limit = Number(text);
    return Number.isFinite(limit) && limit > 0 ? limit : 1_024;
}
