// The live diagram's host-side choices: which instance of a debug session's stop the panel shows, and its message.
import { describe, expect, it } from 'vitest';
import { chooseLiveInstance, isLiveEventBody, liveMessage, sameFile, type LiveInstance } from '../../client/live-diagram.js';

const CLIENT = '/work/models/echo-client.fsm';
const SERVER = '/work/models/echo-server.fsm';

function instance(fields: Partial<LiveInstance> & Pick<LiveInstance, 'threadId' | 'instance' | 'machine' | 'file'>): LiveInstance {
    return { finished: false, states: [5], trail: [], timers: [], fireable: [], ...fields };
}

const client = instance({ threadId: 1, instance: 'EchoClient', machine: 'EchoClient', file: CLIENT });
const server = instance({ threadId: 2, instance: 'EchoServer', machine: 'EchoServer', file: SERVER });
const first = instance({ threadId: 3, instance: 'EchoSession#1', machine: 'EchoSession', file: SERVER, finished: true });
const second = instance({ threadId: 4, instance: 'EchoSession#2', machine: 'EchoSession', file: SERVER });
const instances = [client, server, first, second];

describe('choosing the live instance', () => {
    it('follows the thread selected in the Call Stack, in the shown machine', () => {
        expect(chooseLiveInstance(instances, { file: SERVER, machine: 'EchoSession' }, 3)).toBe(first);
    });

    it('follows the selected thread into another machine of the shown file (the panel switches to it)', () => {
        expect(chooseLiveInstance(instances, { file: SERVER, machine: 'EchoSession' }, 2)).toBe(server);
    });

    it('shows nothing when the selected thread runs a machine of another file', () => {
        expect(chooseLiveInstance(instances, { file: SERVER, machine: 'EchoServer' }, 1)).toBeUndefined();
    });

    it('without a selection of this session, takes the first running instance of the shown file and machine', () => {
        expect(chooseLiveInstance(instances, { file: SERVER, machine: 'EchoSession' }, undefined)).toBe(second);
        expect(chooseLiveInstance(instances, { file: SERVER, machine: 'EchoSession' }, 99)).toBe(second);
        expect(chooseLiveInstance([first], { file: SERVER, machine: 'EchoSession' }, undefined)).toBe(first);
        expect(chooseLiveInstance(instances, { file: CLIENT, machine: 'EchoClient' }, undefined)).toBe(client);
    });

    it('shows nothing for another file, a machine nobody runs or an unsaved document', () => {
        expect(chooseLiveInstance(instances, { file: '/work/models/relay.fsm', machine: 'EchoClient' }, undefined)).toBeUndefined();
        expect(chooseLiveInstance(instances, { file: CLIENT, machine: 'Other' }, undefined)).toBeUndefined();
        expect(chooseLiveInstance(instances, { file: undefined, machine: 'EchoClient' }, 1)).toBeUndefined();
    });

    it('compares paths as the platform does', () => {
        expect(sameFile('/a/b/../c.fsm', '/a/c.fsm', 'linux')).toBe(true);
        expect(sameFile('/a/C.fsm', '/a/c.fsm', 'linux')).toBe(false);
        expect(sameFile('c:\\Work\\echo.fsm', 'C:/work/echo.fsm', 'win32')).toBe(true);
    });
});

describe('the webview message', () => {
    it('makes every line 0-based and keeps the rest', () => {
        const live = instance({
            threadId: 1,
            instance: 'EchoClient',
            machine: 'EchoClient',
            file: CLIENT,
            states: [14, 5],
            trail: [{ line: 11, event: 'after 1s' }, { line: 7, event: 'Failed' }],
            timers: [{ line: 11, label: 'after 1s', remainingMs: 1500 }],
            fireable: [{ line: 12, event: 'Shutdown' }]
        });
        expect(liveMessage(live, 2500)).toEqual({
            type: 'live',
            instance: 'EchoClient',
            machine: 'EchoClient',
            t: 2500,
            finished: false,
            states: [13, 4],
            trail: [{ line: 10, event: 'after 1s' }, { line: 6, event: 'Failed' }],
            timers: [{ line: 10, label: 'after 1s', remainingMs: 1500 }],
            fireable: [{ line: 11, event: 'Shutdown' }]
        });
    });

    it('keeps at most three trail entries and offers no event to a finished instance', () => {
        const trail = [1, 2, 3, 4].map((line) => ({ line, event: 'E' }));
        const message = liveMessage(instance({ threadId: 1, instance: 'A', machine: 'A', file: CLIENT, finished: true, trail, fireable: [{ line: 9, event: 'E' }] }), 0);
        expect(message.trail.map(({ line }) => line)).toEqual([0, 1, 2]);
        expect(message.fireable).toEqual([]);
    });
});

describe('checking the adapter event body', () => {
    it('accepts the adapter body and refuses malformed ones', () => {
        expect(isLiveEventBody({ t: 0, instances })).toBe(true);
        expect(isLiveEventBody({ t: 0, instances: [] })).toBe(true);
        expect(isLiveEventBody({})).toBe(false);
        expect(isLiveEventBody({ t: '0', instances })).toBe(false);
        expect(isLiveEventBody({ t: 0, instances: [{ ...client, states: ['5'] }] })).toBe(false);
        expect(isLiveEventBody({ t: 0, instances: [{ ...client, states: [1.5] }] })).toBe(false);
        expect(isLiveEventBody({ t: 0, instances: [{ ...client, trail: [{ line: 3 }] }] })).toBe(false);
        expect(isLiveEventBody({ t: 0, instances: [{ ...client, timers: [{ line: 3, label: 'after 1s' }] }] })).toBe(false);
        expect(isLiveEventBody({ t: 0, instances: [{ ...client, fireable: undefined }] })).toBe(false);
    });
});
