/**
 * The machine-readable part of the sticky comment: which plan was reviewed (its fingerprint and one digest
 * per change) and what happened to it. The format (`planMeta`, `embedMeta`, `parseMeta`) lives in
 * src/core/render.ts so the renderer always embeds it; this module adds what the merge needs. Pure.
 */
import { changeDigest, type Plan } from '../core/plan.js';
import type { PlanDifference, PlanMeta } from '../core/render.js';

export { embedMeta, META_MAX_CHARS, parseMeta, planMeta, type PlanMeta } from '../core/render.js';

/**
 * Which changes differ between the reviewed plan (`meta`) and `plan`: `added` (planned now, not reviewed),
 * `removed` (reviewed, no longer planned), `changed` (same address, different content). Current plan order
 * first, then removed ones in reviewed order. Empty when the reviewed list was truncated (only the
 * fingerprint is known) or when only the live inputs behind the plan changed.
 */
export function compareWithReviewed(meta: PlanMeta, plan: Plan): PlanDifference[] {
  if (meta.truncated) return [];
  const reviewed = new Map(meta.changes);
  const current = new Set<string>();
  const differences: PlanDifference[] = [];
  for (const change of plan.changes) {
    current.add(change.address);
    const digest = reviewed.get(change.address);
    if (digest === undefined) differences.push({ address: change.address, status: 'added' });
    else if (digest !== changeDigest(change)) differences.push({ address: change.address, status: 'changed' });
  }
  for (const [address] of meta.changes) {
    if (!current.has(address)) differences.push({ address, status: 'removed' });
  }
  return differences;
}

/**
 * The fingerprint a merge may apply, or `undefined` when the comment does not show a reviewed plan that
 * is still waiting to be applied: an `applied` plan is applied once, and a `refused` comment shows the
 * unreviewed plan computed at merge, which must never become applicable by re-running the workflow.
 */
export function applicableFingerprint(meta: PlanMeta): string | undefined {
  return meta.state === 'planned' || meta.state === 'blocked' || meta.state === 'apply-failed' ? meta.fingerprint : undefined;
}
