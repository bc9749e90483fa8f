#!/usr/bin/env node
// The reactor-fsm command: runs the bundled CLI built by `npm run build`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bundle = new URL('../out/cli.cjs', import.meta.url);
if (!existsSync(bundle)) {
    process.stderr.write('reactor-fsm: the CLI is not built yet: run `npm run build` first\n');
    process.exit(2);
}
require(bundle.pathname);
