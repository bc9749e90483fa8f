// Where each step of a finding's trace is written (the editor's related information): the transition the step took,
// the state that ignored its event, or the socket, signal or machine its move is about.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import { CODES, inlineFiles, withFixture, withSystem } from './system-helpers.js';

describe('the places of a trace\'s steps', () => {
    it('a system deadlock\'s connect step points at the transition it took (on Up -> AwaitBanner)', async () => {
        await withFixture('system-deadlock', 'bug', ({ program, texts }) => {
            const finding = checkSystem(program).findings.find((candidate) => candidate.code === 'system-deadlock')!;
            expect(finding.stepSpots).toHaveLength(finding.steps.length);
            const spot = finding.stepSpots.at(-1)!;
            const text = [...texts].find(([file]) => file === spot.path)![1];
            expect(path.basename(spot.path)).toBe('client.fsm');
            expect(text.split('\n')[spot.line - 1]).toContain('on Up -> AwaitBanner');
        });
    });

    it('a stuck-after-fault trace points its reset at the transition that goes wrong (on Failed -> Offline / close)', async () => {
        await withFixture('stuck-after-fault', 'bug', ({ program, texts }) => {
            const finding = checkSystem(program).findings.find((candidate) => candidate.code === 'stuck-after-fault')!;
            const lines = finding.stepSpots.map((spot) => spot && [...texts].find(([file]) => file === spot.path)![1].split('\n')[spot.line - 1]!.trim());
            expect(lines.at(-1)).toMatch(/^on (Failed|Lost) -> Offline/);
            expect(lines.every((line) => line !== undefined)).toBe(true);
        });
    });

    it('every step of every fixture finding has a place in the files checked', async () => {
        for (const code of CODES) {
            await withFixture(code, 'bug', ({ program, texts }) => {
                for (const finding of checkSystem(program).findings) {
                    for (const [index, spot] of finding.stepSpots.entries()) {
                        if (finding.steps[index]!.move.kind === 'advance' && spot === undefined) {
                            continue; // the clock alone, nothing fired that the model writes: the editor uses the finding's line
                        }
                        expect(spot, `${code} step ${index + 1}: ${finding.steps[index]!.lines.join('; ')}`).toBeDefined();
                        expect([...texts.keys()]).toContain(spot!.path);
                    }
                }
            });
        }
    });

    it('of guarded transitions on one event, the one the step took (by its target)', async () => {
        const text = `machine Picky {
    events Up, Failed
    initial state Connecting {
        on Up [lucky] -> Done
        on Up -> Stalled
        on Failed -> Done
    }
    state Stalled {
    }
    final state Done

    client upstream connect 127.0.0.1:7800 {
        connect -> Up
        error -> Failed
    }
}
`;
        await withSystem(inlineFiles({ 'picky.fsm': text }), ({ program }) => {
            const stalled = checkSystem(program).findings.find((finding) => finding.machines.includes('Picky: Stalled'))!;
            expect(stalled.scenario).toContain('guard lucky false');
            const spot = stalled.stepSpots[stalled.steps.findIndex((step) => step.lines.includes('Picky.upstream connected'))]!;
            expect(text.split('\n')[spot.line - 1]!.trim()).toBe('on Up -> Stalled');
        });
    });
});
