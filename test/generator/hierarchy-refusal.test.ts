// What the generator refuses to emit — a deep history over parallel regions — is refused with the place in the model;
// every other hierarchical machine is generated.
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
            region Left { initial state L }
            region Right { initial state R }
        }
    }
}
`;

describe('hierarchical machines', () => {
    it('with a deep history over parallel regions are refused with file, line and column of the history', async () => {
        const refused = await generateFrom(PLAYER.replace('HISTORY', 'deep history Back'), [], 'player.fsm').then(
            () => undefined,
            (error: unknown) => error
        );
        expect(refused).toBeInstanceOf(GenerationRefusedError);
        expect((refused as GenerationRefusedError).code).toBe('generation-refused');
        expect((refused as Error).message).toMatch(/^[\w-]+\.fsm:6:9: machine 'Player': the generator does not emit a deep history over parallel regions \('Back'\); use a shallow history, or simulate the model$/);
    });

    it('with a shallow history, or none, are generated', async () => {
        for (const history of ['history Back', '']) {
            const files = await generateFrom(PLAYER.replace('HISTORY', history));
            expect(files.some((file) => file.path === 'src/player.machine.ts')).toBe(true);
        }
    });
});
