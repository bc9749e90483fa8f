// Requests the test cancels: sent on the client's connection with a cancellation token, each answer classified.
import {
    CancellationTokenSource,
    LSPErrorCodes,
    ResponseError,
    type ProtocolRequestType,
    type RequestParam
} from 'vscode-languageserver-protocol/node';
import { withTimeout, type LspClient } from '../../lsp/lsp-client.js';

/** How the server answered a request the client cancelled. */
export type Outcome = 'result' | 'cancelled' | { error: string };

export interface CancelledRequest {
    method: string;
    /** When the cancellation was sent: `immediately` (same tick) or after so many milliseconds. */
    cancelAfterMs: number | 'immediately';
    outcome: Promise<Outcome>;
}

/**
 * Sends `type` with `params`, then `$/cancelRequest` for it right away or after `cancelAfterMs`. The answer must come
 * within `ms`: a result, or the RequestCancelled error (-32800); anything else is reported as an error outcome.
 */
export function sendAndCancel<P, R, PR, E, RO>(
    client: LspClient,
    type: ProtocolRequestType<P, R, PR, E, RO>,
    params: RequestParam<P>,
    cancelAfterMs: number | 'immediately',
    ms = 10_000
): CancelledRequest {
    const source = new CancellationTokenSource();
    const sent = client.connection.sendRequest(type, params, source.token);
    if (cancelAfterMs === 'immediately') {
        source.cancel();
    } else {
        setTimeout(() => source.cancel(), cancelAfterMs);
    }
    const outcome = withTimeout(sent, `the answer to a cancelled ${type.method}`, ms, () => client.stderrTail()).then(
        (): Outcome => 'result',
        (error: unknown): Outcome => {
            if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled) {
                return 'cancelled';
            }
            return { error: error instanceof ResponseError ? `${error.code} ${error.message}` : String(error) };
        }
    ).finally(() => source.dispose());
    return { method: type.method, cancelAfterMs, outcome };
}
