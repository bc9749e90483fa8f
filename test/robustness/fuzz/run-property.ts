// Runs one fast-check property of the language fuzzer: logs its seed, counts the distinct inputs it tried, and on
// failure saves the shrunk counterexample under out/robustness/fuzz-counterexamples/ (ready to become a fixture)
// and fails with a short report.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { FIGURES_FOLDER } from '../figures.js';
import { bytesOf, type FuzzInput } from './inputs.js';

export const COUNTEREXAMPLES_FOLDER = path.join(FIGURES_FOLDER, 'fuzz-counterexamples');

/** The base seed of a run: FUZZ_LANGUAGE_SEED=n replays one; each property derives its own from it. */
export const BASE_SEED = Number(process.env.FUZZ_LANGUAGE_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** The seed of the `index`-th property of the run. */
export function seedOf(index: number): number {
    return (BASE_SEED + index * 7919) % 2 ** 31;
}

function slug(name: string): string {
    return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function preview(text: string): string {
    return JSON.stringify(text.length > 400 ? `${text.slice(0, 300)}…(${text.length} characters)…${text.slice(-60)}` : text);
}

/** What a property tried: runs made, distinct inputs among them (by content), and how long it took. */
export interface PropertyRun {
    readonly runs: number;
    readonly distinct: number;
    readonly seconds: number;
}

function fingerprint(input: FuzzInput): string {
    return createHash('sha1').update(input.bytes ?? input.text).digest('base64');
}

/**
 * Checks `predicate` on `numRuns` values of `arbitrary` (seeded); values are FuzzInputs or tuples starting with one
 * (an input and its probe, or the CLI's pairs): every FuzzInput of a value counts towards the distinct inputs.
 */
export async function runProperty<T extends FuzzInput | readonly [FuzzInput, ...unknown[]]>(
    name: string,
    index: number,
    arbitrary: fc.Arbitrary<T>,
    numRuns: number,
    predicate: (value: T) => Promise<void>
): Promise<PropertyRun> {
    const seed = seedOf(index);
    console.log(`fuzz-language: ${name}: seed ${seed}, ${numRuns} runs (replay the run with FUZZ_LANGUAGE_SEED=${BASE_SEED})`);
    const seen = new Set<string>();
    let inputs = 0;
    const started = performance.now();
    const counted = async (value: T): Promise<void> => {
        for (const item of (Array.isArray(value) ? value : [value]) as unknown[]) {
            if (typeof item === 'object' && item !== null && typeof (item as FuzzInput).text === 'string') {
                inputs++;
                seen.add(fingerprint(item as FuzzInput));
            }
        }
        await predicate(value);
    };
    const details = await fc.check(fc.asyncProperty(arbitrary, counted), { seed, numRuns, endOnFailure: false, markInterruptAsFailure: true });
    if (details.failed) {
        const value = details.counterexample?.[0];
        const input = (Array.isArray(value) ? value[0] : value) as FuzzInput | undefined;
        let saved = '(nothing saved)';
        if (input) {
            mkdirSync(COUNTEREXAMPLES_FOLDER, { recursive: true });
            saved = path.join(COUNTEREXAMPLES_FOLDER, `${slug(name)}-seed${seed}.fsm`);
            writeFileSync(saved, bytesOf(input));
            writeFileSync(`${saved}.json`, `${JSON.stringify({ property: name, seed, path: details.counterexamplePath, origin: input.origin, rest: Array.isArray(value) ? value.slice(1) : [] }, null, 2)}\n`);
        }
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(
            [
                `${name}: failed after ${details.numRuns} runs and ${details.numShrinks} shrinks (seed ${seed}, path ${details.counterexamplePath ?? '?'})`,
                `input (${input?.origin ?? '?'}): ${input ? preview(input.text) : '?'}`,
                `saved to ${saved}`,
                error.slice(0, 4000)
            ].join('\n')
        );
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz-language: ${name}: ${details.numRuns} runs, ${inputs} inputs, ${seen.size} distinct (${((100 * seen.size) / Math.max(1, inputs)).toFixed(1)}%), ${seconds.toFixed(1)} s`);
    return { runs: details.numRuns, distinct: seen.size, seconds };
}
