// The canonical key of a world: equal for worlds that behave the same from here on. Times are relative to the clock,
// counters that only grow are left out or capped, and the sessions of one server are interchangeable (sorted). This
// text is the definition; the search stores the same key as numbers (state-code.ts, held to it by a test), and takes
// from here what an instance's key says of it alone (ownKey, kept on the instance while it is unchanged).
import type { HeldOccurrence, Instance, ServerStatus, SocketState, StreamSocket, StreamStatus, TimerJob, VirtualTimer } from '../semantics/instance.js';
import { firingOrder } from '../semantics/interpreter.js';
import type { MachineSpec } from '../semantics/program.js';
import { inFlightKey, type Link, type LinkEnd } from './links.js';
import { socketMark, type World } from './world.js';

/** The first reconnect attempt whose delay reaches the maximum, by socket spec (worked out once per spec). */
const saturation = new WeakMap<object, number>();

/** Reconnect attempts beyond the one whose delay reaches the maximum all wait the same. */
export function attemptKey(socket: SocketState): number {
    if (socket.kind === 'server') {
        return 0;
    }
    const reconnect = socket.spec.reconnect;
    if (!reconnect) {
        return 0;
    }
    let saturated = saturation.get(reconnect);
    if (saturated === undefined) {
        saturated = 0;
        while (saturated < 31 && reconnect.minMs * 2 ** saturated < reconnect.maxMs) {
            saturated++;
        }
        saturation.set(reconnect, saturated);
    }
    return Math.min(socket.attempt, saturated);
}

/** Each machine by a number (`m0`, `m1`, …), given the first time a key meets it (keys are compared within a search). */
const machineCodes = new WeakMap<MachineSpec, string>();
let machinesCoded = 0;

export function machineCode(machine: MachineSpec): string {
    let code = machineCodes.get(machine);
    if (code === undefined) {
        code = `m${machinesCoded++}`;
        machineCodes.set(machine, code);
    }
    return code;
}

/** A socket of a machine by its place among the machine's sockets. */
export function socketCode(machine: MachineSpec, socket: string): number {
    const sockets = machine.sockets;
    for (let index = 0; index < sockets.length; index++) {
        if (sockets[index]!.name === socket) {
            return index;
        }
    }
    return -1;
}

const STREAM_STATUS: Readonly<Record<StreamStatus, string>> = { idle: 'I', connecting: 'N', connected: 'C', closing: 'G', closed: 'X' };
const SERVER_STATUS: Readonly<Record<ServerStatus, string>> = { idle: 'I', listening: 'L', closing: 'G', closed: 'X' };
const SOCKET_JOB: Readonly<Record<Exclude<TimerJob['kind'], 'state'>, string>> = { kill: 'K', linger: 'L', 'connect-timeout': 'T', reconnect: 'R', 'linger-on': 'O', heartbeat: 'H', idle: 'D' };

/** What a timer of `owner` does, for the key: `s<state>.<index>` for a state's, `<job letter><socket>` for a socket's. */
export function timerJobKey(timer: VirtualTimer, owner: Instance): string {
    const job = timer.job;
    return job.kind === 'state' ? `s${job.state.order}.${job.index}` : `${SOCKET_JOB[job.kind]}${socketCode(owner.spec, job.socket)}`;
}

/**
 * A socket's timer armed for an earlier connection of the socket does something else when it fires (the key marks it
 * `~`): its owner's copies share the timer, so this is asked of the owner the key is made for.
 */
export function timerStale(timer: VirtualTimer, owner: Instance): boolean {
    const job = timer.job;
    return 'generation' in job && (owner.sockets.get(job.socket) as { generation: number }).generation !== job.generation;
}

function timerKey(timer: VirtualTimer, owner: Instance, when: string): string {
    return `${timerJobKey(timer, owner)}${timerStale(timer, owner) ? '~' : ''}@${when}`;
}

/** A socket's situation; its name is its place in the instance's key (sockets in declaration order). */
function socketKey(world: World, instance: Instance, socket: SocketState): string {
    if (socket.kind === 'server') {
        return `${SERVER_STATUS[socket.status]}${world.listenFailed.size > 0 && world.listenFailed.has(`${instance.name}.${socket.spec.name}`) ? '!' : ''}`;
    }
    // The status letter first, then flags (lowercase), then the counts.
    let key = `${STREAM_STATUS[socket.status]}${socket.closeRequested ? 'c' : ''}${socket.paused ? 'p' : ''}${socket.unsentWhileConnecting > 0 ? 'u' : ''}${attemptKey(socket)}.${socket.lingering}`;
    for (const held of socket.held) {
        key += `,h:${heldKey(held)}`;
    }
    if (socket.frames && socket.frames.buffered > 0) {
        key += `,f:${framesKey(socket)}`;
    }
    const ticks = heartbeatTicks(socket);
    if (ticks >= 0) {
        key += `,r${ticks}`;
    }
    if (world.envEnded.size > 0 && world.envEnded.has(socketMark(instance.name, socket.spec.name, socket.generation))) {
        key += ',e';
    }
    if (world.owesDrain.size > 0 && world.owesDrain.has(socketMark(instance.name, socket.spec.name, socket.generation))) {
        key += ',d';
    }
    if (socket.kind === 'process' && world.spawnSettled.has(socketMark(instance.name, socket.spec.name, socket.generation))) {
        key += ',s';
    }
    return key;
}

/** What a paused socket holds, one occurrence: its bytes in hex, `exit<status>`, `closed` or `reset`. */
export function heldKey(held: HeldOccurrence): string {
    return held.what === 'data' ? held.data.toString('hex') : held.what === 'exit' ? `exit${held.status}` : held.what;
}

/** The bytes of a message the socket's framing has not delivered yet, in hex (when it has some). */
export function framesKey(socket: StreamSocket): string {
    return socket.frames!.unread().toString('hex');
}

/**
 * How many more heartbeat ticks find the peer alive if nothing arrives (the time since the last data, counted in
 * ticks), or -1 without a heartbeat armed.
 */
export function heartbeatTicks(socket: StreamSocket): number {
    const heartbeat = socket.spec.heartbeat;
    if (!heartbeat || !socket.heartbeatTimer) {
        return -1;
    }
    const every = Math.min(heartbeat.intervalMs, heartbeat.timeoutMs);
    return Math.max(0, Math.ceil((heartbeat.timeoutMs - (socket.heartbeatTimer.due - socket.lastReceived)) / every));
}

/**
 * The timers that matter, in firing order, each with its place in the key (`when`): parallel arrays, so that a key is
 * made without a map of timers by owner (a world has a handful of timers; each instance picks its own out).
 */
interface KeyedTimers {
    readonly timers: VirtualTimer[];
    readonly whens: string[];
}

/** The key's text for the timers `owner` holds, in firing order: `job@when;job@when`. */
function timersOf(owner: Instance, keyed: KeyedTimers): string {
    let own = '';
    const timers = keyed.timers;
    for (let index = 0; index < timers.length; index++) {
        const timer = timers[index]!;
        if (timer.owner === owner.name) {
            own += own === '' ? timerKey(timer, owner, keyed.whens[index]!) : `;${timerKey(timer, owner, keyed.whens[index]!)}`;
        }
    }
    return own;
}

/** The active states' document order numbers, ascending, joined by `.`. */
function activeKey(instance: Instance): string {
    if (instance.active.size === 1) {
        for (const node of instance.active) {
            return String(node.order);
        }
    }
    return [...instance.active].map((node) => node.order).sort((a, b) => a - b).join('.');
}

/** What the instance's histories remember: `name=orders` (document order numbers joined by `.`), sorted, joined by `;`. */
export function historiesKey(instance: Instance): string {
    return instance.histories.size === 0 ? '' : [...instance.histories].map(([name, nodes]) => `${name}=${nodes.map((node) => node.order).join('.')}`).sort().join(';');
}

/**
 * What an instance's key says of the instance alone (states, histories, sockets; not the world's marks on its sockets,
 * not its timers, which are ranked among every instance's). Kept on the instance while it is unchanged (a simulation
 * clears it before it changes the instance, and copies an instance it shares before it changes it), unless the world
 * marks sockets (`marked`: the key then says more) or `fresh` asks for it made anew.
 */
export function ownKey(world: World, instance: Instance, marked: boolean, fresh: boolean): string {
    const cacheable = !marked && !fresh;
    if (cacheable && instance.keyed !== undefined) {
        return instance.keyed;
    }
    let key: string;
    if (instance.finished) {
        key = `${machineCode(instance.spec)}:F`;
    } else {
        const histories = historiesKey(instance);
        let sockets = '';
        for (const socket of instance.sockets.values()) {
            sockets += `${socketKey(world, instance, socket)}|`;
        }
        key = `${machineCode(instance.spec)}:${activeKey(instance)}{${histories}}[${sockets}]`;
    }
    if (cacheable) {
        instance.keyed = key;
    }
    return key;
}

/** An instance's own situation: states, histories, sockets and timers (not its name: sessions are interchangeable). */
function instanceKey(world: World, instance: Instance, keyed: KeyedTimers, marked: boolean, fresh: boolean): string {
    const own = ownKey(world, instance, marked, fresh);
    const timers = timersOf(instance, keyed);
    // A finished instance may still hold a timer (a closing socket's linger) that matters: its wired peer learns.
    return instance.finished && timers === '' ? own : `${own}<${timers}>`;
}

/** Whether the session `name` talks to a wired client (then it is in the key on its link, not on its server's list). */
export function linked(links: readonly Link[], name: string): boolean {
    for (const link of links) {
        if (link.session.instance === name) {
            return true;
        }
    }
    return false;
}

/** The sessions a machine's servers run that talk to the environment (interchangeable, so sorted), each after a newline. */
function served(instance: Instance, links: readonly Link[], instances: readonly Instance[], sessionKeys: ReadonlyArray<string | undefined>): string {
    let text = '';
    for (const spec of instance.spec.sockets) {
        const socket = spec.kind === 'server' ? instance.sockets.get(spec.name) : undefined;
        if (socket?.kind === 'server') {
            const keys = socket.sessions.filter((session) => !linked(links, session)).map((session) => atInstance(session, instances, sessionKeys) ?? '');
            text += `\n:${keys.sort().join('')}`; // servers in declaration order: the place names the server
        }
    }
    return text;
}

function endKey(world: World, end: LinkEnd, sessionKeys: ReadonlyArray<string | undefined>): string {
    let inbox = '';
    for (let index = 0; index < end.inbox.length; index++) {
        inbox += index === 0 ? inFlightKey(end.inbox[index]!) : `,${inFlightKey(end.inbox[index]!)}`;
    }
    const instance = world.simulation.instance(end.instance);
    if (!instance) {
        // A session the simulation has let go: gone, whichever it was (sessions are interchangeable; nothing of it is
        // left to act, so its name tells two states apart that go on alike).
        return `gone.${end.socket}~${end.ended ? '!' : ''}${end.gotFin ? 'f' : ''}(${inbox})`;
    }
    // A session by its situation, a top-level machine by its machine (one instance each).
    const who = instance.server ? (atInstance(end.instance, world.simulation.instances, sessionKeys) ?? 'gone') : machineCode(instance.spec);
    const socket = instance.sockets.get(end.socket);
    const current = socket && socket.kind !== 'server' && socket.generation === end.generation ? '' : '~';
    return `${who}.${socketCode(instance.spec, end.socket)}${current}${end.ended ? '!' : ''}${end.gotFin ? 'f' : ''}(${inbox})`;
}

/** Whether `instance` runs a server (a session machine with a data port runs sessions of its own). */
export function hasServer(instance: Instance): boolean {
    for (const socket of instance.spec.sockets) {
        if (socket.kind === 'server') {
            return true;
        }
    }
    return false;
}

/** The armed timers that matter, in firing order (sorted by insertion: a world has a handful). */
export function timersInOrder(world: World): VirtualTimer[] {
    const timers: VirtualTimer[] = [];
    collectTimersInOrder(world, timers);
    return timers;
}

/** Writes the armed timers that matter into `into` from its start, in firing order; gives how many (see timersInOrder). */
export function collectTimersInOrder(world: World, into: VirtualTimer[]): number {
    const armed = world.simulation.armedTimers;
    // Every timer matters while no instance has finished (most worlds): then none is asked about.
    let anyFinished = false;
    for (const instance of world.simulation.instances) {
        anyFinished ||= instance.finished;
    }
    let count = 0;
    for (let index = 0; index < armed.length; index++) {
        const timer = armed[index]!;
        if (anyFinished && !world.timerMatters(timer)) {
            continue;
        }
        let at = count++;
        while (at > 0 && firingOrder(into[at - 1]!, timer) > 0) {
            into[at] = into[at - 1]!;
            at--;
        }
        into[at] = timer;
    }
    return count;
}

/**
 * Each timer's place in the key (`timers` in firing order). Timers by their place in the firing order (timers due at
 * the same time share it), not by their times: a state 10 minutes later is the same state, and so are two states
 * whose timers fire in the same order at other gaps (which may go on differently: a 1 s ticker and a 2.5 s timer fire
 * in the same order after the first tick, yet the 2.5 s one fires after the second). With `exactTime`, by how long
 * until each is due (`+ms`, and among timers due at once their order: `+ms.n`): no two states that can go on
 * differently are one, at the price of many more states.
 */
export function timerPlaces(world: World, timers: readonly VirtualTimer[]): Array<number | string> {
    const places: Array<number | string> = [];
    placeTimers(world, timers, timers.length, places);
    return places;
}

/** Writes the places of the first `count` of `timers` into `into` from its start (see timerPlaces). */
export function placeTimers(world: World, timers: readonly VirtualTimer[], count: number, into: Array<number | string>): void {
    const exact = world.context.options.exactTime === true;
    const now = world.simulation.now;
    let rank = -1;
    let due = Number.NaN;
    let tie = 0;
    for (let index = 0; index < count; index++) {
        const timer = timers[index]!;
        tie = timer.due === due ? tie + 1 : 0;
        if (timer.due !== due) {
            rank++;
            due = timer.due;
        }
        into[index] = !exact ? rank : tie === 0 ? `+${due - now}` : `+${due - now}.${tie}`;
    }
}

/** What `values` holds at the place of the instance called `name` among `instances` (undefined if none is called so). */
export function atInstance<T>(name: string, instances: readonly Instance[], values: ReadonlyArray<T | undefined>): T | undefined {
    for (let index = 0; index < instances.length; index++) {
        if (instances[index]!.name === name) {
            return values[index];
        }
    }
    return undefined;
}

/**
 * The whole world's key. `fresh`: made anew from the instances, not from what their keys were while they have not
 * changed (a test holds the two to each other).
 */
export function worldKey(world: World, fresh = false): string {
    const simulation = world.simulation;
    const marked = world.listenFailed.size > 0 || world.envEnded.size > 0 || world.owesDrain.size > 0 || world.spawnSettled.size > 0;
    const timers = timersInOrder(world);
    const keyed: KeyedTimers = { timers, whens: timerPlaces(world, timers).map(String) };
    const links = world.links;
    const instances = simulation.instances;
    // Each session's key, at its place among the instances. Sessions start after the machine whose server runs them:
    // from the last one back, a session's own sessions are known before it.
    const sessionKeys = new Array<string | undefined>(instances.length);
    for (let index = instances.length - 1; index >= 0; index--) {
        const instance = instances[index]!;
        if (instance.server) {
            // A finished session still on a wired link is known by its timers (its linger); any other is gone.
            const own = instanceKey(world, instance, keyed, marked, fresh);
            sessionKeys[index] = hasServer(instance) ? `{${own}${served(instance, links, instances, sessionKeys)}}` : `{${own}}`;
        }
    }
    let key = `${simulation.stopped ? 'S' : ''}${world.settled ? '' : 'L'}\n${simulation.exitCode ?? ''}`;
    let underFinished: string[] | undefined;
    for (let index = 0; index < instances.length; index++) {
        const instance = instances[index]!;
        if (!instance.server) {
            key += `\n${instanceKey(world, instance, keyed, marked, fresh)}${served(instance, links, instances, sessionKeys)}`;
        } else if (instance.finished && hasServer(instance) && [...instance.sockets.values()].some((socket) => socket.kind === 'server' && socket.sessions.length > 0)) {
            // A finished session is on no server's list, but the sessions its own servers still run are part of the state.
            (underFinished ??= []).push(sessionKeys[index]!);
        }
    }
    if (underFinished) {
        key += `\n~${underFinished.sort().join('')}`;
    }
    key += '\n';
    if (links.length === 1) {
        key += `${endKey(world, links[0]!.client, sessionKeys)}~${endKey(world, links[0]!.session, sessionKeys)}`;
    } else if (links.length > 1) {
        key += links
            .map((link) => `${endKey(world, link.client, sessionKeys)}~${endKey(world, link.session, sessionKeys)}`)
            .sort()
            .join('/');
    }
    return key;
}
