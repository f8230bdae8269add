import {
  CreateProtectionCommand,
  CreateProtectionGroupCommand,
  DeleteProtectionCommand,
  DeleteProtectionGroupCommand,
  DescribeProtectionGroupCommand,
  DescribeSubscriptionCommand,
  InvalidPaginationTokenException,
  InvalidParameterException,
  LimitsExceededException,
  ListProtectionGroupsCommand,
  ListProtectionsCommand,
  ListResourcesInProtectionGroupCommand,
  ListTagsForResourceCommand,
  OptimisticLockException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ShieldClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateProtectionGroupCommand,
} from '@aws-sdk/client-shield';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeState, SandboxStateError, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { serializeState } from '../../src/sandbox/state.js';
import { credentials, errorOf } from './helpers.js';

const ACCOUNT = '123456789012';
const alb = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/${name}/0123456789abcdef`;
const cdn = (id: string) => `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`;

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

function client(region = 'us-east-1', maxAttempts?: number): ShieldClient {
  return new ShieldClient({ endpoint: sb!.endpoint, region, credentials, maxAttempts });
}

async function subscribed(extra: Record<string, unknown> = {}): Promise<ShieldClient> {
  sb = await startSandbox({ state: { shield: { protections: [{ resourceArn: alb('a') }, { resourceArn: alb('b') }, { resourceArn: cdn('E1CDN') }], ...extra } } });
  return client();
}

describe('Shield sandbox', () => {
  it('without a subscription every call is ResourceNotFoundException "The subscription does not exist."', async () => {
    sb = await startSandbox({});
    const err = await errorOf(client().send(new DescribeSubscriptionCommand({})));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('The subscription does not exist.');
    expect(await errorOf(client().send(new ListProtectionGroupsCommand({})))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('DescribeSubscription reports the protection group limits', async () => {
    const shield = await subscribed({ subscription: { limits: { maxProtectionGroups: 7, maxMembers: 30 } } });
    const out = await shield.send(new DescribeSubscriptionCommand({}));
    expect(out.Subscription?.SubscriptionLimits?.ProtectionGroupLimits).toEqual({ MaxProtectionGroups: 7, PatternTypeLimits: { ArbitraryPatternLimits: { MaxMembers: 30 } } });
    expect(out.Subscription?.StartTime).toBeInstanceOf(Date);
  });

  it('creates, describes, lists with members, pages and filters protection groups, in any region the client signs for', async () => {
    await subscribed();
    const shield = client('eu-west-1');
    for (const id of ['g3', 'g1', 'g2']) {
      await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: id, Aggregation: 'SUM', Pattern: 'ARBITRARY', Members: [alb('a'), alb('b')], Tags: [{ Key: 'team', Value: id }] }));
    }
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'cdns', Aggregation: 'MAX', Pattern: 'BY_RESOURCE_TYPE', ResourceType: 'CLOUDFRONT_DISTRIBUTION' }));
    const described = await shield.send(new DescribeProtectionGroupCommand({ ProtectionGroupId: 'g1' }));
    expect(described.ProtectionGroup).toEqual({ ProtectionGroupId: 'g1', Aggregation: 'SUM', Pattern: 'ARBITRARY', Members: [alb('a'), alb('b')], ProtectionGroupArn: `arn:aws:shield::${ACCOUNT}:protection-group/g1` });
    const first = await shield.send(new ListProtectionGroupsCommand({ MaxResults: 2 }));
    expect(first.ProtectionGroups?.map((g) => g.ProtectionGroupId)).toEqual(['cdns', 'g1']);
    expect(first.ProtectionGroups?.[1].Members).toHaveLength(2);
    const second = await shield.send(new ListProtectionGroupsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.ProtectionGroups?.map((g) => g.ProtectionGroupId)).toEqual(['g2', 'g3']);
    expect(second.NextToken).toBeUndefined();
    const filtered = await shield.send(new ListProtectionGroupsCommand({ InclusionFilters: { Patterns: ['BY_RESOURCE_TYPE'] } }));
    expect(filtered.ProtectionGroups).toEqual([expect.objectContaining({ ProtectionGroupId: 'cdns', ResourceType: 'CLOUDFRONT_DISTRIBUTION', Members: [] })]);
    const inGroup = await shield.send(new ListResourcesInProtectionGroupCommand({ ProtectionGroupId: 'cdns' }));
    expect(inGroup.ResourceArns).toEqual([cdn('E1CDN')]);
    expect(await errorOf(shield.send(new ListProtectionGroupsCommand({ NextToken: 'bm9wZQ==' })))).toBeInstanceOf(InvalidPaginationTokenException);
    expect(sb!.stats.count('shield', 'CreateProtectionGroup')).toBe(4);
  });

  it('validates as Shield does: id, when-and-only-when fields, protected members, duplicates', async () => {
    const shield = await subscribed();
    const create = (input: Record<string, unknown>) => errorOf(shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ALL', ...input } as never)));
    for (const input of [
      { ProtectionGroupId: 'a'.repeat(37) },
      { ProtectionGroupId: 'under_score' },
      { Pattern: 'BY_RESOURCE_TYPE' },
      { Pattern: 'ALL', ResourceType: 'GLOBAL_ACCELERATOR' },
      { Pattern: 'ARBITRARY' },
      { Pattern: 'ALL', Members: [alb('a')] },
      { Pattern: 'ARBITRARY', Members: [alb('a'), alb('a')] },
      { Aggregation: 'AVERAGE' },
      { Tags: [{ Key: 'aws:owner', Value: 'x' }] },
      { Tags: [{ Key: 'team', Value: 'a' }, { Key: 'team', Value: 'b' }] },
    ]) {
      expect(await create(input), JSON.stringify(input)).toBeInstanceOf(InvalidParameterException);
    }
    const unprotected = await create({ Pattern: 'ARBITRARY', Members: [alb('a'), alb('stranger')] });
    expect(unprotected).toBeInstanceOf(InvalidParameterException);
    expect(unprotected.message).toContain(`${alb('stranger')} is not a resource protected by Shield Advanced`);
    expect(sb!.state.shield.protectionGroups).toEqual([]);
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ALL' }));
    expect(await create({})).toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it('enforces the subscription limits with LimitsExceededException (Type and Limit)', async () => {
    const shield = await subscribed({ subscription: { limits: { maxProtectionGroups: 1, maxMembers: 1 } } });
    const members = await errorOf(shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ARBITRARY', Members: [alb('a'), alb('b')] })));
    expect(members).toBeInstanceOf(LimitsExceededException);
    expect(members).toMatchObject({ Type: 'ARBITRARY_PATTERN_MEMBERS', Limit: 1 });
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ALL' }));
    const groups = await errorOf(shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'h', Aggregation: 'SUM', Pattern: 'ALL' })));
    expect(groups).toBeInstanceOf(LimitsExceededException);
    expect(groups).toMatchObject({ Type: 'PROTECTION_GROUP', Limit: 1 });
    // UpdateProtectionGroup does not document LimitsExceededException: too many members is a parameter error there.
    const update = await errorOf(shield.send(new UpdateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ARBITRARY', Members: [alb('a'), alb('b')] })));
    expect(update).toBeInstanceOf(InvalidParameterException);
    expect(update.message).toContain('at most 1 members');
  });

  it('UpdateProtectionGroup replaces the group; Delete and Describe of a missing group are ResourceNotFoundException', async () => {
    const shield = await subscribed();
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'MAX', Pattern: 'BY_RESOURCE_TYPE', ResourceType: 'APPLICATION_LOAD_BALANCER', Tags: [{ Key: 'k', Value: 'v' }] }));
    await shield.send(new UpdateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'MEAN', Pattern: 'ARBITRARY', Members: [alb('b')] }));
    expect(sb!.state.shield.protectionGroups).toEqual([{ id: 'g', arn: `arn:aws:shield::${ACCOUNT}:protection-group/g`, aggregation: 'MEAN', pattern: 'ARBITRARY', members: [alb('b')], tags: [{ key: 'k', value: 'v' }] }]);
    expect(await errorOf(shield.send(new UpdateProtectionGroupCommand({ ProtectionGroupId: 'nope', Aggregation: 'SUM', Pattern: 'ALL' })))).toBeInstanceOf(ResourceNotFoundException);
    await shield.send(new DeleteProtectionGroupCommand({ ProtectionGroupId: 'g' }));
    expect(await errorOf(shield.send(new DeleteProtectionGroupCommand({ ProtectionGroupId: 'g' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await errorOf(shield.send(new DescribeProtectionGroupCommand({ ProtectionGroupId: 'g' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('tags: TagResource merges, UntagResource removes keys, ListTagsForResource reads; other ARNs are refused', async () => {
    const shield = await subscribed();
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ALL', Tags: [{ Key: 'a', Value: '1' }] }));
    const arn = `arn:aws:shield::${ACCOUNT}:protection-group/g`;
    await shield.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] }));
    await shield.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['b', 'absent'] }));
    expect((await shield.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'a', Value: '2' }]);
    // TagList and TagKeyList hold 0-200 items: empty lists are accepted (and change nothing).
    await shield.send(new TagResourceCommand({ ResourceARN: arn, Tags: [] }));
    await shield.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: [] }));
    expect((await shield.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'a', Value: '2' }]);
    const tooMany = Array.from({ length: 200 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await errorOf(shield.send(new TagResourceCommand({ ResourceARN: arn, Tags: tooMany })))).toBeInstanceOf(InvalidParameterException);
    expect((await errorOf(shield.send(new ListTagsForResourceCommand({ ResourceARN: alb('a') })))).name).toBe('InvalidResourceException');
    expect(await errorOf(shield.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:shield::${ACCOUNT}:protection-group/other` })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('protections: CreateProtection, ListProtections with paging and filters, DeleteProtection leaves the groups', async () => {
    const shield = await subscribed();
    const eip = `arn:aws:ec2:us-east-1:${ACCOUNT}:eip-allocation/eipalloc-0123456789abcdef0`;
    const { ProtectionId } = await shield.send(new CreateProtectionCommand({ Name: 'bastion', ResourceArn: eip }));
    expect((await errorOf(shield.send(new CreateProtectionCommand({ Name: 'again', ResourceArn: eip })))).name).toBe('ResourceAlreadyExistsException');
    expect((await errorOf(shield.send(new CreateProtectionCommand({ Name: 'x', ResourceArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123` })))).name).toBe('InvalidResourceException');
    const page1 = await shield.send(new ListProtectionsCommand({ MaxResults: 3 }));
    expect(page1.Protections).toHaveLength(3);
    const page2 = await shield.send(new ListProtectionsCommand({ MaxResults: 3, NextToken: page1.NextToken }));
    expect(page2.Protections?.map((p) => p.Name)).toEqual(['bastion']);
    const byType = await shield.send(new ListProtectionsCommand({ InclusionFilters: { ResourceTypes: ['CLOUDFRONT_DISTRIBUTION'] } }));
    expect(byType.Protections?.map((p) => p.ResourceArn)).toEqual([cdn('E1CDN')]);
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ARBITRARY', Members: [eip, alb('a')] }));
    await shield.send(new DeleteProtectionCommand({ ProtectionId }));
    expect(sb!.state.shield.protectionGroups[0].members).toEqual([alb('a')]);
  });

  it('faults: throttling is retried by the SDK; failNthWrite injects OptimisticLockException once', async () => {
    const shield = await subscribed();
    sb!.faults.throttle('shield', 'ListProtectionGroups', 2);
    await shield.send(new ListProtectionGroupsCommand({}));
    expect(sb!.stats.count('shield', 'ListProtectionGroups')).toBe(3);
    sb!.faults.failNthWrite('shield', 1, { code: 'OptimisticLockException', message: 'concurrent modification' });
    const lock = await errorOf(shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ALL' })));
    expect(lock).toBeInstanceOf(OptimisticLockException);
    await shield.send(new CreateProtectionGroupCommand({ ProtectionGroupId: 'g', Aggregation: 'SUM', Pattern: 'ALL' }));
    sb!.faults.failNthWrite('shield', 1);
    expect(await errorOf(shield.send(new DeleteProtectionGroupCommand({ ProtectionGroupId: 'g' })))).toBeInstanceOf(InvalidParameterException);
  });

  it('unsigned requests are routed by X-Amz-Target', async () => {
    await subscribed();
    const res = await fetch(sb!.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AWSShield_20160616.ListProtections', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Protections: unknown[] }).Protections).toHaveLength(3);
  });
});

describe('Shield state section', () => {
  it('normalises, and the saved form loads back the same', () => {
    const state = normalizeState({
      shield: {
        subscription: { limits: { maxMembers: 50 } },
        protections: [{ resourceArn: alb('a') }],
        protectionGroups: [
          { id: 'g', aggregation: 'SUM', pattern: 'ARBITRARY', members: [alb('a')], tags: { team: 'web' } },
          { id: 'albs', aggregation: 'MAX', pattern: 'BY_RESOURCE_TYPE', resourceType: 'APPLICATION_LOAD_BALANCER' },
          { id: 'all', aggregation: 'MEAN', pattern: 'ALL' },
        ],
      },
    });
    expect(state.shield.subscription?.limits).toEqual({ maxProtectionGroups: 100, maxMembers: 50 });
    expect(state.shield.protections[0]).toMatchObject({ name: '0123456789abcdef', resourceArn: alb('a') });
    expect(state.shield.protectionGroups[0]).toEqual({ id: 'g', arn: `arn:aws:shield::${ACCOUNT}:protection-group/g`, aggregation: 'SUM', pattern: 'ARBITRARY', members: [alb('a')], tags: [{ key: 'team', value: 'web' }] });
    expect(state.shield.protectionGroups[1]).toEqual({ id: 'albs', arn: `arn:aws:shield::${ACCOUNT}:protection-group/albs`, aggregation: 'MAX', pattern: 'BY_RESOURCE_TYPE', resourceType: 'APPLICATION_LOAD_BALANCER', members: [], tags: [] });
    expect(normalizeState(JSON.parse(serializeState(state)))).toEqual(state);
    expect(normalizeState({}).shield.subscription).toBeNull();
    expect(normalizeState({ shield: { subscription: null } }).shield.subscription).toBeNull();
  });

  it('reports every problem with its path', () => {
    let error: unknown;
    try {
      normalizeState({
        shield: {
          protections: [{ resourceArn: 'arn:aws:s3:::bucket' }],
          protectionGroups: [
            { id: 'bad_id', aggregation: 'AVG', pattern: 'ALL', resourceType: 'APPLICATION_LOAD_BALANCER', members: [alb('a')] },
            { id: 'g', aggregation: 'SUM', pattern: 'ARBITRARY', members: [alb('unprotected')] },
          ],
        },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxStateError);
    const problems = (error as SandboxStateError).problems.join('\n');
    expect(problems).toContain('shield.protections[0].resourceArn');
    expect(problems).toContain('shield.protectionGroups[0].id');
    expect(problems).toContain('shield.protectionGroups[0].aggregation');
    expect(problems).toContain('shield.protectionGroups[0].resourceType');
    expect(problems).toContain('shield.protectionGroups[0].members');
    expect(problems).toContain('shield.protectionGroups[1].members[0]');
  });
});
