// The language server process: Langium's services for .fsm files over LSP (stdio or IPC, as the client chooses),
// plus the custom requests the VS Code commands use.
import '../language/polyfill.js';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { registerCustomRequests, registerSystemCheckRequest } from '../language/lsp/requests.js';
import { createReactorFsmServices } from '../language/module.js';

const connection = createConnection(ProposedFeatures.all);
const { shared } = createReactorFsmServices({ connection, ...NodeFileSystem });
registerCustomRequests(connection, shared);
// The system check's worker: out/system-worker.cjs beside this bundle.
registerSystemCheckRequest(connection, shared, new URL('./system-worker.cjs', import.meta.url));
startLanguageServer(shared);
