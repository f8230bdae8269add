/**
 * Approval topics Charter owns, after they exist: an address removed from the policy is unsubscribed when
 * its subscription is confirmed (SNS Unsubscribe), and reported when it is still pending (no ARN: SNS
 * deletes it itself after 48 hours); the topic's access policy lets the pipeline role and a cross-account
 * environment publish, drifts back when edited by hand, and AWS's default returns when the policy says
 * topicPolicy: false. Through the engine, the real SDK and the sandbox's SNS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as sns from '../../src/aws/sns.js';
import { apply, plan } from '../../src/core/engine.js';
import { approvalTopicName } from '../../src/providers/branches/names.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { EXAMPLE, startBranchWorld, writeApprovalEmails, type BranchWorld } from './helpers.js';

let world: BranchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const TOPIC = `arn:aws:sns:us-east-1:123456789012:${approvalTopicName('petstore', 'Prod')}`;
const PUBLISH = {
  Sid: 'CharterPipelinePublish',
  Effect: 'Allow',
  Principal: { AWS: ['arn:aws:iam::123456789012:role/petstore-pipeline', 'arn:aws:iam::444444444444:root'] },
  Action: 'sns:Publish',
  Resource: TOPIC,
};

async function setup() {
  world = await startBranchWorld({ state: { codebuild: { projects: [{ region: 'us-east-1', name: 'petstore-destroy', config: { environment: {} }, tags: {} }] } } });
  return { cwd: world.cwd, options: world.options, sandbox: world.sandbox, topics: sns.snsClient(world.settings, 'us-east-1') };
}

/** What clicking the link in SNS's confirmation mail does: the subscription gets its ARN. */
function confirm(sandbox: Sandbox, email: string, id: string): string {
  const topic = sandbox.state.sns.topics.find((t) => t.arn === TOPIC)!;
  const sub = topic.subscriptions.find((s) => s.endpoint === email)!;
  sub.arn = `${TOPIC}:${id}`;
  return sub.arn;
}

/** The example with Prod's approval mailed to `emails`, plus a `topicPolicy` line when given. */
function writePolicy(cwd: string, emails: string[], topicPolicy?: boolean): void {
  writeApprovalEmails(cwd, emails);
  if (topicPolicy === undefined) return;
  const file = join(cwd, EXAMPLE);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('          message: Approve the release', `          topicPolicy: ${topicPolicy}\n          message: Approve the release`));
}

const policyOf = async (client: ReturnType<typeof sns.snsClient>) => JSON.parse((await sns.topicPolicy(client, TOPIC))!) as { Statement: unknown[] };

describe('approval topics: removed addresses are unsubscribed', () => {
  it('unsubscribes a confirmed address the policy dropped, reports a pending one, and converges', async () => {
    const { cwd, options, sandbox, topics } = await setup();
    writePolicy(cwd, ['ops@example.com', 'lead@example.com']);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    const leadArn = confirm(sandbox, 'lead@example.com', '0c5e3b9a-1f2d-4e6a-9b8c-7d6e5f4a3b2c');

    // lead removed (confirmed: unsubscribed), ops changed to ops2 (ops pending: cannot be removed), qa added.
    writePolicy(cwd, ['ops2@example.com', 'qa@example.com']);
    const changed = await plan(options());
    const update = changed.plan.changes.find((c) => c.address.includes('/approval-topic/'))!;
    expect(update).toMatchObject({ action: 'update', risk: 'safe' });
    expect(update.reason).toBe('3 difference(s): subscribe ops2@example.com; subscribe qa@example.com; unsubscribe lead@example.com');
    expect(update.before).toContain('email subscription: lead@example.com');
    expect(update.after).not.toContain('email subscription: lead@example.com');
    const pending = changed.plan.diagnostics.filter((d) => d.code === 'branches/topic-pending-unsubscribe');
    expect(pending.map((d) => [d.severity, d.file, d.message])).toEqual([['notice', EXAMPLE, 'The approval topic of Prod has unconfirmed subscriptions for addresses the policy no longer lists: ops@example.com']]);
    expect(pending[0].hint).toContain('48 hours');
    expect(pending[0].line).toBeGreaterThan(1);

    sandbox.stats.reset();
    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    expect(sandbox.stats.count('sns', 'Unsubscribe')).toBe(1);
    expect((await sns.listSubscriptions(topics, TOPIC)).map((s) => [s.endpoint, s.confirmed])).toEqual([
      ['ops@example.com', false],
      ['ops2@example.com', false],
      ['qa@example.com', false],
    ]);
    const again = await plan(options());
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.diagnostics.filter((d) => d.code === 'branches/topic-pending-unsubscribe')).toHaveLength(1);

    // Once the stale pending address is confirmed after all, the next plan unsubscribes it.
    confirm(sandbox, 'ops@example.com', 'a1b2c3d4-0000-4000-8000-000000000001');
    const confirmed = await plan(options());
    expect(confirmed.plan.changes.map((c) => c.reason)).toEqual(['1 difference(s): unsubscribe ops@example.com']);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await sns.listSubscriptions(topics, TOPIC)).map((s) => s.endpoint)).toEqual(['ops2@example.com', 'qa@example.com']);
    const clean = await plan(options());
    expect(clean.plan.changes).toEqual([]);
    expect(clean.plan.diagnostics.filter((d) => d.code === 'branches/topic-pending-unsubscribe')).toEqual([]);

    // SNS's answers for what cannot be unsubscribed: a pending subscription's placeholder, an ARN already gone.
    await expect(sns.unsubscribe(topics, 'PendingConfirmation')).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(sns.unsubscribe(topics, leadArn)).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('approval topics: access policy', () => {
  it('lets the pipeline role and the cross-account environment publish, repairs drift, and restores the default when asked', async () => {
    const { cwd, options, topics } = await setup();
    // Prod (444444444444) is not the pipelines' account (123456789012): the policy is on by default.
    writePolicy(cwd, ['ops@example.com']);
    const first = await plan(options());
    expect(first.plan.changes.find((c) => c.address.includes('/approval-topic/'))!.reason).toContain('access policy lets the pipeline role publish');
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await policyOf(topics)).Statement).toEqual([PUBLISH]);
    expect((await plan(options())).plan.changes).toEqual([]);

    // Edited by hand: drift, shown statement by statement, and put back.
    await sns.setTopicPolicy(topics, TOPIC, JSON.stringify({ Version: '2012-10-17', Statement: [{ ...PUBLISH, Principal: { AWS: '*' } }] }));
    const drift = await plan(options());
    expect(drift.plan.changes.map((c) => [c.action, c.reason])).toEqual([
      ['update', '1 difference(s): access policy: access policy CharterPipelinePublish: Allow sns:Publish to * → access policy CharterPipelinePublish: Allow sns:Publish to arn:aws:iam::123456789012:role/petstore-pipeline, arn:aws:iam::444444444444:root'],
    ]);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await policyOf(topics)).Statement).toEqual([PUBLISH]);

    // topicPolicy: false: Charter's statement goes, replaced by the policy SNS gives a new topic.
    writePolicy(cwd, ['ops@example.com'], false);
    const off = await plan(options());
    expect(off.plan.changes).toHaveLength(1);
    expect(off.plan.changes[0].reason).toContain('→ access policy __default_statement_ID: Allow');
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    const restored = await policyOf(topics);
    expect(JSON.stringify(restored)).not.toContain('CharterPipelinePublish');
    expect(restored.Statement).toEqual([expect.objectContaining({ Sid: '__default_statement_ID', Condition: { StringEquals: { 'AWS:SourceOwner': '123456789012' } } })]);
    expect((await plan(options())).plan.changes).toEqual([]);

    // SetTopicAttributes refuses what is not a policy document and changes nothing.
    await expect(sns.setTopicPolicy(topics, TOPIC, 'not json')).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(await policyOf(topics)).toEqual(restored);
    expect(await sns.topicPolicy(topics, `${TOPIC}-missing`)).toBeUndefined();
  });

  it('a same-account environment gets no policy unless topicPolicy: true', async () => {
    const { cwd, options, topics } = await setup();
    const sameAccount = (text: string) => text.replaceAll('444444444444', '123456789012');
    writePolicy(cwd, ['ops@example.com']);
    writeFileSync(join(cwd, EXAMPLE), sameAccount(readFileSync(join(cwd, EXAMPLE), 'utf8')));
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect(JSON.stringify(await policyOf(topics))).not.toContain('CharterPipelinePublish');

    writePolicy(cwd, ['ops@example.com'], true);
    writeFileSync(join(cwd, EXAMPLE), sameAccount(readFileSync(join(cwd, EXAMPLE), 'utf8')));
    const on = await plan(options());
    expect(on.plan.changes.map((c) => c.reason)).toEqual([expect.stringContaining('→ access policy CharterPipelinePublish: Allow sns:Publish to arn:aws:iam::123456789012:role/petstore-pipeline')]);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await policyOf(topics)).Statement).toEqual([{ ...PUBLISH, Principal: { AWS: ['arn:aws:iam::123456789012:role/petstore-pipeline'] } }]);
    expect((await plan(options())).plan.changes).toEqual([]);
  });
});
