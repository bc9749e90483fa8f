// Checks of framing options and of the built-in actions send, pause and resume: codes, where they point, messages.
import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../language/values/framing.js';
import { summarize, validate } from '../helpers.js';

/** The diagnostics of a model, as `code@text`, without the graph checks' warnings about the tiny machines here. */
async function issues(text: string): Promise<string[]> {
    const { document, diagnostics } = await validate(text);
    return summarize(document, diagnostics).filter((line) => !/^(terminal-state|event-never-fires|unused-event|cannot-finish|unreachable-state)@/.test(line));
}

function withClient(members: string, actions = 'got'): string {
    return `machine M {
        events Msg, Tick
        initial state A { on Msg / ${actions} }
        client c connect 127.0.0.1:9 { ${members} read -> Msg }
    }`;
}

describe('framing values', () => {
    it('takes none, lines, length 1/2/4 and a delimiter, each but none with a max', async () => {
        for (const framing of ['framing none', 'framing lines', 'framing lines max 4KiB', 'framing length 1', 'framing length 2 max 100', 'framing length 4 max 16MiB', 'framing delimiter "\\u0000"', 'framing delimiter "\\r\\n" max 1B']) {
            expect(await issues(withClient(framing)), framing).toEqual([]);
        }
    });

    it('refuses a prefix other than 1, 2 or 4, an empty or bad delimiter, a bad max, a max on none or beyond the prefix', async () => {
        expect(await issues(withClient('framing length 3'))).toEqual(['bad-option-value@3']);
        expect(await issues(withClient('framing delimiter ""'))).toEqual(['bad-option-value@""']);
        expect(await issues(withClient('framing delimiter "\\x00"'))).toEqual(['bad-option-value@"\\x00"']);
        expect(await issues(withClient('framing lines max 0'))).toEqual(['bad-option-value@0']);
        expect(await issues(withClient('framing lines max 2GiB'))).toEqual(['bad-option-value@2GiB']);
        expect(await issues(withClient('framing lines max 3s'))).toEqual(['bad-option-value@3s']);
        expect(await issues(withClient('framing none max 10'))).toEqual(['bad-option-value@10']);
        expect(await issues(withClient('framing length 1 max 256'))).toEqual(['bad-option-value@256']);
    });

    it('is an option of clients and connections, once', async () => {
        const server = `machine S {
            events Joined
            initial state A { on Joined / hi }
            server web listen 127.0.0.1:8080 { framing lines session T accept -> Joined }
        }
        machine T { initial state B connection peer }`;
        expect((await issues(server)).filter((line) => line.startsWith('misplaced-option'))).toEqual(['misplaced-option@framing lines']);
        expect(await issues(withClient('framing lines framing none'))).toEqual(['repeated-option@framing none']);
    });

    it('sizes: bytes, B, KiB, MiB, GiB', () => {
        expect(['512', '512B', '64KiB', '16MiB', '1GiB'].map((text) => parseByteSize(text))).toEqual([512, 512, 65536, 16 * 1024 * 1024, 1024 ** 3].map((value) => ({ ok: true, value })));
        expect(parseByteSize('1kb').ok).toBe(false);
    });
});

describe('send, pause and resume', () => {
    it('name a client or a connection, never a server', async () => {
        const model = (action: string): string => `machine S {
            events Joined
            initial state A { on Joined / ${action} }
            server web listen 127.0.0.1:8080 { session T accept -> Joined }
        }
        machine T { initial state B connection peer }`;
        for (const action of ['send web "x"', 'pause web', 'resume web']) {
            expect(await issues(model(action)), action).toEqual(['bad-socket-action@web']);
        }
    });

    it('a text the framing cannot send is refused where it is written', async () => {
        expect(await issues(withClient('framing lines', 'send c "two\\nlines"'))).toEqual(['bad-send-text@"two\\nlines"']);
        expect(await issues(withClient('framing delimiter ";"', 'send c "a;b"'))).toEqual(['bad-send-text@"a;b"']);
        expect(await issues(withClient('framing length 1', `send c "${'x'.repeat(256)}"`))).toEqual([`bad-send-text@"${'x'.repeat(256)}"`]);
        expect(await issues(withClient('framing length 1', `send c "${'x'.repeat(255)}"`))).toEqual([]);
        expect(await issues(withClient('', 'send c "two\\nlines"'))).toEqual([]);
        expect(await issues(withClient('', 'send c "\\q"'))).toEqual(['bad-send-text@"\\q"']);
    });

    it('send … payload only where the event carries bytes from a read', async () => {
        expect(await issues(withClient('', 'send c payload'))).toEqual([]);
        const at = async (place: string): Promise<string[]> =>
            issues(`machine M {
                events Msg, Tick, Up
                initial state A {
                    ${place}
                    on Msg / got
                }
                state B { initial state C  on done -> A }
                client c connect 127.0.0.1:9 { connect -> Up  read -> Msg }
                signal SIGUSR1 -> Tick
            }`);
        expect(await at('entry send c payload')).toEqual(['payload-not-bytes@payload']);
        expect(await at('exit send c payload')).toEqual(['payload-not-bytes@payload']);
        expect(await at('after 1s -> B / send c payload')).toEqual(['payload-not-bytes@payload']);
        expect(await at('on Tick / send c payload')).toEqual(['payload-not-bytes@payload']);
        expect(await at('on Up / send c payload')).toEqual(['payload-not-bytes@payload']);
        const raised = await issues(`machine M {
            events Msg
            initial state A { on Msg / send c payload, raise Msg }
            client c connect 127.0.0.1:9 { read -> Msg }
        }`);
        expect(raised).toEqual(['payload-not-bytes@payload']);
    });

    it('are reserved in action position only: the words stay names elsewhere', async () => {
        const model = `machine send {
            events pause, resume
            initial state payload { on pause -> framing / max }
            state framing { on resume -> payload }
            client send connect 127.0.0.1:9 { read -> pause  close -> resume }
        }`;
        expect(await issues(model)).toEqual([]);
    });
});

describe('unix:PATH addresses', () => {
    it('parse bare or quoted, on servers and clients; a bad one is bad-address where it is written', async () => {
        const model = (address: string): string => `machine M {
            events Msg
            initial state A { on Msg / got }
            client c connect ${address} { read -> Msg }
        }`;
        expect(await issues(model('unix:/run/app.sock'))).toEqual([]);
        expect(await issues(model('unix:./relative/app.sock'))).toEqual([]);
        expect(await issues(model('"unix:/run/my app.sock"'))).toEqual([]);
        expect(await issues(model(`unix:/${'x'.repeat(120)}`))).toEqual([`bad-address@unix:/${'x'.repeat(120)}`]);
    });
});
