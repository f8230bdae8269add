import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apply, execute, plan } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { copyExamples, startExampleSandbox } from '../helpers/aws.js';
import { alb, distribution, policy, policyDir, shieldCalls, shieldOptions, shieldWrites } from './helpers.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const EXAMPLE = 'policies/examples/protection-groups.yml';

describe('ProtectionGroups examples converge on the sandbox', () => {
  it('plan → apply → plan is empty, with the three cases of the AWS post', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    const first = await plan(options);
    expect(first.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.plan.changes.map((c) => `${c.action} ${c.address} ${c.risk}`)).toEqual([
      'create shield/checkout-blue-green/protection-group/checkout-blue-green safe',
      'create shield/shared-workflow/protection-group/shop-request-path safe',
      'create shield/storefront-edge/protection-group/storefront-edge safe',
    ]);
    const create = first.plan.changes[0];
    expect(create.line).toBe(15);
    expect(create.after).toMatchObject({ aggregation: 'SUM', pattern: 'ARBITRARY', tags: { team: 'checkout', environment: 'production', 'charter:policy': 'checkout-blue-green' } });
    // Grouping is when per-resource alarms need a look; the hand-made group is reported, not pruned.
    expect(first.plan.diagnostics.filter((d) => d.code === 'shield/review-ddos-alarms')).toHaveLength(3);
    expect(first.plan.diagnostics.find((d) => d.code === 'shield/groups-left-alone')?.message).toContain('ops-elastic-ips');

    const report = await execute(first.plan, first.validation.documents, options);
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const groups = sandbox.state.shield.protectionGroups;
    expect(groups.map((g) => `${g.id}:${g.aggregation}`).sort()).toEqual(['checkout-blue-green:SUM', 'ops-elastic-ips:SUM', 'shop-request-path:MEAN', 'storefront-edge:MAX']);
    expect(groups.find((g) => g.id === 'storefront-edge')?.members).toHaveLength(3);
    expect(groups.find((g) => g.id === 'shop-request-path')?.tags).toEqual([{ key: 'charter:policy', value: 'shared-workflow' }]);

    const second = await plan(options);
    expect(second.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(second.plan.changes).toEqual([]);
    expect(sandbox.state.shield.protectionGroups.some((g) => g.id === 'ops-elastic-ips')).toBe(true);
  });

  it('reads in bulk: one group listing, one protections listing, tags only for the policy that declares them and the prune candidates', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    await apply({ ...options, allowDestructive: false });
    sandbox.stats.reset();
    expect((await plan(options)).plan.changes).toEqual([]);
    // checkout-blue-green declares tags (1 read); storefront-edge prunes, so the one undeclared group is read.
    expect(shieldCalls(sandbox)).toEqual({ DescribeSubscription: 1, ListProtectionGroups: 1, ListProtections: 1, ListTagsForResource: 2 });
  });
});

describe('drift and updates', () => {
  it('a member removed by hand is drift: the plan adds it back', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const group = sandbox.state.shield.protectionGroups.find((g) => g.id === 'storefront-edge')!;
    const removed = group.members.find((m) => m.includes('storefront-euw1'))!;
    group.members = group.members.filter((m) => m !== removed);
    const drift = await plan(options);
    expect(drift.plan.changes.map((c) => `${c.action} ${c.address} ${c.risk}`)).toEqual(['update shield/storefront-edge/protection-group/storefront-edge safe']);
    const [c] = drift.plan.changes;
    expect(c.reason).toContain(`adds 1 member(s): ${removed}`);
    expect((c.before as { members: string[] }).members).not.toContain(removed);
    expect((c.after as { members: string[] }).members).toContain(removed);
    expect((await execute(drift.plan, drift.validation.documents, options)).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('removing a member from the policy is destructive and blocked unless allowed; the plan shows before and after', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const file = join(cwd, EXAMPLE);
    const green = alb('checkout-green').replace(/\/[0-9a-f]+$/, '');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {8}- arn:[^\n]*checkout-green[^\n]*/, ''));
    const blocked = await apply({ ...options, allowDestructive: false });
    expect(blocked.refused).toMatch(/destructive/);
    const [c] = blocked.plan.changes;
    expect(c).toMatchObject({ action: 'update', risk: 'destructive' });
    expect(c.reason).toContain('removes 1 member(s)');
    expect((c.before as { members: string[] }).members.some((m) => m.startsWith(green))).toBe(true);
    expect((c.after as { members: string[] }).members).toHaveLength(1);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect(sandbox.state.shield.protectionGroups.find((g) => g.id === 'checkout-blue-green')?.members).toHaveLength(1);
  });

  it('tags: sets and removes only the keys the policy names, and leaves other tags alone', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const group = sandbox.state.shield.protectionGroups.find((g) => g.id === 'checkout-blue-green')!;
    group.tags.push({ key: 'cost-center', value: '42' }, { key: 'legacy', value: 'yes' });
    group.tags.find((t) => t.key === 'team')!.value = 'someone-else';
    const file = join(cwd, EXAMPLE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('environment: production', 'environment: production\n        legacy: null'));
    const p = await plan(options);
    expect(p.plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual(['update shield/checkout-blue-green/protection-group/checkout-blue-green/tags']);
    expect(p.plan.changes[0].before).toEqual({ legacy: 'yes', team: 'someone-else' });
    expect(p.plan.changes[0].after).toEqual({ team: 'checkout' });
    expect((await execute(p.plan, p.validation.documents, options)).ok).toBe(true);
    expect(Object.fromEntries(group.tags.map((t) => [t.key, t.value]))).toEqual({ team: 'checkout', environment: 'production', 'charter:policy': 'checkout-blue-green', 'cost-center': '42' });
    expect((await plan(options)).plan.changes).toEqual([]);
  });
});

describe('faults', () => {
  it('throttling on reads and writes is retried to success', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    sandbox.faults.throttle('shield', 'ListProtectionGroups', 2);
    sandbox.faults.throttle('shield', 'CreateProtectionGroup', 2);
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(true);
    expect(shieldCalls(sandbox).CreateProtectionGroup).toBe(5);
    expect(sandbox.state.shield.protectionGroups).toHaveLength(4);
  });

  it('OptimisticLockException on an update: re-read and retried', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    sandbox.state.shield.protectionGroups.find((g) => g.id === 'shop-request-path')!.aggregation = 'SUM';
    sandbox.stats.reset();
    sandbox.faults.failNthWrite('shield', 1, { code: 'OptimisticLockException', message: 'The protection group was modified by another request' });
    sandbox.faults.failNthWrite('shield', 2, { code: 'OptimisticLockException', message: 'The protection group was modified by another request' });
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(true);
    expect(report.results[0].detail).toMatch(/after 2 OptimisticLockException retries/);
    expect(shieldCalls(sandbox)).toMatchObject({ UpdateProtectionGroup: 3, DescribeProtectionGroup: 2 });
    expect(sandbox.state.shield.protectionGroups.find((g) => g.id === 'shop-request-path')!.aggregation).toBe('MEAN');
  });

  it('OptimisticLockException that never clears fails the change after a bounded number of attempts', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    sandbox.state.shield.protectionGroups.find((g) => g.id === 'shop-request-path')!.aggregation = 'MAX';
    for (let n = 1; n <= 6; n++) sandbox.faults.failNthWrite('shield', n, { code: 'OptimisticLockException', message: 'busy' });
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(false);
    expect(report.results[0]).toMatchObject({ status: 'failed', error: 'OptimisticLockException: busy' });
  });
});

describe('checks against the account, before any write', () => {
  it('an unprotected member is an error at its YAML line, and nothing is written', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const file = join(cwd, EXAMPLE);
    const stranger = alb('not-protected');
    writeFileSync(file, readFileSync(file, 'utf8').replace('      members:\n        - arn:aws:cloudfront', `      members:\n        - ${stranger}\n        - arn:aws:cloudfront`));
    const options = shieldOptions(sandbox, cwd, [EXAMPLE]);
    const report = await apply({ ...options, allowDestructive: true });
    expect(report.ok).toBe(false);
    expect(report.refused).toMatch(/error/);
    const errors = report.plan.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toEqual([expect.objectContaining({ code: 'shield/member-not-protected', file: EXAMPLE, line: 57, column: 11 })]);
    expect(errors[0].message).toContain(stranger);
    expect(shieldWrites(sandbox)).toBe(0);
  });

  it('the group limit from DescribeSubscription is checked before apply', async () => {
    sandbox = await startExampleSandbox();
    sandbox.state.shield.subscription!.limits.maxProtectionGroups = 2;
    const options = shieldOptions(sandbox, copyExamples(), [EXAMPLE]);
    const report = await apply({ ...options, allowDestructive: true });
    expect(report.refused).toBeDefined();
    const limit = report.plan.diagnostics.filter((d) => d.code === 'shield/group-limit-exceeded');
    expect(limit.length).toBeGreaterThan(0);
    expect(limit[0].message).toContain('leaves 4 protection groups');
    expect(limit[0].message).toContain('allows 2');
    expect(shieldWrites(sandbox)).toBe(0);
  });

  it('the member limit per ARBITRARY group is checked before apply', async () => {
    sandbox = await startExampleSandbox();
    sandbox.state.shield.subscription!.limits.maxMembers = 2;
    const report = await apply({ ...shieldOptions(sandbox, copyExamples(), [EXAMPLE]), allowDestructive: true });
    const limit = report.plan.diagnostics.filter((d) => d.code === 'shield/member-limit-exceeded');
    expect(limit.map((d) => d.line)).toEqual([37, 56]);
    expect(shieldWrites(sandbox)).toBe(0);
  });

  it('an account without a Shield Advanced subscription is an error, with no other call', async () => {
    sandbox = await startExampleSandbox();
    sandbox.state.shield.subscription = null;
    const p = await plan(shieldOptions(sandbox, copyExamples(), [EXAMPLE]));
    expect(p.plan.diagnostics.filter((d) => d.code === 'shield/no-subscription')).toHaveLength(3);
    expect(shieldCalls(sandbox)).toEqual({ DescribeSubscription: 1 });
  });
});

describe('prune and ownership', () => {
  const tagged = (owner?: string) => (owner ? [{ key: 'charter:policy', value: owner }] : []);
  const account = (groups: Array<{ id: string; owner?: string; extraTags?: Array<{ key: string; value: string }> }>) => ({
    shield: {
      protections: [{ resourceArn: alb('web-a') }, { resourceArn: alb('web-b') }, { resourceArn: distribution('E1CDN') }],
      protectionGroups: groups.map((g) => ({ id: g.id, aggregation: 'SUM', pattern: 'ARBITRARY', members: [alb('web-a')], tags: [...tagged(g.owner), ...(g.extraTags ?? [])] })),
    },
  });
  const doc = (prune: boolean) => policy('web', `    - id: web\n      aggregation: MEAN\n      pattern: ARBITRARY\n      members: [${alb('web-a')}, ${alb('web-b')}]\n`, `  prune: ${prune}\n`);

  it('deletes only groups tagged as this policy, leaves untagged and foreign groups alone', async () => {
    sandbox = await startSandbox({
      state: account([{ id: 'web-old', owner: 'web' }, { id: 'hand-made' }, { id: 'other-team', owner: 'payments' }, { id: 'web', owner: 'web' }]) as never,
    });
    const cwd = policyDir({ 'web.yml': doc(true) });
    const options = shieldOptions(sandbox, cwd, ['web.yml']);
    const p = await plan(options);
    expect(p.plan.changes.map((c) => `${c.action} ${c.address} ${c.risk}`)).toEqual([
      'delete shield/web/protection-group/web-old destructive',
      'update shield/web/protection-group/web safe',
    ]);
    expect(p.plan.diagnostics.find((d) => d.code === 'shield/groups-left-alone')).toMatchObject({ severity: 'notice', line: 6, message: expect.stringContaining('1 protection group(s)') });
    expect((await apply({ ...options, allowDestructive: false })).refused).toMatch(/destructive/);
    const report = await apply({ ...options, allowDestructive: true });
    expect(report.ok).toBe(true);
    expect(sandbox.state.shield.protectionGroups.map((g) => g.id).sort()).toEqual(['hand-made', 'other-team', 'web']);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('without prune nothing is deleted and no tags are read for undeclared groups', async () => {
    sandbox = await startSandbox({ state: account([{ id: 'web-old', owner: 'web' }, { id: 'hand-made' }]) as never });
    const cwd = policyDir({ 'web.yml': doc(false) });
    const p = await plan(shieldOptions(sandbox, cwd, ['web.yml']));
    expect(p.plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual(['create shield/web/protection-group/web']);
    expect(shieldCalls(sandbox).ListTagsForResource).toBeUndefined();
  });

  it('a declared group Charter did not create is adopted: with a tags key, it gets the ownership tag', async () => {
    sandbox = await startSandbox({ state: account([{ id: 'web', extraTags: [{ key: 'owner', value: 'ops' }] }]) as never });
    const cwd = policyDir({ 'web.yml': policy('web', `    - id: web\n      aggregation: SUM\n      pattern: ARBITRARY\n      members: [${alb('web-a')}]\n      tags: {}\n`) });
    const options = shieldOptions(sandbox, cwd, ['web.yml']);
    const p = await plan(options);
    expect(p.plan.changes).toEqual([expect.objectContaining({ address: 'shield/web/protection-group/web/tags', before: {}, after: { 'charter:policy': 'web' } })]);
    expect(p.plan.changes[0].reason).toContain('marks the group as managed by this policy');
    expect((await execute(p.plan, p.validation.documents, options)).ok).toBe(true);
    expect(sandbox.state.shield.protectionGroups[0].tags).toEqual([{ key: 'owner', value: 'ops' }, { key: 'charter:policy', value: 'web' }]);
  });

  it('pattern changes: leaving BY_RESOURCE_TYPE is destructive, switching to it from a list drops other types', async () => {
    sandbox = await startSandbox({
      state: { shield: { protections: [{ resourceArn: alb('web-a') }, { resourceArn: distribution('E1CDN') }], protectionGroups: [{ id: 'albs', aggregation: 'SUM', pattern: 'BY_RESOURCE_TYPE', resourceType: 'APPLICATION_LOAD_BALANCER' }, { id: 'mixed', aggregation: 'MAX', pattern: 'ARBITRARY', members: [alb('web-a'), distribution('E1CDN')] }] } } as never,
    });
    const cwd = policyDir({
      'p.yml': policy('p', `    - id: albs\n      aggregation: SUM\n      pattern: ARBITRARY\n      members: [${alb('web-a')}]\n    - id: mixed\n      aggregation: MAX\n      pattern: BY_RESOURCE_TYPE\n      resourceType: CLOUDFRONT_DISTRIBUTION\n`),
    });
    const p = await plan(shieldOptions(sandbox, cwd, ['p.yml']));
    expect(p.plan.changes.map((c) => `${c.address} ${c.risk}`)).toEqual(['shield/p/protection-group/albs destructive', 'shield/p/protection-group/mixed destructive']);
    expect(p.plan.changes[1].reason).toContain(`removes 1 member(s) of other types: ${alb('web-a')}`);
  });
});

describe('review fixes', () => {
  const g = (id: string) => `    - id: ${id}\n      aggregation: SUM\n      pattern: ALL\n`;

  it('the group limit follows apply order: a create in policy "a" runs before the prune of policy "b" frees a slot', async () => {
    const state = (owner: string) => ({
      shield: {
        subscription: { limits: { maxProtectionGroups: 2 } },
        protectionGroups: [
          { id: 'kept', aggregation: 'SUM', pattern: 'ALL', tags: [{ key: 'charter:policy', value: owner }] },
          { id: 'old', aggregation: 'SUM', pattern: 'ALL', tags: [{ key: 'charter:policy', value: owner }] },
        ],
      },
    });
    // Policy a creates "fresh"; policy b keeps "kept" and prunes "old": 2 → 3 → 2, over the limit on the way.
    sandbox = await startSandbox({ state: state('b') as never });
    const cwd = policyDir({ 'a.yml': policy('a', g('fresh')), 'b.yml': policy('b', g('kept'), '  prune: true\n') });
    const options = shieldOptions(sandbox, cwd, ['a.yml', 'b.yml']);
    const report = await apply({ ...options, allowDestructive: true });
    const limit = report.plan.diagnostics.filter((d) => d.code === 'shield/group-limit-exceeded');
    expect(limit).toEqual([expect.objectContaining({ severity: 'error', file: 'a.yml', line: 7 })]);
    expect(limit[0].message).toContain('leaves 2 protection groups');
    expect(limit[0].message).toContain('reaches 3 on the way');
    expect(report.refused).toMatch(/error/);
    expect(shieldWrites(sandbox)).toBe(0);
    await sandbox.close();

    // The same change inside one policy is fine: its delete runs before its create.
    sandbox = await startSandbox({ state: state('b') as never });
    const one = policyDir({ 'b.yml': policy('b', g('kept') + g('fresh'), '  prune: true\n') });
    const ok = await apply({ ...shieldOptions(sandbox, one, ['b.yml']), allowDestructive: true });
    expect(ok.plan.diagnostics.filter((d) => d.code === 'shield/group-limit-exceeded')).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(sandbox.state.shield.protectionGroups.map((x) => x.id).sort()).toEqual(['fresh', 'kept']);
  });

  it('shield/tag-limit-exceeded: tags set outside the policy count towards the 200, checked before any write', async () => {
    const foreign = Array.from({ length: 150 }, (_, i) => ({ key: `other-${i}`, value: 'x' }));
    sandbox = await startSandbox({ state: { shield: { protectionGroups: [{ id: 'g', aggregation: 'SUM', pattern: 'ALL', tags: [{ key: 'charter:policy', value: 'p' }, ...foreign] }] } } as never });
    const mine = Array.from({ length: 60 }, (_, i) => `        mine-${i}: v\n`).join('');
    const cwd = policyDir({ 'p.yml': policy('p', `${g('g')}      tags:\n${mine}`) });
    const report = await apply({ ...shieldOptions(sandbox, cwd, ['p.yml']), allowDestructive: true });
    expect(report.plan.diagnostics.filter((d) => d.code === 'shield/tag-limit-exceeded')).toEqual([
      expect.objectContaining({ severity: 'error', file: 'p.yml', line: 10, message: 'Group g would carry 211 tags (150 set outside this policy are kept); AWS allows 200 per protection group' }),
    ]);
    expect(shieldWrites(sandbox)).toBe(0);
    await sandbox.close();

    // Removing some of the foreign tags (null) brings it back under the limit.
    sandbox = await startSandbox({ state: { shield: { protectionGroups: [{ id: 'g', aggregation: 'SUM', pattern: 'ALL', tags: [{ key: 'charter:policy', value: 'p' }, ...foreign] }] } } as never });
    const drop = Array.from({ length: 20 }, (_, i) => `        other-${i}: null\n`).join('');
    const fixed = policyDir({ 'p.yml': policy('p', `${g('g')}      tags:\n${mine}${drop}`) });
    const ok = await apply({ ...shieldOptions(sandbox, fixed, ['p.yml']), allowDestructive: true });
    expect(ok.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(sandbox.state.shield.protectionGroups[0].tags).toHaveLength(191);
  });
});

describe('OptimisticLockException on create and delete', () => {
  it('a create that meets the lock is re-read and sent again; a prune delete is retried', async () => {
    sandbox = await startExampleSandbox();
    const options = shieldOptions(sandbox, copyExamples(), [EXAMPLE]);
    sandbox.faults.failNthWrite('shield', 1, { code: 'OptimisticLockException', message: 'The protection group was modified by another request' });
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(true);
    expect(shieldCalls(sandbox)).toMatchObject({ CreateProtectionGroup: 4, DescribeProtectionGroup: 1 });
    expect(sandbox.state.shield.protectionGroups).toHaveLength(4);
    expect((await plan(options)).plan.changes).toEqual([]);

    // storefront-edge prunes: a group it created earlier is deleted even when the first delete meets the lock.
    sandbox.state.shield.protectionGroups.push({ id: 'storefront-old', arn: 'arn:aws:shield::123456789012:protection-group/storefront-old', aggregation: 'SUM', pattern: 'ALL', members: [], tags: [{ key: 'charter:policy', value: 'storefront-edge' }] });
    sandbox.stats.reset();
    sandbox.faults.failNthWrite('shield', 1, { code: 'OptimisticLockException', message: 'busy' });
    const pruned = await apply({ ...options, allowDestructive: true });
    expect(pruned.ok).toBe(true);
    expect(shieldCalls(sandbox).DeleteProtectionGroup).toBe(2);
    expect(sandbox.state.shield.protectionGroups.some((g) => g.id === 'storefront-old')).toBe(false);
  });
});
