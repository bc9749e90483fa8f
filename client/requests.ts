// Sends the server's custom requests with the types their signatures in language/lsp/protocol.ts declare.
import type { RequestSignature } from '../language/lsp/protocol.js';

/** The part of the language client that sends requests (the client's own method, left untyped by method name). */
export interface RequestSender {
    sendRequest<R>(method: string, params?: unknown): Promise<R>;
}

/** Sends `signature`'s request; requests without parameters take none. */
export function sendRequest<Params, Result>(client: RequestSender, signature: RequestSignature<Params, Result>, ...params: NoInfer<Params> extends void ? [] : [NoInfer<Params>]): Promise<Result> {
    return params.length === 0 ? client.sendRequest<Result>(signature.method) : client.sendRequest<Result>(signature.method, params[0]);
}
