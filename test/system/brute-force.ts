// A brute-force search over the moves of a system, for checking the explorer's traces are the shortest: every
// sequence of moves (and of guard outcomes) from the start, by iterative deepening, with no hashing and no merging.
import { moveClass, World, type Move, type MoveOutcome } from '../../language/system/world.js';

/** One move taken: from which world, which move, and what it did. */
export interface Taken {
    readonly before: World;
    readonly move: Move;
    readonly outcome: MoveOutcome;
}

/** Whether the world at the end of `path` (the moves that led there, oldest first) shows a finding. */
export type Condition = (world: World, path: readonly Taken[]) => boolean;

/** Every successor of `world`: each move and each of its guard outcomes. */
export function successors(world: World): Taken[] {
    return world.moves().flatMap((move) => world.outcomes(move).map((outcome) => ({ before: world, move, outcome })));
}

/** The sequences of exactly `depth` moves from `world` (depth-first, no hashing) whose end satisfies `condition`; the first one, or undefined. */
function firstAt(world: World, path: Taken[], depth: number, condition: Condition, budget: { left: number }): Taken[] | undefined {
    if (path.length === depth) {
        return condition(world, path) ? [...path] : undefined;
    }
    for (const taken of successors(world)) {
        if (--budget.left < 0) {
            throw new Error('brute force: out of budget (the system is too big for it)');
        }
        path.push(taken);
        const found = firstAt(taken.outcome.world, path, depth, condition, budget);
        path.pop();
        if (found) {
            return found;
        }
    }
    return undefined;
}

/** The shortest sequence of moves (up to `maxDepth`) from `start` whose end satisfies `condition`, by iterative deepening. */
export function shortest(start: World, condition: Condition, maxDepth: number, budget = 2_000_000): Taken[] | undefined {
    const left = { left: budget };
    for (let depth = 0; depth <= maxDepth; depth++) {
        const found = firstAt(start, [], depth, condition, left);
        if (found) {
            return found;
        }
    }
    return undefined;
}

/** Whether some sequence of at most `depth` moves from `world` (only moves `allowed` accepts) reaches a world where `target` holds. */
export function reachesWithin(world: World, target: (world: World) => boolean, depth: number, allowed: (move: Move, before: World) => boolean = () => true): boolean {
    if (target(world)) {
        return true;
    }
    if (depth === 0) {
        return false;
    }
    return successors(world).some((taken) => allowed(taken.move, taken.before) && reachesWithin(taken.outcome.world, target, depth - 1, allowed));
}

/** A move the system makes with the environment silent: deliveries (resets in flight among them) and time. */
export function silentMove(move: Move): boolean {
    // What is in flight still arrives, a reset among it (a fault for the end it reaches, but not the environment's doing).
    return moveClass(move) === 'system';
}

/** Whether a move was a fault: refused, connect timeout, reset by the environment, or a reset arriving on a link. */
export function isFaultMove(move: Move, before: World): boolean {
    if (move.kind === 'connect-fault' || (move.kind === 'env' && (move.what === 'reset' || move.what === 'network-reset'))) {
        return true;
    }
    if (move.kind === 'deliver') {
        const link = before.links[move.link]!;
        return (move.to === 'client' ? link.client : link.session).inbox[0]?.kind === 'rst';
    }
    return false;
}

/** The instance a move acts on (for faults: the one hit). */
export function targetOf(move: Move, before: World): string | undefined {
    if (move.kind === 'connect-fault' || move.kind === 'env') {
        return move.instance;
    }
    if (move.kind === 'deliver') {
        const link = before.links[move.link]!;
        return move.to === 'client' ? link.client.instance : link.session.instance;
    }
    return undefined;
}
