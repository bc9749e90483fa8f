// The interpreter on framing, `send` and read interest (docs/language.md "Framing", "Actions and guards", "Sockets as
// event sources"): one test per rule, traces compared whole.
import { describe, expect, it } from 'vitest';
import { ScenarioStepError } from '../../language/semantics/run-scenario.js';
import { simulate } from './simulate-helpers.js';

/** A client with a framing and the usual mappings; `states` are the machine's states. */
function client(framing: string, states: string): string {
    return `machine C {
        events Up, Msg, Failed, Down, Hold, Go
        ${states}
        client link connect 127.0.0.1:9 {
            ${framing}
            connect -> Up
            read -> Msg
            error -> Failed
            close -> Down
        }
    }`;
}

const ECHO = `initial state A {
            on Msg / got, send link payload
            on Hold / pause link
            on Go / resume link
            on Failed / failed
            on Down -> Z
        }
        final state Z`;

describe('framing', () => {
    it('lines: a line split across chunks is one read; CRLF and LF both end a line; the end of the stream ends the last one, which can be answered', async () => {
        const { lines } = await simulate(client('framing lines', ECHO), 'link connected\nlink data "a\\r\\nb"\nlink data "c\\nd"\nlink closed');
        expect(lines).toEqual([
            'C start A',
            'C io link connect',
            'C A unhandled Up',
            'C io link data 4B',
            'C A internal Msg',
            'C transition got@A',
            'C transition send link@A',
            'C io link data 3B',
            'C A internal Msg',
            'C transition got@A',
            'C transition send link@A',
            // The last line ("d") is read at the end, while the socket can still answer it (the FIN ends the peer's side).
            'C A internal Msg',
            'C transition got@A',
            'C transition send link@A',
            'C io link close',
            'C A -Down-> Z',
            'C finish Z'
        ]);
    });

    it('length 1: several frames in one chunk are several reads; a frame cut short by the end is ERR_FRAME_TRUNCATED before close', async () => {
        const { run } = await simulate(client('framing length 1', ECHO), 'link connected\nlink data "\\u0002hi\\u0000\\u0003ab"\nlink closed');
        const reads = run.trace.filter((line) => line.kind === 'internal' && line.event === 'Msg');
        expect(reads).toHaveLength(2);
        const tail = run.trace.slice(-6).map((line) => (line.kind === 'io' ? `io ${line.what} ${line.code ?? ''}`.trim() : line.kind));
        expect(tail).toEqual(['io error ERR_FRAME_TRUNCATED', 'internal', 'action', 'io close', 'transition', 'finish']);
    });

    it('a message over max is ERR_FRAME_TOO_LONG; the connection is destroyed: close after an error, nothing after it is read', async () => {
        const { lines } = await simulate(client('framing delimiter "\\u0000" max 4', ECHO), 'link connected\nlink data "ok\\u0000toolong"');
        expect(lines.slice(3)).toEqual([
            'C io link data 10B',
            'C A internal Msg',
            'C transition got@A',
            'C transition send link@A',
            'C io link error ERR_FRAME_TOO_LONG',
            'C A internal Failed',
            'C transition failed@A',
            'C io link close !',
            'C A -Down-> Z',
            'C finish Z'
        ]);
    });

    it('a new connection starts with no half-read message', async () => {
        const model = client(
            'framing lines reconnect 1s..1s',
            `initial state A {
                on Msg / got
                on Down / down
            }`
        );
        const { lines } = await simulate(model, 'link connected\nlink data "half"\nlink reset\nadvance 1s\nlink connected\nlink data "whole\\n"');
        expect(lines.filter((line) => line.includes('got'))).toHaveLength(1);
    });
});

describe('send', () => {
    it('a payload that is not bytes (a JSON object from outside) is ERR_PAYLOAD_NOT_BYTES; a string payload is sent', async () => {
        const { lines } = await simulate(client('framing lines', ECHO), 'link connected\nsend Msg {"n": 1}\nsend Msg "text"');
        expect(lines.filter((line) => line.includes(' io link error'))).toEqual(['C io link error ERR_PAYLOAD_NOT_BYTES']);
    });

    it('bytes sent while connecting wait for the connect; a connect that fails reports them (ERR_UNFLUSHED) before close', async () => {
        const model = client(
            '',
            `initial state A {
                entry send link "early"
                on Failed / failed
                on Down -> Z
            }
            final state Z`
        );
        const { lines } = await simulate(model, 'link refused');
        expect(lines).toEqual([
            'C start A',
            'C entry send link@A',
            'C io link error ECONNREFUSED',
            'C A internal Failed',
            'C transition failed@A',
            'C io link error ERR_UNFLUSHED',
            'C A internal Failed',
            'C transition failed@A',
            'C io link close !',
            'C A -Down-> Z',
            'C finish Z'
        ]);
        const connected = await simulate(model, 'link connected');
        expect(connected.lines.filter((line) => line.includes('error'))).toEqual([]);
    });

    it('a message the framing cannot carry writes nothing and is an error with the framing code', async () => {
        const model = `machine R {
            events Msg, Failed
            initial state A {
                on Msg / send narrow payload
                on Failed / failed
            }
            client wide connect 127.0.0.1:9 { framing length 2  read -> Msg }
            client narrow connect 127.0.0.1:9 { framing length 1  error -> Failed }
        }`;
        const big = 'x'.repeat(300);
        const frame = JSON.stringify(String.fromCharCode(1, 300 - 256) + big);
        const { lines } = await simulate(model, `wide connected\nnarrow connected\nwide data ${frame}`);
        expect(lines.slice(-4)).toEqual(['R transition send narrow@A', 'R io narrow error ERR_FRAME_TOO_LONG', 'R A internal Failed', 'R transition failed@A']);
    });
});

describe('pause and resume', () => {
    it('bytes and the peer close wait while paused; resume delivers them after the step, in order, and a pause on the way stops again', async () => {
        const model = client(
            'framing lines',
            `initial state A {
                on Msg [more] / got
                on Msg / got, pause link
                on Go / resume link
                on Down -> Z
            }
            final state Z`
        );
        const { lines } = await simulate(model, 'link connected\nguard more true\nsend Hold\nlink data "1\\n"\nguard more false\nlink data "2\\n3\\n"\nlink data "4\\n"\nlink closed\nsend Go\nguard more true\nsend Go');
        expect(lines.filter((line) => !line.includes('unhandled'))).toEqual([
            'C start A',
            'C io link connect',
            'C io link data 2B',
            'C A internal Msg',
            'C transition got@A',
            'C io link data 4B',
            'C A internal Msg',
            'C transition got@A',
            'C transition pause link@A',
            // paused: "3\n", then "4\n" and the close wait
            'C A internal Go',
            'C transition resume link@A',
            'C A internal Msg',
            'C transition got@A',
            'C transition pause link@A',
            'C A internal Go',
            'C transition resume link@A',
            'C io link data 2B',
            'C A internal Msg',
            'C transition got@A',
            'C io link close',
            'C A -Down-> Z',
            'C finish Z'
        ]);
    });

    it('close NAME reads on whatever paused it; a new connection starts reading; after the peer closed, nothing more can come', async () => {
        const model = client(
            '',
            `initial state A {
                on Hold / pause link
                on Go / close link
                on Msg / got
                on Down / down, connect link
            }`
        );
        const closing = await simulate(model, 'link connected\nsend Hold\nlink data "x"\nsend Go\nlink closed');
        expect(closing.lines.slice(-9)).toEqual([
            'C A internal Go',
            'C transition close link@A',
            'C io link data 1B',
            'C A internal Msg',
            'C transition got@A',
            'C io link close',
            'C A internal Down',
            'C transition down@A',
            'C transition connect link@A'
        ]);
        const reconnected = await simulate(model, 'link connected\nsend Hold\nlink reset\nsend Go\nadvance 1ms');
        expect(reconnected.lines).toContain('C io link error ECONNRESET');
        await expect(simulate(model, 'link connected\nsend Hold\nlink closed\nlink data "late"')).rejects.toThrow(ScenarioStepError);
    });
});
