// What a running `reactor-fsm` debug session shows on the diagram: which instance, and the webview message for it.
// Pure: the panel (diagram-panel.ts) feeds it the adapter's events and the Call Stack's selection.
import * as path from 'node:path';
import type { LiveView, ToWebview } from './webview/messages.js';

/** The debug type whose sessions drive the live diagram. */
export const LIVE_DEBUG_TYPE = 'reactor-fsm';

/** The adapter's custom events and request (fixed with the debug adapter). */
export const LiveProtocol = {
    /** Sent at every stop, body {@link LiveEventBody}. */
    live: 'reactorFsm.live',
    /** Sent when the session ends, body `{}`. */
    liveEnd: 'reactorFsm.liveEnd',
    /** Sends an event to an instance, arguments `{ threadId, event }`, as the Debug Console's `send E`. */
    send: 'reactorFsm/send'
} as const;

/** One instance of a machine in the debugged program; every line is 1-based. */
export interface LiveInstance {
    threadId: number;
    /** `EchoClient`, `EchoSession#1`. */
    instance: string;
    /** The spec (machine) name. */
    machine: string;
    /** Absolute path of the .fsm file. */
    file: string;
    finished: boolean;
    /** Lines of the declarations of the active states, ancestors included. */
    states: number[];
    /** The last transitions taken, most recent first, at most 3: lines of the on/after clauses. */
    trail: { line: number; event: string }[];
    /** Armed state timers: lines of the after clauses. */
    timers: { line: number; label: string; remainingMs: number }[];
    /** Transitions leaving an active state on an event the user can send now: lines of the on clauses. */
    fireable: { line: number; event: string }[];
}

/** The body of {@link LiveProtocol.live}. */
export interface LiveEventBody {
    /** The virtual clock, in ms. */
    t: number;
    instances: LiveInstance[];
}

/** What the diagram panel shows: the file (undefined for an unsaved document) and the machine. */
export interface ShownDiagram {
    file: string | undefined;
    machine: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
// A line the adapter could not place (0) matches nothing on the diagram; it does not make the whole stop unreadable.
const isLine = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const isListOf = <T>(value: unknown, item: (entry: unknown) => entry is T): value is T[] => Array.isArray(value) && value.every(item);
const isLineEvent = (value: unknown): value is { line: number; event: string } => isRecord(value) && isLine(value.line) && typeof value.event === 'string';
const isTimer = (value: unknown): value is { line: number; label: string; remainingMs: number } =>
    isRecord(value) && isLine(value.line) && typeof value.label === 'string' && typeof value.remainingMs === 'number';

function isLiveInstance(value: unknown): value is LiveInstance {
    return (
        isRecord(value) &&
        typeof value.threadId === 'number' &&
        typeof value.instance === 'string' &&
        typeof value.machine === 'string' &&
        typeof value.file === 'string' &&
        typeof value.finished === 'boolean' &&
        isListOf(value.states, isLine) &&
        isListOf(value.trail, isLineEvent) &&
        isListOf(value.timers, isTimer) &&
        isListOf(value.fireable, isLineEvent)
    );
}

/** Whether a custom event's body is a {@link LiveEventBody}: it comes from another process, so it is checked, not trusted. */
export function isLiveEventBody(value: unknown): value is LiveEventBody {
    return isRecord(value) && typeof value.t === 'number' && isListOf(value.instances, isLiveInstance);
}

/** Whether two absolute paths name the same file (Windows paths differ in case and separators only). */
export function sameFile(a: string, b: string, platform: NodeJS.Platform = process.platform): boolean {
    if (platform === 'win32') {
        return path.win32.resolve(a).toLowerCase() === path.win32.resolve(b).toLowerCase();
    }
    return path.posix.resolve(a) === path.posix.resolve(b);
}

/**
 * The instance the diagram shows: the one of the thread selected in the Call Stack, if that thread is one of the
 * instances — then only when it lives in the shown file (its machine may be another one: the panel switches to it);
 * otherwise the first instance of the shown file and machine, a running one before a finished one.
 */
export function chooseLiveInstance(instances: readonly LiveInstance[], shown: ShownDiagram, selectedThreadId: number | undefined): LiveInstance | undefined {
    const file = shown.file;
    if (file === undefined) {
        return undefined;
    }
    const selected = selectedThreadId === undefined ? undefined : instances.find((instance) => instance.threadId === selectedThreadId);
    if (selected) {
        return sameFile(selected.file, file) ? selected : undefined;
    }
    const candidates = instances.filter((instance) => instance.machine === shown.machine && sameFile(instance.file, file));
    return candidates.find((instance) => !instance.finished) ?? candidates[0];
}

/** The webview's message for one instance at virtual time `t`: the adapter's 1-based lines made 0-based. */
export function liveMessage(instance: LiveInstance, t: number): Extract<ToWebview, { type: 'live' }> {
    const view: LiveView = {
        instance: instance.instance,
        machine: instance.machine,
        t,
        finished: instance.finished,
        states: instance.states.map((line) => line - 1),
        trail: instance.trail.slice(0, 3).map(({ line, event }) => ({ line: line - 1, event })),
        timers: instance.timers.map(({ line, label, remainingMs }) => ({ line: line - 1, label, remainingMs })),
        fireable: instance.finished ? [] : instance.fireable.map(({ line, event }) => ({ line: line - 1, event }))
    };
    return { type: 'live', ...view };
}
