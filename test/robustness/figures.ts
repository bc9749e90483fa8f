// Robustness tests record what they tried (inputs, machines, sequences, sessions, bytes) here;
// scripts/robustness-report.ts turns the records into docs/robustness.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const FIGURES_FOLDER = path.resolve(import.meta.dirname, '../../out/robustness');

export interface Figures {
    /** What the suite proves, one sentence. */
    claim: string;
    /** Named counts and measurements: `{ 'inputs tried': 12000, 'longest input (bytes)': 5242880 }`. */
    figures: Record<string, number | string>;
}

/** Writes the figures of one suite (called once per suite, after its properties ran). */
export function recordFigures(suite: string, record: Figures): void {
    mkdirSync(FIGURES_FOLDER, { recursive: true });
    writeFileSync(path.join(FIGURES_FOLDER, `${suite}.json`), `${JSON.stringify({ suite, recordedAt: new Date().toISOString(), ...record }, null, 2)}\n`);
}

/** How hard to try: `ROBUSTNESS_SCALE=10` runs ten times the inputs of a CI run. */
export function scale(base: number): number {
    const factor = Number(process.env.ROBUSTNESS_SCALE ?? '1');
    return Math.max(1, Math.round(base * (Number.isFinite(factor) && factor > 0 ? factor : 1)));
}
