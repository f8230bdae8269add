/**
 * AWS Shield Advanced (JSON 1.1, `X-Amz-Target: AWSShield_20160616.<Operation>`, signing name `shield`).
 *
 * Shield's endpoint is in us-east-1; the sandbox serves whatever region a client signs for. Protection
 * groups and protections live in `state.shield`; every call but DescribeSubscription needs a
 * subscription (`state.shield.subscription`), as on AWS.
 */
import { SandboxError } from '../errors.js';
import { uuidFrom } from '../ids.js';
import { jsonResponse, jsonTargetRouting, parseJsonBody, stringMember, type JsonObject } from './json-protocol.js';
import type { ServiceContext, ServiceHandler, ServiceResponse } from './types.js';
import { join, type Checker } from '../checker.js';
import { defineSection, nextCounter, normalizeTags, type SandboxState, type Tag } from '../section.js';

// ---------------------------------------------------------------------------------------------
// State: the `shield` section of the account file (Shield Advanced is us-east-1 and account-wide)

export type ShieldResourceType =
  | 'CLOUDFRONT_DISTRIBUTION'
  | 'ROUTE_53_HOSTED_ZONE'
  | 'ELASTIC_IP_ALLOCATION'
  | 'CLASSIC_LOAD_BALANCER'
  | 'APPLICATION_LOAD_BALANCER'
  | 'GLOBAL_ACCELERATOR';

export interface ShieldSubscription {
  startTime: string;
  timeCommitmentInSeconds: number;
  autoRenew: 'ENABLED' | 'DISABLED';
  limits: {
    /** ProtectionGroupLimits.MaxProtectionGroups. */
    maxProtectionGroups: number;
    /** ProtectionGroupLimits.PatternTypeLimits.ArbitraryPatternLimits.MaxMembers. */
    maxMembers: number;
  };
}

export interface ShieldProtection {
  id: string;
  name: string;
  resourceArn: string;
  tags: Tag[];
}

export interface ShieldProtectionGroup {
  id: string;
  arn: string;
  aggregation: 'SUM' | 'MEAN' | 'MAX';
  pattern: 'ALL' | 'ARBITRARY' | 'BY_RESOURCE_TYPE';
  resourceType?: ShieldResourceType;
  /** ARBITRARY groups only; empty otherwise. */
  members: string[];
  tags: Tag[];
}

export interface ShieldState {
  /** null: the account has no Shield Advanced subscription. */
  subscription: ShieldSubscription | null;
  protections: ShieldProtection[];
  protectionGroups: ShieldProtectionGroup[];
}

declare module '../section.js' {
  interface SandboxState {
    shield: ShieldState;
  }
}

export const SHIELD_RESOURCE_TYPES: readonly ShieldResourceType[] = [
  'CLOUDFRONT_DISTRIBUTION',
  'ROUTE_53_HOSTED_ZONE',
  'ELASTIC_IP_ALLOCATION',
  'CLASSIC_LOAD_BALANCER',
  'APPLICATION_LOAD_BALANCER',
  'GLOBAL_ACCELERATOR',
];
export const PROTECTION_GROUP_ID_RE = /^[a-zA-Z0-9-]{1,36}$/;
/** Sandbox defaults for an account whose state gives no limits. */
export const DEFAULT_SHIELD_LIMITS = { maxProtectionGroups: 100, maxMembers: 10_000 } as const;

const SHIELD_ARN_SHAPES: Array<[ShieldResourceType, RegExp]> = [
  ['CLOUDFRONT_DISTRIBUTION', /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/],
  ['ROUTE_53_HOSTED_ZONE', /^arn:aws[a-z-]*:route53:::hostedzone\/[A-Z0-9]+$/],
  ['ELASTIC_IP_ALLOCATION', /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:eip-allocation\/eipalloc-[0-9a-f]+$/],
  ['APPLICATION_LOAD_BALANCER', /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]+\/[0-9a-f]+$/],
  ['CLASSIC_LOAD_BALANCER', /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/[A-Za-z0-9-]+$/],
  ['GLOBAL_ACCELERATOR', /^arn:aws[a-z-]*:globalaccelerator::\d{12}:accelerator\/[0-9a-f-]+$/],
];

/** The Shield resource type of an ARN, or undefined when Shield Advanced cannot protect it. */
export function shieldResourceTypeOf(arn: string): ShieldResourceType | undefined {
  return SHIELD_ARN_SHAPES.find(([, re]) => re.test(arn))?.[0];
}

export function protectionGroupArn(accountId: string, id: string): string {
  return `arn:aws:shield::${accountId}:protection-group/${id}`;
}

export function protectionArn(accountId: string, id: string): string {
  return `arn:aws:shield::${accountId}:protection/${id}`;
}

function normalizeShield(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const s = c.object(value, 'shield');
  if (!s) return;
  c.known(s, ['subscription', 'protections', 'protectionGroups'], 'shield');
  // A shield section means a subscribed account unless it says `"subscription": null`.
  if (s.subscription !== null) {
    const sub = s.subscription === undefined ? {} : c.object(s.subscription, 'shield.subscription');
    if (sub) {
      c.known(sub, ['startTime', 'timeCommitmentInSeconds', 'autoRenew', 'limits'], 'shield.subscription');
      const autoRenew = c.string(sub, 'autoRenew', 'shield.subscription') ?? 'ENABLED';
      if (autoRenew !== 'ENABLED' && autoRenew !== 'DISABLED') c.fail('shield.subscription.autoRenew', `expected ENABLED or DISABLED, got ${JSON.stringify(autoRenew)}`);
      const limits = sub.limits === undefined ? {} : c.object(sub.limits, 'shield.subscription.limits');
      if (limits) c.known(limits, ['maxProtectionGroups', 'maxMembers'], 'shield.subscription.limits');
      state.shield.subscription = {
        startTime: c.timestamp(sub, 'startTime', 'shield.subscription') ?? iso,
        timeCommitmentInSeconds: c.integer(sub, 'timeCommitmentInSeconds', 'shield.subscription', 0, 2_147_483_647) ?? 31_536_000,
        autoRenew: autoRenew === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        limits: {
          maxProtectionGroups: (limits && c.integer(limits, 'maxProtectionGroups', 'shield.subscription.limits', 0, 1_000_000)) ?? DEFAULT_SHIELD_LIMITS.maxProtectionGroups,
          maxMembers: (limits && c.integer(limits, 'maxMembers', 'shield.subscription.limits', 0, 1_000_000)) ?? DEFAULT_SHIELD_LIMITS.maxMembers,
        },
      };
    }
  }
  const protectedArns = new Set<string>();
  const protectionIds = new Set<string>();
  c.array(s, 'protections', 'shield').forEach((v, i) => {
    const path = `shield.protections[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['id', 'name', 'resourceArn', 'tags'], path);
    const resourceArn = c.string(o, 'resourceArn', path, true);
    if (resourceArn === undefined) return;
    if (!shieldResourceTypeOf(resourceArn)) c.fail(join(path, 'resourceArn'), `not an ARN Shield Advanced protects (CloudFront distribution, Route 53 hosted zone, Elastic IP allocation, Classic or Application Load Balancer, Global Accelerator): ${JSON.stringify(resourceArn)}`);
    if (protectedArns.has(resourceArn)) c.fail(join(path, 'resourceArn'), `${resourceArn} is already protected`);
    protectedArns.add(resourceArn);
    const id = c.string(o, 'id', path) ?? uuidFrom('shield-protection', state.accountId, resourceArn);
    if (protectionIds.has(id)) c.fail(join(path, 'id'), `duplicate protection id ${id}`);
    protectionIds.add(id);
    state.shield.protections.push({ id, name: c.string(o, 'name', path) ?? resourceArn.slice(resourceArn.lastIndexOf('/') + 1), resourceArn, tags: normalizeTags(c, o.tags, join(path, 'tags')) });
  });
  const groupIds = new Set<string>();
  c.array(s, 'protectionGroups', 'shield').forEach((v, i) => {
    const path = `shield.protectionGroups[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['id', 'arn', 'aggregation', 'pattern', 'resourceType', 'members', 'tags'], path);
    const id = c.string(o, 'id', path, true);
    const aggregation = c.string(o, 'aggregation', path, true);
    const pattern = c.string(o, 'pattern', path, true);
    if (id === undefined || aggregation === undefined || pattern === undefined) return;
    if (!PROTECTION_GROUP_ID_RE.test(id)) c.fail(join(path, 'id'), `expected 1-36 letters, digits and hyphens, got ${JSON.stringify(id)}`);
    if (groupIds.has(id)) c.fail(join(path, 'id'), `duplicate protection group ${id}`);
    groupIds.add(id);
    if (!['SUM', 'MEAN', 'MAX'].includes(aggregation)) c.fail(join(path, 'aggregation'), `expected SUM, MEAN or MAX, got ${JSON.stringify(aggregation)}`);
    if (!['ALL', 'ARBITRARY', 'BY_RESOURCE_TYPE'].includes(pattern)) c.fail(join(path, 'pattern'), `expected ALL, ARBITRARY or BY_RESOURCE_TYPE, got ${JSON.stringify(pattern)}`);
    const resourceType = c.string(o, 'resourceType', path);
    if (resourceType !== undefined && !SHIELD_RESOURCE_TYPES.includes(resourceType as ShieldResourceType)) c.fail(join(path, 'resourceType'), `expected one of ${SHIELD_RESOURCE_TYPES.join(', ')}, got ${JSON.stringify(resourceType)}`);
    if ((pattern === 'BY_RESOURCE_TYPE') !== (resourceType !== undefined)) c.fail(join(path, 'resourceType'), 'resourceType is required with pattern BY_RESOURCE_TYPE and allowed only there');
    const members = c.stringList(o, 'members', path);
    // The saved form writes `members: []` for every pattern, as ListProtectionGroups does.
    if (pattern === 'ARBITRARY' ? members === undefined : (members ?? []).length > 0) c.fail(join(path, 'members'), 'members are required with pattern ARBITRARY and allowed only there');
    for (const [j, m] of (members ?? []).entries()) {
      if (!protectedArns.has(m)) c.fail(`${path}.members[${j}]`, `${m} is not in shield.protections (a member must be a protected resource)`);
    }
    const group: ShieldProtectionGroup = {
      id,
      arn: c.string(o, 'arn', path) ?? protectionGroupArn(state.accountId, id),
      aggregation: aggregation as ShieldProtectionGroup['aggregation'],
      pattern: pattern as ShieldProtectionGroup['pattern'],
      members: [...new Set(members ?? [])],
      tags: normalizeTags(c, o.tags, join(path, 'tags')),
    };
    if (resourceType !== undefined) group.resourceType = resourceType as ShieldResourceType;
    state.shield.protectionGroups.push(group);
  });
}

const shieldState = defineSection({ key: 'shield', empty: () => ({ subscription: null, protections: [], protectionGroups: [] }), load: normalizeShield });


const TARGET_PREFIX = 'AWSShield_20160616.';
const MUTATING = new Set([
  'CreateProtectionGroup',
  'UpdateProtectionGroup',
  'DeleteProtectionGroup',
  'TagResource',
  'UntagResource',
  'CreateProtection',
  'DeleteProtection',
]);
const AGGREGATIONS = ['SUM', 'MEAN', 'MAX'];
const PATTERNS = ['ALL', 'ARBITRARY', 'BY_RESOURCE_TYPE'];
const MAX_TAGS = 200;
const DEFAULT_PAGE = 20;
const MAX_PAGE = 10_000;
const TAG_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const PROTECTION_NAME_RE = /^[ a-zA-Z0-9_.-]{1,128}$/;
const SHIELD_ARN_RE = /^arn:aws[a-z-]*:shield::(\d{12}):(protection-group|protection)\/(.+)$/;

type Json = JsonObject;

const invalid = (message: string, field?: string): SandboxError =>
  new SandboxError(400, 'InvalidParameterException', message, field ? { reason: 'FIELD_VALIDATION_FAILED', field } : { reason: 'OTHER' });
const notFound = (message: string, resourceType: string): SandboxError => new SandboxError(400, 'ResourceNotFoundException', message, { resourceType });

function str(body: Json, key: string, required: true): string;
function str(body: Json, key: string, required?: false): string | undefined;
function str(body: Json, key: string, required = false): string | undefined {
  return stringMember(body, key, required ? (k) => invalid(`${k} is required`, k) : undefined);
}

function strList(body: Json, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SandboxError(400, 'SerializationException', `${key} must be a list of strings`);
  return v as string[];
}

function shield(ctx: ServiceContext): ShieldState {
  if (!ctx.state.shield.subscription) throw notFound('The subscription does not exist.', 'subscription');
  return ctx.state.shield;
}

function groupOf(s: ShieldState, id: string): ShieldProtectionGroup {
  const group = s.protectionGroups.find((g) => g.id === id);
  if (!group) throw notFound(`The referenced protection group ${id} does not exist.`, 'protection-group');
  return group;
}

function tagsJson(tags: readonly Tag[]): Array<{ Key: string; Value: string }> {
  return tags.map((t) => ({ Key: t.key, Value: t.value ?? '' }));
}

function parseTags(value: unknown): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new SandboxError(400, 'SerializationException', 'Tags must be a list');
  if (value.length > MAX_TAGS) throw invalid(`At most ${MAX_TAGS} tags are allowed, got ${value.length}`, 'Tags');
  const seen = new Set<string>();
  return value.map((t: unknown) => {
    const o = (typeof t === 'object' && t !== null ? t : {}) as Json;
    const key = o.Key;
    const val = o.Value ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_RE.test(key)) throw invalid(`Invalid tag key ${JSON.stringify(key)}: 1-128 letters, digits, spaces and _ . : / = + - @`, 'Tags');
    if (typeof val !== 'string' || val.length > 256 || !TAG_RE.test(val)) throw invalid(`Invalid value for tag ${key}: at most 256 letters, digits, spaces and _ . : / = + - @`, 'Tags');
    if (key.toLowerCase().startsWith('aws:')) throw invalid(`Tag key ${key} uses the reserved prefix aws:`, 'Tags');
    if (seen.has(key)) throw invalid(`Duplicate tag key ${key}`, 'Tags');
    seen.add(key);
    return { key, value: val };
  });
}

function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const merged = [...current];
  for (const t of added) {
    const i = merged.findIndex((m) => m.key === t.key);
    if (i >= 0) merged[i] = t;
    else merged.push(t);
  }
  if (merged.length > MAX_TAGS) throw invalid(`A resource can have at most ${MAX_TAGS} tags`, 'Tags');
  return merged;
}

/** The ARNs a group covers: its list, or the protected resources its pattern selects. */
function membersOf(s: ShieldState, g: ShieldProtectionGroup): string[] {
  if (g.pattern === 'ARBITRARY') return g.members;
  return s.protections.filter((p) => g.pattern === 'ALL' || shieldResourceTypeOf(p.resourceArn) === g.resourceType).map((p) => p.resourceArn);
}

function groupJson(g: ShieldProtectionGroup): Json {
  const out: Json = { ProtectionGroupId: g.id, Aggregation: g.aggregation, Pattern: g.pattern, Members: g.pattern === 'ARBITRARY' ? g.members : [], ProtectionGroupArn: g.arn };
  if (g.resourceType) out.ResourceType = g.resourceType;
  return out;
}

/** The group described by a Create/UpdateProtectionGroup request, validated as Shield does. */
function groupFromRequest(body: Json, s: ShieldState, op: 'create' | 'update'): Omit<ShieldProtectionGroup, 'arn' | 'tags'> {
  const id = str(body, 'ProtectionGroupId', true);
  if (!PROTECTION_GROUP_ID_RE.test(id)) throw invalid(`ProtectionGroupId must be 1-36 letters, digits and hyphens, got ${JSON.stringify(id)}`, 'ProtectionGroupId');
  const aggregation = str(body, 'Aggregation', true);
  if (!AGGREGATIONS.includes(aggregation)) throw invalid(`Aggregation must be one of ${AGGREGATIONS.join(', ')}`, 'Aggregation');
  const pattern = str(body, 'Pattern', true);
  if (!PATTERNS.includes(pattern)) throw invalid(`Pattern must be one of ${PATTERNS.join(', ')}`, 'Pattern');
  const resourceType = str(body, 'ResourceType');
  if (pattern === 'BY_RESOURCE_TYPE' && resourceType === undefined) throw invalid('ResourceType must be set when Pattern is BY_RESOURCE_TYPE', 'ResourceType');
  if (pattern !== 'BY_RESOURCE_TYPE' && resourceType !== undefined) throw invalid('ResourceType must not be set unless Pattern is BY_RESOURCE_TYPE', 'ResourceType');
  if (resourceType !== undefined && !SHIELD_RESOURCE_TYPES.includes(resourceType as ShieldResourceType)) throw invalid(`ResourceType must be one of ${SHIELD_RESOURCE_TYPES.join(', ')}`, 'ResourceType');
  const members = strList(body, 'Members');
  if (pattern === 'ARBITRARY' && members === undefined) throw invalid('Members must be set when Pattern is ARBITRARY', 'Members');
  if (pattern !== 'ARBITRARY' && members !== undefined && members.length > 0) throw invalid('Members must not be set unless Pattern is ARBITRARY', 'Members');
  const list = pattern === 'ARBITRARY' ? (members ?? []) : [];
  const limit = s.subscription?.limits.maxMembers ?? MAX_PAGE;
  if (list.length > limit) {
    const message = `A protection group with pattern ARBITRARY can have at most ${limit} members, got ${list.length}`;
    // LimitsExceededException is among CreateProtectionGroup's documented errors, not UpdateProtectionGroup's.
    if (op === 'update') throw invalid(message, 'Members');
    throw new SandboxError(400, 'LimitsExceededException', message, { Type: 'ARBITRARY_PATTERN_MEMBERS', Limit: String(limit) });
  }
  const seen = new Set<string>();
  for (const m of list) {
    if (m.length < 1 || m.length > 2048) throw invalid('Each member ARN must be 1-2048 characters', 'Members');
    if (seen.has(m)) throw invalid(`Duplicate member ${m}`, 'Members');
    seen.add(m);
    if (!s.protections.some((p) => p.resourceArn === m)) throw invalid(`Member ${m} is not a resource protected by Shield Advanced`, 'Members');
  }
  const group: Omit<ShieldProtectionGroup, 'arn' | 'tags'> = {
    id,
    aggregation: aggregation as ShieldProtectionGroup['aggregation'],
    pattern: pattern as ShieldProtectionGroup['pattern'],
    members: list,
  };
  if (resourceType !== undefined) group.resourceType = resourceType as ShieldResourceType;
  return group;
}

/** MaxResults (0-10,000; 0 or absent = 20) and the sandbox's NextToken (`base64("sandbox:<offset>")`). */
function paging(body: Json): { start: number; size: number } {
  const raw = body.MaxResults;
  let size = DEFAULT_PAGE;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_PAGE) throw invalid(`MaxResults must be an integer from 0 to ${MAX_PAGE}`, 'MaxResults');
    if (raw > 0) size = raw;
  }
  const token = str(body, 'NextToken');
  if (token === undefined) return { start: 0, size };
  const decoded = token.length <= 4096 ? Buffer.from(token, 'base64').toString('utf8') : '';
  const m = /^sandbox:(\d+)$/.exec(decoded);
  if (!m) throw new SandboxError(400, 'InvalidPaginationTokenException', 'The NextToken is invalid. Use the NextToken value that the previous response returned.');
  return { start: Number(m[1]), size };
}

function page<T>(items: readonly T[], start: number, size: number): { items: T[]; nextToken?: string } {
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, nextToken: Buffer.from(`sandbox:${start + size}`).toString('base64') } : { items: slice };
}

function filterList(filters: Json, key: string): string[] | undefined {
  const list = strList(filters, key);
  if (list !== undefined && list.length !== 1) throw invalid(`InclusionFilters.${key} takes exactly one value`, `InclusionFilters.${key}`);
  return list;
}

/** A taggable Shield resource of this account: a protection group or a protection. */
function taggable(s: ShieldState, ctx: ServiceContext, arn: string): ShieldProtectionGroup | ShieldProtection {
  const m = SHIELD_ARN_RE.exec(arn);
  if (!m) throw new SandboxError(400, 'InvalidResourceException', `${arn} is not the ARN of a Shield Advanced protection or protection group.`);
  const found = m[2] === 'protection-group' ? s.protectionGroups.find((g) => g.arn === arn) : s.protections.find((p) => protectionArn(ctx.state.accountId, p.id) === arn);
  if (!found || m[1] !== ctx.state.accountId) throw notFound(`The referenced resource ${arn} does not exist.`, m[2]);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Operations

const operations: Record<string, (body: Json, ctx: ServiceContext) => ServiceResponse> = {
  DescribeSubscription(_body, ctx) {
    const sub = shield(ctx).subscription!;
    const start = Date.parse(sub.startTime) / 1000;
    return jsonResponse({
      Subscription: {
        StartTime: start,
        EndTime: start + sub.timeCommitmentInSeconds,
        TimeCommitmentInSeconds: sub.timeCommitmentInSeconds,
        AutoRenew: sub.autoRenew,
        Limits: [],
        ProactiveEngagementStatus: 'DISABLED',
        SubscriptionLimits: {
          ProtectionLimits: { ProtectedResourceTypeLimits: [] },
          ProtectionGroupLimits: {
            MaxProtectionGroups: sub.limits.maxProtectionGroups,
            PatternTypeLimits: { ArbitraryPatternLimits: { MaxMembers: sub.limits.maxMembers } },
          },
        },
        SubscriptionArn: `arn:aws:shield::${ctx.state.accountId}:subscription/${uuidFrom('shield-subscription', ctx.state.accountId).replace(/-/g, '').slice(0, 20)}`,
      },
    });
  },

  CreateProtectionGroup(body, ctx) {
    const s = shield(ctx);
    const group = groupFromRequest(body, s, 'create');
    const tags = parseTags(body.Tags);
    if (s.protectionGroups.some((g) => g.id === group.id)) {
      throw new SandboxError(400, 'ResourceAlreadyExistsException', `A protection group with id ${group.id} already exists.`, { resourceType: 'protection-group' });
    }
    const max = s.subscription!.limits.maxProtectionGroups;
    if (s.protectionGroups.length >= max) {
      throw new SandboxError(400, 'LimitsExceededException', `The account already has ${s.protectionGroups.length} protection groups; the limit is ${max}.`, { Type: 'PROTECTION_GROUP', Limit: String(max) });
    }
    s.protectionGroups.push({ ...group, arn: protectionGroupArn(ctx.state.accountId, group.id), tags });
    ctx.changed();
    return jsonResponse({});
  },

  UpdateProtectionGroup(body, ctx) {
    const s = shield(ctx);
    const current = groupOf(s, str(body, 'ProtectionGroupId', true));
    const group = groupFromRequest(body, s, 'update');
    // UpdateProtectionGroup replaces the group: fields left out are cleared.
    delete current.resourceType;
    Object.assign(current, group);
    ctx.changed();
    return jsonResponse({});
  },

  DeleteProtectionGroup(body, ctx) {
    const s = shield(ctx);
    const group = groupOf(s, str(body, 'ProtectionGroupId', true));
    s.protectionGroups = s.protectionGroups.filter((g) => g !== group);
    ctx.changed();
    return jsonResponse({});
  },

  DescribeProtectionGroup(body, ctx) {
    const s = shield(ctx);
    return jsonResponse({ ProtectionGroup: groupJson(groupOf(s, str(body, 'ProtectionGroupId', true))) });
  },

  ListProtectionGroups(body, ctx) {
    const s = shield(ctx);
    const { start, size } = paging(body);
    const filters = (body.InclusionFilters ?? {}) as Json;
    const ids = filterList(filters, 'ProtectionGroupIds');
    const patterns = filterList(filters, 'Patterns');
    const types = filterList(filters, 'ResourceTypes');
    const aggregations = filterList(filters, 'Aggregations');
    const matching = [...s.protectionGroups]
      .filter((g) => (!ids || ids.includes(g.id)) && (!patterns || patterns.includes(g.pattern)) && (!types || types.includes(g.resourceType ?? '')) && (!aggregations || aggregations.includes(g.aggregation)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const p = page(matching, start, size);
    return jsonResponse({ ProtectionGroups: p.items.map(groupJson), ...(p.nextToken ? { NextToken: p.nextToken } : {}) });
  },

  ListResourcesInProtectionGroup(body, ctx) {
    const s = shield(ctx);
    const group = groupOf(s, str(body, 'ProtectionGroupId', true));
    const { start, size } = paging(body);
    const p = page(membersOf(s, group), start, size);
    return jsonResponse({ ResourceArns: p.items, ...(p.nextToken ? { NextToken: p.nextToken } : {}) });
  },

  CreateProtection(body, ctx) {
    const s = shield(ctx);
    const name = str(body, 'Name', true);
    if (!PROTECTION_NAME_RE.test(name)) throw invalid('Name must be 1-128 letters, digits, spaces, underscores, dots and hyphens', 'Name');
    const resourceArn = str(body, 'ResourceArn', true);
    if (!shieldResourceTypeOf(resourceArn)) throw new SandboxError(400, 'InvalidResourceException', `Shield Advanced cannot protect ${resourceArn}.`);
    if (s.protections.some((p) => p.resourceArn === resourceArn)) {
      throw new SandboxError(400, 'ResourceAlreadyExistsException', `${resourceArn} is already protected.`, { resourceType: 'protection' });
    }
    const id = uuidFrom('shield-protection', ctx.state.accountId, resourceArn, String(nextCounter(ctx.state, 'shieldProtection')));
    s.protections.push({ id, name, resourceArn, tags: parseTags(body.Tags) });
    ctx.changed();
    return jsonResponse({ ProtectionId: id });
  },

  DescribeProtection(body, ctx) {
    const s = shield(ctx);
    const id = str(body, 'ProtectionId');
    const arn = str(body, 'ResourceArn');
    if ((id === undefined) === (arn === undefined)) throw invalid('Give either ProtectionId or ResourceArn, not both');
    const p = s.protections.find((x) => (id !== undefined ? x.id === id : x.resourceArn === arn));
    if (!p) throw notFound('The referenced protection does not exist.', 'protection');
    return jsonResponse({ Protection: protectionJson(ctx, p) });
  },

  DeleteProtection(body, ctx) {
    const s = shield(ctx);
    const id = str(body, 'ProtectionId', true);
    const p = s.protections.find((x) => x.id === id);
    if (!p) throw notFound('The referenced protection does not exist.', 'protection');
    s.protections = s.protections.filter((x) => x !== p);
    // An unprotected resource cannot stay in a group.
    for (const g of s.protectionGroups) g.members = g.members.filter((m) => m !== p.resourceArn);
    ctx.changed();
    return jsonResponse({});
  },

  ListProtections(body, ctx) {
    const s = shield(ctx);
    const { start, size } = paging(body);
    const filters = (body.InclusionFilters ?? {}) as Json;
    const arns = filterList(filters, 'ResourceArns');
    const names = filterList(filters, 'ProtectionNames');
    const types = filterList(filters, 'ResourceTypes');
    const matching = s.protections.filter(
      (p) => (!arns || arns.includes(p.resourceArn)) && (!names || names.includes(p.name)) && (!types || types.includes(shieldResourceTypeOf(p.resourceArn) ?? '')),
    );
    const p = page(matching, start, size);
    return jsonResponse({ Protections: p.items.map((x) => protectionJson(ctx, x)), ...(p.nextToken ? { NextToken: p.nextToken } : {}) });
  },

  ListTagsForResource(body, ctx) {
    const s = shield(ctx);
    return jsonResponse({ Tags: tagsJson(taggable(s, ctx, str(body, 'ResourceARN', true)).tags) });
  },

  TagResource(body, ctx) {
    const s = shield(ctx);
    const target = taggable(s, ctx, str(body, 'ResourceARN', true));
    // Tags is required; the list may be empty (TagList: 0-200 items).
    if (body.Tags === undefined || body.Tags === null) throw invalid('Tags is required', 'Tags');
    target.tags = mergeTags(target.tags, parseTags(body.Tags));
    ctx.changed();
    return jsonResponse({});
  },

  UntagResource(body, ctx) {
    const s = shield(ctx);
    const target = taggable(s, ctx, str(body, 'ResourceARN', true));
    const keys = strList(body, 'TagKeys');
    // TagKeys is required; TagKeyList holds 0-200 keys.
    if (!keys) throw invalid('TagKeys is required', 'TagKeys');
    if (keys.length > MAX_TAGS) throw invalid(`TagKeys must list at most ${MAX_TAGS} keys`, 'TagKeys');
    target.tags = target.tags.filter((t) => !keys.includes(t.key));
    ctx.changed();
    return jsonResponse({});
  },
};

function protectionJson(ctx: ServiceContext, p: ShieldProtection): Json {
  return { Id: p.id, Name: p.name, ResourceArn: p.resourceArn, ProtectionArn: protectionArn(ctx.state.accountId, p.id), HealthCheckIds: [] };
}

// ---------------------------------------------------------------------------------------------

export const shieldService: ServiceHandler = {
  state: shieldState,
  name: 'shield',
  ...jsonTargetRouting(TARGET_PREFIX),
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    const fn = operations[op];
    if (!fn) throw new SandboxError(400, 'UnknownOperationException', `The Charter sandbox does not implement Shield operation ${op}`);
    return fn(parseJsonBody(req), ctx);
  },
  renderError(err, req) {
    const body: Json = { __type: err.code, message: err.message };
    for (const [key, value] of Object.entries(err.fields)) {
      if (key === 'Limit') body.Limit = Number(value);
      else if (key === 'field') body.fields = [{ name: value, message: err.message }];
      else body[key] = value;
    }
    return { status: err.status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': req.requestId }, body: JSON.stringify(body) };
  },
  throttleError: () => new SandboxError(400, 'ThrottlingException', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'InvalidParameterException', 'Injected failure (sandbox failNthWrite)', { reason: 'OTHER' }),
};
