// The conformance harness's ports: outside the ephemeral range, and claimed so that no other process hands them out.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claim, claimPort, harnessPortRange, releasePort } from './conformance/ports.js';

const lock = (port: number): string => path.join(tmpdir(), 'reactor-fsm-harness-ports', String(port));

describe('conformance harness ports', () => {
    it('lie below the ephemeral range, or above it when it starts too low, and never inside it', () => {
        expect(harnessPortRange({ from: 32_768, to: 60_999 })).toEqual({ from: 20_000, to: 32_767 });
        expect(harnessPortRange({ from: 10_000, to: 50_000 })).toEqual({ from: 50_001, to: 65_535 });
        expect(() => harnessPortRange({ from: 1_024, to: 65_000 })).toThrow(/leaves no room/);
    });

    it('are claimed by a lock file with the pid until released; another process skips a claimed port', async () => {
        const ports = await Promise.all([claimPort(), claimPort(), claimPort()]);
        expect(new Set(ports).size).toBe(3);
        for (const port of ports) {
            expect(readFileSync(lock(port), 'utf8')).toBe(String(process.pid));
        }
        // Another process cannot claim them.
        const portsModule = path.join(import.meta.dirname, 'conformance/ports.ts');
        const tryInChild = (port: number): number | null =>
            spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(portsModule)}).then((ports) => process.exit(ports.claim(${port}) ? 0 : 3))`], { encoding: 'utf8' }).status;
        expect(tryInChild(ports[0]!)).toBe(3);
        for (const port of ports) {
            releasePort(port);
            expect(existsSync(lock(port))).toBe(false);
        }
        // Released, it can be claimed elsewhere (the child's claim ends with it: its lock is removed at its exit).
        expect(tryInChild(ports[0]!)).toBe(0);
        expect(existsSync(lock(ports[0]!))).toBe(false);
    });

    it('takes over a lock whose process is gone', async () => {
        const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
        // A port of ours, its lock made to look left behind by a process that has exited (held all along: no other
        // worker can have it meanwhile).
        const port = await claimPort();
        writeFileSync(lock(port), gone.stdout);
        expect(claim(port)).toBe(true);
        expect(readFileSync(lock(port), 'utf8')).toBe(String(process.pid));
        releasePort(port);
    });
});
