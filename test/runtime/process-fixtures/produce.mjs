// Test fixture: writes <megabytes> MB of deterministic bytes (seeded by <seed>) to stdout, honouring backpressure, then exits 0.
const megabytes = Number(process.argv[2] ?? '1');
const seed = Number(process.argv[3] ?? '1');

/** The i-th megabyte: a xorshift stream, so the reader can make the same bytes. */
function block(i) {
    const out = Buffer.alloc(1024 * 1024);
    let x = (seed * 2654435761 + i * 40503 + 1) >>> 0 || 1;
    for (let k = 0; k < out.length; k += 4) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        out.writeUInt32LE(x, k);
    }
    return out;
}

let i = 0;
const pump = () => {
    while (i < megabytes) {
        if (!process.stdout.write(block(i++))) {
            process.stdout.once('drain', pump);
            return;
        }
    }
    process.stdout.end(() => process.exit(0));
};
pump();
