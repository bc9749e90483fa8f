// Runs the mocha suites in a real VS Code through @vscode/test-electron's runTests, with our code-server shim as the
// "VS Code executable", on a temp copy of the fixture workspace. Prints "e2e api: N passed, N failed" at the end.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ARTIFACTS, E2E_DIR, ROOT, checkLanguageServerStayedUp, makeWorkspace, noteTempDir, recordCounts, removeTempDir, say } from '../lib/code-server.mjs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reactor-fsm-e2e-api-run-'));
noteTempDir(root);
const results = path.join(root, 'results.json');
let code = 1;
// The shim keeps the server side's logs here; checkLanguageServerStayedUp reads them after the run.
fs.rmSync(path.join(ARTIFACTS, 'api-server-logs'), { recursive: true, force: true });
try {
    const workspace = makeWorkspace({ root });
    const started = Date.now();
    try {
        await runTests({
            vscodeExecutablePath: path.join(E2E_DIR, 'launcher', 'code-shim'),
            // E2E_EXTENSION_PATH: another build of the extension (a fix under test, an unpacked .vsix).
            extensionDevelopmentPath: process.env.E2E_EXTENSION_PATH ?? ROOT,
            extensionTestsPath: path.join(E2E_DIR, 'out', 'suite', 'index.js'),
            launchArgs: [workspace],
            // code-server passes its environment on to the extension host, where the suites read this.
            extensionTestsEnv: { E2E_RESULTS: results, E2E_LABEL: 'api' }
        });
        code = 0;
    } catch (error) {
        say('api', `runTests: ${error instanceof Error ? error.message : String(error)}`);
    }
    say('api', `took ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
    const counts = fs.existsSync(results) ? JSON.parse(fs.readFileSync(results, 'utf8')) : { passed: 0, failed: 1 };
    checkLanguageServerStayedUp('api', counts);
    removeTempDir(root);
    console.log(`e2e api: ${counts.passed} passed, ${counts.failed} failed`);
    recordCounts('api', counts.passed, counts.failed);
    if (counts.failed > 0 || counts.passed === 0) {
        code = 1;
    }
}
process.exit(code);
