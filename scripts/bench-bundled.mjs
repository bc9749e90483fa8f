// Runs a benchmark on the code as it ships: bundles the entry (and everything it imports from language/) with esbuild,
// as scripts/bundle.mjs bundles the CLI and the language server, then runs the bundle with node. (Under tsx, every
// function is wrapped to keep its name, which costs the hot paths of the explorer about a third of their speed.)
//
//   node scripts/bench-bundled.mjs bench/system/explore.ts
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const entry = process.argv[2];
if (!entry) {
    console.error('usage: node scripts/bench-bundled.mjs BENCH.ts [ARGS…]');
    process.exit(2);
}
// out/bench/<folder>-<name>.mjs: two levels below the root, like bench/<folder>/<name>.ts, so that the paths a bench
// builds from import.meta.dirname still hold.
const outfile = path.join('out', 'bench', `${path.basename(path.dirname(entry))}-${path.basename(entry, '.ts')}.mjs`);
await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    // Some dependencies are CommonJS and call require(): give the ES module one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
