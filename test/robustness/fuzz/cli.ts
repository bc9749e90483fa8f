// The CLI side of the language fuzzer: `reactor-fsm check --json FILE` on an input written to a temp folder of its
// own (the CLI loads the other .fsm files of the folder), with a time limit, and what its output must look like.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { BUNDLE, parseJson, runCli, tempFolder, type CliResult, type Reported } from '../../cli/cli-helpers.js';
import { linesOf, OracleFailure } from './oracle.js';

/** How many CLI runs were repeated because out/cli.cjs was rewritten while they ran. */
export let bundleRebuilds = 0;

function bundleMtime(): number {
    try {
        return statSync(BUNDLE).mtimeMs;
    } catch {
        return Number.NaN;
    }
}

/** Whether out/cli.cjs was written during (or just before) a run that ended `result.ms` ago at most. */
function bundleRebuiltWithin(result: CliResult): boolean {
    const modified = bundleMtime();
    return !Number.isFinite(modified) || modified >= Date.now() - result.ms - 2000;
}

/** What the CLI must answer for a file holding `bytes`: refuse it (exit 2, why) or check it (exit 0 or 1). */
export function expectedOutcome(bytes: Uint8Array): { refused: string } | { checked: string } {
    if (bytes.includes(0)) {
        return { refused: 'it is a binary file' };
    }
    try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        return { checked: text.startsWith('\uFEFF') ? text.slice(1) : text };
    } catch {
        return { refused: 'it is not UTF-8 text' };
    }
}

export const STACK_TRACE = /^\s+at .+[(:]\d+|internal error|FATAL ERROR|TypeError|ReferenceError|RangeError|SyntaxError|heap out of memory/m;

/**
 * Writes `bytes` as model.fsm into a fresh temp folder, runs `check --json` on it, and checks the outcome: no stack
 * trace, exit 0/1/2, and for a refused file exit 2 with one line saying why; for a checked file valid JSON whose
 * ranges lie inside the file, and exit 1 exactly when an error is reported. Returns the result and the diagnostics.
 */
export async function checkWithCli(bytes: Uint8Array, timeoutMs: number, nodeArgs: readonly string[] = []): Promise<{ result: CliResult; reported?: Reported[]; text?: string }> {
    const folder = await tempFolder({ 'model.fsm': Buffer.from(bytes) });
    let result = await runCli(['check', '--json', 'model.fsm'], folder, { timeoutMs, nodeArgs });
    if (bundleRebuiltWithin(result)) {
        // `npm run bundle` (another build on this machine) rewrote out/cli.cjs while the CLI loaded it: a half-written
        // bundle runs as an empty script (exit 0, no output). That says nothing about the input: run it again.
        bundleRebuilds++;
        result = await runCli(['check', '--json', 'model.fsm'], folder, { timeoutMs, nodeArgs });
    }
    const context = (): string => JSON.stringify({ code: result.code, signal: result.signal, ms: Math.round(result.ms), stdout: result.stdout.slice(0, 500), stderr: result.stderr.slice(0, 1500) });
    if (result.timedOut) {
        throw new OracleFailure(`the CLI did not finish within ${timeoutMs} ms: ${context()}`);
    }
    if (STACK_TRACE.test(result.stderr) || /^\s+at .+:\d+:\d+\)?$/m.test(result.stdout)) {
        throw new OracleFailure(`the CLI printed a stack trace or an internal error: ${context()}`);
    }
    if (result.code !== 0 && result.code !== 1 && result.code !== 2) {
        throw new OracleFailure(`the CLI exited with ${result.code} (signal ${result.signal}), not 0, 1 or 2: ${context()}`);
    }
    const expected = expectedOutcome(bytes);
    if ('refused' in expected) {
        expect(result.code, context()).toBe(2);
        expect(result.stdout, context()).toBe('');
        expect(result.stderr, context()).toMatch(new RegExp(`^reactor-fsm: cannot read 'model\\.fsm': ${expected.refused}.*\\n$`));
        return { result };
    }
    if (result.code === 2) {
        throw new OracleFailure(`the CLI refused a readable UTF-8 file: ${context()}`);
    }
    expect(result.stderr, context()).toBe('');
    expect(result.stdout.trim(), `the CLI printed JSON: ${context()}`).not.toBe('');
    const reported = parseJson(result.stdout);
    const lines = linesOf(expected.checked);
    for (const d of reported) {
        expect(path.basename(d.file)).toBe('model.fsm');
        const inside = (line: number, column: number): boolean => line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1]!.length + 1;
        if (!inside(d.line, d.column) || !inside(d.endLine, d.endColumn)) {
            throw new OracleFailure(`the CLI reports a range outside the file (${lines.length} lines): ${JSON.stringify(d).slice(0, 500)}`);
        }
    }
    expect(result.code, `exit 1 exactly when an error is reported: ${context()}`).toBe(reported.some((d) => d.severity === 'error') ? 1 : 0);
    return { result, reported, text: expected.checked };
}
