// The findings' conditions written again, on single worlds and the moves that led to them, for the brute-force
// search: "can never" is checked up to a depth (enough for the small systems of the tests).
import type { Instance } from '../../language/semantics/instance.js';
import type { World } from '../../language/system/world.js';
import { isFaultMove, reachesWithin, silentMove, targetOf, type Condition } from './brute-force.js';

function topLevel(world: World): Instance[] {
    return world.context.program.topLevel.map((name) => world.simulation.instance(name)!);
}

function listening(instance: Instance): boolean {
    return [...instance.sockets.values()].some((socket) => socket.kind === 'server' && socket.status === 'listening');
}

/** Nothing but signals can happen, and some top-level machine has not finished and does not serve. */
export const deadlocked: Condition = (world) => world.moves().every((move) => move.kind === 'signal') && topLevel(world).some((instance) => !instance.finished && !listening(instance));

const finished = (name: string) => (world: World): boolean => world.simulation.instance(name)?.finished === true;

/** The last move was a signal a top-level machine binds but did not handle, and it cannot finish within `depth` moves. */
export function lostSignal(depth: number): Condition {
    return (world, path) => {
        const last = path.at(-1);
        if (!last || last.move.kind !== 'signal') {
            return false;
        }
        const signal = last.move.signal;
        return last.outcome.unhandled.some(({ machine, event }) => {
            const instance = last.before.simulation.instance(machine);
            return world.context.program.topLevel.includes(machine) && instance?.spec.signals.some((binding) => binding.signal === signal && binding.event === event) === true && !reachesWithin(world, finished(machine), depth);
        });
    };
}

/** The last move was a fault hitting a top-level machine that can then reach, within `depth` moves, no final state and no state it was in before. */
export function stuckAfterFault(depth: number): Condition {
    return (world, path) => {
        const last = path.at(-1);
        if (!last || !isFaultMove(last.move, last.before)) {
            return false;
        }
        const machine = targetOf(last.move, last.before);
        if (machine === undefined || !world.context.program.topLevel.includes(machine) || finished(machine)(world)) {
            return false;
        }
        const before = new Set(path.map((taken) => taken.before.simulation.instance(machine)!.stateName));
        return !reachesWithin(world, (later) => finished(machine)(later) || before.has(later.simulation.instance(machine)!.stateName), depth);
    };
}

/** Live sessions whose peer closed (or whose peer machine finished); none once the program has stopped or exited (its process ends). */
export function orphansOf(world: World): string[] {
    const simulation = world.simulation;
    if (simulation.stopped || simulation.exitCode !== undefined) {
        return [];
    }
    return simulation.instances
        .filter((instance) => instance.server && !instance.finished)
        .filter((instance) => {
            const connection = [...instance.sockets.values()].find((socket) => socket.kind === 'connection');
            if (!connection || connection.kind === 'server') {
                return false;
            }
            const link = world.links.find((candidate) => candidate.session.instance === instance.name && candidate.session.generation === connection.generation);
            if (link) {
                return link.client.ended || simulation.instance(link.client.instance)?.finished === true;
            }
            return world.envEnded.has(`${instance.name}.${connection.spec.name}@${connection.generation}`);
        })
        .map((instance) => instance.name);
}

/** Some session is an orphan, and with the environment silent no world without orphans comes within `depth` moves. */
export function orphanForever(depth: number): Condition {
    return (world) => orphansOf(world).length > 0 && !reachesWithin(world, (later) => orphansOf(later).length === 0, depth, silentMove);
}

/** Live sessions of each listening server of a top-level machine. */
function liveSessions(world: World): number[] {
    return topLevel(world).flatMap((instance) => [...instance.sockets.values()].flatMap((socket) => (socket.kind === 'server' && socket.status === 'listening' && !instance.finished ? [socket.sessions.length] : [])));
}

/** A listening server has `sessions` live sessions, and with the environment silent none ends within `depth` moves. */
export function sessionsPileUp(sessions: number, depth: number): Condition {
    return (world) => liveSessions(world).some((live) => live >= sessions) && !reachesWithin(world, (later) => liveSessions(later).every((live) => live < sessions), depth, silentMove);
}

/** The last move was a listen on an address another server held, and the program exited (no machine maps the error). */
export const addressInUse: Condition = (world, path) => {
    const last = path.at(-1);
    return last !== undefined && last.move.kind === 'env' && last.move.what === 'listen-clash' && world.simulation.exitCode !== undefined;
};
