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

export interface SystemCheckParams {
    /** The .fsm document the check starts from: it is checked with the files wired to it and those holding its sessions. */
    uri: string;
    /** Live sessions per server (default 2). */
    sessions?: number;
    /** Stop the search after this many seconds (default 10). */
    maxSeconds?: number;
    /** Keep how long until each timer is due in the global state, not only their order (default false). */
    exactTime?: boolean;
    /** Let the network reset wired connections too (default false). */
    networkFaults?: boolean;
    /** Stop the search after this many global states (default: the explorer's). */
    maxStates?: number;
}

/** A 0-based place in a document, as LSP ranges count. */
export interface SystemCheckPlace {
    uri: string;
    line: number;
    character: number;
    endLine: number;
    endCharacter: number;
}

/** One move of a finding's trace: the scenario lines that replay it, and where the model says what moved. */
export interface SystemCheckStep {
    text: string;
    place: SystemCheckPlace;
}

export interface SystemCheckFinding {
    /** `system-deadlock`, `orphan-session`, `stuck-after-fault`, `lost-signal`, `unbounded-sessions` or `address-in-use`. */
    code: string;
    severity: 'error' | 'warning';
    place: SystemCheckPlace;
    message: string;
    subject: string;
    steps: SystemCheckStep[];
    /** The instances and their states at the end of the trace. */
    machines: string[];
    /** The scenario file replaying the trace (`reactor-fsm simulate FILES --script THIS_FILE`). */
    scenario: string;
    /** The trace as a Mermaid sequence diagram. */
    chart: string;
}

export interface SystemCheckResult {
    /** The documents checked together (URIs), the starting one first; the findings' diagnostics belong to these. */
    uris: string[];
    /** Their file paths (for the debugger and the command line). */
    files: string[];
    findings: SystemCheckFinding[];
    /** The explorer's summary: states, moves, time, and whether a bound was reached. */
    summary?: string;
    states?: number;
    /** The search saw every reachable state. */
    complete?: boolean;
    /** Why nothing was checked: errors in the files, a machine name in two files, no top-level machine, not a document. */
    refused?: string[];
    /** A newer edit of one of the files, or a newer check, stopped this one. */
    cancelled?: boolean;
}

/** The system check of the machines of a document and the files connected to it, run in a worker thread. */
export const SystemCheckRequest = request<SystemCheckParams, SystemCheckResult>('reactor-fsm/checkSystem');
