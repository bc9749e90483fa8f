// Ports for the conformance harness on 127.0.0.1, held for a run. The harness leaves a client's port unbound between
// the modes a scenario asks for (refusing, accepting, hanging), so nothing else may take the port meanwhile:
// - it lies outside the kernel's ephemeral range (which also gives every outgoing connection its local port: a run
//   once failed with EADDRINUSE when one took a port the harness had let go for a moment);
// - it is claimed by a lock file (`<tmpdir>/reactor-fsm-harness-ports/PORT`, holding the claimer's pid) until the run
//   releases it, so no other worker or test process hands it out meanwhile (a lock whose process is gone is stale).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const LOCKS = path.join(tmpdir(), 'reactor-fsm-harness-ports');
const HIGHEST_PORT = 65_535;

/** The kernel's ephemeral range (Linux: /proc; the usual 32768–60999 where it cannot be read). */
function ephemeralRange(): { from: number; to: number } {
    try {
        const [from, to] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
        if (from && to && from <= to) {
            return { from, to };
        }
    } catch {
        // not Linux: the usual range
    }
    return { from: 32_768, to: 60_999 };
}

/** The ports handed out: from 20000 up to the ephemeral range, else above it (at least 2,000 either way). */
export function harnessPortRange(range = ephemeralRange()): { from: number; to: number } {
    if (range.from - 20_000 >= 2_000) {
        return { from: 20_000, to: range.from - 1 };
    }
    if (HIGHEST_PORT - range.to >= 2_000) {
        return { from: range.to + 1, to: HIGHEST_PORT };
    }
    throw new Error(`the ephemeral port range ${range.from}–${range.to} leaves no room for the conformance harness's ports`);
}

const RANGE = harnessPortRange();
const claimed = new Set<number>();
/** Where this process looks next: a random place in the range, so that processes start apart. */
let next = Math.floor(Math.random() * (RANGE.to - RANGE.from + 1));

process.once('exit', () => {
    for (const port of claimed) {
        rmSync(lockOf(port), { force: true });
    }
});

function lockOf(port: number): string {
    return path.join(LOCKS, String(port));
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/** Claims `port` for this process; false if another live process holds it (a lock of a process gone is taken over). */
export function claim(port: number): boolean {
    mkdirSync(LOCKS, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            writeFileSync(lockOf(port), String(process.pid), { flag: 'wx' });
            claimed.add(port);
            return true;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
                throw error;
            }
        }
        let owner = 0;
        try {
            owner = Number(readFileSync(lockOf(port), 'utf8'));
        } catch {
            // released meanwhile: try again
        }
        if (owner && alive(owner)) {
            return false;
        }
        rmSync(lockOf(port), { force: true }); // stale: its process is gone
    }
    return false;
}

function bindable(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
}

/** A port nothing uses now, claimed for this process until `releasePort` (or its exit). */
export async function claimPort(): Promise<number> {
    const size = RANGE.to - RANGE.from + 1;
    for (let tries = 0; tries < size; tries++) {
        const port = RANGE.from + (next++ % size);
        if (!claimed.has(port) && claim(port)) {
            if (await bindable(port)) {
                return port;
            }
            releasePort(port);
        }
    }
    throw new Error(`no free port in ${RANGE.from}–${RANGE.to}`);
}

/** Lets a claimed port go. */
export function releasePort(port: number): void {
    if (claimed.delete(port)) {
        rmSync(lockOf(port), { force: true });
    }
}
