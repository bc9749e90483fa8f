// Child process: the baseline line echo server, Node's `net` and nothing else. Listens on RAW_LINE_ECHO_LISTENER (host:port).
//
// What a careful hand-written line protocol does, one line at a time like the generated server: lines end in LF or
// CRLF (the break is not part of the line), a line may be split across chunks, a line longer than MAX_LINE destroys
// the connection, the stream's end ends a last line without its LF. Each line is its own Buffer (a view of the chunk
// when it lies in one) and is written back on its own, followed by "\n". Backpressure as `stream.pipe` does it: a
// write the socket had to queue pauses reading until 'drain'. Nagle is off, as in the generated server (`nodelay`).
import { createServer, type Socket } from 'node:net';

const LF = 0x0a;
const CR = 0x0d;
/** The generated server's default (`framing lines` without `max`): 64 KiB. */
const MAX_LINE = 64 * 1024;

function serve(socket: Socket): void {
    /** The start of a line whose LF has not come yet (from earlier chunks). */
    let partial: Buffer | undefined;

    const writeLine = (line: Buffer): void => {
        const framed = Buffer.allocUnsafe(line.length + 1);
        line.copy(framed);
        framed[line.length] = LF;
        if (!socket.write(framed)) {
            socket.pause();
        }
    };

    /** A line from `from` up to the LF at `lf` (of `data`), its CR dropped when it has one. */
    const lineBefore = (data: Buffer, from: number, lf: number): Buffer => data.subarray(from, lf > from && data[lf - 1] === CR ? lf - 1 : lf);

    socket.on('data', (chunk: Buffer) => {
        let start = 0;
        let lf = chunk.indexOf(LF);
        if (partial !== undefined) {
            if (lf < 0) {
                partial = Buffer.concat([partial, chunk]);
                if (partial.length > MAX_LINE + 1) {
                    socket.destroy();
                }
                return;
            }
            // The line that was split: its start, then this chunk up to its LF.
            const joined = Buffer.concat([partial, chunk.subarray(0, lf + 1)]);
            partial = undefined;
            const line = lineBefore(joined, 0, joined.length - 1);
            if (line.length > MAX_LINE) {
                socket.destroy();
                return;
            }
            writeLine(line);
            start = lf + 1;
            lf = chunk.indexOf(LF, start);
        }
        while (lf >= 0) {
            const line = lineBefore(chunk, start, lf);
            if (line.length > MAX_LINE) {
                socket.destroy();
                return;
            }
            writeLine(line);
            start = lf + 1;
            lf = chunk.indexOf(LF, start);
        }
        if (start < chunk.length) {
            partial = chunk.subarray(start);
            if (partial.length > MAX_LINE + 1) {
                socket.destroy();
            }
        }
    });
    socket.on('drain', () => socket.resume());
    socket.on('end', () => {
        // The end of the stream ends the last line.
        if (partial !== undefined) {
            writeLine(partial);
        }
        partial = undefined;
        socket.end();
    });
    socket.on('error', () => socket.destroy());
}

const [host, port] = (process.env.RAW_LINE_ECHO_LISTENER ?? '127.0.0.1:0').split(':') as [string, string];
const server = createServer({ allowHalfOpen: true, noDelay: true }, serve);
server.listen({ host, port: Number(port), backlog: 511 });
process.on('SIGTERM', () => {
    server.close();
    process.exit(0);
});
