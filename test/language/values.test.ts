// Durations, counts, addresses, signals and name suggestions: the pure helpers behind the messages.
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../language/values/addresses.js';
import { MAX_TIMER_MS, parseCount, parseDuration } from '../../language/values/quantities.js';
import { signalProblem } from '../../language/values/signals.js';
import { closestName, editDistance } from '../../language/references/suggestions.js';

describe('parseDuration', () => {
    it.each([
        ['250ms', 250],
        ['3s', 3_000],
        ['2m', 120_000],
        ['1h', 3_600_000],
        ['1.5s', 1_500],
        // Exact decimals: 1.001 * 1000 is 1000.9999999999999 in floating point (found by the fuzzer).
        ['1.001s', 1_001],
        ['66033.173s', 66_033_173],
        ['0.001s', 1]
    ])('reads %s as %i ms', (text, ms) => {
        expect(parseDuration(text)).toEqual({ ok: true, value: ms });
    });
    it.each([
        ['0s', /longer than zero/],
        ['-3s', /longer than zero/],
        ['5sec', /unknown unit 'sec'/],
        ['3', /has no unit: write 3ms, 3s, 3m or 3h/],
        ['0.5ms', /whole number of milliseconds/],
        ['25d', /unknown unit 'd'/],
        ['597h', /longest timer/],
        ['ms', /not a duration/]
    ])('rejects %s', (text, message) => {
        const parsed = parseDuration(text);
        expect(parsed.ok).toBe(false);
        expect(!parsed.ok && parsed.message).toMatch(message);
    });
    it('accepts the longest timer Node allows', () => {
        expect(parseDuration(`${MAX_TIMER_MS}ms`)).toEqual({ ok: true, value: MAX_TIMER_MS });
    });
});

describe('parseCount', () => {
    it('accepts whole numbers in range and rejects the rest', () => {
        expect(parseCount('511', 1, 65535)).toEqual({ ok: true, value: 511 });
        expect(parseCount('0', 1, 65535).ok).toBe(false);
        expect(parseCount('70000', 1, 65535).ok).toBe(false);
        expect(parseCount('5s', 1, 65535)).toMatchObject({ ok: false, message: "'5s' is not a whole number: write a count from 1 to 65535." });
    });
});

describe('parseAddress', () => {
    it.each([
        ['127.0.0.1:7000', '127.0.0.1', 7000],
        ['0.0.0.0:0', '0.0.0.0', 0],
        ['localhost:65535', 'localhost', 65535],
        ['[::1]:7000', '::1', 7000],
        ['[2001:db8::ff00:42:8329]:443', '2001:db8::ff00:42:8329', 443],
        ['[::ffff:192.0.2.128]:80', '::ffff:192.0.2.128', 80],
        ['api.example.com:443', 'api.example.com', 443],
        ['localhost:007000', 'localhost', 7000]
    ])('splits %s', (text, host, port) => {
        expect(parseAddress(text)).toEqual({ ok: true, value: { host, port } });
    });
    it.each([
        ['127.0.0.1:65536', /Port '65536' is outside 0–65535/],
        ['256.0.0.1:80', /not an IPv4 address/],
        ['1.2.3:80', /not an IPv4 address/],
        ['[::1::2]:80', /not an IPv6 address/],
        ['[12345::1]:80', /not an IPv6 address/],
        ['-bad-.example:80', /not a valid host name/],
        ['::1:80', /IPv6 addresses go in brackets/],
        ['localhost', /needs a port/],
        ['localhost: 80', /Port ' 80' is not a number/]
    ])('rejects %s', (text, message) => {
        const parsed = parseAddress(text);
        expect(!parsed.ok && parsed.message).toMatch(message);
    });
    it('takes unix:PATH, absolute or relative, up to 107 bytes; refuses an empty or longer one', () => {
        expect(parseAddress('unix:/run/app.sock')).toEqual({ ok: true, value: { host: '', port: 0, path: '/run/app.sock' } });
        expect(parseAddress('unix:app.sock')).toEqual({ ok: true, value: { host: '', port: 0, path: 'app.sock' } });
        expect(parseAddress(`unix:/${'x'.repeat(106)}`).ok).toBe(true);
        expect(parseAddress(`unix:/${'x'.repeat(107)}`)).toMatchObject({ ok: false, message: expect.stringMatching(/108 bytes: Unix domain socket paths have at most 107/) });
        expect(parseAddress('unix:')).toMatchObject({ ok: false, message: expect.stringMatching(/needs a path/) });
    });
});

describe('signalProblem', () => {
    it('accepts catchable signals and explains the others', () => {
        expect(signalProblem('SIGTERM')).toBeUndefined();
        expect(signalProblem('SIGHUP')).toBeUndefined();
        expect(signalProblem('SIGKILL')).toMatch(/cannot be caught/);
        expect(signalProblem('TERM')).toMatch(/did you mean SIGTERM\?/);
        expect(signalProblem('sigint')).toMatch(/did you mean SIGINT\?/);
        expect(signalProblem('SIGFOO')).toMatch(/not a signal a program can handle/);
    });
});

describe('closestName', () => {
    it('prefers a case-only difference, then the nearest by TypeScript\'s spelling rule (at most 0.4 of the length)', () => {
        expect(closestName('online', ['Offline', 'Online'])).toBe('Online');
        expect(closestName('Conected', ['Connected', 'Closed'])).toBe('Connected');
        expect(closestName('Onlien', ['Online'])).toBe('Online');
        expect(closestName('Zebra', ['Connected', 'Closed'])).toBeUndefined();
        expect(closestName('A', ['B'])).toBeUndefined(); // one letter changed is too far for a one-letter name
        expect(closestName('a', ['A'])).toBe('A');
        expect(closestName('X', [])).toBeUndefined();
    });
    it('counts an adjacent swap as one edit', () => {
        expect(editDistance('ab', 'ba')).toBe(1);
        expect(editDistance('kitten', 'sitting')).toBe(3);
        expect(editDistance('', 'abc')).toBe(3);
    });
});
