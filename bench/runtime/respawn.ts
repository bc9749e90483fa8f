// Re-runs this process with `node --expose-gc` when it was started without it (the heap figures need full collections).
import { spawn } from 'node:child_process';

/** Resolves false when gc is already exposed; otherwise runs the same command with the flag and exits with its status. */
export async function respawnWithGc(): Promise<boolean> {
    if (typeof (globalThis as { gc?: unknown }).gc === 'function') {
        return false;
    }
    const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => {
        child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const status = await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    process.exit(status);
}
