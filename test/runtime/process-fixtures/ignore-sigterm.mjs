// Test fixture: ignores SIGTERM and the end of its stdin, says "ready", and lives for at most 30 s.
process.on('SIGTERM', () => undefined);
setTimeout(() => process.exit(0), 30_000);
process.stdout.write('ready\n');
