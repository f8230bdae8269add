/**
 * What a merge needs from the plan meta of the sticky comment: the differences from the reviewed plan and
 * whether the comment still holds a plan to apply. The format itself (writing, signing, parsing, verifying)
 * is owned by src/core/plan-meta.ts. Pure.
 */
import { changeDigest, type Plan } from '../core/plan.js';
import type { PlanMeta } from '../core/plan-meta.js';
import type { PlanDifference } from '../core/render/index.js';

export { embedMeta, META_MAX_CHARS, parseMeta, planMeta, verifyMeta, type PlanMeta } from '../core/plan-meta.js';

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
