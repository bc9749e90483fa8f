// The custom requests and commands between the VS Code client and the language server: names and plain data, nothing else,
// so the client can import this file without pulling in Langium.

/** Client commands the server's code lenses invoke; the extension registers them. */
export const LensCommands = {
    generate: 'reactor-fsm.generate',
    openDiagram: 'reactor-fsm.openDiagram'
} as const;

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

export const DiagramRequestMethod = 'reactor-fsm/diagram';

export interface DiagramParams {
    uri: string;
    /** The machine to draw; else the one around `offset`; else the first. */
    machine?: string;
    offset?: number;
    /** A file of its own (styles embedded) rather than the webview's inline picture. */
    standalone?: boolean;
}

export interface DiagramResult {
    /** Every machine of the document, for the panel's chooser. */
    machines: string[];
    machine?: string;
    svg?: string;
    /** Why there is no picture: no such document, no machine. */
    problem?: string;
}
