// Test fixture: ignores SIGTERM and the end of its stdin, says "ready" (then, given a length, that many x without LF), and lives for at most 30 s.
process.on('SIGTERM', () => undefined);
setTimeout(() => process.exit(0), 30_000);
process.stdout.write(`ready\n${'x'.repeat(Number(process.argv[2] ?? '0'))}`);
