// The state key as numbers, for the search's table of states: equal for exactly the worlds whose key text
// (state-key.ts, the definition) is equal — a test holds the two to each other on every world the search reaches —
// but made without joining text. What an instance's key says of it alone is numbered once per table (own-code.ts) and
// kept on the instance while it is unchanged (an atom); the rest (timers by rank, sessions, links, bytes in
// flight) are numbers in nested lists. Every list is written after its length, so two different trees never give the
// same numbers; lists of interchangeable things (sessions, links) are sorted. A code is written into lists kept from
// one code to the next (int-list.ts), so making one allocates nothing once they are big enough.
import type { Instance, VirtualTimer } from '../semantics/instance.js';
import type { MachineSpec } from '../semantics/program.js';
import { hashOf, IntList, RunSet, sortRuns } from './int-list.js';
import type { InFlight, Link, LinkEnd } from './links.js';
import { inFlightKey } from './links.js';
import { pushOwnCode } from './own-code.js';
import { collectTimersInOrder, hasServer, linked, machineCode, placeTimers, socketCode, timerJobKey, timerStale } from './state-key.js';
import type { World } from './world.js';

/** The states of one search by their codes: numbers atoms, stores codes, finds a code's state. */
export class StateTable {
    private readonly atoms = new Map<string, number>();
    private readonly itemAtoms = new WeakMap<InFlight, number>();
    private readonly machineAtoms = new Map<MachineSpec, number>();
    /** The states' codes, numbered as the states are. */
    private readonly states = new RunSet(4_096);
    /** What instances' keys say of them alone (own-code.ts), each numbered once: the atoms of instances. */
    private readonly owns = new RunSet(1_024);
    /** Writes codes for this table (its lists are reused from one code to the next). */
    private readonly writer = new CodeWriter(this);
    /** The hash of the code `lookup` wrote last. */
    private hash = 0;

    /** The number of `text` in this table (given the first time it is asked for). */
    atom(text: string): number {
        let atom = this.atoms.get(text);
        if (atom === undefined) {
            atom = this.atoms.size;
            this.atoms.set(text, atom);
        }
        return atom;
    }

    /** What a timer of `owner` does, as a number: its job's atom (kept on the timer, which is not changed), twice, +1 if stale. */
    timerAtom(timer: VirtualTimer, owner: Instance, fresh: boolean): number {
        let atom: number;
        if (fresh) {
            atom = this.atom(timerJobKey(timer, owner));
        } else {
            if (timer.keyAtomBy !== this) {
                timer.keyAtom = this.atom(timerJobKey(timer, owner));
                timer.keyAtomBy = this;
            }
            atom = timer.keyAtom;
        }
        return atom * 2 + (timerStale(timer, owner) ? 1 : 0);
    }

    /** A machine as an atom (its machineCode's). */
    machineAtom(machine: MachineSpec): number {
        let atom = this.machineAtoms.get(machine);
        if (atom === undefined) {
            atom = this.atom(machineCode(machine));
            this.machineAtoms.set(machine, atom);
        }
        return atom;
    }

    /** Bytes in flight as an atom, kept per item (an item in flight is not changed; link copies share it). */
    bytesAtom(item: InFlight): number {
        let atom = this.itemAtoms.get(item);
        if (atom === undefined) {
            atom = this.atom(inFlightKey(item));
            this.itemAtoms.set(item, atom);
        }
        return atom;
    }

    /** The world's code (see worldCode), in a list that the next code (of any table) overwrites. */
    write(world: World, fresh: boolean): IntList {
        return this.writer.write(world, fresh);
    }

    /** Writes the world's code; gives the index of the state stored with it, or -1 (then `keep` may store it). */
    lookup(world: World): number {
        const code = this.writer.write(world, false);
        this.hash = hashOf(code);
        return this.states.find(code, this.hash);
    }

    /** What `instance`'s key says of it alone (own-code.ts) as an atom: equal for exactly the equal own keys. */
    ownAtom(world: World, instance: Instance, marked: boolean): number {
        const own = OWN;
        own.length = 0;
        pushOwnCode(own, this, world, instance, this.machineAtom(instance.spec), marked);
        const hash = hashOf(own);
        const found = this.owns.find(own, hash);
        return found >= 0 ? found : this.owns.add(own, hash);
    }

    /** Stores the code `lookup` wrote last (no code written since), which found no state, for the state `index`. */
    keep(index: number): void {
        if (index !== this.states.size) {
            throw new Error(`internal: state ${index} stored as state ${this.states.size}`);
        }
        this.states.add(this.writer.out, this.hash);
    }
}

/** FIN and RST in flight; bytes are atoms (0 and up). */
const FIN = -1;
const RST = -2;

const END_GONE = 0;
const END_SESSION = 1;
const END_MACHINE = 2;
const END_SESSION_GONE = 3;

/**
 * Lists a code is written into, shared by every table (a code is written in one go, and read before the next one is):
 * a search made per edit in the editor does not make its own.
 */
const OUT = new IntList();
const OWN = new IntList();
const SESSIONS = new IntList();
const LINKS = new IntList();

/** Writes world codes for one table, into lists kept from one code to the next. */
class CodeWriter {
    /** The code. */
    readonly out = OUT;
    /** Each session's code, at `sessionStarts[i]`, `sessionLengths[i]` long for the instance at `i` (-1: not a session). */
    private readonly sessions = SESSIONS;
    private readonly sessionStarts: number[] = [];
    private readonly sessionLengths: number[] = [];
    /** Each link's code, at `linkStarts[i]`, `linkLengths[i]` long. */
    private readonly links = LINKS;
    private readonly linkStarts: number[] = [];
    private readonly linkLengths: number[] = [];
    /** The order of what a sorted list holds (indices into starts and lengths). */
    private readonly order: number[] = [];
    /** Finished sessions whose servers still run sessions (indices of instances). */
    private readonly finished: number[] = [];
    /** The timers that matter, in firing order (the first `timerCount`), their places, and those as numbers. */
    private readonly timers: VirtualTimer[] = [];
    private timerCount = 0;
    private readonly places: Array<number | string> = [];
    private readonly whens: number[] = [];
    // The world being written, and how.
    private world: World | undefined;
    private instances: readonly Instance[] = [];
    private worldLinks: readonly Link[] = [];
    private marked = false;
    private fresh = false;

    constructor(private readonly table: StateTable) {}

    /** The world's code: equal codes for exactly the worlds with equal keys (worldKey). */
    write(world: World, fresh: boolean): IntList {
        const table = this.table;
        const simulation = world.simulation;
        this.world = world;
        this.fresh = fresh;
        this.marked = world.listenFailed.size > 0 || world.envEnded.size > 0 || world.owesDrain.size > 0 || world.spawnSettled.size > 0;
        this.worldLinks = world.links;
        const instances = simulation.instances;
        this.instances = instances;
        this.timerCount = collectTimersInOrder(world, this.timers);
        // Ranks, or with exact time the atoms of how long until each is due.
        placeTimers(world, this.timers, this.timerCount, this.places);
        for (let index = 0; index < this.timerCount; index++) {
            const place = this.places[index]!;
            this.whens[index] = typeof place === 'number' ? place : table.atom(place);
        }
        // Sessions after the machine whose server runs them: from the last one back, a session's own sessions come first.
        const sessions = this.sessions;
        sessions.length = 0;
        for (let index = instances.length - 1; index >= 0; index--) {
            const instance = instances[index]!;
            if (instance.server) {
                const start = sessions.length;
                this.pushInstance(sessions, instance);
                if (hasServer(instance)) {
                    this.pushServed(sessions, instance);
                }
                this.sessionStarts[index] = start;
                this.sessionLengths[index] = sessions.length - start;
            } else {
                this.sessionStarts[index] = -1;
            }
        }
        const out = this.out;
        out.length = 0;
        const exitCode = simulation.exitCode;
        out.push((simulation.stopped ? 1 : 0) | (world.settled ? 0 : 2) | (exitCode === undefined ? 0 : 4));
        out.push(exitCode ?? 0);
        const finished = this.finished;
        let finishedCount = 0;
        for (let index = 0; index < instances.length; index++) {
            const instance = instances[index]!;
            if (!instance.server) {
                this.pushInstance(out, instance);
                this.pushServed(out, instance);
            } else if (instance.finished && hasServer(instance) && runsSessions(instance)) {
                finished[finishedCount++] = index;
            }
        }
        // Top-level instances are a fixed list (the program's), each a known shape: the finished sessions' list follows.
        this.pushSorted(out, sessions, finished, finishedCount, this.sessionStarts, this.sessionLengths);
        const links = this.links;
        links.length = 0;
        const worldLinks = this.worldLinks;
        for (let index = 0; index < worldLinks.length; index++) {
            const link = worldLinks[index]!;
            const start = links.length;
            this.pushEnd(links, link.client);
            this.pushEnd(links, link.session);
            this.linkStarts[index] = start;
            this.linkLengths[index] = links.length - start;
            this.order[index] = index;
        }
        this.pushSorted(out, links, this.order, worldLinks.length, this.linkStarts, this.linkLengths);
        this.world = undefined;
        return out;
    }

    /** Appends the runs of `from` the first `count` of `order` stand for, sorted, as a list: its length, then each run after its own length. */
    private pushSorted(out: IntList, from: IntList, order: number[], count: number, starts: readonly number[], lengths: readonly number[]): void {
        sortRuns(order, count, from.data, starts, lengths);
        out.push(count);
        for (let index = 0; index < count; index++) {
            const run = order[index]!;
            out.push(lengths[run]!);
            out.append(from, starts[run]!, lengths[run]!);
        }
    }

    /** An instance alone and its timers (see instanceKey): its own key's atom, then its timers' atoms and places. */
    private pushInstance(out: IntList, instance: Instance): void {
        const table = this.table;
        if (this.marked || this.fresh) {
            out.push(table.ownAtom(this.world!, instance, this.marked));
        } else {
            // Kept on the instance while it is unchanged (cleared when it changes: Instance.unkey).
            if (instance.keyedAtomBy !== table) {
                instance.keyedAtom = table.ownAtom(this.world!, instance, false);
                instance.keyedAtomBy = table;
            }
            out.push(instance.keyedAtom);
        }
        const count = out.length;
        out.push(0);
        const timers = this.timers;
        for (let index = 0; index < this.timerCount; index++) {
            const timer = timers[index]!;
            if (timer.owner === instance.name) {
                out.push(table.timerAtom(timer, instance, this.fresh));
                out.push(this.whens[index]!);
                out.data[count]!++;
            }
        }
    }

    /** The sessions each server of `instance` runs that talk to the environment, sorted, a list per server (see served). */
    private pushServed(out: IntList, instance: Instance): void {
        const specs = instance.spec.sockets;
        for (let at = 0; at < specs.length; at++) {
            const spec = specs[at]!;
            const socket = spec.kind === 'server' ? instance.sockets.get(spec.name) : undefined;
            if (socket?.kind === 'server') {
                // A session not among the instances (none is left so) counts as an empty code, after the instances.
                const order = this.order;
                let count = 0;
                for (const session of socket.sessions) {
                    if (!linked(this.worldLinks, session)) {
                        order[count++] = this.sessionAt(session);
                    }
                }
                this.pushSortedSessions(out, count);
            }
        }
    }

    /** The first `count` of `order` (session places, or -1 for an empty code), sorted, as a list. */
    private pushSortedSessions(out: IntList, count: number): void {
        const starts = this.sessionStarts;
        const lengths = this.sessionLengths;
        const order = this.order;
        // An empty code sorts first; the rest by their runs.
        let empty = 0;
        let kept = 0;
        for (let index = 0; index < count; index++) {
            const place = order[index]!;
            if (place < 0 || lengths[place] === 0) {
                empty++;
            } else {
                order[kept++] = place;
            }
        }
        sortRuns(order, kept, this.sessions.data, starts, lengths);
        out.push(count);
        for (let index = 0; index < empty; index++) {
            out.push(0);
        }
        for (let index = 0; index < kept; index++) {
            const place = order[index]!;
            out.push(lengths[place]!);
            out.append(this.sessions, starts[place]!, lengths[place]!);
        }
    }

    /** The place among the instances of the session called `name`, or -1. */
    private sessionAt(name: string): number {
        const instances = this.instances;
        for (let index = 0; index < instances.length; index++) {
            if (instances[index]!.name === name) {
                return this.sessionStarts[index]! >= 0 ? index : -1;
            }
        }
        return -1;
    }

    /** One end of a link (see endKey), after its length. */
    private pushEnd(out: IntList, end: LinkEnd): void {
        const table = this.table;
        const lengthAt = out.length;
        out.push(0);
        const instance = this.world!.simulation.instance(end.instance);
        if (!instance) {
            out.push(END_GONE);
            out.push(table.atom(end.socket));
        } else {
            if (instance.server) {
                const place = this.sessionAt(end.instance);
                if (place >= 0) {
                    out.push(END_SESSION);
                    out.push(this.sessionLengths[place]!);
                    out.append(this.sessions, this.sessionStarts[place]!, this.sessionLengths[place]!);
                } else {
                    out.push(END_SESSION_GONE);
                }
            } else {
                out.push(END_MACHINE);
                out.push(table.machineAtom(instance.spec));
            }
            const socket = instance.sockets.get(end.socket);
            out.push(socketCode(instance.spec, end.socket));
            out.push(socket && socket.kind !== 'server' && socket.generation === end.generation ? 1 : 0);
        }
        out.push((end.ended ? 1 : 0) | (end.gotFin ? 2 : 0));
        out.push(end.inbox.length);
        for (const item of end.inbox) {
            out.push(item.kind === 'fin' ? FIN : item.kind === 'rst' ? RST : table.bytesAtom(item));
        }
        out.data[lengthAt] = out.length - lengthAt - 1;
    }
}

/** A server of `instance` runs sessions. */
function runsSessions(instance: Instance): boolean {
    for (const socket of instance.sockets.values()) {
        if (socket.kind === 'server' && socket.sessions.length > 0) {
            return true;
        }
    }
    return false;
}

/**
 * The world's code in `table`: equal codes for exactly the worlds with equal keys (worldKey). `fresh`: made anew from
 * the instances and timers, not from what was kept of them (a test holds the two to each other).
 */
export function worldCode(world: World, table: StateTable, fresh = false): number[] {
    const code = table.write(world, fresh);
    return Array.from(code.data.subarray(0, code.length));
}
