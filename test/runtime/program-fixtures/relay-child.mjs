// The child of the relay model in test/runtime/process-programs.test.ts, started in the program's working directory.
// RELAY_CHILD_MODE=cat (default): copies stdin to stdout, as cat does.
// RELAY_CHILD_MODE=burst: at its first stdin bytes, writes RELAY_CHILD_LINES numbered lines of 128 bytes (stdout is a
// pipe: each write returns once all its bytes are in it), then kills itself with SIGKILL.
// RELAY_CHILD_MODE=long: at its first stdin bytes, writes "ok\n" and then RELAY_CHILD_LONG bytes without a line break,
// and stays up (until a signal ends it).
import { appendFileSync, writeSync } from 'node:fs';

/** Writes all of `text` to stdout before returning (process.stdout.write queues once the pipe is full). */
function writeAll(text) {
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length; ) {
        try {
            offset += writeSync(1, bytes, offset);
        } catch (error) {
            if (error.code !== 'EAGAIN') {
                throw error;
            }
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        }
    }
}

appendFileSync('pids.txt', `${process.pid}\n`);
if (process.env.RELAY_CHILD_MODE === 'burst') {
    const count = Number(process.env.RELAY_CHILD_LINES ?? '4096');
    process.stdin.once('data', () => {
        for (let index = 0; index < count; index++) {
            writeAll(`${String(index).padStart(8, '0')} ${'x'.repeat(118)}\n`);
        }
        process.kill(process.pid, 'SIGKILL');
    });
} else if (process.env.RELAY_CHILD_MODE === 'long') {
    process.stdin.once('data', () => {
        writeAll('ok\n');
        writeAll('y'.repeat(Number(process.env.RELAY_CHILD_LONG ?? '2000000')));
    });
    setInterval(() => undefined, 60_000);
} else {
    process.stdin.pipe(process.stdout);
}
