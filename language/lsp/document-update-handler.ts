// How edits reach the document builder.
//
// Bursts are coalesced. Langium starts one build per didChange: each cancels the one before, but a build only notices
// after it has parsed its whole text, and the next notification is dispatched only then; 500 notifications sent back
// to back cost 500 parses of the document (~35 s on a 5,000-line model before the last version's diagnostics). Here a
// change that arrives while an earlier update is still queued or building, or within SETTLE_MS of the previous change,
// lets the builder wait SETTLE_MS after resetting the documents and before parsing them; the notifications queued
// meanwhile cancel the wait, and superseded updates are skipped. Every URI of a skipped update goes into the next one,
// so no change is lost (a cancelled update hands its URIs back unless something newer was said about them). The first
// change after a quiet moment builds at once, so typing costs no extra latency.
// Requests that need a built document wait through the pause: the documents are reset (Changed) before it.
//
// Closing an editor: a .fsm file on disk is read from disk again (its unsaved edits are gone, so are their
// diagnostics); a model that lives only in the editor (untitled, or not a .fsm file) leaves the workspace. Langium
// ignores didClose: it kept discarded text, and for editor-only models a later update asked the service registry
// about a document it no longer knew, and the server stopped.
import { URI } from 'langium';
import { DefaultDocumentUpdateHandler, type LangiumSharedServices } from 'langium/lsp';
import type { CancellationToken, TextDocumentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { PendingUpdate } from './pending-update.js';

/** How long a burst must stay quiet before its last version is built. */
export const SETTLE_MS = 25;

export class CoalescingDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    private readonly pending = new PendingUpdate();
    /** Updates handed to the workspace lock and not yet finished. */
    private inFlight = 0;
    private lastChangeAt = Number.NEGATIVE_INFINITY;
    /** Set while an update of a burst runs: the builder's update listener waits on it before parsing. */
    private settle: CancellationToken | undefined;

    constructor(services: LangiumSharedServices) {
        super(services);
        this.documentBuilder.onUpdate(() => this.settleBeforeParsing());
    }

    protected override fireDocumentUpdate(changed: URI[], deleted: URI[]): void {
        const now = performance.now();
        const burst = this.inFlight > 0 || now - this.lastChangeAt < SETTLE_MS;
        this.lastChangeAt = now;
        this.pending.add(changed, deleted);
        this.inFlight++;
        this.workspaceManager.ready
            .then(() => this.workspaceLock.write((token) => this.runUpdate(token, burst)))
            .catch((error: unknown) => console.error('Document update failed.', error))
            .finally(() => this.inFlight--);
    }

    private async runUpdate(token: CancellationToken, burst: boolean): Promise<void> {
        if (token.isCancellationRequested) {
            // A later change superseded this one before it started; the later update carries its URIs.
            return;
        }
        const { changed, deleted } = this.pending.take();
        this.settle = burst ? token : undefined;
        try {
            await this.documentBuilder.update(changed, deleted, token);
        } catch (error) {
            // Cancelled (or failed) before its documents were built: the next update must build them too.
            this.pending.restore(changed, deleted);
            throw error;
        } finally {
            this.settle = undefined;
        }
    }

    /** Runs inside DocumentBuilder.update, after the documents are reset and before they are parsed. */
    private settleBeforeParsing(): Promise<void> {
        const token = this.settle;
        this.settle = undefined;
        if (!token) {
            return Promise.resolve();
        }
        return new Promise((resolve) => {
            const timer = setTimeout(done, SETTLE_MS);
            const subscription = token.onCancellationRequested(done);
            function done(): void {
                clearTimeout(timer);
                subscription.dispose();
                resolve();
            }
        });
    }

    didCloseDocument(event: TextDocumentChangeEvent<TextDocument>): void {
        const uri = URI.parse(event.document.uri);
        if (uri.scheme === 'file' && uri.path.endsWith('.fsm')) {
            this.fireDocumentUpdate([uri], []);
        } else {
            this.fireDocumentUpdate([], [uri]);
        }
    }
}
