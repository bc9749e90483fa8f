// Messages between the diagram panel (extension side) and its webview script.

export interface SourceRange {
    start: { line: number; character: number };
    end: { line: number; character: number };
}

/** Extension → webview. */
export type ToWebview =
    | { type: 'update'; svg: string | undefined; machine: string | undefined; machines: string[]; problem?: string }
    | { type: 'highlight'; line: number; character: number };

/** Webview → extension. */
export type FromWebview = { type: 'ready' } | { type: 'reveal'; range: SourceRange } | { type: 'chooseMachine'; machine: string };
