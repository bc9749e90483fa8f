// reactor-fsm/traceCoverage: a recorded trace replayed against an open model, with the lines it covered for the diagram.
import { describe, expect, it } from 'vitest';
import { traceJson } from '../../templates/runtime/trace-format.js';
import { traceCoverageOfDocument } from '../../language/lsp/trace-coverage.js';
import { programOf } from '../../language/semantics/program.js';
import { runScenario } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import { services, withDocuments } from '../helpers.js';

// Lines (1-based): 3 Idle, 4 on Coin, 5 on Quit, 7 Paid, 8 on Refund, 9 after 30s, 11 Off.
const VENDING = `machine Vending {
    events Coin, Refund, Quit
    initial state Idle {
        on Coin -> Paid
        on Quit -> Off
    }
    state Paid {
        on Refund -> Idle
        after 30s -> Idle
    }
    final state Off
}
`;

async function coverage(model: string, trace: (program: ReturnType<typeof programOf>) => string) {
    return withDocuments([model], async ([document]) =>
        traceCoverageOfDocument(services.shared, { uri: document!.uri.toString(), trace: trace(programOf(document!.parseResult.value)), traceName: 'run.ndjson' })
    );
}

function recorded(program: ReturnType<typeof programOf>, scenario: string): string {
    return runScenario(program, parseScenario(scenario)).trace.map(traceJson).join('\n');
}

describe('trace coverage of a document', () => {
    it('lists the covered and the uncovered lines of states and transitions (0-based)', async () => {
        const result = await coverage(VENDING, (program) => recorded(program, 'send Coin\nsend Refund\nsend Coin\nadvance 30s'));
        expect(result).toEqual({
            lines: 5,
            states: { covered: 2, total: 3 },
            transitions: { covered: 3, total: 4 },
            covered: [2, 3, 6, 7, 8],
            uncovered: [4, 10]
        });
    });

    it('reports the first line the model does not allow; coverage counts up to it', async () => {
        const result = await coverage(VENDING, (program) => `${recorded(program, 'send Coin')}\n${JSON.stringify({ t: 5, kind: 'transition', machine: 'Vending', from: 'Paid', event: 'Quit', to: 'Off' })}`);
        expect(result.problem).toMatchObject({ traceLine: 3, message: expect.stringContaining('Quit') });
        expect(result.states).toEqual({ covered: 2, total: 3 });
    });

    it('refuses a trace that is not one, an empty one, and a model with errors', async () => {
        expect((await coverage(VENDING, () => '{"t":0,"kind":"start","machine":"Vending","state":"Idle"}\nnot json')).refused).toEqual([expect.stringMatching(/^run\.ndjson:2: /)]);
        expect((await coverage(VENDING, () => '')).refused).toEqual([expect.stringContaining('no trace lines')]);
        expect((await coverage('machine Broken {\n    initial state A {\n        on Go -> B\n    }\n}\n', () => '{}')).refused?.[0]).toMatch(/^test-\d+\.fsm:3: /);
    });
});
