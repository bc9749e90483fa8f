// A growable ring buffer of (event id, payload) pairs: queued events cost no allocation once it has grown.

export class EventQueue {
    private events: Int32Array;
    private payloads: unknown[];
    private head = 0;
    private count = 0;

    constructor(capacity = 8) {
        this.events = new Int32Array(capacity);
        this.payloads = new Array<unknown>(capacity);
    }

    get length(): number {
        return this.count;
    }

    push(event: number, payload: unknown): void {
        if (this.count === this.events.length) {
            this.grow();
        }
        const slot = (this.head + this.count) % this.events.length;
        this.events[slot] = event;
        this.payloads[slot] = payload;
        this.count++;
    }

    /** The event id at the front; call `takePayload` right after to remove the pair. */
    peekEvent(): number {
        return this.events[this.head]!;
    }

    /** Removes the front pair and returns its payload. */
    takePayload(): unknown {
        const payload = this.payloads[this.head];
        this.payloads[this.head] = undefined; // let the payload be collected
        this.head = (this.head + 1) % this.events.length;
        this.count--;
        return payload;
    }

    clear(): void {
        this.payloads.fill(undefined);
        this.head = 0;
        this.count = 0;
    }

    private grow(): void {
        const size = this.events.length * 2;
        const events = new Int32Array(size);
        const payloads = new Array<unknown>(size);
        for (let i = 0; i < this.count; i++) {
            const from = (this.head + i) % this.events.length;
            events[i] = this.events[from]!;
            payloads[i] = this.payloads[from];
        }
        this.events = events;
        this.payloads = payloads;
        this.head = 0;
    }
}
