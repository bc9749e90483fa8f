// The URIs changed or deleted since the last update took them: the last word about a URI wins.
import type { URI } from 'langium';

export interface UpdateUris {
    changed: URI[];
    deleted: URI[];
}

export class PendingUpdate {
    /** URI string → the URI and whether it was deleted (false: changed). */
    private readonly uris = new Map<string, { uri: URI; deleted: boolean }>();

    /** Newer news: replaces whatever is pending for these URIs. */
    add(changed: readonly URI[], deleted: readonly URI[]): void {
        for (const uri of deleted) {
            this.uris.set(uri.toString(), { uri, deleted: true });
        }
        for (const uri of changed) {
            this.uris.set(uri.toString(), { uri, deleted: false });
        }
    }

    /** Older news (an update that did not finish): only for URIs nothing newer has been said about. */
    restore(changed: readonly URI[], deleted: readonly URI[]): void {
        for (const [uris, isDeleted] of [[deleted, true], [changed, false]] as const) {
            for (const uri of uris) {
                const key = uri.toString();
                if (!this.uris.has(key)) {
                    this.uris.set(key, { uri, deleted: isDeleted });
                }
            }
        }
    }

    /** Everything pending, which is then no longer pending. */
    take(): UpdateUris {
        const taken: UpdateUris = { changed: [], deleted: [] };
        for (const { uri, deleted } of this.uris.values()) {
            (deleted ? taken.deleted : taken.changed).push(uri);
        }
        this.uris.clear();
        return taken;
    }

    get size(): number {
        return this.uris.size;
    }
}
