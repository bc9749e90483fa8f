// `reactor-fsm check`: diagnostics of model files as text lines or JSON, and a summary.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import { analyzeMachine } from '../analysis/machine-analysis.js';
import type { Model } from '../generated/ast.js';
import type { ReactorFsmServices } from '../module.js';
import { buildWorkspace } from '../workspace-loader.js';
import { expandPaths, readSource, type SourceFile } from './source-files.js';

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
    severity: 'error' | 'warning' | 'info' | 'hint';
    code: string;
    message: string;
}

const SEVERITY_WORDS = ['error', 'error', 'warning', 'info', 'hint'] as const;

function toReported(file: string, diagnostic: Diagnostic): ReportedDiagnostic {
    return {
        file,
        line: diagnostic.range.start.line + 1,
        column: diagnostic.range.start.character + 1,
        endLine: diagnostic.range.end.line + 1,
        endColumn: diagnostic.range.end.character + 1,
        severity: SEVERITY_WORDS[diagnostic.severity ?? 1],
        code: String(diagnostic.code ?? 'unknown'),
        message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value
    };
}

function byPosition(a: ReportedDiagnostic, b: ReportedDiagnostic): number {
    return a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

/** Other .fsm files beside the given ones: loaded so cross-file sessions resolve, never reported. */
async function siblingFiles(files: readonly string[]): Promise<string[]> {
    const given = new Set(files);
    const folders = [...new Set(files.map((file) => path.dirname(file)))];
    const siblings: string[] = [];
    for (const folder of folders) {
        const names = await readdir(folder).catch(() => [] as string[]);
        for (const name of names.sort()) {
            const full = path.join(folder, name);
            if (name.endsWith('.fsm') && !given.has(full)) {
                siblings.push(full);
            }
        }
    }
    return siblings;
}

async function readContext(files: readonly string[]): Promise<SourceFile[]> {
    const readable: SourceFile[] = [];
    for (const file of files) {
        try {
            readable.push(await readSource(file));
        } catch {
            // Context only: a sibling that cannot be read is simply not part of the workspace.
        }
    }
    return readable;
}

function plural(count: number, word: string): string {
    return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One line per machine: what it declares and how it fares. */
function describeMachines(file: string, document: LangiumDocument<Model>): string[] {
    return document.parseResult.value.machines.map((machine) => {
        const analysis = analyzeMachine(machine);
        const sockets = machine.sockets.map((socket) => `${socket.$type.toLowerCase()} ${socket.name}`);
        const parts = [
            plural(analysis.states.length, 'state'),
            plural(analysis.events.length, 'event'),
            sockets.length > 0 ? `${plural(sockets.length, 'socket')} (${sockets.join(', ')})` : undefined,
            machine.signals.length > 0 ? `signals ${machine.signals.map((signal) => signal.signal ?? '?').join(', ')}` : undefined
        ].filter((part): part is string => part !== undefined);
        return `${file}: machine ${machine.name}: ${parts.join(', ')}`;
    });
}

/** Runs the check and returns the exit code: 1 when any error was found, 0 otherwise. */
export async function runCheck(services: ReactorFsmServices, inputs: readonly string[], options: CheckOptions, out: (line: string) => void): Promise<number> {
    const files = await expandPaths(inputs);
    const sources: SourceFile[] = [];
    for (const file of files) {
        sources.push(await readSource(file));
    }
    const context = await readContext(await siblingFiles(files));
    const documents = await buildWorkspace(services, [...sources, ...context].map((source) => ({ uri: source.absolute, text: source.text })));

    const reported: ReportedDiagnostic[] = [];
    const descriptions: string[] = [];
    sources.forEach((source, index) => {
        const document = documents[index]!;
        reported.push(...(document.diagnostics ?? []).map((diagnostic) => toReported(source.shown, diagnostic)).sort(byPosition));
        descriptions.push(...describeMachines(source.shown, document));
    });

    if (options.json) {
        out(JSON.stringify(reported, null, 2));
    } else {
        for (const d of reported) {
            out(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);
        }
        if (options.summary) {
            descriptions.forEach((line) => out(line));
        }
        const count = (severity: ReportedDiagnostic['severity']): number => reported.filter((d) => d.severity === severity).length;
        out(`${plural(sources.length, 'file')} checked: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')}`);
    }
    return reported.some((d) => d.severity === 'error') ? 1 : 0;
}
