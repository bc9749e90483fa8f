// The base of generated machines with composite states: the active child of each composite, what histories remember,
// timers owned by states, and (with parallel regions) SCXML's choice of transitions across regions.
import { Machine, State, type MachineHost } from './machine.js';

/** No active child (the composite is not active), or nothing remembered yet. */
export const NONE = -1;

/**
 * A generated machine with composite states. The generated code knows the tree: for every transition it has a
 * precomputed sequence of exits and entries (each a generated method); at run time it only reads which child of a
 * composite is active (`active`, indexed by the composite's number; the machine itself is 0) and what a history
 * remembers (`remembered`, by history number).
 */
export abstract class HierarchicalMachine<S extends State = State, E extends number = number> extends Machine<S, E> {
    /** The active child of the machine (0), of each compound state and of each region, by number; NONE when inactive. */
    readonly active: Int32Array;
    /**
     * What each history remembers: a child (shallow), an atomic state (deep), 1 for a parallel state's regions; for a
     * deep history over regions, where the states it remembers stop being one chain below its composite (the one
     * atomic state, or the first parallel state of several regions); NONE at first.
     */
    readonly remembered: Int32Array;
    /** The tag each timer was armed with (its state's entry); 0 when cleared: a timer event with another tag is stale. */
    private readonly timerTags: Int32Array;
    private tags = 0;

    constructor(host: MachineHost, initial: S, nodes: number, histories: number, timers: number) {
        super(host, initial);
        this.active = new Int32Array(nodes).fill(NONE);
        this.remembered = new Int32Array(histories).fill(NONE);
        this.timerTags = new Int32Array(timers);
    }

    /** Arms the timer `slot` of a state being entered: it dispatches `event` after `ms` unless the state is left first. */
    armStateTimer(slot: number, ms: number, event: number): void {
        const tag = ++this.tags;
        this.timerTags[slot] = tag;
        this.armTimer(slot, ms, event, tag);
    }

    /** Stops the timer `slot` of a state being left. */
    clearStateTimer(slot: number): void {
        this.timerTags[slot] = 0;
        this.clearTimer(slot);
    }

    /** True when the timer event being processed comes from the current arming of `slot` (its state was not left since). */
    timerLive(slot: number): boolean {
        if (this.payload !== this.timerTags[slot] || this.timerTags[slot] === 0) {
            return false;
        }
        this.timerTags[slot] = 0;
        this.payload = undefined;
        return true;
    }

    /** Deep histories over parallel regions: what `active` was when their composite was last left. */
    private snapshots: Array<Int32Array | undefined> | undefined;

    /**
     * A deep history over parallel regions remembers every active child at once: a copy of `active`, or the active
     * children the generated code worked out from its region fields (RegionMachine's generated subclasses); `pivot`
     * is what `remembered` holds for it (see there), which transitions to it switch over.
     */
    rememberAll(history: number, pivot: number, active: Int32Array = this.active.slice()): void {
        this.remembered[history] = pivot;
        (this.snapshots ??= [])[history] = active;
    }

    /** What a deep history over parallel regions remembered (it has remembered once: `remembered` says so). */
    snapshot(history: number): Int32Array {
        return this.snapshots![history]!;
    }

    /** The atomic state active below composite `node` following `active` (what a deep history remembers). */
    activeLeaf(node: number, compound: Uint8Array): number {
        let leaf = this.active[node]!;
        while (leaf !== NONE && compound[leaf] === 1) {
            leaf = this.active[leaf]!;
        }
        return leaf;
    }
}

/**
 * The tree's shape for choosing transitions across regions, as tables by number (states and regions in document
 * order; 0 is the machine): names, where each node's subtree ends, and each transition's source.
 */
export interface RegionTables {
    /** The name of each state and region (the machine's first). */
    readonly names: readonly string[];
    /** The last number inside each node's subtree. */
    readonly subtreeEnd: Int32Array;
    /** The state each transition is declared in. */
    readonly source: Int32Array;
    /** 1 for a transition with a target (it leaves and enters states), 0 for an internal one. */
    readonly targeted: Uint8Array;
}

/**
 * A generated machine with parallel regions. The generated code keeps each region's active state in a field of its
 * own and handles each event in a function of its own, deciding at generation time what it can. When two regions may
 * both take an event, each region's active state chooses in document order (`chose`, `choice`), and `fireChosen`
 * removes conflicts with SCXML's rule (two transitions conflict when they leave a common state: the one whose source
 * lies inside the other's wins, otherwise the one found first), then runs all exits, every transition's actions,
 * all entries.
 */
export abstract class RegionMachine<S extends State = State, E extends number = number> extends HierarchicalMachine<S, E> {
    /** The transitions chosen in this step (`count` of them): one per region at most. */
    private readonly chosen: Int32Array;
    private count = 0;
    private readonly kept: number[] = [];

    constructor(host: MachineHost, initial: S, nodes: number, histories: number, timers: number, regions: number) {
        super(host, initial, nodes, histories, timers);
        this.chosen = new Int32Array(regions);
    }

    protected abstract get tables(): RegionTables;
    /** The state whose subtree a transition leaves (its domain); histories decide it at run time. */
    protected abstract domainOf(transition: number): number;
    /** A whole microstep of one transition. */
    protected abstract fire(transition: number): void;
    /** Exits the states `transition` leaves, innermost first. */
    protected abstract exitFor(transition: number): void;
    /** Runs `transition`'s actions and reports it. */
    protected abstract actFor(transition: number): void;
    /** Enters the states `transition` enters, outermost first. */
    protected abstract enterFor(transition: number): void;

    /** True when an earlier region already chose `transition` in this step (it is not asked again). */
    chose(transition: number): boolean {
        for (let i = 0; i < this.count; i++) {
            if (this.chosen[i] === transition) {
                return true;
            }
        }
        return false;
    }

    /** A region's active state chose `transition` (generated event functions ask the regions themselves, in document order). */
    choice(transition: number): void {
        this.chosen[this.count++] = transition;
    }

    /** Takes the transitions chosen in this step (see `choice`); returns false when there was none. */
    fireChosen(): boolean {
        const count = this.count;
        this.count = 0;
        if (count <= 1) {
            if (count === 0) {
                return false;
            }
            this.fire(this.chosen[0]!);
            return true;
        }
        const kept = this.withoutConflicts(Array.from(this.chosen.subarray(0, count)));
        // An internal transition leaves and enters nothing: only its actions run.
        const targeted = this.tables.targeted;
        for (let i = kept.length - 1; i >= 0; i--) {
            if (targeted[kept[i]!] === 1) {
                this.exitFor(kept[i]!);
            }
        }
        for (const transition of kept) {
            this.actFor(transition);
        }
        for (const transition of kept) {
            if (targeted[transition] === 1) {
                this.enterFor(transition);
            }
        }
        kept.length = 0;
        return true;
    }

    /** SCXML's conflict rule over the chosen transitions, in the order found. */
    private withoutConflicts(chosen: readonly number[]): number[] {
        const { subtreeEnd, source, targeted } = this.tables;
        const inside = (node: number, ancestor: number): boolean => node > ancestor && node <= subtreeEnd[ancestor]!;
        const kept = this.kept;
        kept.length = 0;
        for (const candidate of chosen) {
            if (targeted[candidate] === 0) {
                kept.push(candidate);
                continue;
            }
            const domain = this.domainOf(candidate);
            let preempted = false;
            const beaten: number[] = [];
            for (const other of kept) {
                if (targeted[other] === 0) {
                    continue;
                }
                const otherDomain = this.domainOf(other);
                // Exit sets meet exactly when one domain lies in the other's subtree.
                if (domain === otherDomain || inside(domain, otherDomain) || inside(otherDomain, domain)) {
                    if (inside(source[candidate]!, source[other]!)) {
                        beaten.push(other);
                    } else {
                        preempted = true;
                        break;
                    }
                }
            }
            if (!preempted) {
                for (const other of beaten) {
                    kept.splice(kept.indexOf(other), 1);
                }
                kept.push(candidate);
            }
        }
        return kept;
    }
}
