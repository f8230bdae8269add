/**
 * Pure planning for one BranchPipelines policy: which branches want a pipeline, which pipelines are
 * missing, drifted or orphaned, and how risky each fix is.
 *
 * - Desired: the repository's branches matching include/exclude; the default branch always matches.
 * - Live: pipelines named `<namePrefix>-…`. Only those tagged `charter:policy=<metadata.name>` are
 *   Charter's; the others are never changed or deleted, and a desired name taken by one is an error.
 * - A pipeline of this policy whose branch is gone is an orphan (a missed delete event): deleting it is
 *   safe. One whose branch still exists but no longer matches the filters is destructive to delete.
 * - An update is disruptive when it removes a stage or action, else safe.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { changeAt, diagnosticAt, type PolicyDocument } from '../../core/document.js';
import { canonicalJson, compareStrings, sha256, type Json } from '../../core/json.js';
import type { Change } from '../../core/plan.js';
import { desiredPipeline, pipelineView, type DesiredPipeline, type PipelineDeclaration } from './desired.js';
import { diffPipeline } from './diff.js';
import { matchGlob } from './glob.js';
import { APPLIED_TAG, BRANCH_TAG, hasPrefix, OWNER_TAG, TAG_VALUE_MAX } from './names.js';
import type { BranchPipelinesSpec } from './spec.generated.js';

type Doc = PolicyDocument<BranchPipelinesSpec>;

export interface BranchListing {
  defaultBranch: string;
  /** Every branch of the repository. */
  branches: string[];
}

/** A pipeline in the account, as far as plan read it. */
export interface LivePipeline {
  name: string;
  /** From ListPipelines. */
  version?: number;
  /** From ListTagsForResource; undefined when not read. */
  tags?: Record<string, string>;
  /** From GetPipeline (normalised); undefined when not read because the applied tag says it is unchanged. */
  declaration?: PipelineDeclaration;
}

/** Phases: deletes free quota first, then creates and updates. */
export const PHASE = { delete: 0, pipeline: 1 } as const;
/** CodePipeline's default quota of pipelines per region and account. */
export const PIPELINES_PER_REGION = 1000;
const LISTED = 10;

/** Whether a branch gets a pipeline under the policy's filters; the default branch always does. */
export function branchSelected(spec: Pick<BranchPipelinesSpec, 'branches'>, branch: string, defaultBranch: string): boolean {
  if (branch === defaultBranch) return true;
  const include = spec.branches?.include;
  if (include?.length && !include.some((g) => matchGlob(g, branch))) return false;
  return !(spec.branches?.exclude ?? []).some((g) => matchGlob(g, branch));
}

/** The desired pipelines of a policy, by name, in branch order. */
export function desiredPipelines(doc: Doc, listing: BranchListing): Map<string, DesiredPipeline> {
  const out = new Map<string, DesiredPipeline>();
  for (const branch of [...new Set(listing.branches)].sort(compareStrings)) {
    if (!branchSelected(doc.spec, branch, listing.defaultBranch)) continue;
    const p = desiredPipeline(doc.spec, doc.name, branch, listing.defaultBranch);
    out.set(p.name, p);
  }
  return out;
}

/** The applied tag value for a pipeline at `version` whose declaration has `digest`. */
export const appliedTag = (version: number, digest: string) => `${version}.${digest}`;

/** Whether the live pipeline is known unchanged since Charter wrote `want` (its version and digest match the tag). */
export function unchangedSinceApply(live: LivePipeline, want: DesiredPipeline): boolean {
  return live.version !== undefined && live.tags?.[APPLIED_TAG] === appliedTag(live.version, want.digest);
}

/** Tags to set so the pipeline carries the policy's and Charter's tags (tags set by others are kept). */
export function tagsToSet(want: DesiredPipeline, liveTags: Record<string, string>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(want.tags)) if (liveTags[k] !== v) set[k] = v;
  return set;
}

export interface PolicyPlan {
  changes: Change[];
  diagnostics: Diagnostic[];
  inputs: Json;
}

const address = (doc: Doc, name: string) => `branches/${doc.name}/pipeline/${name}`;

function listSome(items: string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

/**
 * The changes for one policy. `live` holds the pipelines whose names carry the policy's prefix (with tags
 * read); `declaration` must be present for every owned, desired pipeline not known unchanged.
 */
export function planPolicy(doc: Doc, listing: BranchListing, live: readonly LivePipeline[]): PolicyPlan {
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const desired = desiredPipelines(doc, listing);
  const existing = new Set(listing.branches);
  const liveByName = new Map(live.filter((p) => hasPrefix(doc.spec.namePrefix, p.name)).map((p) => [p.name, p]));
  const cleanup = doc.spec.onDelete ? { project: doc.spec.onDelete.project, timeoutMinutes: doc.spec.onDelete.timeoutMinutes ?? 60 } : null;

  const tooLong: string[] = [];
  const taken: string[] = [];
  for (const want of desired.values()) {
    if (want.branch.length > TAG_VALUE_MAX) {
      tooLong.push(want.branch.slice(0, 40));
      continue;
    }
    const current = liveByName.get(want.name);
    const title = `Pipeline ${want.name} (branch ${want.branch})`;
    if (!current) {
      changes.push(
        changeAt(doc, ['spec', 'stages'], {
          address: address(doc, want.name),
          action: 'create',
          title,
          before: null,
          after: pipelineView(want.declaration),
          risk: 'safe',
          reason: want.branch === listing.defaultBranch ? `The default branch ${want.branch} has no pipeline` : `Branch ${want.branch} matches the policy's branch filters and has no pipeline`,
          phase: PHASE.pipeline,
          data: { op: 'create', name: want.name, branch: want.branch, declaration: want.declaration as unknown as Json, tags: want.tags, digest: want.digest },
        }),
      );
      continue;
    }
    if (current.tags?.[OWNER_TAG] !== doc.name) {
      taken.push(want.name);
      continue;
    }
    // The applied tag vouches for the declaration only; tags are compared every time (they were read anyway).
    const known = unchangedSinceApply(current, want) ? want.declaration : current.declaration;
    if (!known) throw new Error(`BranchPipelines: pipeline ${want.name} was not read`);
    const d = diffPipeline(known, want.declaration);
    const setTags = tagsToSet(want, current.tags ?? {});
    const tagKeys = Object.keys(setTags).sort(compareStrings);
    const tagLines = tagKeys.map((k) => `tag ${k}: ${current.tags?.[k] ?? '(unset)'} → ${setTags[k]}`);
    if (!d.lines.length && !tagLines.length) continue;
    const lines = [...d.lines, ...tagLines];
    changes.push(
      changeAt(doc, ['spec', 'stages'], {
        address: address(doc, want.name),
        action: 'update',
        title,
        before: [...(pipelineView(known) as string[]), ...tagKeys.map((k) => `tag ${k}: ${current.tags?.[k] ?? '(unset)'}`)],
        after: [...(pipelineView(want.declaration) as string[]), ...tagKeys.map((k) => `tag ${k}: ${setTags[k]}`)],
        risk: d.risk,
        reason: `${lines.length} difference(s): ${lines.join('; ')}`,
        phase: PHASE.pipeline,
        data: { op: d.lines.length ? 'update' : 'tags', name: want.name, branch: want.branch, declaration: want.declaration as unknown as Json, tags: setTags, digest: want.digest },
      }),
    );
  }

  const leftAlone: string[] = [];
  for (const p of [...liveByName.values()].sort((a, b) => compareStrings(a.name, b.name))) {
    if (desired.has(p.name)) continue;
    const owner = p.tags?.[OWNER_TAG];
    if (owner !== doc.name) {
      if (owner === undefined) leftAlone.push(p.name);
      continue;
    }
    const branch = p.tags?.[BRANCH_TAG] ?? '';
    const stillThere = existing.has(branch);
    changes.push(
      changeAt(doc, doc.spec.branches ? ['spec', 'branches'] : ['spec', 'namePrefix'], {
        address: address(doc, p.name),
        action: 'delete',
        title: `Pipeline ${p.name} (branch ${branch})`,
        before: p.declaration ? pipelineView(p.declaration) : [`branch: ${branch}`],
        after: null,
        risk: stillThere ? 'destructive' : 'safe',
        reason: stillThere
          ? `Branch ${branch} still exists but no longer matches the policy's branch filters: deleting its pipeline stops its deployments${cleanup ? ` (cleanup build ${cleanup.project} runs first)` : ''}`
          : `Branch ${branch} no longer exists (an orphaned pipeline)${cleanup ? `; cleanup build ${cleanup.project} runs first with BRANCH=${branch}, and the pipeline is kept if it fails` : ''}`,
        phase: PHASE.delete,
        data: { op: 'delete', name: p.name, branch, cleanup },
      }),
    );
  }

  if (tooLong.length) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'branches'], 'branches/branch-name-too-long', 'error', `${tooLong.length} branch(es) have names over ${TAG_VALUE_MAX} characters, more than a tag value holds, so Charter cannot record them on a pipeline: ${listSome(tooLong.map((b) => `${b}…`))}`, 'Exclude them with branches.exclude, or rename them.'));
  }
  if (taken.length) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'namePrefix'], 'branches/name-taken', 'error', `${taken.length} pipeline name(s) this policy needs exist without its ${OWNER_TAG}=${doc.name} tag: ${listSome(taken)}`, 'Charter never changes a pipeline it does not own: delete or rename those pipelines, or choose another namePrefix.'));
  }
  if (leftAlone.length) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'namePrefix'], 'branches/pipelines-left-alone', 'notice', `${leftAlone.length} pipeline(s) named ${doc.spec.namePrefix}-… carry no Charter tags and are left alone: ${listSome(leftAlone)}`, `Only pipelines tagged ${OWNER_TAG}=${doc.name} are updated or deleted.`));
  }
  const selected = [...desired.values()].map((p) => p.branch);
  const inputs: Json = {
    defaultBranch: listing.defaultBranch,
    branches: selected.length,
    branchesDigest: sha256(canonicalJson([...listing.branches].sort(compareStrings))).slice(0, 16),
  };
  return { changes, diagnostics, inputs };
}

/**
 * CodePipeline's 1,000 pipelines per region: the count after the plan, over every policy of the region
 * (`count` is the region's live pipeline count from ListPipelines, all owners).
 */
export function quotaProblem(doc: Doc, count: number, creates: number, deletes: number, quota = PIPELINES_PER_REGION): Diagnostic | undefined {
  const after = count + creates - deletes;
  if (creates === 0 || after <= quota) return undefined;
  return diagnosticAt(doc, ['spec', 'region'], 'branches/pipeline-quota', 'error', `The plan leaves ${after} pipelines in ${doc.spec.region} (${count} now, ${creates} to create, ${deletes} to delete); CodePipeline allows ${quota} per region`, 'Narrow branches.include, delete unused pipelines, or ask AWS for a quota increase (Service Quotas, "Maximum number of pipelines per Region").');
}
