// Replays one model and one hand-written scenario against its generated program and prints both traces — for
// reproducing and minimising what conformance.test.ts reports. Runs only when asked:
//   CONFORMANCE_MODEL=model.fsm CONFORMANCE_SCENARIO=steps.scenario npx vitest run test/robustness/conformance-replay.test.ts
// The scenario is `reactor-fsm simulate` syntax; see scenarioFromText for how connects get their outcomes.
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { buildBatch, removeBatch, type Batch } from './conformance/build.js';
import { Blackhole, runAgainstProgram } from './conformance/harness.js';
import { scenarioFromText } from './conformance/scenario.js';

const modelFile = process.env.CONFORMANCE_MODEL;
const scenarioFile = process.env.CONFORMANCE_SCENARIO;
const batches: Batch[] = [];

afterAll(async () => {
    await Promise.all(batches.map(removeBatch));
});

it.skipIf(!modelFile || !scenarioFile)('replays CONFORMANCE_SCENARIO on CONFORMANCE_MODEL', { timeout: 120_000 }, async () => {
    const text = readFileSync(modelFile!, 'utf8');
    const batch = await buildBatch([{ machines: [] }], [text]);
    batches.push(batch);
    expect(batch.rejected).toEqual([]);
    const built = batch.programs[0]!;
    const scenario = scenarioFromText(built.program, readFileSync(scenarioFile!, 'utf8'));
    const blackhole = await Blackhole.start();
    try {
        const result = await runAgainstProgram(built, scenario, { blackhole });
        console.log(result.disagreement ?? result.harnessProblem ?? `the program agrees with the interpreter (${result.lines} lines):\n${scenario.trace.map((line) => JSON.stringify(line)).join('\n')}`);
    } finally {
        blackhole?.close();
    }
});
