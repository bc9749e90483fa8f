// Declared payload types (`events Line(string)`): every producer of the event must fit, and so must `raise E(payload)`.
import type { AstNode } from 'langium';
import type { Event, RaiseAction } from '../generated/ast.js';

/** What each socket occurrence, option or signal puts in the payload, and the declared types that accept it. */
const GIVES: Record<string, { readonly carries: string; readonly fits: readonly string[] }> = {
    read: { carries: 'bytes', fits: ['Buffer', 'string'] },
    stdout: { carries: 'bytes', fits: ['Buffer', 'string'] },
    exit: { carries: 'a number (the exit status)', fits: ['number'] },
    error: { carries: 'an Error', fits: ['Error'] },
    timeout: { carries: 'an Error', fits: ['Error'] },
    close: { carries: 'a boolean (closed by an error)', fits: ['boolean'] },
    accept: { carries: 'the session machine', fits: [] },
    connect: { carries: 'nothing', fits: [] },
    drain: { carries: 'nothing', fits: [] },
    heartbeat: { carries: 'an Error', fits: ['Error'] },
    idle: { carries: 'nothing', fits: [] },
    signal: { carries: "the signal's name (a string)", fits: ['string'] }
};

/** A producer of an event: where it is, in words, and what it gives. */
export interface Producer {
    readonly words: string;
    readonly gives: { readonly carries: string; readonly fits: readonly string[] };
    readonly node: AstNode;
}

/** The socket mappings, options and signals that produce `event` (not `raise`: what a raise gives depends on where it stands). */
export function producersOf(event: Event): Producer[] {
    const machine = event.$container.$container;
    const producers: Producer[] = [];
    for (const socket of machine.sockets) {
        for (const member of socket.members) {
            if (member.$type === 'EventMapping' && member.event?.ref === event) {
                producers.push({ words: `'${member.socketEvent}' of ${socket.name}`, gives: GIVES[member.socketEvent]!, node: member });
            } else if ((member.$type === 'IdleOption' || member.$type === 'HeartbeatOption') && member.event?.ref === event) {
                producers.push({ words: `'${member.option}' of ${socket.name}`, gives: GIVES[member.option]!, node: member });
            }
        }
    }
    for (const signal of machine.signals) {
        if (signal.event?.ref === event) {
            producers.push({ words: `signal ${signal.signal}`, gives: GIVES.signal!, node: signal });
        }
    }
    return producers;
}

const article = (type: string): string => (type === 'Error' ? 'an Error' : `a ${type}`);

/** The producers of a typed event that cannot carry its type, each with a message; [] when all fit (or it is untyped). */
export function payloadTypeProblems(event: Event): Array<{ node: AstNode; message: string }> {
    const type = event.type;
    if (type === undefined || type === 'json') {
        return type === 'json' ? producersOf(event).map((producer) => ({ node: producer.node, message: `'${event.name}' carries json (what your code or a scenario gives), but ${producer.words} gives ${producer.gives.carries}: declare the type it gives, or map another event.` })) : [];
    }
    return producersOf(event)
        .filter((producer) => !producer.gives.fits.includes(type))
        .map((producer) => ({
            node: producer.node,
            message: `'${event.name}' carries ${article(type)}, but ${producer.words} gives ${producer.gives.carries}: ${producer.gives.fits.length > 0 ? `declare '${event.name}(${producer.gives.fits.join(")' or '" + event.name + '(')})'` : `declare '${event.name}' without a type`}, or map another event.`
        }));
}

/** Why a `raise` cannot give its event the payload it declares, or undefined. */
export function raisePayloadProblem(action: RaiseAction): string | undefined {
    const target = action.event?.ref;
    if (!target) {
        return undefined;
    }
    const holder = action.$container;
    if (!action.payload) {
        return target.type === undefined ? undefined : `'${target.name}' carries ${article(target.type)}: 'raise ${target.name}' would give it nothing. Pass the current event's with 'raise ${target.name}(payload)'.`;
    }
    if (holder.$type !== 'Transition' || holder.done || !holder.event?.ref) {
        return `'raise ${target.name}(payload)' has no event to take a payload from here: use it on the transition of an event.`;
    }
    const source = holder.event.ref;
    if (target.type !== undefined && source.type !== target.type) {
        return `'raise ${target.name}(payload)' passes what '${source.name}' carries${source.type === undefined ? ' (its type is not declared)' : ` (${article(source.type)})`}, but '${target.name}' carries ${article(target.type)}: declare '${source.name}(${target.type})'.`;
    }
    return undefined;
}
