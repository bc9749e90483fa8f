// The custom requests between the VS Code client and the language server: names and plain data, nothing else,
// so the client can import this file without pulling in Langium.

export const GenerateRequestMethod = 'reactor-fsm/generate';

export interface GenerateParams {
    /** The .fsm document to generate from. */
    uri: string;
    /** Absolute path of the output folder. */
    outputFolder: string;
}

export interface GenerateResult {
    written: string[];
    unchanged: string[];
    kept: string[];
    /** Why nothing was generated: errors as `file:line: message`, or a refusal to write. */
    refused?: string[];
}

export const CheckWorkspaceRequestMethod = 'reactor-fsm/checkWorkspace';

export interface CheckWorkspaceResult {
    files: number;
    errors: number;
    warnings: number;
    infos: number;
}
