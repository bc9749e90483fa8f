// `reactor-fsm check`: diagnostics of model files as text lines or JSON, and a summary.
import type { LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { Model } from '../generated/ast.js';
import type { ReactorFsmServices } from '../module.js';
import { loadModels } from './load-models.js';
import { messageText, severityWord, type SeverityWord } from '../validation/diagnostic-words.js';
import { plural } from '../values/plural.js';

export interface CheckOptions {
    json?: boolean;
    summary?: boolean;
}

/** One diagnostic as the CLI reports it: 1-based lines and columns. */
export interface ReportedDiagnostic {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    severity: SeverityWord;
    code: string;
    message: string;
}

/** A diagnostic as the CLI prints it. */
export function toReported(file: string, diagnostic: Diagnostic): ReportedDiagnostic {
    return {
        file,
        line: diagnostic.range.start.line + 1,
        column: diagnostic.range.start.character + 1,
        endLine: diagnostic.range.end.line + 1,
        endColumn: diagnostic.range.end.character + 1,
        severity: severityWord(diagnostic),
        code: String(diagnostic.code ?? 'unknown'),
        message: messageText(diagnostic)
    };
}

/** A diagnostic as one line of text: `file:line:column severity code message`. */
export function reportedLine(d: ReportedDiagnostic): string {
    return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
}

/** Orders diagnostics by line, column, then code. */
export function byPosition(a: ReportedDiagnostic, b: ReportedDiagnostic): number {
    return a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

/** One line per machine: what it declares and how it fares. */
function describeMachines(services: ReactorFsmServices, file: string, document: LangiumDocument<Model>): string[] {
    return document.parseResult.value.machines.map((machine) => {
        const analysis = services.analysis.MachineAnalyzer.analyze(machine);
        const sockets = machine.sockets.map((socket) => `${socket.$type.toLowerCase()} ${socket.name ?? '?'}`);
        const parts = [
            plural(analysis.states.length, 'state'),
            plural(analysis.events.length, 'event'),
            sockets.length > 0 ? `${plural(sockets.length, 'socket')} (${sockets.join(', ')})` : undefined,
            machine.signals.length > 0 ? `signals ${machine.signals.map((signal) => signal.signal ?? '?').join(', ')}` : undefined
        ].filter((part): part is string => part !== undefined);
        return `${file}: machine ${machine.name ?? '?'}: ${parts.join(', ')}`;
    });
}

/** Runs the check and returns the exit code: 1 when any error was found, 0 otherwise. */
export async function runCheck(services: ReactorFsmServices, inputs: readonly string[], options: CheckOptions, out: (line: string) => void): Promise<number> {
    const { named } = await loadModels(services, inputs);
    const reported: ReportedDiagnostic[] = [];
    const descriptions: string[] = [];
    for (const { source, document } of named) {
        reported.push(...(document.diagnostics ?? []).map((diagnostic) => toReported(source.shown, diagnostic)).sort(byPosition));
        descriptions.push(...describeMachines(services, source.shown, document));
    }

    if (options.json) {
        out(JSON.stringify(reported, null, 2));
    } else {
        reported.forEach((d) => out(reportedLine(d)));
        if (options.summary) {
            descriptions.forEach((line) => out(line));
        }
        const count = (severity: ReportedDiagnostic['severity']): number => reported.filter((d) => d.severity === severity).length;
        out(`${plural(named.length, 'file')} checked: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')}`);
    }
    return reported.some((d) => d.severity === 'error') ? 1 : 0;
}
