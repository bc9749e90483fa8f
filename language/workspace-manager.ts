// Validates every .fsm file of the workspace when the server starts, so the Problems view and the
// custom requests know about files nobody has opened yet (Langium's first build only links them).
import { DefaultWorkspaceManager, type LangiumSharedCoreServices } from 'langium';

export class ValidatingWorkspaceManager extends DefaultWorkspaceManager {
    constructor(services: LangiumSharedCoreServices) {
        super(services);
        this.initialBuildOptions = { validation: true };
    }
}
