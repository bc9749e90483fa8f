// Replays a finding's trace move by move with the interpreter's trace recorded: what the sequence chart draws, and a
// check that the explorer's run is deterministic (the same moves give the same scenario lines).
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import type { TraceStep } from './findings.js';
import { instanceText } from './instance-text.js';
import type { InFlight } from './links.js';
import { SystemContext, World, type Move } from './world.js';

/** A step replayed: its move, what was in flight for a delivery (and from whom), and the trace lines it produced. */
export interface ReplayedStep {
    readonly move: Move;
    readonly lines: readonly string[];
    readonly trace: readonly TraceLine[];
    readonly delivered?: { readonly item: InFlight; readonly from: string; readonly to: string; readonly socket: string };
    /** A signal step: the instances that bind it (they all get it). */
    readonly signalled?: readonly string[];
    /** An accept: the session instance it started. */
    readonly session?: string;
}

export interface Replay {
    readonly start: readonly TraceLine[];
    readonly steps: readonly ReplayedStep[];
    /** The instances and their states at the end. */
    readonly machines: readonly string[];
}

export function replayTrace(context: SystemContext, steps: readonly TraceStep[]): Replay {
    let sink: TraceLine[] = [];
    const start: TraceLine[] = sink;
    let world = World.start(context, (line) => sink.push(line));
    const replayed: ReplayedStep[] = [];
    for (const step of steps) {
        sink = [];
        const move = step.move;
        let delivered: ReplayedStep['delivered'];
        if (move.kind === 'deliver') {
            const link = world.links[move.link]!;
            const [to, from] = move.to === 'client' ? [link.client, link.session] : [link.session, link.client];
            delivered = { item: to.inbox[0]!, from: from.instance, to: to.instance, socket: to.socket };
        }
        const signalled = move.kind === 'signal' ? world.simulation.instances.filter((instance) => !instance.finished && instance.spec.signals.some((binding) => binding.signal === move.signal)).map((instance) => instance.name) : undefined;
        const before = new Set(world.simulation.instances.map((instance) => instance.name));
        const outcome = world.replay(move, step.choices);
        if (outcome.lines.join('\n') !== step.lines.join('\n')) {
            throw new Error(`internal: a replayed move differs from the explored one:\n${outcome.lines.join('\n')}\n--- explored:\n${step.lines.join('\n')}`);
        }
        world = outcome.world;
        const session = move.kind === 'accept' || (move.kind === 'env' && move.what === 'accept') ? world.simulation.instances.find((instance) => !before.has(instance.name) && instance.server)?.name : undefined;
        replayed.push({ move, lines: outcome.lines, trace: sink, delivered, signalled, session });
    }
    const exited = world.ended;
    const machines = world.simulation.instances.filter((instance) => !instance.server || !instance.finished).map((instance) => instanceText(instance, exited));
    return { start, steps: replayed, machines };
}
