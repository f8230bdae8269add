import type { Diagnostic, Severity, SourcePosition } from './diagnostics.js';
import type { Change } from './plan.js';

export type PathSegment = string | number;

/** One validated YAML document with the `apiVersion/kind/metadata/spec` envelope. */
export interface PolicyDocument<Spec = unknown> {
  apiVersion: string;
  kind: string;
  name: string;
  spec: Spec;
  /** `metadata.account`: the account role (from the allowlist) this policy's reads and writes use. */
  account?: string;
  /** Policy file relative to the working directory (forward slashes), as shown in diagnostics. */
  file: string;
  /** Absolute path of the policy file, to resolve local assets next to it. */
  absoluteFile: string;
  /** Index of the document inside its file (0-based). */
  index: number;
  /** Position of the node at `path` below the document root (e.g. ['spec', 'mtaSts', 'mx', 1]), or of its nearest existing parent. */
  position(path: readonly PathSegment[]): SourcePosition;
}

export function policyId(doc: Pick<PolicyDocument, 'kind' | 'name'>): string {
  return `${doc.kind}/${doc.name}`;
}

/** Builds a diagnostic located at a path inside a policy document. */
export function diagnosticAt(
  doc: PolicyDocument,
  path: readonly PathSegment[],
  code: string,
  severity: Severity,
  message: string,
  hint?: string,
): Diagnostic {
  const pos = doc.position(path);
  return { code, severity, message, hint, file: pos.file, line: pos.line, column: pos.column, policy: policyId(doc) };
}

/** Builds a change located at a path inside a policy document (the node reviewers should look at). */
export function changeAt(doc: PolicyDocument, path: readonly PathSegment[], c: Omit<Change, 'kind' | 'policy' | 'file' | 'line' | 'column'>): Change {
  const pos = doc.position(path);
  return { kind: doc.kind, policy: doc.name, file: pos.file, line: pos.line, column: pos.column, ...c };
}
