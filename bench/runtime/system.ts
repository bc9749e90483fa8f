// What the machine running the benchmark looks like: load, cores, file-descriptor limits.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Load {
    readonly averages: readonly [number, number, number];
    readonly cores: number;
    /** Other processes keep more than half of the cores busy (1-minute load average). */
    readonly busy: boolean;
}

export function load(): Load {
    const [one, five, fifteen] = os.loadavg() as [number, number, number];
    const cores = os.availableParallelism();
    return { averages: [one, five, fifteen], cores, busy: one > cores / 2 };
}

export interface FdLimit {
    readonly soft: number;
    readonly hard: number;
}

/** This process's open-file limit, from /proc (Linux); Infinity for "unlimited". */
export function fdLimit(pid: number | 'self' = 'self'): FdLimit | undefined {
    try {
        const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('Max open files'));
        const match = line && /Max open files\s+(\S+)\s+(\S+)/.exec(line);
        if (!match) {
            return undefined;
        }
        const parse = (value: string): number => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
        return { soft: parse(match[1]!), hard: parse(match[2]!) };
    } catch {
        return undefined;
    }
}

/** Resident set size of a process in bytes, from /proc/PID/status (Linux). */
export function rssOf(pid: number): number | undefined {
    try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return match ? Number(match[1]) * 1024 : undefined;
    } catch {
        return undefined;
    }
}
