// Compiled by `tsc -p .` (npm run typecheck, part of every build): each line below must fail to compile, or the
// request signatures shared by client and server no longer type what is sent and answered.
import type { Connection } from 'vscode-languageserver';
import { sendRequest, type RequestSender } from '../../client/requests.js';
import { CheckWorkspaceRequest, DiagramRequest, GenerateRequest } from '../../language/lsp/protocol.js';
import { handle } from '../../language/lsp/requests.js';

export function misuses(client: RequestSender, connection: Connection): void {
    // @ts-expect-error a generate request needs its output folder
    void sendRequest(client, GenerateRequest, { uri: 'file:///a.fsm' });
    // @ts-expect-error checking the workspace takes no parameters
    void sendRequest(client, CheckWorkspaceRequest, { uri: 'file:///a.fsm' });
    // @ts-expect-error a diagram request answers a diagram, not a generation result
    const written: Promise<{ written: string[] }> = sendRequest(client, DiagramRequest, { uri: 'file:///a.fsm' });
    void written;
    // @ts-expect-error a generate handler must answer a generation result
    handle(connection, GenerateRequest, () => ({ machines: [] }));
    // @ts-expect-error a diagram handler reads diagram parameters
    handle(connection, DiagramRequest, (params) => ({ machines: [params.outputFolder] }));
}
