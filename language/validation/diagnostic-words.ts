// A diagnostic's severity and message as words, for the CLI, the diagram's badges and generation's refusals.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';

export type SeverityWord = 'error' | 'warning' | 'info' | 'hint';

/** The severity as a word; a diagnostic without one is an error, as LSP clients read it. */
export function severityWord(diagnostic: Diagnostic): SeverityWord {
    switch (diagnostic.severity ?? DiagnosticSeverity.Error) {
        case DiagnosticSeverity.Error:
            return 'error';
        case DiagnosticSeverity.Warning:
            return 'warning';
        case DiagnosticSeverity.Information:
            return 'info';
        default:
            return 'hint';
    }
}

/** True for the diagnostics that refuse generation and fail `check`. */
export function isError(diagnostic: Diagnostic): boolean {
    return severityWord(diagnostic) === 'error';
}

/** The message as plain text (LSP allows Markdown content; ours is always a string). */
export function messageText(diagnostic: Diagnostic): string {
    return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}
