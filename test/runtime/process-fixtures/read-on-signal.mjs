// Test fixture: says "ready", reads nothing from stdin until SIGUSR1, then reads it to its end and prints "<bytes> <sha256>" and exits 0.
import { createHash } from 'node:crypto';

const hash = createHash('sha256');
let bytes = 0;
process.stdin.pause();
process.on('SIGUSR1', () => {
    process.stdin.on('data', (chunk) => {
        bytes += chunk.length;
        hash.update(chunk);
    });
    process.stdin.on('end', () => {
        process.stdout.write(`${bytes} ${hash.digest('hex')}\n`, () => process.exit(0));
    });
    process.stdin.resume();
});
// Bounded: a test that never signals does not leave this process behind for long.
setTimeout(() => process.exit(2), 60_000);
process.stdout.write('ready\n');
