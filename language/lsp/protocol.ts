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

export interface TraceCoverageParams {
    /** The .fsm document the trace was recorded from. */
    uri: string;
    /** The trace: NDJSON, what a generated program writes with --trace=json. */
    trace: string;
    /** The trace file's name, for messages. */
    traceName: string;
}

export interface TraceCoverageResult {
    /** Why there is no coverage: the model's errors, or a trace that is not one (`run.ndjson:3: not JSON`). */
    refused?: string[];
    /** The first trace line the model does not allow (coverage is counted up to it), and the model's line involved. */
    problem?: { traceLine: number; modelLine?: number; message: string };
    /** Trace lines read. */
    lines: number;
    states: { covered: number; total: number };
    transitions: { covered: number; total: number };
    /** 0-based lines of this document's states and transitions (and timers) the trace covered, and those it did not. */
    covered: number[];
    uncovered: number[];
}

/** Replays a recorded trace against the document's model (`reactor-fsm check-trace`): what it covered, and the first line the model does not allow. */
export const TraceCoverageRequest = request<TraceCoverageParams, TraceCoverageResult>('reactor-fsm/traceCoverage');
