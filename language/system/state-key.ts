// The canonical key of a world: equal for worlds that behave the same from here on. Times are relative to the clock,
// counters that only grow are left out or capped, and the sessions of one server are interchangeable (sorted).
import type { Instance, SocketState, VirtualTimer } from '../semantics/instance.js';
import { inFlightKey, type Link, type LinkEnd } from './links.js';
import type { World } from './world.js';

/** The first reconnect attempt whose delay reaches the maximum, by socket spec (worked out once per spec). */
const saturation = new WeakMap<object, number>();

/** Reconnect attempts beyond the one whose delay reaches the maximum all wait the same. */
function attemptKey(socket: SocketState): number {
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

function timerKey(timer: VirtualTimer, when: string): string {
    const job = timer.job;
    const what = job.kind === 'state' ? `s${job.state.order}.${job.index}` : `${job.kind}:${job.socket}${'generation' in job ? (timer.owner.sockets.get(job.socket) as { generation: number }).generation === job.generation ? '' : '~' : ''}`;
    return `${what}@${when}`;
}

function socketKey(world: World, instance: Instance, socket: SocketState): string {
    if (socket.kind === 'server') {
        return `${socket.spec.name}:${socket.status}${world.listenFailed.size > 0 && world.listenFailed.has(`${instance.name}.${socket.spec.name}`) ? '!' : ''}`;
    }
    let key = `${socket.spec.name},${socket.status},${socket.closeRequested ? 'c' : ''},${attemptKey(socket)},${socket.paused ? 'p' : ''},${socket.lingering},${socket.unsentWhileConnecting > 0 ? 'u' : ''}`;
    for (const held of socket.held) {
        key += held.what === 'data' ? `,h:${held.data.toString('hex')}` : held.what === 'exit' ? `,h:exit${held.status}` : `,h:${held.what}`;
    }
    if (socket.frames && socket.frames.buffered > 0) {
        key += `,f:${socket.frames.unread().toString('hex')}`;
    }
    const heartbeat = socket.spec.heartbeat;
    if (heartbeat && socket.heartbeatTimer) {
        // How many more ticks find the peer alive if nothing arrives (the time since the last data, counted in ticks).
        const every = Math.min(heartbeat.intervalMs, heartbeat.timeoutMs);
        key += `,r${Math.max(0, Math.ceil((heartbeat.timeoutMs - (socket.heartbeatTimer.due - socket.lastReceived)) / every))}`;
    }
    if (world.envEnded.size > 0 && world.envEnded.has(`${instance.name}.${socket.spec.name}@${socket.generation}`)) {
        key += ',e';
    }
    if (world.owesDrain.size > 0 && world.owesDrain.has(`${instance.name}.${socket.spec.name}@${socket.generation}`)) {
        key += ',d';
    }
    if (socket.kind === 'process' && world.spawnSettled.has(`${instance.name}.${socket.spec.name}@${socket.generation}`)) {
        key += ',s';
    }
    return key;
}

/** An instance's own situation: states, histories, sockets and timers (not its name: sessions are interchangeable). */
export function instanceKey(world: World, instance: Instance, timers: ReadonlyMap<Instance, Array<[VirtualTimer, string]>>): string {
    if (instance.finished) {
        // A finished instance may still hold a timer (a closing socket's linger) that matters: its wired peer learns.
        const dead = (timers.get(instance) ?? []).map(([timer, when]) => timerKey(timer, when)).join(';');
        return dead === '' ? `${instance.spec.name}:F` : `${instance.spec.name}:F<${dead}>`;
    }
    const active = instance.active.size === 1 ? String([...instance.active][0]!.order) : [...instance.active].map((node) => node.order).sort((a, b) => a - b).join('.');
    const histories = instance.histories.size === 0 ? '' : [...instance.histories].map(([name, nodes]) => `${name}=${nodes.map((node) => node.order).join('.')}`).sort().join(';');
    let sockets = '';
    for (const socket of instance.sockets.values()) {
        sockets += `${socketKey(world, instance, socket)}|`;
    }
    const own = (timers.get(instance) ?? []).map(([timer, when]) => timerKey(timer, when)).join(';');
    return `${instance.spec.name}:${active}{${histories}}[${sockets}]<${own}>`;
}

function endKey(world: World, end: LinkEnd, sessions: ReadonlyMap<string, string>): string {
    const inbox = end.inbox.map(inFlightKey).join(',');
    const instance = world.simulation.instance(end.instance);
    // A session by its situation (one the simulation has let go is gone), a top-level machine by its name.
    const who = instance?.server ? (sessions.get(end.instance) ?? 'gone') : end.instance;
    const socket = instance?.sockets.get(end.socket);
    const current = socket && socket.kind !== 'server' && socket.generation === end.generation ? '' : '~';
    return `${who}.${end.socket}${current}${end.ended ? '!' : ''}${end.gotFin ? 'f' : ''}(${inbox})`;
}

const NO_SESSIONS: ReadonlySet<string> = new Set();

/** The whole world's key. */
export function worldKey(world: World): string {
    const simulation = world.simulation;
    // Timers by their place in the firing order (timers due at the same time share it), not by their times: a state
    // 10 minutes later is the same state, and so are two states whose timers fire in the same order at other gaps
    // (which may go on differently: a 1 s ticker and a 2.5 s timer fire in the same order after the first tick, yet
    // the 2.5 s one fires after the second). With `exactTime`, by how long until each is due (and, among timers due at
    // once, their order): no two states that can go on differently are one, at the price of many more states.
    const exact = world.context.options.exactTime === true;
    const timers = new Map<Instance, Array<[VirtualTimer, string]>>();
    let rank = -1;
    let due = Number.NaN;
    let tie = 0;
    for (const timer of simulation.pendingTimers) {
        if (!world.timerMatters(timer)) {
            continue;
        }
        tie = timer.due === due ? tie + 1 : 0;
        if (timer.due !== due) {
            rank++;
            due = timer.due;
        }
        let own = timers.get(timer.owner);
        if (!own) {
            own = [];
            timers.set(timer.owner, own);
        }
        own.push([timer, !exact ? String(rank) : tie === 0 ? `+${due - simulation.now}` : `+${due - simulation.now}.${tie}`]);
    }
    const parts: string[] = [`${simulation.stopped ? 'S' : ''}${world.settled ? '' : 'L'}`, String(simulation.exitCode ?? '')];
    const linkedSessions: ReadonlySet<string> = world.links.length === 0 ? NO_SESSIONS : new Set(world.links.map((link: Link) => link.session.instance));
    const sessionKeys = new Map<string, string>();
    /** The sessions a machine's servers run that talk to the environment (interchangeable, so sorted), after `into`. */
    const served = (instance: Instance, into: string[]): string[] => {
        for (const socket of instance.sockets.values()) {
            if (socket.kind === 'server') {
                into.push(`${socket.spec.name}:${socket.sessions.filter((session) => !linkedSessions.has(session.name)).map((session) => sessionKeys.get(session.name)!).sort().join('')}`);
            }
        }
        return into;
    };
    // Sessions start after the machine whose server runs them: from the last one back, a session's own sessions are
    // known before it.
    for (let index = simulation.instances.length - 1; index >= 0; index--) {
        const instance = simulation.instances[index]!;
        if (instance.server) {
            // A finished session still on a wired link is known by its timers (its linger); any other is gone.
            const own = instanceKey(world, instance, timers);
            sessionKeys.set(instance.name, instance.spec.sockets.some((socket) => socket.kind === 'server') ? `{${served(instance, [own]).join('\n')}}` : `{${own}}`);
        }
    }
    const underFinished: string[] = [];
    for (const instance of simulation.instances) {
        if (!instance.server) {
            parts.push(instanceKey(world, instance, timers));
            served(instance, parts);
        } else if (instance.finished && instance.spec.sockets.some((socket) => socket.kind === 'server') && [...instance.sockets.values()].some((socket) => socket.kind === 'server' && socket.sessions.length > 0)) {
            // A finished session is on no server's list, but the sessions its own servers still run are part of the state.
            underFinished.push(sessionKeys.get(instance.name)!);
        }
    }
    if (underFinished.length > 0) {
        parts.push(`~${underFinished.sort().join('')}`);
    }
    const links = world.links.map((link) => `${endKey(world, link.client, sessionKeys)}~${endKey(world, link.session, sessionKeys)}`).sort();
    parts.push(links.join('/'));
    return parts.join('\n');
}
