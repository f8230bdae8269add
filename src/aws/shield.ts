/**
 * AWS Shield Advanced: the protection-group and protection calls Charter makes. Shield's API endpoint is
 * in us-east-1 whatever region the rest of Charter uses; requests are rate-limited per service like every
 * other client (default 10 requests/second, `requestsPerSecond.shield` overrides it).
 */
import {
  CreateProtectionGroupCommand,
  DeleteProtectionGroupCommand,
  DescribeProtectionGroupCommand,
  DescribeSubscriptionCommand,
  ListProtectionGroupsCommand,
  ListProtectionsCommand,
  ListTagsForResourceCommand,
  ShieldClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateProtectionGroupCommand,
  type ListProtectionGroupsCommandOutput,
  type ListProtectionsCommandOutput,
  type ProtectedResourceType,
  type ProtectionGroupAggregation,
  type ProtectionGroupPattern,
} from '@aws-sdk/client-shield';
import { compareStrings } from '../core/json.js';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';

export const SHIELD_REGION = 'us-east-1';
/** Groups asked for per ListProtectionGroups page (members included): one call per 100 groups. */
export const GROUPS_PAGE_SIZE = 100;
/** Protections asked for per ListProtections page (Shield's maximum). */
export const PROTECTIONS_PAGE_SIZE = 10_000;

export interface LiveGroup {
  id: string;
  arn: string;
  aggregation: string;
  pattern: string;
  resourceType?: string;
  /** Sorted; the ARBITRARY list only (empty for ALL and BY_RESOURCE_TYPE, whatever the listing says). */
  members: string[];
}

export interface LiveProtection {
  id: string;
  name: string;
  resourceArn: string;
}

export interface ShieldLimits {
  maxProtectionGroups?: number;
  maxMembers?: number;
}

export interface DesiredGroupWrite {
  id: string;
  aggregation: string;
  pattern: string;
  resourceType?: string;
  members: string[];
}

export function shieldClient(settings: AwsSettings): ShieldClient {
  return cachedClient(settings, 'shield', () => withRateLimit(new ShieldClient(clientConfig(settings, 'shield', SHIELD_REGION)), settings, 'shield'));
}

const errorName = (error: unknown): string | undefined => (error as { name?: string })?.name;

/**
 * The subscription's protection group limits, or undefined when the account has no Shield Advanced
 * subscription (DescribeSubscription answers ResourceNotFoundException).
 */
export async function describeSubscription(client: ShieldClient): Promise<ShieldLimits | undefined> {
  try {
    const out = await client.send(new DescribeSubscriptionCommand({}));
    const limits = out.Subscription?.SubscriptionLimits?.ProtectionGroupLimits;
    return { maxProtectionGroups: limits?.MaxProtectionGroups, maxMembers: limits?.PatternTypeLimits?.ArbitraryPatternLimits?.MaxMembers };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export function toLiveGroup(g: { ProtectionGroupId?: string; ProtectionGroupArn?: string; Aggregation?: string; Pattern?: string; ResourceType?: string; Members?: string[] }): LiveGroup {
  const group: LiveGroup = {
    id: g.ProtectionGroupId ?? '',
    arn: g.ProtectionGroupArn ?? '',
    aggregation: g.Aggregation ?? '',
    pattern: g.Pattern ?? '',
    // Members is a required field of every ProtectionGroup in the response. Only an ARBITRARY group's list
    // is configuration; for ALL and BY_RESOURCE_TYPE whatever Shield reports there is derived from the
    // pattern, and comparing it with the policy (which has no members there) would plan an update forever.
    members: g.Pattern === 'ARBITRARY' ? [...(g.Members ?? [])].sort(compareStrings) : [],
  };
  if (g.ResourceType) group.resourceType = g.ResourceType;
  return group;
}

/**
 * Every protection group, members included, 100 a page. With a subscription, Shield may answer a listing
 * of nothing with ResourceNotFoundException: that is an empty list.
 */
export async function listProtectionGroups(client: ShieldClient): Promise<LiveGroup[]> {
  const groups: LiveGroup[] = [];
  let token: string | undefined;
  try {
    do {
      const page: ListProtectionGroupsCommandOutput = await client.send(new ListProtectionGroupsCommand({ MaxResults: GROUPS_PAGE_SIZE, NextToken: token }));
      for (const g of page.ProtectionGroups ?? []) groups.push(toLiveGroup(g));
      token = page.NextToken;
    } while (token);
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException' && groups.length === 0) return [];
    throw error;
  }
  return groups;
}

/** Every Shield Advanced protection (one per protected resource), 10,000 a page. */
export async function listProtections(client: ShieldClient): Promise<LiveProtection[]> {
  const out: LiveProtection[] = [];
  let token: string | undefined;
  try {
    do {
      const page: ListProtectionsCommandOutput = await client.send(new ListProtectionsCommand({ MaxResults: PROTECTIONS_PAGE_SIZE, NextToken: token }));
      for (const p of page.Protections ?? []) out.push({ id: p.Id ?? '', name: p.Name ?? '', resourceArn: p.ResourceArn ?? '' });
      token = page.NextToken;
    } while (token);
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException' && out.length === 0) return [];
    throw error;
  }
  return out;
}

export async function describeProtectionGroup(client: ShieldClient, id: string): Promise<LiveGroup | undefined> {
  try {
    const out = await client.send(new DescribeProtectionGroupCommand({ ProtectionGroupId: id }));
    return out.ProtectionGroup ? toLiveGroup(out.ProtectionGroup) : undefined;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function listTags(client: ShieldClient, arn: string): Promise<Record<string, string>> {
  const out = await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

function groupInput(g: DesiredGroupWrite) {
  return {
    ProtectionGroupId: g.id,
    Aggregation: g.aggregation as ProtectionGroupAggregation,
    Pattern: g.pattern as ProtectionGroupPattern,
    ResourceType: g.resourceType as ProtectedResourceType | undefined,
    Members: g.pattern === 'ARBITRARY' ? g.members : undefined,
  };
}

export async function createProtectionGroup(client: ShieldClient, g: DesiredGroupWrite, tags: Record<string, string>): Promise<void> {
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  await client.send(new CreateProtectionGroupCommand({ ...groupInput(g), Tags: Tags.length ? Tags : undefined }));
}

export interface LockRetry {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled for each further one. */
  backoffMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sameGroup(live: LiveGroup, desired: DesiredGroupWrite): boolean {
  return (
    live.aggregation === desired.aggregation &&
    live.pattern === desired.pattern &&
    (live.resourceType ?? '') === (desired.resourceType ?? '') &&
    live.members.length === desired.members.length &&
    live.members.every((m, i) => m === desired.members[i])
  );
}

/**
 * Replaces the group (UpdateProtectionGroup sets every field). On OptimisticLockException, someone else
 * changed the group at the same moment: re-read it and, unless it already is what the policy wants, send
 * the update again, at most `retry.attempts` times in all. Returns how many attempts it took.
 */
export async function updateProtectionGroup(client: ShieldClient, g: DesiredGroupWrite, retry: LockRetry): Promise<{ attempts: number; alreadyDone: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new UpdateProtectionGroupCommand(groupInput(g)));
      return { attempts: attempt, alreadyDone: false };
    } catch (error) {
      if (errorName(error) !== 'OptimisticLockException' || attempt >= retry.attempts) throw error;
      await sleep(retry.backoffMs * 2 ** (attempt - 1));
      const current = await describeProtectionGroup(client, g.id);
      if (!current) throw new Error(`Protection group ${g.id} was deleted while Charter was updating it`);
      if (sameGroup(current, g)) return { attempts: attempt, alreadyDone: true };
    }
  }
}

/** Deletes a group, retrying OptimisticLockException like updates; a group already gone counts as deleted. */
export async function deleteProtectionGroup(client: ShieldClient, id: string, retry: LockRetry): Promise<{ attempts: number; alreadyGone: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new DeleteProtectionGroupCommand({ ProtectionGroupId: id }));
      return { attempts: attempt, alreadyGone: false };
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return { attempts: attempt, alreadyGone: true };
      if (errorName(error) !== 'OptimisticLockException' || attempt >= retry.attempts) throw error;
      await sleep(retry.backoffMs * 2 ** (attempt - 1));
    }
  }
}

export async function tagResource(client: ShieldClient, arn: string, tags: Record<string, string>): Promise<void> {
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  if (Tags.length) await client.send(new TagResourceCommand({ ResourceARN: arn, Tags }));
}

export async function untagResource(client: ShieldClient, arn: string, keys: string[]): Promise<void> {
  if (keys.length) await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: keys }));
}
