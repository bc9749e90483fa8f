// What every dispatcher (a socket's, a child process's) shares: backpressure between them, framing what `send` writes,
// and reporting an error to the model.
import { ReactorError } from './errors.js';
import { encodeFrame, type Framing, type FramingError } from './framing.js';
import type { EventSource, Machine } from './machine.js';

/** A machine event id, or NO_EVENT where the model maps nothing. */
export const NO_EVENT = -1;

/**
 * Backpressure between dispatchers of any kind (sockets, child processes): a written dispatcher (the sink) that had to
 * queue bytes holds the source whose event produced them; the source reads nothing until every sink holding it has
 * released it (drained or closed).
 */
export interface HoldableSource extends EventSource {
    /** `sink` queued bytes this source produced: stop reading until it releases this source. False when not held (a source being closed reads on until its end). */
    holdFor(sink: SourceHolder): boolean;
    /** `sink` drained or closed: read again once no other sink holds this source. */
    releaseFrom(sink: SourceHolder): void;
}

/** A sink that holds sources: told when a source it holds is being closed (it no longer waits for this sink). */
export interface SourceHolder {
    forgetSource(source: EventSource): void;
}

/** True for a source held through `holdFor` / `releaseFrom` (the runtime's dispatchers), not paused through `pauseReading`. */
export function isHoldable(source: EventSource): source is HoldableSource {
    return typeof (source as Partial<HoldableSource>).holdFor === 'function';
}

/** Any other event source may know how to resume; it is paused and resumed through its read interest. */
export type ResumableSource = EventSource & { resumeReading?(): void };

/** `sink` queued bytes while `source`'s event was handled: `source` stops reading until `sink` releases it (in `waiting`). */
export function holdSource(sink: SourceHolder, waiting: Set<ResumableSource>, source: ResumableSource | undefined): void {
    if (source === undefined || waiting.has(source)) {
        return;
    }
    if (isHoldable(source)) {
        if (source.holdFor(sink)) {
            waiting.add(source);
        }
    } else {
        waiting.add(source);
        source.pauseReading();
    }
}

/** `sink` drained or closed: every source in `waiting` resumes, unless another sink it filled still holds it. */
export function releaseSources(sink: SourceHolder, waiting: Set<ResumableSource>): void {
    if (waiting.size === 0) {
        return;
    }
    // A copy: a source held again while these resume (a foreign source's resume may dispatch) waits for the next drain.
    const sources = [...waiting];
    waiting.clear();
    for (const source of sources) {
        if (isHoldable(source)) {
            source.releaseFrom(sink);
        } else {
            source.resumeReading?.();
        }
    }
}

/**
 * What `send` writes: a string or bytes, framed as the model says; a payload that is not bytes
 * (`ERR_PAYLOAD_NOT_BYTES`) or a message the framing cannot carry (its FramingError code) is a ReactorError instead.
 */
export function outgoingMessage(framing: Framing | undefined, message: unknown, who: string): string | Uint8Array | ReactorError {
    if (!(typeof message === 'string' || message instanceof Uint8Array)) {
        return new ReactorError('ERR_PAYLOAD_NOT_BYTES', `${who}: send of a payload that is not bytes (${message === null ? 'null' : typeof message})`);
    }
    if (framing === undefined) {
        return message;
    }
    try {
        return encodeFrame(framing, typeof message === 'string' || Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength));
    } catch (error) {
        const failure = error as FramingError;
        return new ReactorError(failure.code, `${who}: ${failure.message}`, failure.bytes);
    }
}

/**
 * An error the model should hear about: traced, then the `error` event (`errorEvent`) when mapped and the machine still
 * runs, with `source` as its source. Otherwise a process warning named `warning`: always for the runtime's own errors
 * (`always`: lost bytes, refused messages), and for Node's while the machine runs.
 */
export function reportError(machine: Machine, name: string, errorEvent: number, source: EventSource, error: Error, always: boolean, warning: string): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (machine.tracing) {
        machine.traceIo(name, 'error', code === undefined ? {} : { code });
    }
    if (errorEvent !== NO_EVENT && !machine.finished) {
        machine.dispatch(errorEvent, error, source);
    } else if (always || !machine.finished) {
        process.emitWarning(error.message.startsWith(`${machine.name}.`) ? error.message : `${machine.name}.${name}: ${error.message}`, warning);
    }
}
