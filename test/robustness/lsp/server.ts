// Starting the bundled server for the abuse suite: the test client, plus the pid of its process (from /proc, since
// the client keeps its child to itself) so the suite can read the server's memory.
import { LspClient } from '../../lsp/lsp-client.js';
import { InspectorSession, inspectorUrl, withInspectorOption } from './inspector.js';
import { childPids } from './process.js';

export interface StartedServer {
    client: LspClient;
    pid: number;
    /** With `inspect`: a DevTools protocol session to the server, to force garbage collections. */
    inspector?: InspectorSession;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid of the one process running `serverScript` that this test process started and `before` did not list. */
async function findPid(serverScript: string, before: Set<number>, ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
        const pids = childPids(process.pid, serverScript).filter((candidate) => !before.has(candidate));
        if (pids.length === 1) {
            return pids[0]!;
        }
        await sleep(20);
    }
    throw new Error(`Timed out after ${ms} ms waiting for the server process to show in /proc`);
}

/** The inspector's address, once the server has announced it on stderr. */
async function announcedInspector(client: LspClient, ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
        const url = inspectorUrl(client.stderrTail());
        if (url) {
            return url;
        }
        if (Date.now() >= deadline) {
            throw new Error(`Timed out after ${ms} ms waiting for the server to announce its inspector\n${client.stderrTail()}`);
        }
        await sleep(20);
    }
}

/**
 * Spawns `node <serverScript> --stdio` in `workspace` and initializes it with that folder; with `inspect`, under
 * `--inspect=127.0.0.1:0`, connected to.
 */
export async function startServer(serverScript: string, workspace: string, options: { inspect?: boolean } = {}): Promise<StartedServer> {
    const before = new Set(childPids(process.pid, serverScript));
    const client = options.inspect ? withInspectorOption(() => LspClient.start(serverScript, workspace)) : LspClient.start(serverScript, workspace);
    try {
        const pid = await findPid(serverScript, before, 5_000);
        const inspector = options.inspect ? await InspectorSession.connect(await announcedInspector(client, 5_000)) : undefined;
        await client.initialize(workspace);
        return { client, pid, inspector };
    } catch (error) {
        await client.dispose();
        throw error;
    }
}
