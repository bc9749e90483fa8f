// The line echo client: N connections each pipelining short lines (a bounded window in flight), counting echoed lines.
//
// Kept light, since it shares the cores with the server: the bytes sent are built once (a cycle of seeded lines of
// 30-100 bytes, a quarter of them ending in CRLF, cut into slices at arbitrary points so lines straddle writes), and
// received chunks are only searched for LF, never split into lines or copied.
import type { Socket } from 'node:net';
import { connect } from './ping-pong.js';
import { seededRandom } from '../../language/values/seeded-random.js';

const LF = 0x0a;

export interface LineLoad {
    /** One cycle of lines, cut into slices; a connection writes the slices in order, cycle after cycle. */
    readonly slices: readonly Buffer[];
    /** LFs in each slice (lines it completes). */
    readonly sliceLines: readonly number[];
    readonly cycleLines: number;
    readonly cycleBytes: number;
    /** Bytes of one cycle once echoed: each line and "\n" (a CRLF comes back as LF). */
    readonly echoedCycleBytes: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:;-_=+';

/** `lines` lines of 30-100 bytes (line break included), cut into slices of 500-3,000 bytes. */
export function lineLoad(lines: number, seed: number): LineLoad {
    const next = seededRandom(seed).next;
    const parts: Buffer[] = [];
    let crlf = 0;
    for (let i = 0; i < lines; i++) {
        const length = 30 + Math.floor(next() * 71);
        const withCr = next() < 0.25;
        crlf += withCr ? 1 : 0;
        let text = `${i} `;
        while (text.length < length - (withCr ? 2 : 1)) {
            text += ALPHABET[Math.floor(next() * ALPHABET.length)];
        }
        parts.push(Buffer.from(`${text}${withCr ? '\r\n' : '\n'}`, 'latin1'));
    }
    const cycle = Buffer.concat(parts);
    const slices: Buffer[] = [];
    const sliceLines: number[] = [];
    for (let start = 0; start < cycle.length; ) {
        const end = Math.min(cycle.length, start + 500 + Math.floor(next() * 2_501));
        const slice = cycle.subarray(start, end);
        slices.push(slice);
        sliceLines.push(countLines(slice));
        start = end;
    }
    return { slices, sliceLines, cycleLines: lines, cycleBytes: cycle.length, echoedCycleBytes: cycle.length - crlf };
}

function countLines(chunk: Buffer): number {
    let lines = 0;
    for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, at + 1)) {
        lines++;
    }
    return lines;
}

export interface LineRunPlan {
    readonly connections: number;
    /** Whole cycles each connection sends (the fixed amount of work). */
    readonly cyclesEach: number;
    /** At most this many lines in flight per connection (sent, not yet echoed). */
    readonly window: number;
    /** A round that takes longer fails (its connections are destroyed). */
    readonly timeoutMs: number;
}

export interface LineRunResult {
    /** Lines echoed, over all connections. */
    readonly lines: number;
    /** Bytes echoed. */
    readonly bytes: number;
    /** From the first write to the last echo. */
    readonly seconds: number;
    /** Connections that failed: an error, an early close, the timeout, or echoed bytes not the count expected. */
    readonly failures: number;
    /** Why the first failed connection failed. */
    readonly failure?: string;
}

/** One connection's share: resolves with the lines and bytes it got back, and whether all came back as expected. */
function drive(socket: Socket, load: LineLoad, plan: LineRunPlan, deadline: Promise<void>): Promise<{ lines: number; bytes: number; failure?: string }> {
    const target = plan.cyclesEach * load.cycleLines;
    const { slices, sliceLines } = load;
    let sent = 0;
    let received = 0;
    let bytes = 0;
    let slice = 0;
    const fill = (): void => {
        while (sent < target && sent - received + sliceLines[slice]! <= plan.window) {
            socket.write(slices[slice]!);
            sent += sliceLines[slice]!;
            slice = slice + 1 === slices.length ? 0 : slice + 1;
        }
    };
    return new Promise((resolve) => {
        let settled = false;
        const finish = (failure?: string): void => {
            if (settled) {
                return;
            }
            settled = true;
            const expected = plan.cyclesEach * load.echoedCycleBytes;
            const wrong = failure ?? (bytes === expected && received === target ? undefined : `${received}/${target} lines, ${bytes}/${expected} bytes echoed`);
            resolve({ lines: received, bytes, ...(wrong === undefined ? {} : { failure: wrong }) });
        };
        socket.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, at + 1)) {
                received++;
            }
            if (received >= target) {
                finish();
            } else {
                fill();
            }
        });
        socket.once('close', () => finish(`closed by the server after ${received}/${target} lines`));
        void deadline.then(() => finish(`timed out after ${received}/${target} lines (${plan.timeoutMs} ms)`));
        fill();
    });
}

/** `plan.connections` connections to 127.0.0.1:port, each sending `plan.cyclesEach` cycles of `load`, all at once. */
export async function runLines(port: number, load: LineLoad, plan: LineRunPlan): Promise<LineRunResult> {
    const sockets = await Promise.all(Array.from({ length: plan.connections }, () => connect(port)));
    for (const socket of sockets) {
        socket.setNoDelay(true);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, plan.timeoutMs);
    });
    const start = process.hrtime.bigint();
    try {
        const results = await Promise.all(sockets.map((socket) => drive(socket, load, plan, deadline)));
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const failed = results.find((result) => result.failure !== undefined)?.failure;
        return {
            lines: results.reduce((sum, result) => sum + result.lines, 0),
            bytes: results.reduce((sum, result) => sum + result.bytes, 0),
            seconds,
            failures: results.filter((result) => result.failure !== undefined).length,
            ...(failed === undefined ? {} : { failure: failed })
        };
    } finally {
        clearTimeout(timer);
        for (const socket of sockets) {
            socket.destroy();
        }
    }
}
