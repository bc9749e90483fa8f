// The language server's process seen from outside: its pid (found in /proc, since the test client keeps its child
// to itself) and its resident set size.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the running processes whose parent is `parent` and whose command line mentions `needle`. */
export function childPids(parent: number, needle: string): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last `)`.
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) {
                pids.push(Number(entry));
            }
        } catch {
            // The process ended while we looked.
        }
    }
    return pids;
}

/** The resident set size of `pid` in MB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    if (!match) {
        throw new Error(`no VmRSS in /proc/${pid}/status`);
    }
    return Number(match[1]) / 1024;
}

/** Samples the RSS of `pid` every `everyMs` until stopped; keeps the peak. */
export class RssSampler {
    peak = 0;
    samples = 0;
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly pid: number, everyMs = 20) {
        this.sample();
        this.timer = setInterval(() => this.sample(), everyMs);
    }

    stop(): number {
        clearInterval(this.timer);
        this.sample();
        return this.peak;
    }

    private sample(): void {
        try {
            this.peak = Math.max(this.peak, rssMb(this.pid));
            this.samples++;
        } catch {
            // The process is gone; the test that needs it says so.
        }
    }
}
