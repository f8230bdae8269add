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
import { branchStacks, defaultTopicPolicy, describeTopicPolicy, desiredPipeline, desiredTopics, pipelineView, PUBLISH_SID, type DesiredPipeline, type PipelineDeclaration } from './desired.js';
import { diffPipeline } from './diff.js';
import { matchGlob } from './glob.js';
import { cleanupProject } from './projects.js';
import { APPLIED_TAG, approvalTopicPrefix, BRANCH_TAG, hasPrefix, OWNER_TAG, PHASE, TAG_VALUE_MAX } from './names.js';
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
  const cleanupName = cleanupProject(doc.spec);
  const cleanup = doc.spec.onDelete && cleanupName ? { project: cleanupName, timeoutMinutes: doc.spec.onDelete.timeoutMinutes ?? 60 } : null;

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
        data: { op: 'delete', name: p.name, branch, cleanup: cleanup && { ...cleanup, stacks: branchStacks(doc.spec, doc.name, branch, listing.defaultBranch) } },
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

/** An email subscription of an approval topic; `arn` only once its owner confirmed it. */
export interface LiveSubscription {
  email: string;
  arn?: string;
}

/** An SNS topic named like this policy's approval topics, as plan read it. */
export interface LiveTopic {
  name: string;
  arn: string;
  tags: Record<string, string>;
  /** Email subscriptions (pending or confirmed); read for Charter's desired topics only. */
  subscriptions?: LiveSubscription[];
  /** The `Policy` attribute (GetTopicAttributes); read for Charter's desired topics only. */
  policy?: string;
}

const topicAddress = (doc: Doc, name: string) => `branches/${doc.name}/approval-topic/${name}`;

/** The live policy as canonical JSON, or undefined when it is not JSON. */
function canonicalPolicy(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Whether a live policy carries the statement Charter writes. */
function hasCharterStatement(text: string | undefined): boolean {
  try {
    const statements = (JSON.parse(text ?? '') as { Statement?: unknown }).Statement;
    return Array.isArray(statements) && statements.some((st) => (st as { Sid?: unknown })?.Sid === PUBLISH_SID);
  } catch {
    return false;
  }
}

/**
 * The approval topics' changes: create a missing topic with its tags, access policy and subscriptions;
 * subscribe addresses added to the policy (SNS mails each a confirmation link), unsubscribe confirmed
 * addresses it no longer lists, re-tag, set the access policy back when it drifted, and delete a topic of
 * this policy that no environment uses any more. A topic of the right name without the policy's tag is an
 * error and never touched. A pending subscription of a removed address has no ARN and cannot be deleted
 * through the API: plan says so (SNS deletes it after 48 hours unconfirmed; once confirmed, the next plan
 * unsubscribes it). Non-email subscriptions are not Charter's and are never listed or removed.
 */
export function planTopics(doc: Doc, live: readonly LiveTopic[]): PolicyPlan {
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const desired = desiredTopics(doc.spec, doc.name);
  const prefix = approvalTopicPrefix(doc.spec.namePrefix);
  const byName = new Map(live.filter((t) => t.name.startsWith(prefix)).map((t) => [t.name, t]));
  for (const want of desired.values()) {
    const path = ['spec', 'stages', 'environments', want.envIndex, 'approval', 'emails'];
    const current = byName.get(want.name);
    const title = `Approval topic ${want.name} (${want.environment})`;
    const view = (emails: string[], tags: Record<string, string>, policy: string[]) => [`topic: ${want.arn}`, ...emails.map((e) => `email subscription: ${e}`), ...Object.keys(tags).sort(compareStrings).map((k) => `tag ${k}: ${tags[k]}`), ...policy];
    const wantPolicy = want.policy ? describeTopicPolicy(want.policy) : [];
    if (!current) {
      changes.push(
        changeAt(doc, path, {
          address: topicAddress(doc, want.name),
          action: 'create',
          title,
          before: null,
          after: view(want.emails, want.tags, wantPolicy),
          risk: 'safe',
          reason: `The approval of ${want.environment} notifies ${want.emails.length} address(es) through a topic Charter owns; each receives a confirmation mail from SNS${want.policy ? '. Its access policy lets the pipeline role publish' : ''}`,
          phase: PHASE.topic,
          data: { op: 'topic-create', name: want.name, arn: want.arn, emails: want.emails, tags: want.tags, policy: want.policy },
        }),
      );
      continue;
    }
    if (current.tags[OWNER_TAG] !== doc.name) {
      diagnostics.push(diagnosticAt(doc, path, 'branches/topic-taken', 'error', `The SNS topic ${want.name} exists without the ${OWNER_TAG}=${doc.name} tag`, 'Charter never changes a topic it does not own: delete it, or name it with approval.topicArn instead of emails.'));
      continue;
    }
    const subscriptions = current.subscriptions ?? [];
    const subscribed = new Set(subscriptions.map((s) => s.email));
    const missing = want.emails.filter((e) => !subscribed.has(e));
    const setTags: Record<string, string> = {};
    for (const [k, v] of Object.entries(want.tags)) if (current.tags[k] !== v) setTags[k] = v;
    const removed = subscriptions.filter((s) => !want.emails.includes(s.email)).sort((a, b) => compareStrings(a.email, b.email));
    const unsubscribe = removed.filter((s) => s.arn);
    const pending = removed.filter((s) => !s.arn).map((s) => s.email);
    if (pending.length) {
      diagnostics.push(diagnosticAt(doc, path, 'branches/topic-pending-unsubscribe', 'notice', `The approval topic of ${want.environment} has unconfirmed subscriptions for addresses the policy no longer lists: ${listSome(pending)}`, 'SNS cannot delete a subscription pending confirmation (it has no ARN) and deletes it by itself after 48 hours; if its owner confirms it first, the next plan unsubscribes it.'));
    }
    // The policy Charter wants, or AWS's default back when an environment stops asking and Charter's statement is still there.
    const livePolicy = canonicalPolicy(current.policy);
    let setPolicy: string | null = null;
    if (want.policy && livePolicy !== want.policy) setPolicy = want.policy;
    else if (!want.policy && hasCharterStatement(current.policy)) setPolicy = canonicalJson(defaultTopicPolicy(want.arn));
    if (!missing.length && !unsubscribe.length && !Object.keys(setTags).length && setPolicy === null) continue;
    const lines = [
      ...missing.map((e) => `subscribe ${e}`),
      ...unsubscribe.map((s) => `unsubscribe ${s.email}`),
      ...Object.keys(setTags).sort(compareStrings).map((k) => `tag ${k}: ${current.tags[k] ?? '(unset)'} → ${setTags[k]}`),
      ...(setPolicy === null ? [] : [`access policy: ${describeTopicPolicy(current.policy).join('; ')} → ${describeTopicPolicy(setPolicy).join('; ')}`]),
    ];
    const livePolicyView = setPolicy === null && !want.policy ? [] : describeTopicPolicy(current.policy);
    const afterPolicyView = setPolicy === null ? livePolicyView : want.policy ? wantPolicy : describeTopicPolicy(setPolicy);
    const afterEmails = [...new Set([...subscribed, ...want.emails])].filter((e) => !unsubscribe.some((s) => s.email === e));
    changes.push(
      changeAt(doc, path, {
        address: topicAddress(doc, want.name),
        action: 'update',
        title,
        before: view([...subscribed].sort(compareStrings), current.tags, livePolicyView),
        after: view(afterEmails.sort(compareStrings), { ...current.tags, ...setTags }, afterPolicyView),
        risk: 'safe',
        reason: `${lines.length} difference(s): ${lines.join('; ')}`,
        phase: PHASE.topic,
        data: { op: 'topic-update', name: want.name, arn: want.arn, emails: missing, unsubscribe: unsubscribe.map((s) => ({ email: s.email, arn: s.arn! })), tags: setTags, policy: setPolicy },
      }),
    );
  }
  for (const t of [...byName.values()].sort((a, b) => compareStrings(a.name, b.name))) {
    if (desired.has(t.name) || t.tags[OWNER_TAG] !== doc.name) continue;
    changes.push(
      changeAt(doc, ['spec', 'stages'], {
        address: topicAddress(doc, t.name),
        action: 'delete',
        title: `Approval topic ${t.name}`,
        before: [`topic: ${t.arn}`],
        after: null,
        risk: 'safe',
        reason: 'No environment of the policy lists approval emails for this topic any more; its subscriptions go with it',
        phase: PHASE.topicDelete,
        data: { op: 'topic-delete', name: t.name, arn: t.arn },
      }),
    );
  }
  return { changes, diagnostics, inputs: {} };
}
