// The language server process: Langium's services for .fsm files over LSP (stdio or IPC, as the client chooses).
import '../language/polyfill.js';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createReactorFsmServices } from '../language/module.js';

const connection = createConnection(ProposedFeatures.all);
const { shared } = createReactorFsmServices({ connection, ...NodeFileSystem });
startLanguageServer(shared);
