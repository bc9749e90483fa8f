// Read interest: the `pause SOCKET` actions after which the machine can get where that socket is never read again.
//
// While a socket is paused its reads do not come, and neither do its peer's close and reset (they wait in the kernel
// behind the unread bytes): events that only its `read`, `close` and `error` produce cannot fire. Everything else can:
// timers, `on done`, other sockets, signals, `raise`, the socket's own `drain`, `connect`, `timeout`, `idle` and
// `heartbeat` events, and events nothing in the machine produces (user code may dispatch them). Reading starts again
// with `resume SOCKET`, `close SOCKET` (a socket being closed reads on), `connect SOCKET` (a new connection starts
// unpaused), or when the machine finishes (`stop`, a top-level final state). A pause is reported when, after it, the
// machine can reach a configuration from which none of these can be reached through transitions that can still fire.
//
// Read on the state tree as reachability.ts and progress.ts read it, without listing configurations: a state is
// "released" when, whatever else is active with it, the machine can get to a release from it (its transitions and
// timers, and those of the states around it, count); a state of one region counts as released when one of another
// region of the same parallel state is. What a history re-enters is taken as anything inside its holder, guards may
// hold, and an inner transition hiding an outer one is not read. Each of these can only hide a stuck pause, never
// report one that cannot happen.
import {
    isClient,
    isCloseAction,
    isConnection,
    isConnectAction,
    isEventMapping,
    isPauseAction,
    isResumeAction,
    isStopAction,
    type Action,
    type EntryActions,
    type Event,
    type ExitActions,
    type PauseAction,
    type Socket,
    type State,
    type Timer,
    type Transition
} from '../generated/ast.js';
import { strictlyInside, StateTree, type TreeNode } from '../ast/state-tree.js';
import type { MachineAnalysis } from './machine-analysis.js';

/** Where a pause runs: a state's entry or exit actions, or a transition's or timer's. */
export type PausePhase = 'entry' | 'exit' | 'transition';

/** A `pause` after which its socket may never be read again. */
export interface PausedForever {
    readonly action: PauseAction;
    readonly socket: Socket;
    /** The state whose entry, exit, transition or timer runs the pause. */
    readonly state: State;
    readonly phase: PausePhase;
    /**
     * Events that only the socket's reads, close or errors produce and that transitions reachable after the pause
     * wait for (in declaration order): they cannot come while it is paused.
     */
    readonly blocked: readonly Event[];
}

/** The socket events that wait in the kernel while reading is paused. */
const HELD_SOCKET_EVENTS: ReadonlySet<string> = new Set(['read', 'close', 'error', 'stdout', 'exit']);

/** What firing a transition or timer leaves and enters. */
interface Move {
    /** SCXML's domain: what lies below it and is active is left; it and the states around it stay. */
    readonly domain: TreeNode;
    /** What it enters: the target with its default entry, the states on the way down from the domain (for a history: anything inside its holder). */
    readonly entered: readonly TreeNode[];
}

/** A transition or timer of a state. */
interface Step {
    readonly source: TreeNode;
    readonly trigger: Transition | Timer;
    /** Undefined for a transition without a target: it leaves and enters nothing. */
    readonly move: Move | undefined;
}

interface PauseSite {
    readonly action: PauseAction;
    readonly socket: Socket;
    readonly node: TreeNode;
    readonly phase: PausePhase;
    readonly block: Transition | Timer | EntryActions | ExitActions;
    readonly index: number;
}

/** The pauses of a machine after which their socket may stay paused for good (none when the machine pauses nothing). */
export function findPausedForever(analysis: MachineAnalysis): PausedForever[] {
    if (!analysis.states.some(pausesAnything)) {
        return []; // most machines: one pass over their actions, nothing built
    }
    const tree = new StateTree(analysis.machine);
    const sites = pauseSites(tree);
    if (sites.length === 0) {
        return [];
    }
    const steps = stepsOf(tree);
    const found: PausedForever[] = [];
    const bySocket = new Map<Socket, PauseSite[]>();
    for (const site of sites) {
        const list = bySocket.get(site.socket) ?? [];
        list.push(site);
        bySocket.set(site.socket, list);
    }
    for (const [socket, list] of bySocket) {
        const reading = new SocketReading(tree, analysis, socket, steps);
        for (const site of list) {
            const blocked = reading.stuckAfter(site);
            if (blocked) {
                found.push({ action: site.action, socket, state: site.node.state!, phase: site.phase, blocked });
            }
        }
    }
    return found;
}

function pausesAnything(state: State): boolean {
    const blocks = [...state.entries, ...state.exits, ...state.transitions, ...state.timers];
    return blocks.some((block) => block.actions.some(isPauseAction));
}

/** Every `pause` of a client or a connection, in the order of the tree's states. */
function pauseSites(tree: StateTree): PauseSite[] {
    const sites: PauseSite[] = [];
    for (const node of tree.nodes) {
        const state = node.state;
        if (!state) {
            continue;
        }
        const blocks: Array<[Transition | Timer | EntryActions | ExitActions, PausePhase]> = [
            ...state.entries.map((block): [EntryActions, PausePhase] => [block, 'entry']),
            ...state.exits.map((block): [ExitActions, PausePhase] => [block, 'exit']),
            ...state.transitions.map((block): [Transition, PausePhase] => [block, 'transition']),
            ...state.timers.map((block): [Timer, PausePhase] => [block, 'transition'])
        ];
        for (const [block, phase] of blocks) {
            block.actions.forEach((action, index) => {
                const socket = isPauseAction(action) ? action.socket.ref : undefined;
                if (isPauseAction(action) && socket && (isClient(socket) || isConnection(socket))) {
                    sites.push({ action, socket, node, phase, block, index });
                }
            });
        }
    }
    return sites;
}

function stepsOf(tree: StateTree): Step[] {
    const steps: Step[] = [];
    for (const node of tree.nodes) {
        for (const trigger of [...(node.state?.transitions ?? []), ...(node.state?.timers ?? [])]) {
            steps.push({ source: node, trigger, move: moveOf(tree, node, trigger) });
        }
    }
    return steps;
}

/** Adds `node` and what SCXML's default entry enters with it: initial children, every region, recursively. */
function enterByDefault(node: TreeNode, into: Set<TreeNode>): void {
    const stack = [node];
    while (stack.length > 0) {
        const next = stack.pop()!;
        if (into.has(next)) {
            continue;
        }
        into.add(next);
        if (next.kind === 'parallel') {
            stack.push(...next.children.filter((child) => child.kind === 'region'));
        } else if (next.initial) {
            stack.push(next.initial);
        }
    }
}

function moveOf(tree: StateTree, source: TreeNode, trigger: Transition | Timer): Move | undefined {
    const target = trigger.target?.ref;
    const node = tree.targetNode(target);
    if (!target || !node) {
        return undefined;
    }
    const entered = new Set<TreeNode>();
    let domain: TreeNode;
    if (target.$type === 'State') {
        domain = tree.domain(source, node);
        enterByDefault(node, entered);
    } else {
        domain = tree.historyDomain(source, node);
        if (domain !== node) {
            entered.add(node);
        }
        // What the history restores, or its default: anything inside its holder may be entered.
        for (let i = node.index + 1; i <= node.end; i++) {
            entered.add(tree.nodes[i]!);
        }
    }
    for (let child = node, ancestor = node.parent; ancestor && ancestor !== domain; child = ancestor, ancestor = ancestor.parent) {
        entered.add(ancestor);
        if (ancestor.kind === 'parallel') {
            for (const region of ancestor.children) {
                if (region !== child && region.kind === 'region') {
                    enterByDefault(region, entered);
                }
            }
        }
    }
    return { domain, entered: [...entered] };
}

/**
 * How two nodes can be active: `nested` (one holds the other, or they are the same), `orthogonal` (in different regions
 * of a parallel state: together) or `exclusive` (never together).
 */
function relation(first: TreeNode, second: TreeNode): 'nested' | 'orthogonal' | 'exclusive' {
    for (let around: TreeNode | undefined = first; around; around = around.parent) {
        if (around === second || strictlyInside(second, around)) {
            if (around === first || around === second) {
                return 'nested';
            }
            return around.kind === 'parallel' ? 'orthogonal' : 'exclusive';
        }
    }
    return 'exclusive';
}

/** The states and region around `node`, itself included, innermost first (not the machine). */
function selfAndAncestors(node: TreeNode): TreeNode[] {
    const chain: TreeNode[] = [];
    for (let around: TreeNode | undefined = node; around?.parent; around = around.parent) {
        chain.push(around);
    }
    return chain;
}

/** The analysis of one socket's pauses. */
class SocketReading {
    /** By node index: whenever this node is active, the machine can still get to a release. */
    private readonly released: Uint8Array;
    /** By node index: the node and everything inside it are marked released already. */
    private readonly subtreeReleased: Uint8Array;
    /** By node index: its entry actions release. */
    private readonly entryReleases: Uint8Array;
    /** Nodes whose exit actions release (few). */
    private readonly releasingExits: TreeNode[] = [];
    private readonly stepOf = new Map<Transition | Timer, Step>();
    /** By node index: the steps whose source it is. */
    private readonly stepsFrom: Step[][];
    /** By node index: the steps that may enter it, whether or not they can fire while paused. */
    private readonly entering: Step[][];
    private readonly start: Set<TreeNode>;
    /** The steps that can fire while the socket is paused. */
    private readonly firable: ReadonlySet<Step>;
    /** The events that only the socket's reads, close and errors produce. */
    private readonly heldEvents: ReadonlySet<Event>;

    constructor(
        private readonly tree: StateTree,
        private readonly analysis: MachineAnalysis,
        private readonly socket: Socket,
        private readonly steps: readonly Step[]
    ) {
        const count = tree.nodes.length;
        this.released = new Uint8Array(count);
        this.subtreeReleased = new Uint8Array(count);
        this.entryReleases = new Uint8Array(count);
        this.stepsFrom = Array.from({ length: count }, (): Step[] => []);
        this.entering = Array.from({ length: count }, (): Step[] => []);
        for (const node of tree.nodes) {
            const state = node.state;
            if (state?.entries.some((block) => block.actions.some((action) => this.releases(action)))) {
                this.entryReleases[node.index] = 1;
            }
            if (state?.exits.some((block) => block.actions.some((action) => this.releases(action)))) {
                this.releasingExits.push(node);
            }
        }
        for (const step of steps) {
            this.stepOf.set(step.trigger, step);
            this.stepsFrom[step.source.index]!.push(step);
            for (const node of step.move?.entered ?? []) {
                this.entering[node.index]!.push(step);
            }
        }
        this.heldEvents = new Set(analysis.events.filter((event) => !this.canHappen(event)));
        this.firable = new Set(steps.filter((step) => this.canFire(step)));
        this.start = new Set<TreeNode>();
        if (tree.root.initial) {
            enterByDefault(tree.root.initial, this.start);
        }
        this.propagate();
    }

    /** Whether an action lets the socket be read again, or ends the machine. */
    private releases(action: Action): boolean {
        if (isStopAction(action)) {
            return true;
        }
        return (isResumeAction(action) || isCloseAction(action) || isConnectAction(action)) && action.socket.ref === this.socket;
    }

    /** Whether a transition or timer can fire while the socket is paused. */
    private canFire(step: Step): boolean {
        const trigger = step.trigger;
        if (trigger.$type === 'Timer' || trigger.done) {
            return true;
        }
        const event = trigger.event?.ref;
        return !event || this.canHappen(event);
    }

    /** Whether an event can come while the socket is paused: something other than its reads, close and errors produces it. */
    private canHappen(event: Event): boolean {
        const producers = this.analysis.producers.get(event);
        if (!producers || producers.length === 0) {
            return true; // dispatched by user code, if anyone
        }
        return producers.some((producer) => !(isEventMapping(producer) && producer.$container === this.socket && HELD_SOCKET_EVENTS.has(producer.socketEvent)));
    }

    private isReachable(node: TreeNode): boolean {
        const state = node.state ?? node.parent?.state;
        return state !== undefined && this.analysis.reachable.has(state);
    }

    /** Whether a release runs when `step` fires from its source (exits of the states it leaves, its actions, entries). */
    private stepReleases(step: Step): boolean {
        if (step.trigger.actions.some((action) => this.releases(action))) {
            return true;
        }
        const move = step.move;
        if (!move) {
            return false;
        }
        if (move.entered.some((node) => this.entryReleases[node.index] === 1)) {
            return true;
        }
        return this.releasingExits.some((node) => strictlyInside(node, move.domain) && !strictlyInside(node, step.source) && relation(node, step.source) !== 'exclusive');
    }

    /** Marks which states are released, from the releases backwards along the transitions that can fire while paused. */
    private propagate(): void {
        const queue: TreeNode[] = [];
        const markSubtree = (node: TreeNode): void => {
            for (let i = node.index; i <= node.end; i++) {
                if (this.subtreeReleased[i] === 1) {
                    i = this.tree.nodes[i]!.end;
                    continue;
                }
                if (this.released[i] === 0) {
                    this.released[i] = 1;
                    queue.push(this.tree.nodes[i]!);
                }
            }
            this.subtreeReleased[node.index] = 1;
        };
        const fired = new Set<Step>();
        const fire = (step: Step): void => {
            if (fired.has(step)) {
                return;
            }
            fired.add(step);
            if (step.trigger.$type === 'Transition' && step.trigger.done) {
                this.finalChildrenOf(step.source).forEach(markSubtree);
            } else {
                markSubtree(step.source);
            }
        };
        const firable = [...this.firable];
        const enteredBy: Step[][] = Array.from({ length: this.tree.nodes.length }, (): Step[] => []);
        for (const step of firable) {
            for (const node of step.move?.entered ?? []) {
                enteredBy[node.index]!.push(step);
            }
        }
        // Entering a top-level final state finishes the machine.
        this.tree.root.children.filter((node) => node.state?.final).forEach(markSubtree);
        for (const step of firable) {
            if (this.stepReleases(step)) {
                fire(step);
            }
            if (step.move) {
                // Leaving a state inside the source runs its exit, when that state is active.
                for (const node of this.releasingExits) {
                    if (strictlyInside(node, step.source) && strictlyInside(node, step.move.domain)) {
                        markSubtree(node);
                    }
                }
            }
        }
        const regionsDone = new Set<TreeNode>();
        for (let i = 0; i < queue.length; i++) {
            const node = queue[i]!;
            for (const step of enteredBy[node.index]!) {
                fire(step);
            }
            if (!this.isReachable(node)) {
                continue;
            }
            // Another region of the same parallel state can be anywhere meanwhile: read as able to get there too.
            for (let region = node.parent; region; region = region.parent) {
                if (region.kind !== 'region' || regionsDone.has(region)) {
                    continue;
                }
                regionsDone.add(region);
                region.parent!.children.filter((other) => other !== region && other.kind === 'region').forEach(markSubtree);
            }
        }
    }

    /** The final children `on done` of `composite` waits for (for a parallel state: each region's, when every region has one). */
    private finalChildrenOf(composite: TreeNode): TreeNode[] {
        const finals = (holder: TreeNode): TreeNode[] => holder.children.filter((child) => child.state?.final === true);
        if (composite.kind === 'compound') {
            return finals(composite);
        }
        if (composite.kind === 'parallel') {
            const regions = composite.children.filter((child) => child.kind === 'region').map(finals);
            return regions.length > 0 && regions.every((list) => list.length > 0) ? regions.flat() : [];
        }
        return [];
    }

    /** Whether some node of a configuration (what a move enters, with its domain and the states around) is released. */
    private configurationReleased(move: Move): boolean {
        return move.entered.some((node) => this.released[node.index] === 1) || selfAndAncestors(move.domain).some((node) => this.released[node.index] === 1);
    }

    /**
     * The events the socket's pause holds back that the machine could wait for after `site`, when it may stay paused
     * for good; undefined when a release can always still come.
     */
    stuckAfter(site: PauseSite): Event[] | undefined {
        const actions = site.block.actions;
        if (actions.slice(0, site.index).some((action) => isCloseAction(action) && action.socket.ref === this.socket)) {
            return undefined; // a socket being closed ignores the pause
        }
        if (actions.slice(site.index + 1).some((action) => this.releases(action)) || !this.isReachable(site.node)) {
            return undefined;
        }
        const stuck = site.phase === 'transition' ? this.stuckAfterStep(this.stepOf.get(site.block as Transition | Timer)!) : site.phase === 'entry' ? this.stuckOnEntry(site) : this.stuckOnExit(site);
        return stuck ? this.blockedFrom(stuck) : undefined;
    }

    /** After a pause among a step's actions: the configuration it may leave the machine in, when that is not released. */
    private stuckAfterStep(step: Step): TreeNode[] | undefined {
        const move = step.move;
        if (!move) {
            // Nothing is left or entered: whatever is active inside the source stays so.
            const inside = this.tree.nodes.slice(step.source.index, step.source.end + 1);
            return inside.some((node) => this.released[node.index] === 1) ? undefined : [...selfAndAncestors(step.source), ...inside];
        }
        if (move.entered.some((node) => this.entryReleases[node.index] === 1) || this.configurationReleased(move)) {
            return undefined;
        }
        return [...move.entered, ...selfAndAncestors(move.domain)];
    }

    private stuckOnEntry(site: PauseSite): TreeNode[] | undefined {
        const node = site.node;
        const state = node.state!;
        const later = state.entries.slice(state.entries.indexOf(site.block as EntryActions) + 1);
        if (later.some((block) => block.actions.some((action) => this.releases(action)))) {
            return undefined;
        }
        // Entries run outermost first, in document order: those of nodes after this one run after the pause.
        const stuckWith = (entered: readonly TreeNode[]): boolean => !entered.some((other) => other.index > node.index && this.entryReleases[other.index] === 1);
        if (this.start.has(node) && stuckWith([...this.start]) && ![...this.start].some((other) => this.released[other.index] === 1)) {
            return [...this.start];
        }
        for (const step of this.entering[node.index]!) {
            const move = step.move!;
            if (this.isReachable(step.source) && stuckWith(move.entered) && !this.configurationReleased(move)) {
                return [...move.entered, ...selfAndAncestors(move.domain)];
            }
        }
        return undefined;
    }

    private stuckOnExit(site: PauseSite): TreeNode[] | undefined {
        const node = site.node;
        const state = node.state!;
        const later = state.exits.slice(state.exits.indexOf(site.block as ExitActions) + 1);
        if (later.some((block) => block.actions.some((action) => this.releases(action)))) {
            return undefined;
        }
        for (const step of this.steps) {
            const move = step.move;
            if (!move || !this.isReachable(step.source) || !strictlyInside(node, move.domain) || relation(node, step.source) === 'exclusive') {
                continue;
            }
            // Exits run innermost first, in reverse document order: those of nodes before this one run after the pause.
            const laterExit = this.releasingExits.some((other) => other.index < node.index && strictlyInside(other, move.domain) && relation(other, step.source) !== 'exclusive');
            const released =
                laterExit ||
                step.trigger.actions.some((action) => this.releases(action)) ||
                move.entered.some((other) => this.entryReleases[other.index] === 1) ||
                this.configurationReleased(move);
            if (!released) {
                return [...move.entered, ...selfAndAncestors(move.domain)];
            }
        }
        return undefined;
    }

    /** The held-back events that transitions reachable from `configuration` (through those that can fire) wait for. */
    private blockedFrom(configuration: readonly TreeNode[]): Event[] {
        const seen = new Uint8Array(this.tree.nodes.length);
        const queue: TreeNode[] = [];
        const visit = (node: TreeNode): void => {
            // The states around a node seen are seen: stop there.
            for (let around: TreeNode | undefined = node; around?.parent && seen[around.index] === 0; around = around.parent) {
                seen[around.index] = 1;
                queue.push(around);
            }
        };
        configuration.forEach(visit);
        const blocked = new Set<Event>();
        // Once every held-back event is found, looking further adds nothing.
        for (let i = 0; i < queue.length && blocked.size < this.heldEvents.size; i++) {
            for (const step of this.stepsFrom[queue[i]!.index]!) {
                if (this.firable.has(step)) {
                    step.move?.entered.forEach(visit);
                } else if (step.trigger.$type === 'Transition' && step.trigger.event?.ref) {
                    blocked.add(step.trigger.event.ref);
                }
            }
        }
        return this.analysis.events.filter((event) => blocked.has(event));
    }
}
