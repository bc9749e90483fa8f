// Wired connections between a checked client and the session its server accepted: bytes, FIN and RST in flight, in order.

/** What is in flight in one direction: bytes a `send` wrote, the sender's FIN (graceful close) or RST (destroyed). */
export type InFlight = { readonly kind: 'data'; readonly bytes: Buffer } | { readonly kind: 'fin' } | { readonly kind: 'rst' };

/** One end of a link: a stream socket of an instance, in one of its connections (`generation`). */
export interface LinkEnd {
    readonly instance: string;
    readonly socket: string;
    readonly generation: number;
    /** The end has sent its FIN or RST: nothing more leaves it. */
    ended: boolean;
    /** The FIN of the other end reached it (its own close is then graceful, not a reset). */
    gotFin: boolean;
    /** What travels to this end, oldest first. */
    inbox: InFlight[];
}

export interface Link {
    readonly client: LinkEnd;
    readonly session: LinkEnd;
}

function copyEnd(end: LinkEnd): LinkEnd {
    return { instance: end.instance, socket: end.socket, generation: end.generation, ended: end.ended, gotFin: end.gotFin, inbox: end.inbox.length === 0 ? [] : end.inbox.slice() };
}

export function copyLink(link: Link): Link {
    return { client: copyEnd(link.client), session: copyEnd(link.session) };
}

/** The bytes as a scenario shows them: a JSON string of the UTF-8 text. */
export function bytesText(bytes: Buffer): string {
    return JSON.stringify(bytes.toString('utf8'));
}

/** In flight, for the state key: `d:<hex>`, `fin`, `rst`. */
export function inFlightKey(item: InFlight): string {
    return item.kind === 'data' ? `d:${item.bytes.toString('hex')}` : item.kind;
}
