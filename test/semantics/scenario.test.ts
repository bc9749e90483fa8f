// Scenario text: every kind of step, comments that keep `Machine#N`, and bad lines reported with their numbers.
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioSyntaxError } from '../../language/semantics/scenario.js';

describe('parseScenario', () => {
    it('reads every kind of step', () => {
        const steps = parseScenario(
            [
                '# a comment line',
                '',
                'send Coin',
                'send Coin {"n": 3}   # with a payload',
                'advance 1500ms',
                'signal SIGTERM',
                'upstream connected',
                'upstream data "hello # not a comment\\n"',
                'upstream error EHOSTUNREACH',
                'listener accept',
                'EchoSession#1.peer reset',
                'EchoSession#1 send Poke',
                'guard ready true'
            ].join('\n')
        );
        expect(steps).toEqual([
            { kind: 'send', target: { kind: 'default' }, event: 'Coin', payload: undefined, line: 3 },
            { kind: 'send', target: { kind: 'default' }, event: 'Coin', payload: { n: 3 }, line: 4 },
            { kind: 'advance', ms: 1500, line: 5 },
            { kind: 'signal', signal: 'SIGTERM', line: 6 },
            { kind: 'socket', target: { kind: 'default' }, socket: 'upstream', occurrence: { what: 'connected' }, line: 7 },
            { kind: 'socket', target: { kind: 'default' }, socket: 'upstream', occurrence: { what: 'data', data: 'hello # not a comment\n' }, line: 8 },
            { kind: 'socket', target: { kind: 'default' }, socket: 'upstream', occurrence: { what: 'error', code: 'EHOSTUNREACH' }, line: 9 },
            { kind: 'socket', target: { kind: 'default' }, socket: 'listener', occurrence: { what: 'accept' }, line: 10 },
            { kind: 'socket', target: { kind: 'named', instance: 'EchoSession#1' }, socket: 'peer', occurrence: { what: 'reset' }, line: 11 },
            { kind: 'send', target: { kind: 'named', instance: 'EchoSession#1' }, event: 'Poke', payload: undefined, line: 12 },
            { kind: 'guard', guard: 'ready', values: [true], line: 13 }
        ]);
    });

    it.each([
        ['advance', /'advance' takes one duration/],
        ['advance 5sec', /unknown unit 'sec'/],
        ['advance 0s', /longer than zero/],
        ['signal TERM', /'signal' takes one signal name/],
        ['guard ready maybe', /'guard' takes a guard name and true or false/],
        ['guard ready', /'guard' takes a guard name/],
        ['send Coin {n: 3}', /the payload is not valid JSON/],
        ['upstream data hello', /the data is not valid JSON/],
        ['upstream data 42', /'data' takes the bytes as a JSON string/],
        ['upstream error', /'error' takes an error code/],
        ['upstream closed now', /'closed' takes nothing after it/],
        ['upstream exploded', /unknown socket step 'exploded'/],
        ['dance', /not a step: 'dance'/]
    ])('%s is an error on its line', (text, message) => {
        let caught: unknown;
        try {
            parseScenario(`send A\n\n${text}\nsend B`);
        } catch (error) {
            caught = error;
        }
        expect(caught).toBeInstanceOf(ScenarioSyntaxError);
        expect((caught as ScenarioSyntaxError).line).toBe(3);
        expect((caught as Error).message).toMatch(message);
    });
});
