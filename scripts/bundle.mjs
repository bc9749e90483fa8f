// Bundles the command line, the language server (and its system check worker thread) and the VS Code extension into single CommonJS files under out/.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const options = {
    entryPoints: { cli: 'language/cli/main.ts', server: 'server/main.ts', extension: 'client/extension.ts', 'debug-adapter': 'server/debug-adapter.ts', 'system-worker': 'server/system-worker.ts' },
    // VS Code provides `vscode` to the extension at run time.
    external: ['vscode'],
    outdir: 'out',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
    // Langium's ESM code reads import.meta.url; in a CommonJS bundle it comes from the file's own path.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" }
};

/** The diagram webview's script: runs in the browser, so a plain IIFE. */
const webview = {
    entryPoints: { diagram: 'client/webview/diagram.ts' },
    outdir: 'out',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning'
};

if (watch) {
    await (await esbuild.context(options)).watch();
    await (await esbuild.context(webview)).watch();
} else {
    await Promise.all([esbuild.build(options), esbuild.build(webview)]);
}
