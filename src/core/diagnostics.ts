import { compareStrings } from './json.js';

/** A problem found in a policy or while planning, always tied to a place in a YAML file. */
export type Severity = 'error' | 'warning' | 'notice';

export interface SourcePosition {
  /** Path of the policy file relative to the working directory, with forward slashes. */
  file: string;
  line: number;
  column: number;
}

export interface Diagnostic extends SourcePosition {
  /** Stable identifier, documented in docs/diagnostics.md, e.g. `email/bimi-needs-dmarc-enforcement`. */
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** `<kind>/<metadata.name>` of the policy the problem belongs to, when known. */
  policy?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Deterministic order: file, line, column, then severity and code. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareStrings(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      severityRank[a.severity] - severityRank[b.severity] ||
      compareStrings(a.code, b.code) ||
      compareStrings(a.message, b.message),
  );
}
