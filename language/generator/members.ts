// The members of a machine's actions interface: its actions, guards and heartbeat hooks, named, each with every place
// the model uses it and the payload type its calls see (the union over its uses).
import type { Machine } from '../generated/ast.js';
import { PAYLOAD_TYPES, unionType, type MemberView } from '../../templates/index.js';
import type { ActionList, Behaviour } from './behaviour.js';
import { NameAllocator, pascalCase } from './identifiers.js';

interface MemberUse {
    kind: MemberView['kind'];
    name: string;
    payloadType: string;
    use: string;
}

export interface MemberTable {
    /** In the order of their first use: states in order (transitions, timers, entry, exit), then heartbeats. */
    readonly views: readonly MemberView[];
    of(kind: MemberView['kind'], name: string): MemberView;
}

function callUses(list: ActionList): MemberUse[] {
    return list.actions.flatMap((action) => (action.$type === 'CallAction' ? [{ kind: 'action' as const, name: action.name, payloadType: list.payloadType, use: list.use }] : []));
}

/** The name of the hook a socket's heartbeat calls: `heartbeatUpstream`. */
export function heartbeatHook(socketName: string): string {
    return `heartbeat${pascalCase(socketName)}`;
}

/** Every use of a member, in the order the interface lists members. */
function memberUses(machine: Machine, behaviour: Behaviour): MemberUse[] {
    const uses: MemberUse[] = [];
    for (const state of behaviour.states) {
        for (const transition of state.transitions) {
            uses.push(...callUses(transition));
            const guard = transition.transition.guard;
            if (guard) {
                uses.push({ kind: 'guard', name: guard.name, payloadType: transition.payloadType, use: transition.use });
            }
        }
        for (const timer of state.timers) {
            uses.push(...callUses(timer));
        }
        uses.push(...callUses(state.entry), ...callUses(state.exit));
    }
    for (const socket of machine.sockets) {
        if (socket.$type !== 'Server' && socket.members.some((member) => member.$type === 'HeartbeatOption')) {
            uses.push({ kind: 'heartbeat', name: heartbeatHook(socket.name), payloadType: PAYLOAD_TYPES.nothing, use: `${socket.name}: heartbeat` });
        }
    }
    return uses;
}

/** A member takes a payload unless every use of it carries none. */
export function memberTable(machine: Machine, behaviour: Behaviour): MemberTable {
    const grouped = new Map<string, { kind: MemberView['kind']; name: string; uses: string[]; payloadTypes: string[] }>();
    for (const { kind, name, payloadType, use } of memberUses(machine, behaviour)) {
        const key = `${kind}:${name}`;
        let entry = grouped.get(key);
        if (!entry) {
            entry = { kind, name, uses: [], payloadTypes: [] };
            grouped.set(key, entry);
        }
        entry.payloadTypes.push(payloadType);
        if (!entry.uses.includes(use)) {
            entry.uses.push(use);
        }
    }
    const members = new NameAllocator();
    const byKey = new Map<string, MemberView>();
    for (const [key, { kind, name, uses, payloadTypes }] of grouped) {
        const type = unionType(payloadTypes);
        byKey.set(key, { member: members.claim(name), name, kind, payloadType: type === PAYLOAD_TYPES.nothing ? undefined : type, uses });
    }
    return {
        views: [...byKey.values()],
        of(kind, name) {
            const view = byKey.get(`${kind}:${name}`);
            if (!view) {
                throw new Error(`internal: ${kind} '${name}' is not a member of the actions interface`);
            }
            return view;
        }
    };
}
