// Test fixture: writes the pieces given (a JSON array of base64 strings) to stdout one at a time, each after a line on stdin, then exits 0.
const pieces = JSON.parse(process.argv[2] ?? '[]').map((piece) => Buffer.from(piece, 'base64'));
let next = 0;
let pending = '';
const write = () => {
    if (next < pieces.length) {
        process.stdout.write(pieces[next++]);
    } else {
        process.exit(0);
    }
};
// The first piece at once; each next one once the reader acknowledged the previous one with a line.
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
    pending += text;
    let end;
    while ((end = pending.indexOf('\n')) >= 0) {
        pending = pending.slice(end + 1);
        write();
    }
});
process.stdin.on('end', () => process.exit(0));
write();
