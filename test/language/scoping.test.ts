// Scoping: names resolve within their machine through one index per machine and reference type.
import { AstUtils, DefaultScopeProvider, type ReferenceInfo } from 'langium';
import { describe, expect, it } from 'vitest';
import { isTransition, type Transition } from '../../language/generated/ast.js';
import { services, validate, withDocuments } from '../helpers.js';

const MODEL = `machine M {
    events Go, Back
    initial state A { on Go -> B }
    state B { on Back -> A  on Go -> B }
    state A
}
machine Other { events Go initial state A { on Go -> A } }`;

function transitions(root: Parameters<typeof AstUtils.streamAllContents>[0]): Transition[] {
    return AstUtils.streamAllContents(root).filter(isTransition).toArray();
}

describe('IndexedScopeProvider', () => {
    it('builds one index per machine and reference type and reuses it for every reference', async () => {
        const { document } = await validate(MODEL);
        const [first, second] = transitions(document.parseResult.value.machines[0]!);
        const provider = services.references.ScopeProvider;
        const info = (transition: Transition, property: 'event' | 'target'): ReferenceInfo => ({ reference: transition[property]!, container: transition, property });
        const index = (scope: unknown): unknown => (scope as { local: unknown }).local;
        expect(index(provider.getScope(info(first!, 'event')))).toBe(index(provider.getScope(info(second!, 'event'))));
        expect(index(provider.getScope(info(first!, 'target')))).not.toBe(index(provider.getScope(info(first!, 'event'))));
    });

    it('sees a session machine of another file go away when that file is deleted', async () => {
        const front = 'machine Front { events J initial state S { on J -> S } server l listen 0.0.0.0:1 { session Remote  accept -> J } }';
        const remote = 'machine Remote { events X initial state R { on X -> R } connection peer { read -> X } }';
        await withDocuments([front, remote], async ([frontDocument, remoteDocument]) => {
            const session = () => frontDocument!.parseResult.value.machines[0]!.sockets[0]!.members.find((member) => member.$type === 'SessionOption');
            const resolved = session();
            expect(resolved?.$type === 'SessionOption' && resolved.machine.ref?.name).toBe('Remote');
            await services.shared.workspace.DocumentBuilder.update([], [remoteDocument!.uri]);
            const codes = (frontDocument!.diagnostics ?? []).map((d) => d.code);
            expect(codes).toContain('unresolved-reference');
            const after = session();
            expect(after?.$type === 'SessionOption' && after.machine.ref).toBeUndefined();
        });
    });

    it('offers the same names as Langium\'s default provider, machine by machine', async () => {
        const { document } = await validate(MODEL);
        const defaults = new DefaultScopeProvider(services);
        for (const transition of transitions(document.parseResult.value)) {
            for (const property of ['event', 'target'] as const) {
                const info: ReferenceInfo = { reference: transition[property]!, container: transition, property };
                const ours = services.references.ScopeProvider.getScope(info).getAllElements().map((d) => d.name).toArray().sort();
                const theirs = defaults.getScope(info).getAllElements().map((d) => d.name).toArray().sort();
                expect(ours).toEqual(theirs);
            }
        }
    });

    it('resolves a duplicated name to its first declaration and keeps machines apart', async () => {
        const { document } = await validate(MODEL);
        const [machine, other] = document.parseResult.value.machines;
        const back = machine!.states[1]!.transitions[0]!;
        expect(back.target!.ref).toBe(machine!.states[0]);
        const otherGo = other!.states[0]!.transitions[0]!;
        expect(otherGo.event.ref!.$container.$container).toBe(other);
    });

    it('resolves session machines across files through the global index', async () => {
        const { document, diagnostics } = await validate(
            `machine Server { events J initial state S { on J -> S } server l listen 0.0.0.0:1 { session Remote accept -> J } }`,
            [`machine Remote { events X initial state R { on X -> R } connection peer { read -> X } }`]
        );
        const server = document.parseResult.value.machines[0]!.sockets[0]!;
        const session = server.members.find((m) => m.$type === 'SessionOption');
        expect(session?.$type === 'SessionOption' && session.machine.ref?.name).toBe('Remote');
        expect(diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    });
});
