// A growable ring buffer of (event id, payload, source) triples: queued events cost no allocation once it has grown.

export class EventQueue {
    private events: Int32Array;
    private payloads: unknown[];
    private sources: unknown[];
    private head = 0;
    private count = 0;

    constructor(capacity = 8) {
        this.events = new Int32Array(capacity);
        this.payloads = new Array<unknown>(capacity);
        this.sources = new Array<unknown>(capacity);
    }

    get length(): number {
        return this.count;
    }

    push<S>(event: number, payload: unknown, source?: S): void {
        if (this.count === this.events.length) {
            this.grow();
        }
        const slot = (this.head + this.count) % this.events.length;
        this.events[slot] = event;
        this.payloads[slot] = payload;
        this.sources[slot] = source;
        this.count++;
    }

    /** The event id at the front; call `takePayload` right after to remove the pair. */
    peekEvent(): number {
        return this.events[this.head]!;
    }

    /** The source of the front event; call before `takePayload`. */
    peekSource<S>(): S | undefined {
        return this.sources[this.head] as S | undefined;
    }

    /** Removes the front triple and returns its payload. */
    takePayload(): unknown {
        const payload = this.payloads[this.head];
        this.payloads[this.head] = undefined; // let the payload be collected
        this.sources[this.head] = undefined;
        this.head = (this.head + 1) % this.events.length;
        this.count--;
        return payload;
    }

    clear(): void {
        this.payloads.fill(undefined);
        this.sources.fill(undefined);
        this.head = 0;
        this.count = 0;
    }

    private grow(): void {
        const size = this.events.length * 2;
        const events = new Int32Array(size);
        const payloads = new Array<unknown>(size);
        const sources = new Array<unknown>(size);
        for (let i = 0; i < this.count; i++) {
            const from = (this.head + i) % this.events.length;
            events[i] = this.events[from]!;
            payloads[i] = this.payloads[from];
            sources[i] = this.sources[from];
        }
        this.events = events;
        this.payloads = payloads;
        this.sources = sources;
        this.head = 0;
    }
}
