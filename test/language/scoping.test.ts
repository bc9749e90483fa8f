// Scoping: names resolve within their machine through one index per machine and reference type.
import { AstUtils, DefaultScopeProvider, type ReferenceInfo } from 'langium';
import { describe, expect, it } from 'vitest';
import { isTransition, type Transition } from '../../language/generated/ast.js';
import { closestName, closestNames, MAX_SUGGESTED_LENGTH, spellingDistance } from '../../language/references/suggestions.js';
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
        expect(otherGo.event!.ref!.$container.$container).toBe(other);
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

describe('spelling suggestions (ranked like TypeScript\'s getSpellingSuggestion)', () => {
    it('counts an inserted or dropped letter as 1 and a changed letter as 2', () => {
        expect(spellingDistance('stoped', 'stopped', 5)).toBe(1);
        expect(spellingDistance('stoped', 'stoked', 5)).toBe(2);
        expect(spellingDistance('onlien', 'online', 5)).toBe(2); // a swap: one letter dropped, one added
        expect(spellingDistance('kitten', 'sitting', 10)).toBe(5);
        expect(spellingDistance('', 'abc', 3)).toBe(3);
        expect(spellingDistance('kitten', 'sitting', 4)).toBeUndefined(); // beyond the maximum: no number
    });

    it('ranks a substitution below an insertion or deletion, whatever the source order', () => {
        expect(closestNames('Stoped', ['Stoked', 'Stopped'])).toEqual(['Stopped']);
        expect(closestNames('Runing', ['Ruling', 'Running'])).toEqual(['Running']);
        expect(closestNames('Closd', ['Cloud', 'Closed'])).toEqual(['Closed']);
    });

    it('names every equally close candidate, in source order (at most three)', () => {
        expect(closestNames('Ope', ['Open', 'Opex'])).toEqual(['Open', 'Opex']);
        expect(closestNames('Ope', ['Opex', 'Open'])).toEqual(['Opex', 'Open']);
        expect(closestNames('Ope', ['Open', 'Opex', 'Op', 'Opel'])).toEqual(['Open', 'Opex', 'Op']);
        expect(closestNames('Ope', ['Open', 'Open'])).toEqual(['Open']); // a name declared twice is offered once
        expect(closestName('Ope', ['Opex', 'Open'])).toBe('Opex');
    });

    it('prefers a name that differs only in case over any other', () => {
        expect(closestNames('online', ['Onlin', 'Online'])).toEqual(['Online']);
        expect(closestNames('OPEN', ['Opex', 'Open'])).toEqual(['Open']);
        expect(closestNames('open', ['Open', 'OPEN'])).toEqual(['Open', 'OPEN']);
        expect(closestNames('Go', ['GO'])).toEqual(['GO']); // short names too
    });

    it('suggests nothing further than 0.4 of the name\'s length, so short names only for case', () => {
        expect(closestNames('Onn', ['On', 'Off'])).toEqual(['On']);
        expect(closestNames('A', ['B'])).toEqual([]);
        expect(closestNames('Gx', ['Go'])).toEqual([]);
        expect(closestNames('Stat', ['Stop'])).toEqual([]);
        expect(closestNames('Zebra', ['Connected', 'Closed'])).toEqual([]);
        expect(closestNames('Cloze', ['Close'])).toEqual(['Close']); // one change in five letters is close enough
        expect(closestNames('Conected', ['Connected', 'Closed'])).toEqual(['Connected']);
        expect(closestNames('X', [])).toEqual([]);
    });

    it('stays bounded on huge names: no suggestion above the length limit, and a banded distance below it', () => {
        const huge = 'n'.repeat(100_000);
        const started = performance.now();
        expect(closestNames(`${huge}x`, [`${huge}y`])).toEqual([]);
        expect(closestNames('State', [huge, `${huge}x`])).toEqual([]);
        expect(spellingDistance(huge, `${huge.slice(1)}y`, 2)).toBe(2);
        expect(performance.now() - started).toBeLessThan(1000);
        const longest = 'a'.repeat(MAX_SUGGESTED_LENGTH);
        expect(closestNames(longest.slice(1), [longest])).toEqual([longest]);
        expect(closestNames(`${longest}b`, [`${longest}bb`])).toEqual([]);
    });
});
