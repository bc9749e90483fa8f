// What the extension host loads as extensionTestsPath: runs every *.test.js beside it with mocha, in file-name order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
    const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60_000, slow: 5_000 });
    const files = fs.readdirSync(__dirname).filter((file) => file.endsWith('.test.js')).sort();
    files.forEach((file) => mocha.addFile(path.join(__dirname, file)));
    const stats = await new Promise<Mocha.Stats>((resolve) => {
        const runner = mocha.run(() => resolve(runner.stats ?? { passes: 0, failures: 1, pending: 0 } as Mocha.Stats));
    });
    // One line for the runner outside to count, whatever the reporter printed.
    console.log(`e2e api: ${stats.passes} passed, ${stats.failures} failed${stats.pending ? `, ${stats.pending} skipped` : ''}`);
    const results = process.env.E2E_RESULTS;
    if (results) {
        fs.writeFileSync(results, JSON.stringify({ passed: stats.passes, failed: stats.failures, skipped: stats.pending }));
    }
    if (stats.failures > 0 || stats.passes === 0) {
        throw new Error(`${stats.failures} of ${stats.passes + stats.failures} Reactor FSM e2e tests failed`);
    }
}
