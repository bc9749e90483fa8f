// Messages between the diagram panel (extension side) and its webview script.

export interface SourceRange {
    start: { line: number; character: number };
    end: { line: number; character: number };
}

/** What a running debug session shows on the diagram of one instance; every line 0-based, as `data-range` has them. */
export interface LiveView {
    /** The instance shown, as the debugger names it (`EchoClient`, `EchoSession#1`). */
    instance: string;
    /** Its machine: the live view applies only to the diagram of that machine. */
    machine: string;
    /** The virtual clock, in ms. */
    t: number;
    finished: boolean;
    /** Lines of the declarations of the active states, ancestors included. */
    states: number[];
    /** The last transitions taken, most recent first: lines of their on/after clauses. */
    trail: { line: number; event: string }[];
    /** Armed timers: lines of their after clauses. */
    timers: { line: number; label: string; remainingMs: number }[];
    /** Transitions whose event the user can send now: lines of their on clauses. */
    fireable: { line: number; event: string }[];
}

/** What a recorded trace covered of the picture (0-based lines, as `data-range` has them). */
export interface CoverageView {
    covered: number[];
    uncovered: number[];
    /** For the status line: `run.ndjson: states 3/4, transitions 5/9`. */
    label: string;
}

/** Extension → webview. */
export type ToWebview =
    | { type: 'update'; svg: string | undefined; machine: string | undefined; machines: string[]; problem?: string }
    | { type: 'highlight'; line: number; character: number }
    | ({ type: 'live' } & LiveView)
    | { type: 'liveEnd' }
    | ({ type: 'coverage' } & CoverageView)
    | { type: 'coverageEnd' };

/** Webview → extension. */
export type FromWebview = { type: 'ready' } | { type: 'reveal'; range: SourceRange } | { type: 'chooseMachine'; machine: string } | { type: 'fire'; event: string };
