// The checks are services of the container: a module passed to createReactorFsmServices replaces one kind of check.
import { EmptyFileSystem, URI, type ValidationAcceptor } from 'langium';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../language/generated/ast.js';
import { createReactorFsmServices, type ReactorFsmServices } from '../../language/module.js';
import { GraphChecks } from '../../language/validation/graph-checks.js';
import { SocketChecks } from '../../language/validation/socket-checks.js';
import { StructureChecks } from '../../language/validation/structure-checks.js';

/** No initial state (a structure check), a port out of range and a repeated `read ->` (two socket checks). */
const MODEL = `machine M { events D  state A { on D -> A } client c connect 127.0.0.1:70000 { read -> D  read -> D } }`;

async function diagnosticsOf(services: ReactorFsmServices, text: string): Promise<string[]> {
    const { LangiumDocumentFactory, LangiumDocuments, DocumentBuilder } = services.shared.workspace;
    const document = LangiumDocumentFactory.fromString(text, URI.parse('memory:///check-services.fsm'));
    LangiumDocuments.addDocument(document);
    await DocumentBuilder.build([document], { validation: true });
    return (document.diagnostics ?? []).map((d) => `${String(d.code)}: ${typeof d.message === 'string' ? d.message : d.message.value}`);
}

/** Socket checks that accept every address, and count how often they were asked (through `this`). */
class AnyAddress extends SocketChecks {
    asked = 0;
    override checkAddress(_socket: Socket, _accept: ValidationAcceptor): void {
        this.asked++;
    }
}

describe('check services', () => {
    it('are in the container, one per kind of check', () => {
        const { checks } = createReactorFsmServices(EmptyFileSystem).ReactorFsm.validation;
        expect(checks.Structure).toBeInstanceOf(StructureChecks);
        expect(checks.Graph).toBeInstanceOf(GraphChecks);
        expect(checks.Sockets).toBeInstanceOf(SocketChecks);
    });

    it('an override of one replaces its checks, which run with the service as `this`; the others stay', async () => {
        const ours = await diagnosticsOf(createReactorFsmServices(EmptyFileSystem).ReactorFsm, MODEL);
        const portError = "Port '70000' is outside 0–65535.";
        expect(ours.some((line) => line.endsWith(portError))).toBe(true);

        const { ReactorFsm } = createReactorFsmServices(EmptyFileSystem, { validation: { checks: { Sockets: () => new AnyAddress() } } });
        const sockets = ReactorFsm.validation.checks.Sockets;
        expect(sockets).toBeInstanceOf(AnyAddress);
        const overridden = await diagnosticsOf(ReactorFsm, MODEL);
        expect(overridden).toEqual(ours.filter((line) => !line.endsWith(portError)));
        expect(overridden.some((line) => line.startsWith('no-initial:'))).toBe(true);
        expect(overridden.some((line) => line.includes("'read ->' is already given"))).toBe(true);
        expect((sockets as AnyAddress).asked).toBe(1);
    });
});
