import { compareStrings } from './json.js';
import { truncateText } from './text.js';

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

/** Longest message or hint a diagnostic carries: echoed values are cut at 200 characters, this bounds the rest. */
export const MAX_MESSAGE_LENGTH = 1000;

/**
 * Diagnostics as reported: every message and hint cut to MAX_MESSAGE_LENGTH, so no policy value, however
 * long, reaches a log, comment or annotation whole (the one funnel behind the places messages are built).
 */
export function boundDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) =>
    d.message.length > MAX_MESSAGE_LENGTH || (d.hint?.length ?? 0) > MAX_MESSAGE_LENGTH
      ? { ...d, message: truncateText(d.message, MAX_MESSAGE_LENGTH), ...(d.hint !== undefined ? { hint: truncateText(d.hint, MAX_MESSAGE_LENGTH) } : {}) }
      : d,
  );
}
