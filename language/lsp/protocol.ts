// The custom requests and commands between the VS Code client and the language server: names, types and plain data,
// nothing else, so the client can import this file without pulling in Langium or a JSON-RPC library.

/**
 * A request's method with its parameter and result types, declared once for both ends of the connection.
 * Plain data rather than vscode-jsonrpc's `RequestType`: the client and the server are built against different copies of
 * that library (the language client pins one, Langium another), whose classes TypeScript does not treat as one type.
 */
export interface RequestSignature<Params, Result> {
    readonly method: string;
    /** Never set: carries the types, so a request sent or handled with the wrong ones does not compile. */
    readonly types?: { params: Params; result: Result };
}

/** Declares a request's signature. */
function request<Params, Result>(method: string): RequestSignature<Params, Result> {
    return { method };
}

/** Client commands the server's code lenses invoke; the extension registers them. */
export const LensCommands = {
    generate: 'reactor-fsm.generate',
    openDiagram: 'reactor-fsm.openDiagram',
    /** Starts a debug session that simulates a top-level machine (arguments: the document's URI, the machine). */
    simulate: 'reactor-fsm.simulate'
} as const;

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

export interface CheckWorkspaceResult {
    files: number;
    errors: number;
    warnings: number;
    infos: number;
}

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

/** Writes the project generated from a document (refusing while it or a machine it uses has errors). */
export const GenerateRequest = request<GenerateParams, GenerateResult>('reactor-fsm/generate');

/** Counts the problems of every .fsm file of the workspace, once each is checked. */
export const CheckWorkspaceRequest = request<void, CheckWorkspaceResult>('reactor-fsm/checkWorkspace');

/** Draws a machine of a document as SVG. */
export const DiagramRequest = request<DiagramParams, DiagramResult>('reactor-fsm/diagram');
