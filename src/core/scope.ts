/**
 * Which policies a run plans (issue 15, item 9). `all` plans every policy (the CLI, drift, push/apply
 * without a reviewed scope); `changed` plans only the policies whose files a pull request touched, so drift
 * in unrelated policies neither shows up in its plan nor gets applied by its merge. A policy counts as
 * touched when its own file changed or a file it names (`file:` values, such as BIMI assets, relative to
 * the policy file) did. Every policy is still validated. Pure.
 */
import { posix } from 'node:path';
import { policyId, type PolicyDocument } from './document.js';

export type PolicyScope = 'changed' | 'all';

/** What a plan left out under scope `changed`: recorded in the plan so every output can say so. */
export interface ScopeReport {
  mode: PolicyScope;
  /** `<kind>/<name>` of the valid policies not planned, sorted. */
  skipped: string[];
}

/** Files named by `file:` keys anywhere in a spec, as the policy gives them (relative to its file). */
function namedFiles(value: unknown, out: string[], depth = 0): void {
  // Specs are bounded by the loader's depth cap; the walk stops well within it anyway.
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) namedFiles(v, out, depth + 1);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'file' && typeof v === 'string') out.push(v);
    else namedFiles(v, out, depth + 1);
  }
}

/** The repository paths a policy depends on: its own file and the files it names (posix, relative to the root). */
export function policyFiles(doc: Pick<PolicyDocument, 'file' | 'spec'>): string[] {
  const own = posix.normalize(doc.file);
  const named: string[] = [];
  namedFiles(doc.spec, named);
  return [own, ...named.filter((f) => !posix.isAbsolute(f)).map((f) => posix.normalize(posix.join(posix.dirname(own), f)))];
}

/** Splits `documents` into those a change to `changedFiles` touches and the rest (by policy id). */
export function selectChanged<D extends Pick<PolicyDocument, 'file' | 'spec' | 'kind' | 'name'>>(documents: readonly D[], changedFiles: readonly string[]): { planned: D[]; skipped: string[] } {
  const changed = new Set(changedFiles.map((f) => posix.normalize(f)));
  const planned: D[] = [];
  const skipped: string[] = [];
  for (const doc of documents) {
    if (policyFiles(doc).some((f) => changed.has(f))) planned.push(doc);
    else skipped.push(policyId(doc));
  }
  return { planned, skipped: skipped.sort() };
}
