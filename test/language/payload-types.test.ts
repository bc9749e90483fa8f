// Declared payload types (`events Line(string)`): what fits which producer, `raise E(payload)`, the interpreter's text
// reads and passed payloads.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../language/semantics/interpreter.js';
import { programFrom } from '../semantics/simulate-helpers.js';
import { summarize, validate } from '../helpers.js';

async function issues(text: string): Promise<string[]> {
    const { document, diagnostics } = await validate(text);
    return summarize(document, diagnostics).filter((line) => !/^(terminal-state|event-never-fires|unused-event|cannot-finish|unreachable-state)@/.test(line));
}

const machine = (events: string, body: string, members = 'read -> Line  error -> Failed  close -> Gone'): string => `machine M {
    events ${events}
    initial state A { ${body} }
    client c connect 127.0.0.1:9 { ${members} }
    signal SIGHUP -> Reload
}`;

describe('payload types', () => {
    it('fit their producers: read gives Buffer or string, error an Error, close a boolean, a signal a string', async () => {
        expect(await issues(machine('Line(string), Failed(Error), Gone(boolean), Reload(string)', 'on Line / a on Failed / b on Gone / c on Reload / d'))).toEqual([]);
        expect(await issues(machine('Line(Buffer), Failed, Gone, Reload', 'on Line / a on Failed / b on Gone / c on Reload / d'))).toEqual([]);
    });

    it('a producer that cannot give the declared type is payload-type-mismatch on the producer', async () => {
        expect(await issues(machine('Line(number), Failed, Gone, Reload', 'on Line / a on Failed / b on Gone / c on Reload / d'))).toEqual(['payload-type-mismatch@read -> Line']);
        expect(await issues(machine('Line, Failed(string), Gone(Error), Reload(boolean)', 'on Line / a on Failed / b on Gone / c on Reload / d'))).toEqual([
            'payload-type-mismatch@error -> Failed',
            'payload-type-mismatch@close -> Gone',
            'payload-type-mismatch@signal SIGHUP -> Reload'
        ]);
        const { diagnostics } = await validate(machine('Line(number), Failed, Gone, Reload', 'on Line / a on Failed / b on Gone / c on Reload / d'));
        expect(diagnostics.find((d) => d.code === 'payload-type-mismatch')?.message).toBe("'Line' carries a number, but 'read' of c gives bytes: declare 'Line(Buffer)' or 'Line(string)', or map another event.");
    });

    it('raise E gives nothing; raise E(payload) passes what the current event carries, which must be what E declares', async () => {
        const model = (events: string, actions: string): string => machine(`Line(string), Failed, Gone, Reload, ${events}`, `on Line / ${actions} on Failed / b on Gone / c on Reload / d on Echo / e`);
        expect(await issues(model('Echo(string)', 'raise Echo(payload)'))).toEqual([]);
        expect(await issues(model('Echo', 'raise Echo(payload)'))).toEqual([]);
        expect(await issues(model('Echo(string)', 'raise Echo'))).toEqual(['payload-type-mismatch@raise Echo']);
        expect(await issues(model('Echo(Buffer)', 'raise Echo(payload)'))).toEqual(['payload-type-mismatch@raise Echo(payload)']);
        const entry = `machine M {
            events Echo(string)
            initial state A { entry raise Echo(payload)  on Echo / e }
        }`;
        expect(await issues(entry)).toEqual(['payload-type-mismatch@raise Echo(payload)']);
    });

    it('the words stay names', async () => {
        expect(await issues(`machine string { events Buffer, json initial state number { on Buffer / boolean  on json -> Error } state Error { on Buffer -> number } }`)).toEqual([]);
    });
});

describe('the interpreter', () => {
    it('reads text for an event declared E(string), bytes otherwise; raise E(payload) passes the payload on', async () => {
        const model = `machine M {
            events Line(string), Echo(string), Raw
            initial state A {
                on Line [seen] / got, raise Echo(payload)
                on Echo [seen] / echoed
                on Raw [seen] / raw
            }
            client c connect 127.0.0.1:9 { framing lines  read -> Line }
            client d connect 127.0.0.1:9 { read -> Raw }
        }`;
        const seen: unknown[] = [];
        const simulation = new Simulation(await programFrom(model), {
            guard: (name, instance) => {
                seen.push(instance.payload);
                return name === 'seen';
            }
        });
        simulation.start();
        const instance = simulation.instances[0]!;
        simulation.socket(instance, 'c', { what: 'connected' });
        simulation.socket(instance, 'd', { what: 'connected' });
        simulation.socket(instance, 'c', { what: 'data', data: 'héllo\n' });
        simulation.socket(instance, 'd', { what: 'data', data: 'raw' });
        expect(seen.map((payload) => (typeof payload === 'string' ? `text ${payload}` : Buffer.isBuffer(payload) ? `bytes ${payload.toString()}` : String(payload)))).toEqual([
            'text héllo',
            'text héllo',
            'bytes raw'
        ]);
    });
});
