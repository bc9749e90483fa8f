// What the generator refuses to emit — a transition from inside a composite to its own deep history over parallel
// regions — is refused with the place in the model; every other hierarchical machine is generated.
import { describe, expect, it } from 'vitest';
import { GenerationRefusedError } from '../../language/generator/unsupported.js';
import { generateFrom } from './generate-helpers.js';

const PLAYER = `machine Player {
    events Play, Stop
    initial state Stopped { on Play -> Active }
    state Active {
        on Stop -> Stopped
        HISTORY
        initial parallel state Both {
            region Left { initial state L { on Stop -> Back } }
            region Right { initial state R }
        }
    }
}
`;

describe('hierarchical machines', () => {
    it('with a transition from inside a composite to its deep history over regions are refused with the transition\'s place', async () => {
        const refused = await generateFrom(PLAYER.replace('HISTORY', 'deep history Back'), [], 'player.fsm').then(
            () => undefined,
            (error: unknown) => error
        );
        expect(refused).toBeInstanceOf(GenerationRefusedError);
        expect((refused as GenerationRefusedError).code).toBe('generation-refused');
        expect((refused as Error).message).toMatch(/^[\w-]+\.fsm:8:45: machine 'Player': the generator does not emit a transition from inside 'Active' to its deep history over parallel regions \('Back'\); target it from outside, or simulate the model$/);
    });

    it('with a shallow history, a deep one targeted from outside, or none, are generated', async () => {
        for (const model of [PLAYER.replace('HISTORY', 'history Back'), PLAYER.replace('HISTORY', 'deep history Back').replace('on Stop -> Back', 'on Stop -> Stopped'), PLAYER.replace('HISTORY', '').replace('on Stop -> Back', '')]) {
            const files = await generateFrom(model);
            expect(files.some((file) => file.path === 'src/player.machine.ts')).toBe(true);
        }
    });
});
