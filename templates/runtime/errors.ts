// Errors the runtime reports as event payloads: values with a stable `code`, like Node's own.
import type { FramingErrorCode } from './framing.js';

export class ReactorError extends Error {
    constructor(
        readonly code: 'ETIMEDOUT' | 'ERR_SOCKET_CLOSED' | 'ERR_UNFLUSHED' | 'ERR_LINGER_EXPIRED' | 'EHEARTBEAT' | 'ERR_PAYLOAD_NOT_BYTES' | 'ERR_PROCESS_NOT_RUNNING' | FramingErrorCode,
        message: string,
        /** Bytes that could not be delivered, where the error is about lost output. */
        readonly unsentBytes = 0
    ) {
        super(message);
        this.name = 'ReactorError';
    }
}
