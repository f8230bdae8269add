/**
 * ProtectionGroups plan and apply. One plan reads, for every ProtectionGroups policy at once:
 * DescribeSubscription (the limits), ListProtectionGroups (100 groups a page, members included),
 * ListProtections when some group lists members, and ListTagsForResource only where tags matter: groups
 * whose policy declares `tags`, and, when some policy prunes, the undeclared groups that might be
 * Charter's. A converged policy without tags therefore costs one call per 100 groups plus the
 * subscription and the protections listing.
 */
import type { ShieldClient } from '@aws-sdk/client-shield';
import { awsErrorMessage } from '../../aws/clients.js';
import { sleep } from '../../aws/wait.js';
import {
  createProtectionGroup,
  deleteProtectionGroup,
  describeProtectionGroup,
  describeSubscription,
  listProtectionGroups,
  listProtections,
  listTags,
  sameGroup,
  shieldClient,
  tagResource,
  untagResource,
  updateProtectionGroup,
  type DesiredGroupWrite,
  type LiveGroup,
  type LockRetry,
  type ShieldLimits,
} from '../../aws/shield.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { changeAt, diagnosticAt, policyId, type PolicyDocument } from '../../core/document.js';
import { compareStrings, type Json } from '../../core/json.js';
import type { Change, ChangeResult, Risk } from '../../core/plan.js';
import type { DiffResult, ProviderRuntime, RuntimeContext } from '../../core/provider.js';
import { describeMember } from './arn.js';
import { importProtectionGroups } from './import.js';
import { creationTags, desiredGroup, groupPath, MAX_TAGS, OWNER_TAG, reviewDdosAlarms, type DesiredGroup } from './lint.js';
import type { ProtectionGroupsSpec } from './spec.generated.js';
import { mapLimit } from '../../core/concurrency.js';

type Doc = PolicyDocument<ProtectionGroupsSpec>;

/** Dependency order inside a policy: deletes free group slots first, then groups, then their tags. */
const PHASE = { delete: 0, group: 1, tags: 2 } as const;
/** Tag reads in flight at once (the rate limiter still spaces them). */
const TAG_READ_CONCURRENCY = 8;
/** Attempts for a write that meets OptimisticLockException, the first included. */
const LOCK_ATTEMPTS = 5;
/** Ids named in a "left alone" notice before it says "and N more". */
const LISTED_IDS = 10;

interface Live {
  limits: ShieldLimits;
  groups: Map<string, LiveGroup>;
  /** ARNs of the protected resources; undefined when no policy lists members (not read). */
  protectedArns?: Set<string>;
  /** Tags of the groups whose tags were read. */
  tags: Map<string, Record<string, string>>;
}

export const shieldRuntime: ProviderRuntime<ProtectionGroupsSpec> = { plan, apply, importPolicy: importProtectionGroups };


async function plan(docs: Doc[], ctx: RuntimeContext): Promise<DiffResult> {
  const client = shieldClient(ctx.aws);
  const result: DiffResult = { changes: [], diagnostics: [], inputs: {} };
  const limits = await describeSubscription(client);
  if (!limits) {
    for (const doc of docs) {
      result.diagnostics.push(diagnosticAt(doc, ['spec'], 'shield/no-subscription', 'error', 'This account has no AWS Shield Advanced subscription: protection groups need one', 'Subscribe to Shield Advanced (a one-year commitment) in the account, or remove the ProtectionGroups policies.'));
      result.inputs[policyId(doc)] = { subscription: false };
    }
    return result;
  }
  const declared = new Map<string, { doc: Doc; group: DesiredGroup }>();
  for (const doc of docs) (doc.spec.groups ?? []).forEach((g, i) => declared.set(g.id, { doc, group: desiredGroup(g, i) }));
  const needsProtections = [...declared.values()].some((d) => d.group.pattern === 'ARBITRARY');
  const [groupList, protections] = await Promise.all([listProtectionGroups(client), needsProtections ? listProtections(client) : Promise.resolve(undefined)]);
  const live: Live = {
    limits,
    groups: new Map(groupList.map((g) => [g.id, g])),
    protectedArns: protections ? new Set(protections.map((p) => p.resourceArn)) : undefined,
    tags: new Map(),
  };

  // Tags only where they matter: declared groups whose policy manages tags, and prune candidates.
  const pruning = docs.some((d) => d.spec.prune);
  const tagged = groupList.filter((g) => {
    const d = declared.get(g.id);
    return d ? d.group.tags !== undefined : pruning;
  });
  const tagMaps = await mapLimit(tagged, TAG_READ_CONCURRENCY, (g) => listTags(client, g.arn));
  tagged.forEach((g, i) => live.tags.set(g.id, tagMaps[i]));

  for (const doc of docs) {
    const outcome = planPolicy(doc, live, declared);
    result.changes.push(...outcome.changes);
    result.diagnostics.push(...outcome.diagnostics);
    result.inputs[policyId(doc)] = outcome.inputs;
    (result.owned ??= {})[policyId(doc)] = outcome.owned;
  }
  result.diagnostics.push(...checkGroupLimit(docs, live, result.changes));
  return result;
}

function groupJson(g: { aggregation: string; pattern: string; resourceType?: string; members: string[] }): Record<string, Json> {
  const out: Record<string, Json> = { aggregation: g.aggregation, pattern: g.pattern };
  if (g.resourceType) out.resourceType = g.resourceType;
  if (g.pattern === 'ARBITRARY') out.members = g.members;
  return out;
}

function write(g: DesiredGroup): DesiredGroupWrite {
  return { id: g.id, aggregation: g.aggregation, pattern: g.pattern, resourceType: g.resourceType, members: g.members };
}

const address = (doc: Doc, id: string, suffix = '') => `shield/${doc.name}/protection-group/${id}${suffix}`;

function listSome(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

interface PolicyOutcome {
  changes: Change[];
  diagnostics: Diagnostic[];
  inputs: Json;
  /** Groups of the policy that exist: declared ones, and (with prune) undeclared ones tagged as its own. */
  owned: number;
}

function planPolicy(doc: Doc, live: Live, declared: Map<string, { doc: Doc; group: DesiredGroup }>): PolicyOutcome {
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  let owned = 0;
  (doc.spec.groups ?? []).forEach((spec, index) => {
    const d = desiredGroup(spec, index);
    if (d.pattern === 'ARBITRARY') diagnostics.push(...memberProblems(doc, d, spec.members ?? [], live));
    const current = live.groups.get(d.id);
    if (current) owned++;
    if (!current) {
      const tags = creationTags(doc, d);
      changes.push(
        changeAt(doc, groupPath(index), {
          address: address(doc, d.id),
          action: 'create',
          title: `Protection group ${d.id}`,
          before: null,
          after: { ...groupJson(d), tags },
          risk: 'safe',
          reason: 'Declared in the policy and not present in the account',
          phase: PHASE.group,
          data: { op: 'create', group: groupJson(d), id: d.id, tags },
        }),
      );
      diagnostics.push(reviewDdosAlarms(doc, d, d.pattern === 'ARBITRARY' ? d.members : 'pattern'));
      return;
    }
    if (!sameGroup(current, write(d))) {
      const assessed = assessUpdate(current, d);
      changes.push(
        changeAt(doc, groupPath(index), {
          address: address(doc, d.id),
          action: 'update',
          title: `Protection group ${d.id}`,
          before: groupJson(current),
          after: groupJson(d),
          risk: assessed.risk,
          reason: assessed.reason,
          phase: PHASE.group,
          data: { op: 'update', id: d.id, group: groupJson(d) },
        }),
      );
      if (assessed.joining.length || (d.pattern !== current.pattern && d.pattern !== 'ARBITRARY') || (d.resourceType ?? '') !== (current.resourceType ?? '')) {
        diagnostics.push(reviewDdosAlarms(doc, d, d.pattern === 'ARBITRARY' ? assessed.joining : 'pattern'));
      }
    }
    const tagChange = planTags(doc, d, current, live.tags.get(d.id));
    if (tagChange) {
      changes.push(tagChange);
      const problem = tagLimitProblem(doc, d, live.tags.get(d.id) ?? {}, tagChange);
      if (problem) diagnostics.push(problem);
    }
  });
  if (doc.spec.prune) {
    const pruned = planPrune(doc, live, declared);
    changes.push(...pruned.changes);
    owned += pruned.changes.length;
    diagnostics.push(...pruned.diagnostics);
  }
  // The limits the checks used; the account's group count only matters (for MaxProtectionGroups) when this policy creates.
  const inputs: Record<string, Json> = { limits: { maxProtectionGroups: live.limits.maxProtectionGroups ?? null, maxMembers: live.limits.maxMembers ?? null } };
  if (changes.some((c) => c.action === 'create')) inputs.liveGroups = live.groups.size;
  return { changes, diagnostics, inputs, owned };
}

/** Members that are not Shield-protected (each an error at its YAML line), and the member limit. */
function memberProblems(doc: Doc, d: DesiredGroup, members: readonly string[], live: Live): Diagnostic[] {
  const out: Diagnostic[] = [];
  const protectedArns = live.protectedArns ?? new Set<string>();
  members.forEach((arn, j) => {
    if (!protectedArns.has(arn)) {
      out.push(diagnosticAt(doc, groupPath(d.index, 'members', j), 'shield/member-not-protected', 'error', `${arn} is not protected by Shield Advanced, so it cannot join protection group ${d.id}`, 'Protect the resource first (Shield console, CreateProtection or Firewall Manager), or remove it from members.'));
    }
  });
  const max = live.limits.maxMembers;
  if (max !== undefined && d.members.length > max) {
    out.push(diagnosticAt(doc, groupPath(d.index, 'members'), 'shield/member-limit-exceeded', 'error', `Group ${d.id} lists ${d.members.length} members; the subscription allows ${max} per ARBITRARY group`, 'Split the members over several groups, or ask AWS to raise the limit.'));
  }
  return out;
}

function assessUpdate(current: LiveGroup, d: DesiredGroup): { risk: Risk; reason: string; joining: string[] } {
  const parts: string[] = [];
  let risk: Risk = 'safe';
  let joining: string[] = [];
  if (current.aggregation !== d.aggregation) parts.push(`aggregation ${current.aggregation} → ${d.aggregation} (the group baseline is recomputed)`);
  if (current.pattern !== d.pattern || (current.resourceType ?? '') !== (d.resourceType ?? '')) {
    const from = current.pattern === 'BY_RESOURCE_TYPE' ? `BY_RESOURCE_TYPE ${current.resourceType ?? '?'}` : current.pattern;
    const to = d.pattern === 'BY_RESOURCE_TYPE' ? `BY_RESOURCE_TYPE ${d.resourceType ?? '?'}` : d.pattern;
    parts.push(`pattern ${from} → ${to}`);
    // Leaving ALL or a resource type narrows the group: resources it covered stop being members.
    if (current.pattern !== 'ARBITRARY' && d.pattern !== 'ALL') {
      risk = 'destructive';
      parts.push(`resources covered by ${from} that the new pattern does not cover leave the group`);
    }
    if (current.pattern === 'ARBITRARY' && d.pattern === 'BY_RESOURCE_TYPE') {
      const leaving = current.members.filter((m) => describeMember(m)?.type !== d.resourceType);
      if (leaving.length) {
        risk = 'destructive';
        parts.push(`removes ${leaving.length} member(s) of other types: ${listSome(leaving)}`);
      }
    }
  }
  if (current.pattern === 'ARBITRARY' && d.pattern === 'ARBITRARY') {
    const before = new Set(current.members);
    const after = new Set(d.members);
    joining = d.members.filter((m) => !before.has(m));
    const removed = current.members.filter((m) => !after.has(m));
    if (joining.length) parts.push(`adds ${joining.length} member(s): ${listSome(joining)}`);
    if (removed.length) {
      risk = 'destructive';
      parts.push(`removes ${removed.length} member(s): ${listSome(removed)}`);
    }
  } else if (d.pattern === 'ARBITRARY') {
    joining = d.members;
  }
  return { risk, reason: `UpdateProtectionGroup replaces the group: ${parts.join('; ')}`, joining };
}

/** Tag changes for a declared group whose policy manages tags: only the policy's keys and Charter's own. */
function planTags(doc: Doc, d: DesiredGroup, current: LiveGroup, liveTags: Record<string, string> | undefined): Change | undefined {
  if (d.tags === undefined || liveTags === undefined) return undefined;
  const wanted: Record<string, string | null> = Object.assign(Object.create(null) as Record<string, string | null>, d.tags, { [OWNER_TAG]: doc.name });
  const set: Record<string, string> = Object.create(null) as Record<string, string>;
  const remove: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    if (value === null) {
      if (key in liveTags) remove.push(key);
    } else if (liveTags[key] !== value) {
      set[key] = value;
    }
  }
  remove.sort(compareStrings);
  if (!Object.keys(set).length && !remove.length) return undefined;
  const keys = [...Object.keys(set), ...remove].sort(compareStrings);
  const before: Record<string, Json> = Object.create(null) as Record<string, Json>;
  const after: Record<string, Json> = Object.create(null) as Record<string, Json>;
  for (const key of keys) {
    if (key in liveTags) before[key] = liveTags[key];
    if (key in set) after[key] = set[key];
  }
  const owner = liveTags[OWNER_TAG];
  const reasons: string[] = [];
  if (OWNER_TAG in set) reasons.push(owner === undefined ? `marks the group as managed by this policy (${OWNER_TAG})` : `moves the group from policy ${owner} to ${doc.name}`);
  const userSet = Object.keys(set).filter((k) => k !== OWNER_TAG);
  if (userSet.length) reasons.push(`sets ${userSet.join(', ')}`);
  if (remove.length) reasons.push(`removes ${remove.join(', ')}`);
  return changeAt(doc, groupPath(d.index, 'tags'), {
    address: address(doc, d.id, '/tags'),
    action: 'update',
    title: `Tags of protection group ${d.id}`,
    before,
    after,
    risk: 'safe',
    reason: `Tags differ from the policy: ${reasons.join('; ')}`,
    phase: PHASE.tags,
    data: { op: 'tags', id: d.id, arn: current.arn, set, remove },
    // Only Charter's mark on a group no policy owned (after charter import): not counted by the change threshold.
    ...(owner === undefined && userSet.length === 0 && remove.length === 0 ? { adopts: true as const } : {}),
  });
}

/**
 * Tags Charter does not manage stay on the group, so the policy's tags plus those can pass AWS's 200 per
 * resource (the schema and lint only count the policy's): checked before apply, not left to TagResource.
 */
function tagLimitProblem(doc: Doc, d: DesiredGroup, liveTags: Record<string, string>, c: Change): Diagnostic | undefined {
  const { set, remove } = c.data as { set: Record<string, string>; remove: string[] };
  const keys = new Set([...Object.keys(liveTags), ...Object.keys(set)]);
  for (const key of remove) keys.delete(key);
  if (keys.size <= MAX_TAGS) return undefined;
  const others = Object.keys(liveTags).filter((k) => !(k in (d.tags ?? {})) && k !== OWNER_TAG).length;
  return diagnosticAt(doc, groupPath(d.index, 'tags'), 'shield/tag-limit-exceeded', 'error', `Group ${d.id} would carry ${keys.size} tags (${others} set outside this policy are kept); AWS allows ${MAX_TAGS} per protection group`, 'Remove tags from the group (set them to null in the policy to let Charter remove them), or set fewer.');
}

/** Undeclared groups tagged as this policy's are deleted; the others are left alone and reported once. */
function planPrune(doc: Doc, live: Live, declared: Map<string, unknown>): { changes: Change[]; diagnostics: Diagnostic[] } {
  const changes: Change[] = [];
  const leftAlone: string[] = [];
  for (const group of [...live.groups.values()].sort((a, b) => compareStrings(a.id, b.id))) {
    if (declared.has(group.id)) continue;
    const owner = live.tags.get(group.id)?.[OWNER_TAG];
    if (owner === doc.name) {
      changes.push(
        changeAt(doc, ['spec', 'prune'], {
          address: address(doc, group.id),
          action: 'delete',
          title: `Protection group ${group.id}`,
          before: groupJson(group),
          after: null,
          risk: 'destructive',
          reason: `Created by this policy (${OWNER_TAG}=${doc.name}) and no longer listed, with prune: true. Its members stay protected, but group-level detection and any alarms on the group's metrics stop.`,
          phase: PHASE.delete,
          data: { op: 'delete', id: group.id },
        }),
      );
    } else if (owner === undefined) {
      leftAlone.push(group.id);
    }
  }
  const diagnostics: Diagnostic[] = [];
  if (leftAlone.length) {
    const named = leftAlone.length <= LISTED_IDS ? leftAlone.join(', ') : `${leftAlone.slice(0, LISTED_IDS).join(', ')} and ${leftAlone.length - LISTED_IDS} more`;
    diagnostics.push(diagnosticAt(doc, ['spec', 'prune'], 'shield/groups-left-alone', 'notice', `${leftAlone.length} protection group(s) in the account are not Charter's and are left alone: ${named}`, `prune deletes only groups tagged ${OWNER_TAG}=${doc.name}. To let this policy manage one, declare it in spec.groups.`));
  }
  return { changes, diagnostics };
}

/**
 * The account's MaxProtectionGroups, checked in the order apply runs the changes: policy by policy (by
 * name), each policy's deletes before its creates. A prune in policy "b" frees its slot only after the
 * creates of policy "a" ran, so the count the account reaches on the way matters, not only the final one.
 */
function checkGroupLimit(docs: Doc[], live: Live, changes: Change[]): Diagnostic[] {
  const max = live.limits.maxProtectionGroups;
  if (max === undefined) return [];
  const ours = changes.filter((c) => c.kind === 'ProtectionGroups');
  const creates = ours.filter((c) => c.action === 'create');
  const deletes = ours.filter((c) => c.action === 'delete').length;
  const after = live.groups.size + creates.length - deletes;
  const out: Diagnostic[] = [];
  let count = live.groups.size;
  for (const doc of [...docs].sort((a, b) => compareStrings(a.name, b.name))) {
    count -= ours.filter((c) => c.policy === doc.name && c.action === 'delete').length;
    const own = creates.filter((c) => c.policy === doc.name);
    count += own.length;
    if (!own.length || count <= max) continue;
    const id = (own[0].data as { id: string }).id;
    const index = (doc.spec.groups ?? []).findIndex((g) => g.id === id);
    const detail = after <= max ? `; apply creates this policy's groups before the deletes of later policies free their slots, so the account reaches ${count} on the way` : '';
    out.push(diagnosticAt(doc, groupPath(index), 'shield/group-limit-exceeded', 'error', `The plan leaves ${after} protection groups in the account (${live.groups.size} now, ${creates.length} to create, ${deletes} to delete)${detail}; the subscription allows ${max}`, 'Declare fewer groups, prune groups you no longer need (in the same policy, or apply the pruning first), or ask AWS to raise the limit (DescribeSubscription shows it).'));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Apply

type Data = Record<string, Json>;

async function apply(changes: Change[], _docs: Doc[], ctx: RuntimeContext): Promise<ChangeResult[]> {
  const client = shieldClient(ctx.aws);
  const retry: LockRetry = { attempts: LOCK_ATTEMPTS, backoffMs: ctx.pollIntervalMs };
  const results: ChangeResult[] = [];
  for (const c of changes) {
    try {
      results.push({ address: c.address, status: 'applied', detail: await applyOne(client, c, retry) });
    } catch (error) {
      results.push({ address: c.address, status: 'failed', error: awsErrorMessage(error) });
      break;
    }
  }
  return results;
}

function groupFromData(data: Data): DesiredGroupWrite {
  const g = data.group as Record<string, Json>;
  return {
    id: String(data.id),
    aggregation: String(g.aggregation),
    pattern: String(g.pattern),
    resourceType: typeof g.resourceType === 'string' ? g.resourceType : undefined,
    members: Array.isArray(g.members) ? (g.members as string[]) : [],
  };
}

async function applyOne(client: ShieldClient, c: Change, retry: LockRetry): Promise<string> {
  const data = c.data as Data;
  const id = String(data.id);
  switch (data.op) {
    case 'create': {
      const group = groupFromData(data);
      for (let attempt = 1; ; attempt++) {
        try {
          await createProtectionGroup(client, group, data.tags as Record<string, string>);
          return `created protection group ${id}`;
        } catch (error) {
          if ((error as { name?: string }).name !== 'OptimisticLockException' || attempt >= retry.attempts) throw error;
          await sleep(retry.backoffMs * 2 ** (attempt - 1));
          const current = await describeProtectionGroup(client, id);
          if (current && sameGroup(current, group)) return `protection group ${id} exists as planned`;
        }
      }
    }
    case 'update': {
      const { attempts, alreadyDone } = await updateProtectionGroup(client, groupFromData(data), retry);
      if (alreadyDone) return `protection group ${id} already matched the policy after a concurrent change`;
      return attempts > 1 ? `updated protection group ${id} (after ${attempts - 1} OptimisticLockException retr${attempts === 2 ? 'y' : 'ies'})` : `updated protection group ${id}`;
    }
    case 'tags': {
      const arn = String(data.arn);
      await untagResource(client, arn, data.remove as string[]);
      await tagResource(client, arn, data.set as Record<string, string>);
      return `tags of protection group ${id} updated`;
    }
    case 'delete': {
      const { alreadyGone } = await deleteProtectionGroup(client, id, retry);
      return alreadyGone ? `protection group ${id} was already gone` : `deleted protection group ${id}`;
    }
    default:
      throw new Error(`Unknown ProtectionGroups change operation ${String(data.op)}`);
  }
}
