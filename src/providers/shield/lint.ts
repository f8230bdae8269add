/**
 * Offline rules for ProtectionGroups policies (docs/diagnostics-shield.md lists every code), the
 * desired group the plan step builds from, and the advice from the AWS post on protection groups.
 *
 * Advice heuristics (notices; they never block):
 * - blue/green: every member is an Application Load Balancer, there are at least two, and their names
 *   carry both a `blue` and a `green` token (split on `-` and `_`) → suggest SUM;
 * - CloudFront with its origins: at least one CloudFront distribution plus at least one origin-type
 *   member (ALB, Classic LB, Elastic IP) and nothing else → suggest MAX;
 * - peer services: at least two members, all ALBs or all CloudFront distributions, not a blue/green
 *   pair → suggest MEAN (a new service inherits the established peers' baseline);
 * - layer 3/4 acceleration: a group mixing Elastic IPs or Global Accelerators with other types, or
 *   pattern ALL → remind that only the Elastic IP and Global Accelerator members are mitigated faster;
 * - DDoSDetected alarms: raised by the plan step (reviewDdosAlarms) when a group is created or gains
 *   members, since only then does grouping change which alarms matter.
 */
import { invisibleCharacterDiagnostics } from '../../core/names.js';
import { sortDiagnostics, type Diagnostic, type Severity } from '../../core/diagnostics.js';
import { diagnosticAt, type PathSegment, type PolicyDocument } from '../../core/document.js';
import { compareStrings } from '../../core/json.js';
import type { LintContext } from '../../core/provider.js';
import { describeMember, L3L4_ACCELERATED, RESOURCE_TYPE_LABEL, type MemberInfo } from './arn.js';
import type { ProtectionGroup, ProtectionGroupsSpec, ResourceType } from './spec.generated.js';

type Doc = PolicyDocument<ProtectionGroupsSpec>;

/** Charter's ownership tag on the groups it creates; its value is the policy's metadata.name. */
export const OWNER_TAG = 'charter:policy';
/** AWS accepts at most 200 tags per protection group; Charter's ownership tag takes one. */
export const MAX_TAGS = 200;
export const RESERVED_TAG_PREFIXES = ['aws:', 'charter:'];

export interface DesiredGroup {
  id: string;
  aggregation: ProtectionGroup['aggregation'];
  pattern: ProtectionGroup['pattern'];
  resourceType?: ResourceType;
  /** Sorted; empty unless the pattern is ARBITRARY. */
  members: string[];
  /** Tags to set (values) and to remove (null), as written in the policy; undefined when the policy has no `tags` key. */
  tags?: Record<string, string | null>;
  /** Index of the group in spec.groups. */
  index: number;
}

/** The group as Charter will write it, from the policy. */
export function desiredGroup(group: ProtectionGroup, index: number): DesiredGroup {
  const out: DesiredGroup = {
    id: group.id,
    aggregation: group.aggregation,
    pattern: group.pattern,
    members: group.pattern === 'ARBITRARY' ? [...new Set(group.members ?? [])].sort(compareStrings) : [],
    index,
  };
  if (group.pattern === 'BY_RESOURCE_TYPE' && group.resourceType) out.resourceType = group.resourceType;
  if (group.tags !== undefined) {
    out.tags = Object.create(null) as Record<string, string>; // user keys: `__proto__` stays data
    for (const [key, value] of Object.entries(group.tags)) if (value !== undefined) out.tags[key] = value;
  }
  return out;
}

/** Tags a new group is created with: the policy's (null means absent) plus Charter's ownership tag. */
export function creationTags(doc: Pick<PolicyDocument, 'name'>, group: DesiredGroup): Record<string, string> {
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(group.tags ?? {})) if (value !== null) tags[key] = value;
  tags[OWNER_TAG] = doc.name;
  return tags;
}

export const groupPath = (index: number, ...rest: PathSegment[]): PathSegment[] => ['spec', 'groups', index, ...rest];

// ---------------------------------------------------------------------------------------------
// Lint

export async function lintProtectionGroups(docs: Doc[], _ctx: LintContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const ids = new Map<string, { doc: Doc; index: number }>();
  for (const doc of docs) {
    out.push(...invisibleCharacterDiagnostics(doc));
    const add = (path: PathSegment[], code: string, severity: Severity, message: string, hint?: string) => out.push(diagnosticAt(doc, path, code, severity, message, hint));
    const groups = doc.spec.groups ?? [];
    if (doc.spec.prune && groups.length === 0) {
      add(['spec', 'prune'], 'shield/prune-everything', 'warning', 'prune is on and the policy lists no groups: every protection group this policy created is deleted', 'List the groups to keep, or set prune: false.');
    }
    groups.forEach((group, index) => {
      const first = ids.get(group.id);
      if (first) {
        const at = first.doc.position(groupPath(first.index, 'id'));
        add(groupPath(index, 'id'), 'shield/duplicate-group-id', 'error', `Protection group ${group.id} is already declared${first.doc === doc ? '' : ` by ProtectionGroups policy "${first.doc.name}"`} (${at.file}:${at.line})`, 'Protection group ids are unique in the account: declare each group once.');
      } else {
        ids.set(group.id, { doc, index });
      }
      lintTags(group, index, add);
      lintMembers(group, index, add);
      for (const advice of groupAdvice(group)) add(advice.path(index), advice.code, 'notice', advice.message, advice.hint);
    });
  }
  return sortDiagnostics(out);
}

type Add = (path: PathSegment[], code: string, severity: Severity, message: string, hint?: string) => void;

function lintTags(group: ProtectionGroup, index: number, add: Add): void {
  const tags = group.tags;
  if (!tags) return;
  for (const key of Object.keys(tags)) {
    const prefix = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
    if (prefix) {
      add(groupPath(index, 'tags', key), 'shield/reserved-tag-key', 'error', `Tag key "${key}" uses the reserved prefix ${prefix}`, prefix === 'aws:' ? 'AWS reserves the aws: prefix for its own tags.' : `Charter writes ${OWNER_TAG} itself to mark the groups it owns; use another prefix.`);
    }
  }
  const set = Object.values(tags).filter((v) => v !== null && v !== undefined).length;
  if (set > MAX_TAGS - 1) {
    add(groupPath(index, 'tags'), 'shield/too-many-tags', 'error', `Group ${group.id} sets ${set} tags; with Charter's ${OWNER_TAG} tag that is over AWS's limit of ${MAX_TAGS}`, `Keep at most ${MAX_TAGS - 1} tags.`);
  }
}

function lintMembers(group: ProtectionGroup, index: number, add: Add): void {
  if (group.pattern !== 'ARBITRARY' || !group.members) return;
  const accounts = new Set(group.members.map((arn) => /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1]).filter((a): a is string => a !== undefined));
  if (accounts.size > 1) {
    add(groupPath(index, 'members'), 'shield/members-span-accounts', 'warning', `Group ${group.id} lists resources of ${accounts.size} accounts (${[...accounts].sort().join(', ')}); a protection group holds resources protected in its own account`, 'Keep one account per group; use Firewall Manager or one policy per account for the others.');
  }
}

// ---------------------------------------------------------------------------------------------
// Advice from the AWS post (notices)

export interface Advice {
  code: string;
  message: string;
  hint: string;
  path(index: number): PathSegment[];
}

const tokens = (name: string) => name.split(/[-_]/);

/** Members whose names carry both a `blue` and a `green` token. */
export function looksBlueGreen(members: readonly MemberInfo[]): boolean {
  return members.length >= 2 && members.some((m) => tokens(m.name).includes('blue')) && members.some((m) => tokens(m.name).includes('green'));
}

const ORIGIN_TYPES: ReadonlySet<ResourceType> = new Set(['APPLICATION_LOAD_BALANCER', 'CLASSIC_LOAD_BALANCER', 'ELASTIC_IP_ALLOCATION']);

/** The notices the seed's guidance gives for one group (see the heuristics at the top of this file). */
export function groupAdvice(group: ProtectionGroup): Advice[] {
  const out: Advice[] = [];
  if (group.pattern === 'ALL') {
    out.push({
      code: 'shield/l3l4-acceleration-scope',
      message: `Group ${group.id} holds every protected resource: faster layer 3/4 mitigation applies only to its Elastic IP and Global Accelerator members; the others only share the layer 7 baseline`,
      hint: 'Group Elastic IPs and accelerators that front the same application to get the acceleration where it matters.',
      path: (i) => groupPath(i, 'pattern'),
    });
  }
  if (group.pattern !== 'ARBITRARY' || !group.members?.length) return out;
  const members = group.members.map(describeMember).filter((m): m is MemberInfo => m !== undefined);
  if (members.length !== group.members.length) return out; // the schema reports ARNs of other shapes
  const types = new Set(members.map((m) => m.type));
  const count = (type: ResourceType) => members.filter((m) => m.type === type).length;
  const aggregationPath = (i: number) => groupPath(i, 'aggregation');
  const allOf = (type: ResourceType) => types.size === 1 && types.has(type);
  const blueGreen = allOf('APPLICATION_LOAD_BALANCER') && looksBlueGreen(members);

  if (blueGreen && group.aggregation !== 'SUM') {
    out.push({
      code: 'shield/suggest-sum-blue-green',
      message: `Group ${group.id} looks like a blue/green pair of Application Load Balancers (${members.map((m) => m.name).join(', ')}); with ${group.aggregation} the group baseline follows one environment, so shifting traffic to green can look like an attack`,
      hint: 'Use aggregation: SUM: total traffic stays the same while it moves between blue and green.',
      path: aggregationPath,
    });
  }
  const cloudFront = count('CLOUDFRONT_DISTRIBUTION');
  const origins = members.filter((m) => ORIGIN_TYPES.has(m.type)).length;
  if (cloudFront >= 1 && origins >= 1 && cloudFront + origins === members.length && group.aggregation !== 'MAX') {
    out.push({
      code: 'shield/suggest-max-cloudfront-origins',
      message: `Group ${group.id} combines ${cloudFront} CloudFront distribution(s) with ${origins} origin resource(s); with ${group.aggregation} a cache invalidation or origin failover can push an origin above the group baseline`,
      hint: "Use aggregation: MAX: the distribution's traffic, the highest in the group, becomes the group's baseline.",
      path: aggregationPath,
    });
  }
  const peers = members.length >= 2 && (allOf('APPLICATION_LOAD_BALANCER') || allOf('CLOUDFRONT_DISTRIBUTION')) && !blueGreen;
  if (peers && group.aggregation !== 'MEAN') {
    const label = RESOURCE_TYPE_LABEL[members[0].type];
    out.push({
      code: 'shield/suggest-mean-peer-services',
      message: `Group ${group.id} groups ${members.length} ${label}s of different services (${members.map((m) => m.name).join(', ')}); if they carry similar traffic, as services called together in one workflow do, ${group.aggregation} is not the aggregation the AWS guidance suggests`,
      hint: "Use aggregation: MEAN, so a new service inherits its peers' established baseline; keep SUM only for blue/green sets whose traffic moves between members.",
      path: aggregationPath,
    });
  }
  const accelerated = members.filter((m) => L3L4_ACCELERATED.has(m.type)).length;
  if (accelerated > 0 && accelerated < members.length) {
    out.push({
      code: 'shield/l3l4-acceleration-scope',
      message: `Only ${accelerated} of the ${members.length} members of ${group.id} are Elastic IPs or Global Accelerators: faster layer 3/4 mitigation applies to those alone; the others only share the layer 7 baseline`,
      hint: 'Nothing to change if that is intended; group the Elastic IPs and accelerators of one application together to get the acceleration.',
      path: (i) => groupPath(i, 'members'),
    });
  }
  return out;
}

/** Plan-time reminder when a group is created or gains members: review the per-resource DDoSDetected alarms. */
export function reviewDdosAlarms(doc: Doc, group: DesiredGroup, joining: readonly string[] | 'pattern'): Diagnostic {
  const what = joining === 'pattern' ? `the resources ${group.pattern === 'ALL' ? 'of the account' : `of type ${group.resourceType ?? '?'}`}` : `${joining.length} resource(s)`;
  return diagnosticAt(
    doc,
    groupPath(group.index),
    'shield/review-ddos-alarms',
    'notice',
    `${what} join protection group ${group.id}: Shield keeps detecting and alarming per resource, and adds a group-level DDoSDetected metric`,
    'Review the per-resource DDoSDetected alarms (the Shield onboarding wizard may have created them) and alarm on the group metric where it fits: grouping alone does not reduce notifications.',
  );
}
