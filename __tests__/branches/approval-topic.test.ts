/**
 * Approval emails: Charter creates, tags and owns one SNS topic per environment, subscribes the addresses
 * (pending until confirmed), points the approval's NotificationArn at it, and deletes it when the policy
 * stops listing emails. Through the engine, the SDK and the sandbox's SNS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as cp from '../../src/aws/codepipeline.js';
import * as sns from '../../src/aws/sns.js';
import { apply, plan, validate } from '../../src/core/engine.js';
import { approvalTopicName, pipelineName } from '../../src/providers/branches/names.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { copyExamples } from '../helpers/aws.js';
import { EXAMPLE, startBranchWorld, writeApprovalEmails as writePolicy, type BranchWorld } from './helpers.js';

let world: BranchWorld | undefined;
let sb: Sandbox | undefined;
afterEach(async () => {
  await world?.close();
  await sb?.close();
  world = sb = undefined;
});

const TOPIC = `arn:aws:sns:us-east-1:123456789012:${approvalTopicName('petstore', 'Prod')}`;

async function setup(state: object = {}) {
  world = await startBranchWorld({ state: { codebuild: { projects: [{ region: 'us-east-1', name: 'petstore-destroy', config: { environment: {} }, tags: {} }] }, ...state } });
  const { cwd, options, sandbox, settings } = world;
  return { cwd, options, sandbox, pipelines: cp.codePipelineClient(settings, 'us-east-1'), topics: sns.snsClient(settings, 'us-east-1') };
}

describe('BranchPipelines approval emails (sandbox SNS)', () => {
  it('creates a tagged topic with pending email subscriptions, points the approval at it, converges, adds an address, and deletes the topic when emails go', async () => {
    const { cwd, options, sandbox, pipelines, topics } = await setup();
    writePolicy(cwd, ['ops@example.com', 'lead@example.com']);
    const first = await plan(options());
    expect(first.plan.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    const topicChange = first.plan.changes.find((c) => c.address.includes('/approval-topic/'))!;
    expect(topicChange).toMatchObject({ action: 'create', risk: 'safe' });
    expect(topicChange.after).toEqual([`topic: ${TOPIC}`, 'email subscription: lead@example.com', 'email subscription: ops@example.com', 'tag charter:policy: petstore', 'tag team: petstore', 'access policy CharterPipelinePublish: Allow sns:Publish to arn:aws:iam::123456789012:role/petstore-pipeline, arn:aws:iam::444444444444:root']);
    // The topic is created before the pipeline that notifies it.
    expect(first.plan.changes.indexOf(topicChange)).toBe(0);
    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);

    expect(await sns.topicTags(topics, TOPIC)).toEqual({ 'charter:policy': 'petstore', team: 'petstore' });
    expect(await sns.listSubscriptions(topics, TOPIC)).toEqual([
      { protocol: 'email', endpoint: 'lead@example.com', confirmed: false },
      { protocol: 'email', endpoint: 'ops@example.com', confirmed: false },
    ]);
    const main = await cp.getPipeline(pipelines, pipelineName('petstore', 'main'));
    const prod = main!.declaration.stages!.find((s) => s.name === 'Prod')!;
    expect(prod.actions![0]).toMatchObject({ name: 'Approval', configuration: { NotificationArn: TOPIC, CustomData: expect.any(String) } });

    sandbox.stats.reset();
    expect((await plan(options())).plan.changes).toEqual([]);
    expect(sandbox.stats.count('sns', 'ListTopics')).toBe(1);

    // A tag edited by hand and an address added: both are drift of Charter's topic, fixed by one update.
    await sns.tagTopic(topics, TOPIC, { team: 'someone-else' });
    writePolicy(cwd, ['ops@example.com', 'lead@example.com', 'qa@example.com']);
    const more = await plan(options());
    expect(more.plan.changes.map((c) => [c.action, c.reason])).toEqual([['update', '2 difference(s): subscribe qa@example.com; tag team: someone-else → petstore']]);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await sns.listSubscriptions(topics, TOPIC)).map((s) => s.endpoint)).toEqual(['lead@example.com', 'ops@example.com', 'qa@example.com']);
    expect(await sns.topicTags(topics, TOPIC)).toEqual({ 'charter:policy': 'petstore', team: 'petstore' });
    expect((await plan(options())).plan.changes).toEqual([]);

    // Back to the team's own topic: the pipeline is updated first, then Charter's topic goes.
    writePolicy(cwd, null);
    const back = await plan(options());
    expect(back.plan.changes.map((c) => [c.action, c.address.split('/')[2]])).toEqual([
      ['update', 'pipeline'],
      ['delete', 'approval-topic'],
    ]);
    expect(back.plan.changes[0].reason).toContain(`stage Prod / action Approval: NotificationArn ${TOPIC} → arn:aws:sns:us-east-1:123456789012:petstore-prod-approvals`);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect(await sns.topicTags(topics, TOPIC)).toBeUndefined();
    expect((await plan(options())).plan.changes).toEqual([]);
  });

  it('a topic of that name without Charter\'s tag is an error and is never touched', async () => {
    const name = approvalTopicName('petstore', 'Prod');
    const { cwd, options, topics } = await setup({ sns: { topics: [{ region: 'us-east-1', name, tags: { owner: 'someone' }, subscriptions: [{ endpoint: 'x@example.com', confirmed: true }] }] } });
    writePolicy(cwd, ['ops@example.com']);
    const p = await plan(options());
    expect(p.plan.diagnostics.filter((d) => d.code === 'branches/topic-taken')).toHaveLength(1);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(false);
    expect(await sns.listSubscriptions(topics, TOPIC)).toEqual([{ protocol: 'email', endpoint: 'x@example.com', confirmed: true, arn: `${TOPIC}:1` }]);
    expect(await sns.topicTags(topics, TOPIC)).toEqual({ owner: 'someone' });
  });
});

describe('approval targets (offline validation)', () => {
  it('exactly one of topicArn and emails, at most 20 addresses, each with file:line:column', async () => {
    const cwd = copyExamples();
    const file = join(cwd, EXAMPLE);
    const text = readFileSync(file, 'utf8');
    const line = text.split('\n').findIndex((l) => l.trim() === 'approval:') + 1;
    writeFileSync(file, text.replace('          topicArn: arn:aws:sns:us-east-1:123456789012:petstore-prod-approvals', '          topicArn: arn:aws:sns:us-east-1:123456789012:petstore-prod-approvals\n          emails: [ops@example.com]'));
    const both = await validate({ cwd, paths: [EXAMPLE], providers });
    expect(both.diagnostics.map((d) => [d.code, d.severity, d.file, d.line])).toEqual([['branches/approval-target', 'error', EXAMPLE, line]]);
    expect(both.diagnostics[0].message).toBe('The approval of Prod needs exactly one target: topicArn or emails');

    writePolicy(cwd, Array.from({ length: 21 }, (_, i) => `a${i}@example.com`));
    const many = await validate({ cwd, paths: [EXAMPLE], providers });
    expect(many.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['branches/approval-emails', line + 1, 11]]);

    writePolicy(cwd, ['ops@example.com']);
    expect((await validate({ cwd, paths: [EXAMPLE], providers })).diagnostics).toEqual([]);
  });
});

describe('sandbox SNS state file', () => {
  it('saves and reloads topics, tags and subscriptions (pending and confirmed) unchanged', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { loadSandboxState } = await import('../../src/sandbox/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'charter-sns-'));
    try {
      const file = join(dir, 'account.json');
      writeFileSync(file, JSON.stringify({ sns: { topics: [{ region: 'us-east-1', name: 'seeded', subscriptions: [{ endpoint: 'a@example.com', confirmed: true }] }] } }));
      sb = await startSandbox({ stateFile: file, persist: true });
      const client = sns.snsClient({ endpoint: sb.endpoint, requestsPerSecond: { sns: 1000 } }, 'us-east-1');
      const arn = await sns.createTopic(client, 'made', { 'charter:policy': 'p' });
      await sns.subscribeEmail(client, arn, 'b@example.com');
      expect(await sns.listTopics(client)).toEqual(['arn:aws:sns:us-east-1:123456789012:seeded', arn]);
      await sb.save();
      const reloaded = await loadSandboxState(file);
      expect(reloaded.sns).toEqual(sb.state.sns);
      expect(await sns.listSubscriptions(client, 'arn:aws:sns:us-east-1:123456789012:seeded')).toEqual([{ protocol: 'email', endpoint: 'a@example.com', confirmed: true, arn: 'arn:aws:sns:us-east-1:123456789012:seeded:1' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
