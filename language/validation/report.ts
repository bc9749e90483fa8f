// Reports a diagnostic by its code: the severity comes from the one table (IssueSeverities), never from the report site.
import type { AstNode, DiagnosticInfo, ValidationAcceptor } from 'langium';
import { IssueSeverities, type IssueCode } from './issue-codes.js';

/** Where a diagnostic goes and what it carries: Langium's `DiagnosticInfo`, less the code, which `report` takes. */
export type ReportInfo<N extends AstNode> = Omit<DiagnosticInfo<N>, 'code'>;

/** Accepts `message` with `code` and the severity `IssueSeverities` gives that code. */
export function report<N extends AstNode>(accept: ValidationAcceptor, code: IssueCode, message: string, info: ReportInfo<N>): void {
    accept(IssueSeverities[code], message, { ...info, code });
}
