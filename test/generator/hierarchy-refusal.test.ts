// Until the generator emits hierarchical machines correctly, generating one is refused with the place in the model.
import { describe, expect, it } from 'vitest';
import { GenerationRefusedError } from '../../language/generator/unsupported.js';
import { generateFrom } from './generate-helpers.js';

const PLAYER = `machine Player {
    events Play, Stop
    initial state Stopped { on Play -> Active }
    state Active {
        on Stop -> Stopped
        initial state Playing
    }
}
`;

describe('hierarchical machines', () => {
    it('are refused with file, line and column of the first composite state', async () => {
        const refused = await generateFrom(PLAYER, [], 'player.fsm').then(
            () => undefined,
            (error: unknown) => error
        );
        expect(refused).toBeInstanceOf(GenerationRefusedError);
        expect((refused as GenerationRefusedError).code).toBe('generation-refused');
        expect((refused as Error).message).toMatch(/^[\w-]+\.fsm:4:5: machine 'Player' has composite states, which the generator does not emit yet \(simulate runs it\)$/);
    });

    it('flat machines are still generated', async () => {
        const files = await generateFrom(PLAYER.replace(/state Active \{[^]*?\n {4}\}\n/, 'state Active { on Stop -> Stopped }\n'));
        expect(files.some((file) => file.path === 'src/player.machine.ts')).toBe(true);
    });
});
