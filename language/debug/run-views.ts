// What the debugger's views show of a simulated run at its cursor: the stack of an instance, the variables of its
// scopes, and the value of a watch expression.
import { Source, StackFrame, Variable } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import type { SourceSpot } from '../semantics/program.js';
import type { Point } from './debug-run.js';
import type { InstanceView, Snapshot } from './snapshot.js';

/** The scopes of each frame: what a machine instance holds at the point where the run stopped. */
export const SCOPES = ['Machine', 'Queue', 'Timers', 'Sockets', 'Guards'] as const;

function frameSource(spot: SourceSpot): Source {
    return new Source(path.basename(spot.path), spot.path);
}

/** A payload for people: JSON, or a byte count and the bytes as text. */
export function display(value: unknown): string {
    if (value === undefined) {
        return 'none';
    }
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
        return `${value.length} bytes ${JSON.stringify(Buffer.from(value).toString('utf8'))}`;
    }
    return JSON.stringify(value) ?? typeof value;
}

/**
 * The stack of `instance` (thread `threadId`) at `point`: the point itself when it concerns the instance (a transition
 * chosen, a state entered, an action, a socket occurrence, an event taken), its active states innermost first, the
 * machine. Frame ids are the thread id × 10,000 + the frame's index.
 */
export function stackFrames(point: Point, instance: InstanceView, threadId: number): DebugProtocol.StackFrame[] {
    const frames: DebugProtocol.StackFrame[] = [];
    const at = (index: number): number => threadId * 10_000 + index;
    if (point.instance === instance.name && point.kind !== 'deliver' && point.kind !== 'settled' && point.spot) {
        frames.push(new StackFrame(at(frames.length), point.label, frameSource(point.spot), point.spot.line, 1));
    } else if (point.instance === instance.name && point.kind === 'deliver') {
        const state = instance.states.at(-1);
        frames.push(new StackFrame(at(frames.length), point.label, state ? frameSource(state.spot) : undefined, state?.spot.line ?? 0, 1));
    }
    for (const state of [...instance.states].reverse()) {
        frames.push(new StackFrame(at(frames.length), `${instance.finished ? 'finished in' : 'state'} ${state.name}`, frameSource(state.spot), state.spot.line, 1));
    }
    frames.push(new StackFrame(at(frames.length), `machine ${instance.machine}`, frameSource(instance.machineSpot), instance.machineSpot.line, 1));
    return frames;
}

export function scopeVariables(scope: (typeof SCOPES)[number], instance: InstanceView, t: number, guards: ReadonlyMap<string, readonly boolean[]>): DebugProtocol.Variable[] {
    switch (scope) {
        case 'Machine':
            return [
                new Variable('state', instance.stateName),
                new Variable('machine', instance.machine),
                new Variable('time', `${t} ms`),
                new Variable('payload', display(instance.payload)),
                new Variable('finished', String(instance.finished)),
                new Variable('queue', `${instance.queue.length} event${instance.queue.length === 1 ? '' : 's'}`),
                new Variable('last transitions', instance.trail.map((taken) => `${taken.event} (line ${taken.spot.line})`).join(', ') || 'none')
            ];
        case 'Queue':
            return instance.queue.map((event, index) => new Variable(`[${index}]`, event));
        case 'Timers':
            return instance.timers.map((timer) => new Variable(timer.label, `in ${timer.dueMs - t} ms (at ${timer.dueMs} ms)${timer.spot ? `, line ${timer.spot.line}` : ''}`));
        case 'Sockets':
            return instance.sockets.map((socket) => new Variable(socket.name, `${socket.kind} ${socket.status}${socket.detail ? `, ${socket.detail}` : ''}`));
        case 'Guards':
            return [...guards].map(([name, values]) => new Variable(name, values.length === 0 ? 'false' : values.join(' then ')));
    }
}

/** A watch expression: `state`, `payload`, `time`, a socket's name or a guard's; undefined for anything else. */
export function watchValue(expression: string, instance: InstanceView, snapshot: Snapshot): string | undefined {
    const name = expression.trim();
    if (name === 'state') {
        return instance.stateName;
    }
    if (name === 'payload') {
        return display(instance.payload);
    }
    if (name === 'time') {
        return `${snapshot.t} ms`;
    }
    const socket = instance.sockets.find((candidate) => candidate.name === name);
    if (socket) {
        return `${socket.kind} ${socket.status}${socket.detail ? `, ${socket.detail}` : ''}`;
    }
    const guard = snapshot.guards.get(name);
    return guard === undefined ? undefined : guard.length === 0 ? 'false' : guard.join(' then ');
}
