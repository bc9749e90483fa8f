// The byte stream a load peer sends: records `[u32 seq][u16 length][u16 check][payload]`, the payload
// pseudo-random from (peer seed, seq). Records are generated on demand into one growing buffer, so an echo can be
// compared byte for byte with what was sent, and a connection can resume at any record boundary.
import { createHash } from 'node:crypto';

export const HEADER_BYTES = 8;

/** The check field of a record header: ties the header to the peer and the sequence number. */
function headerCheck(seed: number, seq: number, length: number): number {
    return (Math.imul(seed ^ seq, 0x9e3779b1) ^ length) & 0xffff;
}

/** xorshift32 over (seed, seq): the payload bytes of one record. */
function fillPayload(target: Buffer, offset: number, length: number, seed: number, seq: number): void {
    let x = (Math.imul(seed, 0x85ebca6b) ^ Math.imul(seq + 1, 0xc2b2ae35)) >>> 0 || 0x6d2b79f5;
    let i = 0;
    for (; i + 4 <= length; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        target.writeInt32LE(x | 0, offset + i);
    }
    for (; i < length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        target[offset + i] = x & 0xff;
    }
}

export class RecordStream {
    /** Start offset of every record generated so far, and the end of the last one. */
    readonly starts: number[] = [0];
    private buffer = Buffer.alloc(0);
    private rng: number;

    constructor(
        readonly seed: number,
        /** Largest payload of a record. */
        private readonly maxPayload = 2_048
    ) {
        this.rng = (seed ^ 0x5bd1e995) >>> 0 || 1;
    }

    /** Bytes generated so far (a whole number of records). */
    get length(): number {
        return this.starts[this.starts.length - 1]!;
    }

    get records(): number {
        return this.starts.length - 1;
    }

    /** Generates records until at least `bytes` exist. */
    ensure(bytes: number): void {
        while (this.length < bytes) {
            this.appendRecord();
        }
    }

    /** Generates records until at least `count` exist. */
    ensureRecords(count: number): void {
        while (this.records < count) {
            this.appendRecord();
        }
    }

    /** The bytes [from, to): generated as needed. The view stays valid when the buffer grows later. */
    slice(from: number, to: number): Buffer {
        this.ensure(to);
        return this.buffer.subarray(from, to);
    }

    /** The number of whole records in [0, offset). */
    recordsBefore(offset: number): number {
        let low = 0;
        let high = this.starts.length - 1;
        while (low < high) {
            const mid = (low + high + 1) >> 1;
            if (this.starts[mid]! <= offset) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    sha256(from: number, to: number): string {
        return createHash('sha256').update(this.slice(from, to)).digest('hex');
    }

    private appendRecord(): void {
        this.rng ^= this.rng << 13;
        this.rng ^= this.rng >>> 17;
        this.rng ^= this.rng << 5;
        this.rng >>>= 0;
        const payload = 1 + (this.rng % this.maxPayload);
        const seq = this.records;
        const start = this.length;
        const end = start + HEADER_BYTES + payload;
        if (end > this.buffer.length) {
            const grown = Buffer.alloc(Math.max(64 * 1024, end, this.buffer.length * 2));
            this.buffer.copy(grown, 0, 0, start);
            this.buffer = grown;
        }
        this.buffer.writeUInt32BE(seq, start);
        this.buffer.writeUInt16BE(payload, start + 4);
        this.buffer.writeUInt16BE(headerCheck(this.seed, seq, payload), start + 6);
        fillPayload(this.buffer, start + HEADER_BYTES, payload, this.seed, seq);
        this.starts.push(end);
    }
}

/**
 * Checks one connection's echo as it arrives: byte for byte against the stream from where the connection started,
 * record by record (each sequence number exactly once, in order, with a valid header), and a SHA-256 of everything
 * received, compared at the end with the SHA-256 of the bytes sent over the same range.
 */
export class EchoChecker {
    /** Absolute stream offset up to which the echo has arrived. */
    position: number;
    /** The first problem seen; checking stops there. */
    problem: string | undefined;
    private readonly hash = createHash('sha256');
    /** The sequence number of the next header. */
    private nextSeq: number;
    /** The header being read so far, and the payload bytes of the current record still to come. */
    private header = Buffer.alloc(HEADER_BYTES);
    private headerFill = 0;
    private payloadLeft = 0;

    constructor(
        private readonly stream: RecordStream,
        readonly start: number
    ) {
        this.position = start;
        this.nextSeq = stream.recordsBefore(start);
        if (stream.starts[this.nextSeq] !== start) {
            throw new Error(`a connection must start at a record boundary, not at ${start}`);
        }
    }

    /** Whole records echoed on this connection: [first, end). */
    get firstRecord(): number {
        return this.stream.recordsBefore(this.start);
    }

    /** One past the last record whose every byte has arrived (a record counts only once complete). */
    get endRecord(): number {
        return this.payloadLeft > 0 ? this.nextSeq - 1 : this.nextSeq;
    }

    get received(): number {
        return this.position - this.start;
    }

    /** Takes a chunk of echo; `sentUpTo` is the absolute offset written so far (an echo cannot run ahead of it). */
    take(chunk: Buffer, sentUpTo: number): void {
        if (this.problem) {
            return;
        }
        this.hash.update(chunk);
        const end = this.position + chunk.byteLength;
        if (end > sentUpTo) {
            this.problem = `echo ran ahead of what was sent: ${end} > ${sentUpTo}`;
            return;
        }
        const expected = this.stream.slice(this.position, end);
        if (!expected.equals(chunk)) {
            let at = 0;
            while (at < chunk.byteLength && chunk[at] === expected[at]) {
                at++;
            }
            this.problem = `echo differs from the bytes sent at stream offset ${this.position + at}`;
            return;
        }
        this.parse(chunk);
        this.position = end;
    }

    /** The SHA-256 of the echo equals that of the bytes sent over the same range. */
    checksumMatches(): boolean {
        return this.hash.copy().digest('hex') === this.stream.sha256(this.start, this.position);
    }

    private parse(chunk: Buffer): void {
        let at = 0;
        while (at < chunk.byteLength && !this.problem) {
            if (this.payloadLeft > 0) {
                const take = Math.min(this.payloadLeft, chunk.byteLength - at);
                this.payloadLeft -= take;
                at += take;
                continue;
            }
            const take = Math.min(HEADER_BYTES - this.headerFill, chunk.byteLength - at);
            chunk.copy(this.header, this.headerFill, at, at + take);
            this.headerFill += take;
            at += take;
            if (this.headerFill === HEADER_BYTES) {
                this.headerFill = 0;
                const seq = this.header.readUInt32BE(0);
                const length = this.header.readUInt16BE(4);
                if (seq !== this.nextSeq || this.header.readUInt16BE(6) !== headerCheck(this.stream.seed, seq, length)) {
                    this.problem = `record ${seq} arrived where record ${this.nextSeq} was due`;
                    return;
                }
                this.nextSeq++;
                this.payloadLeft = length;
            }
        }
    }
}
