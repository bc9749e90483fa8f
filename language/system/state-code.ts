// The state key as numbers, for the search's table of states: equal for exactly the worlds whose key text
// (state-key.ts, the definition) is equal — a test holds the two to each other on every world the search reaches —
// but made without joining text. What an instance's key says of it alone is text kept on the instance while it is
// unchanged; the table numbers each such text once (an atom), and the rest (timers by rank, sessions, links, bytes in
// flight) are numbers in nested lists. Every list is written after its length, so two different trees never give the
// same numbers; lists of interchangeable things (sessions, links) are sorted.
import type { Instance, VirtualTimer } from '../semantics/instance.js';
import type { InFlight, Link, LinkEnd } from './links.js';
import { inFlightKey } from './links.js';
import { hasServer, linked, machineCode, ownKey, socketCode, timerJobKey, timerPlaces, timersInOrder, timerStale, atInstance } from './state-key.js';
import type { World } from './world.js';

/** The states of one search by their codes: numbers atoms, stores codes, finds a code's state. */
export class StateTable {
    private readonly atoms = new Map<string, number>();
    private readonly itemAtoms = new WeakMap<InFlight, number>();
    /** States by their code's hash: one state's index, or several when hashes collide. */
    private readonly byHash = new Map<number, number | number[]>();
    /** Every stored code, one after the other; each state's code is at `starts[index]`, `lengths[index]` long. */
    private pool = new Int32Array(1_024);
    private used = 0;
    private readonly starts: number[] = [];
    private readonly lengths: number[] = [];

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

    /** Bytes in flight as an atom, kept per item (an item in flight is not changed; link copies share it). */
    bytesAtom(item: InFlight): number {
        let atom = this.itemAtoms.get(item);
        if (atom === undefined) {
            atom = this.atom(inFlightKey(item));
            this.itemAtoms.set(item, atom);
        }
        return atom;
    }

    /** The index of the state stored with `code`, or -1. */
    find(code: readonly number[]): number {
        const found = this.byHash.get(hashOf(code));
        if (found === undefined) {
            return -1;
        }
        if (typeof found === 'number') {
            return this.holds(found, code) ? found : -1;
        }
        for (const index of found) {
            if (this.holds(index, code)) {
                return index;
            }
        }
        return -1;
    }

    /** Stores `code` for the state `index` (not found before: see find). */
    store(code: readonly number[], index: number): void {
        while (this.used + code.length > this.pool.length) {
            const bigger = new Int32Array(this.pool.length * 2);
            bigger.set(this.pool);
            this.pool = bigger;
        }
        for (let at = 0; at < code.length; at++) {
            const value = code[at]!;
            if ((value | 0) !== value) {
                throw new Error(`internal: a state code holds ${value}, not a 32-bit integer`);
            }
            this.pool[this.used + at] = value;
        }
        this.starts[index] = this.used;
        this.lengths[index] = code.length;
        this.used += code.length;
        const hash = hashOf(code);
        const found = this.byHash.get(hash);
        this.byHash.set(hash, found === undefined ? index : typeof found === 'number' ? [found, index] : [...found, index]);
    }

    private holds(index: number, code: readonly number[]): boolean {
        if (this.lengths[index] !== code.length) {
            return false;
        }
        const pool = this.pool;
        const start = this.starts[index]!;
        for (let at = 0; at < code.length; at++) {
            if (pool[start + at] !== code[at]) {
                return false;
            }
        }
        return true;
    }
}

function hashOf(code: readonly number[]): number {
    let hash = 0x811c9dc5;
    for (let at = 0; at < code.length; at++) {
        hash = Math.imul(hash ^ code[at]!, 0x01000193);
    }
    return hash;
}

/** Orders codes: by their numbers, then the shorter first. */
function compareCodes(a: readonly number[], b: readonly number[]): number {
    const shorter = Math.min(a.length, b.length);
    for (let at = 0; at < shorter; at++) {
        if (a[at] !== b[at]) {
            return a[at]! - b[at]!;
        }
    }
    return a.length - b.length;
}

/** Sorts a handful of codes by insertion. */
function sortCodes(codes: number[][]): number[][] {
    for (let index = 1; index < codes.length; index++) {
        const code = codes[index]!;
        let at = index;
        while (at > 0 && compareCodes(codes[at - 1]!, code) > 0) {
            codes[at] = codes[at - 1]!;
            at--;
        }
        codes[at] = code;
    }
    return codes;
}

/** Appends `list` to `out`: its length, then each code after its own length. */
function pushList(out: number[], list: readonly (readonly number[])[]): void {
    out.push(list.length);
    for (const code of list) {
        out.push(code.length);
        for (let at = 0; at < code.length; at++) {
            out.push(code[at]!);
        }
    }
}

interface CodeContext {
    readonly world: World;
    readonly table: StateTable;
    readonly timers: readonly VirtualTimer[];
    /** Each timer's place in the key (its rank, or with exact time the atom of how long until it is due). */
    readonly whens: readonly number[];
    readonly marked: boolean;
    readonly fresh: boolean;
    readonly links: readonly Link[];
    readonly instances: readonly Instance[];
    /** Each session's code at its place among the instances (see worldKey's sessionKeys). */
    readonly sessionCodes: Array<number[] | undefined>;
}

/** An instance alone and its timers (see instanceKey): its own key's atom, then its timers' atoms and places. */
function pushInstance(out: number[], context: CodeContext, instance: Instance): void {
    const table = context.table;
    if (context.marked || context.fresh) {
        out.push(table.atom(ownKey(context.world, instance, context.marked, context.fresh)));
    } else {
        // Kept on the instance with its key text (both cleared when it changes: Instance.unkey).
        if (instance.keyedAtomBy !== table || instance.keyed === undefined) {
            instance.keyedAtom = table.atom(ownKey(context.world, instance, false, false));
            instance.keyedAtomBy = table;
        }
        out.push(instance.keyedAtom);
    }
    const count = out.length;
    out.push(0);
    const timers = context.timers;
    for (let index = 0; index < timers.length; index++) {
        if (timers[index]!.owner === instance.name) {
            out.push(context.table.timerAtom(timers[index]!, instance, context.fresh), context.whens[index]!);
            out[count] = out[count]! + 1;
        }
    }
}

/** The sessions each server of `instance` runs that talk to the environment, sorted, a list per server (see served). */
function pushServed(out: number[], context: CodeContext, instance: Instance): void {
    for (const spec of instance.spec.sockets) {
        const socket = spec.kind === 'server' ? instance.sockets.get(spec.name) : undefined;
        if (socket?.kind === 'server') {
            const codes: number[][] = [];
            for (const session of socket.sessions) {
                if (!linked(context.links, session)) {
                    codes.push(sessionCodeOf(context, session) ?? []);
                }
            }
            pushList(out, sortCodes(codes));
        }
    }
}

function sessionCodeOf(context: CodeContext, name: string): number[] | undefined {
    return atInstance(name, context.instances, context.sessionCodes);
}

/** FIN and RST in flight; bytes are atoms (0 and up). */
const FIN = -1;
const RST = -2;

const END_GONE = 0;
const END_SESSION = 1;
const END_MACHINE = 2;
const END_SESSION_GONE = 3;

/** One end of a link (see endKey). */
function endCode(context: CodeContext, end: LinkEnd): number[] {
    const table = context.table;
    const code: number[] = [];
    const instance = context.world.simulation.instance(end.instance);
    if (!instance) {
        code.push(END_GONE, table.atom(end.socket));
    } else {
        if (instance.server) {
            const session = sessionCodeOf(context, end.instance);
            if (session) {
                code.push(END_SESSION, session.length, ...session);
            } else {
                code.push(END_SESSION_GONE);
            }
        } else {
            code.push(END_MACHINE, table.atom(machineCode(instance.spec)));
        }
        const socket = instance.sockets.get(end.socket);
        code.push(socketCode(instance.spec, end.socket), socket && socket.kind !== 'server' && socket.generation === end.generation ? 1 : 0);
    }
    code.push((end.ended ? 1 : 0) | (end.gotFin ? 2 : 0), end.inbox.length);
    for (const item of end.inbox) {
        code.push(item.kind === 'fin' ? FIN : item.kind === 'rst' ? RST : table.bytesAtom(item));
    }
    return code;
}

/**
 * The world's code in `table`: equal codes for exactly the worlds with equal keys (worldKey). `fresh`: made anew from
 * the instances and timers, not from what was kept of them (a test holds the two to each other).
 */
export function worldCode(world: World, table: StateTable, fresh = false): number[] {
    const simulation = world.simulation;
    const timers = timersInOrder(world);
    // Ranks, or with exact time the atoms of how long until each is due.
    const places = timerPlaces(world, timers);
    const whens: number[] = [];
    for (const place of places) {
        whens.push(typeof place === 'number' ? place : table.atom(place));
    }
    const instances = simulation.instances;
    const context: CodeContext = {
        world,
        table,
        timers,
        whens,
        marked: world.listenFailed.size > 0 || world.envEnded.size > 0 || world.owesDrain.size > 0 || world.spawnSettled.size > 0,
        fresh,
        links: world.links,
        instances,
        sessionCodes: new Array<number[] | undefined>(instances.length)
    };
    // Sessions after the machine whose server runs them: from the last one back, a session's own sessions come first.
    for (let index = instances.length - 1; index >= 0; index--) {
        const instance = instances[index]!;
        if (instance.server) {
            const code: number[] = [];
            pushInstance(code, context, instance);
            if (hasServer(instance)) {
                pushServed(code, context, instance);
            }
            context.sessionCodes[index] = code;
        }
    }
    const exitCode = simulation.exitCode;
    const out: number[] = [(simulation.stopped ? 1 : 0) | (world.settled ? 0 : 2) | (exitCode === undefined ? 0 : 4), exitCode ?? 0];
    let underFinished: number[][] | undefined;
    for (let index = 0; index < instances.length; index++) {
        const instance = instances[index]!;
        if (!instance.server) {
            pushInstance(out, context, instance);
            pushServed(out, context, instance);
        } else if (instance.finished && hasServer(instance) && [...instance.sockets.values()].some((socket) => socket.kind === 'server' && socket.sessions.length > 0)) {
            (underFinished ??= []).push(context.sessionCodes[index]!);
        }
    }
    // Top-level instances are a fixed list (the program's), each a known shape: the finished sessions' list follows.
    pushList(out, underFinished ? sortCodes(underFinished) : []);
    const links: number[][] = [];
    for (const link of context.links) {
        const client = endCode(context, link.client);
        const session = endCode(context, link.session);
        const code = [client.length];
        for (const value of client) {
            code.push(value);
        }
        code.push(session.length);
        for (const value of session) {
            code.push(value);
        }
        links.push(code);
    }
    pushList(out, sortCodes(links));
    return out;
}
