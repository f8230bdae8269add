import { afterEach, describe, expect, it } from 'vitest';
import { describeSubscription, listProtectionGroups, listProtections, sameGroup, shieldClient, toLiveGroup } from '../../src/aws/shield.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { alb } from './helpers.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('src/aws/shield.ts', () => {
  it('signs for us-east-1 whatever region Charter is configured for', async () => {
    const client = shieldClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    expect(await client.config.region()).toBe('us-east-1');
  });

  it('pages through every group (100 a page) and every protection, and reads the limits', async () => {
    const protections = Array.from({ length: 250 }, (_, i) => ({ resourceArn: alb(`svc-${i}`) }));
    const protectionGroups = Array.from({ length: 250 }, (_, i) => ({ id: `g-${String(i).padStart(3, '0')}`, aggregation: 'SUM', pattern: 'ARBITRARY', members: [protections[i].resourceArn] }));
    sandbox = await startSandbox({ state: { shield: { subscription: { limits: { maxProtectionGroups: 300 } }, protections, protectionGroups } } });
    const client = shieldClient({ endpoint: sandbox.endpoint, requestsPerSecond: { shield: 1000 } });
    const groups = await listProtectionGroups(client);
    expect(groups).toHaveLength(250);
    expect(groups[249]).toMatchObject({ id: 'g-249', members: [alb('svc-249')], arn: 'arn:aws:shield::123456789012:protection-group/g-249' });
    expect(sandbox.stats.count('shield', 'ListProtectionGroups')).toBe(3);
    expect(await listProtections(client)).toHaveLength(250);
    expect(await describeSubscription(client)).toEqual({ maxProtectionGroups: 300, maxMembers: 10_000 });
  });

  it('no subscription: describeSubscription answers undefined', async () => {
    sandbox = await startSandbox({});
    expect(await describeSubscription(shieldClient({ endpoint: sandbox.endpoint }))).toBeUndefined();
  });

  it('toLiveGroup keeps members only for ARBITRARY: what a listing reports for ALL or BY_RESOURCE_TYPE is not configuration', () => {
    // ProtectionGroup.Members is required in every response; a derived list for ALL must not read as drift.
    const all = toLiveGroup({ ProtectionGroupId: 'all', Aggregation: 'SUM', Pattern: 'ALL', Members: [alb('b'), alb('a')] });
    expect(all.members).toEqual([]);
    expect(sameGroup(all, { id: 'all', aggregation: 'SUM', pattern: 'ALL', members: [] })).toBe(true);
    const byType = toLiveGroup({ ProtectionGroupId: 't', Aggregation: 'MAX', Pattern: 'BY_RESOURCE_TYPE', ResourceType: 'APPLICATION_LOAD_BALANCER', Members: [alb('a')] });
    expect(byType).toMatchObject({ resourceType: 'APPLICATION_LOAD_BALANCER', members: [] });
    expect(toLiveGroup({ ProtectionGroupId: 'x', Aggregation: 'SUM', Pattern: 'ARBITRARY', Members: [alb('b'), alb('a')] }).members).toEqual([alb('a'), alb('b')]);
  });
});
