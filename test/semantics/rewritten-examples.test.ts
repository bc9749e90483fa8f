// Three examples were rewritten with composite states (issue 12); their flat originals are kept in
// test/fixtures/flat-examples/. A rewrite is only shorter if it still means the same: on the example's own scenario,
// the real `reactor-fsm simulate --json` must print the same run for both — the same events, transitions (by event
// and target), actions in the same order and phase, socket I/O, sessions and the same end — once the lines only a
// hierarchy has are set aside: `enter`/`exit` lines, and the state a line names as its holder (a transition's `from`,
// an action's or internal event's `state`), which is now the composite that declares it once.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, ROOT, runCli } from '../cli/cli-helpers.js';

const FLAT = path.join(ROOT, 'test', 'fixtures', 'flat-examples');
const REWRITTEN = ['chat-room', 'device-gateway', 'webhook-worker'] as const;

type TraceLine = Record<string, unknown>;

/** The trace lines that mean the same with or without composite states. */
function comparable(stdout: string): TraceLine[] {
    return stdout
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as TraceLine)
        .filter((line) => line['kind'] !== 'enter' && line['kind'] !== 'exit')
        .map((line) => {
            if (line['kind'] === 'start' || line['kind'] === 'finish') {
                return line;
            }
            const rest = { ...line };
            delete rest['state'];
            delete rest['from'];
            return rest;
        });
}

async function simulate(model: string, example: string): Promise<TraceLine[]> {
    const scenario = path.join(EXAMPLES, 'scenarios', `${example}.scenario`);
    const result = await runCli(['simulate', model, '--script', scenario, '--json'], ROOT, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    return comparable(result.stdout);
}

describe('examples rewritten with composite states mean what their flat originals meant', () => {
    it.each(REWRITTEN)('%s', async (example) => {
        const [flat, nested] = await Promise.all([simulate(path.join(FLAT, `${example}.fsm`), example), simulate(path.join(EXAMPLES, `${example}.fsm`), example)]);
        expect(nested.length).toBeGreaterThan(20);
        // The start line names the first leaf in the flat model and the outermost initial state in the nested one.
        const withoutStart = (lines: TraceLine[]) => lines.map((line) => (line['kind'] === 'start' ? { ...line, state: undefined } : line));
        expect(withoutStart(nested)).toEqual(withoutStart(flat));
    });
});
