/**
 * The BranchPipelines example converges on moto_server too (an independent CodePipeline/CodeBuild
 * simulator): plan, apply, re-plan empty; a branch deleted → cleanup build, pipeline gone, re-plan empty.
 * Skipped with a notice where moto_server is absent, failing under CHARTER_REQUIRE_ALL=1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchGetBuildsCommand, ListBuildsForProjectCommand } from '@aws-sdk/client-codebuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRuntime } from '../../src/aws/settings.js';
import * as cb from '../../src/aws/codebuild.js';
import * as cp from '../../src/aws/codepipeline.js';
import * as sns from '../../src/aws/sns.js';
import { apply, plan, type PlanOptions } from '../../src/core/engine.js';
import { createGitHub } from '../../src/github/client.js';
import { githubBranchSource } from '../../src/github/branches.js';
import { approvalTopicName, pipelineName } from '../../src/providers/branches/names.js';
import { buildProjectName, cleanupProjectName } from '../../src/providers/branches/projects.js';
import { providers } from '../../src/providers/index.js';
import { copyExamples, quietLog } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { hasMoto, requireMotoOrSkip, startMoto, type Moto } from '../helpers/moto.js';
import { EXAMPLE, writeApprovalEmails, writeBuildspecSteps } from './helpers.js';

requireMotoOrSkip('the BranchPipelines convergence test on moto');

const credentials = { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' };

describe.skipIf(!hasMoto)('BranchPipelines on moto_server', () => {
  let moto: Moto;
  let github: FakeGitHub;
  beforeAll(async () => {
    moto = await startMoto();
    await moto.createRole('petstore-pipeline', 'codepipeline');
    await moto.createRole('build', 'codebuild');
    github = await startFakeGitHub({ token: 't', repos: [{ fullName: 'acme/petstore', defaultBranch: 'main', branches: ['feature/a', 'fix-ü', `feature/${'x'.repeat(242)}`, 'experiment'] }] });
  }, 30_000);
  afterAll(async () => {
    await github?.close();
    await moto?.close();
  });

  it('the example converges: plan, apply, re-plan empty; a deleted branch\'s pipeline goes', async () => {
    const settings = { endpoint: moto.url, credentials, maxAttempts: 1, requestsPerSecond: { codepipeline: 1000, codebuild: 1000 } };
    const builds = cb.codeBuildClient(settings, 'us-east-1');
    await cb.createProject(builds, {
      name: 'petstore-destroy',
      source: { type: 'S3', location: 'sources/destroy.zip', buildspec: 'version: 0.2' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
      serviceRole: 'arn:aws:iam::123456789012:role/build',
    });
    const cwd = copyExamples();
    const octokit = createGitHub({ token: 't', baseUrl: github.url });
    const options = (): PlanOptions => ({
      cwd,
      paths: [EXAMPLE],
      providers,
      salt: {},
      runtime: { ...awsRuntime(settings, quietLog), pollIntervalMs: 50, branches: githubBranchSource(octokit) },
    });
    const first = await plan(options());
    expect(first.plan.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    expect(first.plan.changes.map((c) => c.action)).toEqual(['create', 'create', 'create', 'create']);
    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const second = await plan(options());
    expect(second.plan.changes.map((c) => `${c.title}: ${c.reason}`)).toEqual([]);

    const pipes = cp.codePipelineClient(settings, 'us-east-1');
    expect(await cp.getPipeline(pipes, pipelineName('petstore', 'feature/a'))).toBeDefined();
    github.state.repo('acme/petstore').branches = github.state.repo('acme/petstore').branches.filter((b) => b !== 'feature/a');
    const third = await plan(options());
    expect(third.plan.changes.map((c) => [c.action, c.risk])).toEqual([['delete', 'safe']]);
    const deleted = await apply({ ...options(), allowDestructive: false });
    expect(deleted.results).toEqual([expect.objectContaining({ status: 'applied' })]);
    expect(await cp.getPipeline(pipes, pipelineName('petstore', 'feature/a'))).toBeUndefined();
    // The cleanup build ran on moto, once, and finished (moto does not keep environmentVariablesOverride; the
    // sandbox tests check BRANCH).
    const { ids = [] } = await builds.send(new ListBuildsForProjectCommand({ projectName: 'petstore-destroy' }));
    const { builds: ran = [] } = await builds.send(new BatchGetBuildsCommand({ ids }));
    expect(ran.map((b) => [b.projectName, b.buildStatus])).toEqual([['petstore-destroy', 'SUCCEEDED']]);
    expect((await plan(options())).plan.changes).toEqual([]);
  }, 120_000);

  it('approval emails: Charter\'s tagged topic with pending subscriptions, named by the approval, converges and goes when the emails do', async () => {
    const settings = { endpoint: moto.url, credentials, maxAttempts: 1, requestsPerSecond: { codepipeline: 1000, codebuild: 1000, sns: 1000 } };
    const cwd = copyExamples();
    writeApprovalEmails(cwd, ['ops@example.com']);
    const octokit = createGitHub({ token: 't', baseUrl: github.url });
    const options = (): PlanOptions => ({ cwd, paths: [EXAMPLE], providers, salt: {}, runtime: { ...awsRuntime(settings, quietLog), pollIntervalMs: 50, branches: githubBranchSource(octokit) } });
    const topic = `arn:aws:sns:us-east-1:123456789012:${approvalTopicName('petstore', 'Prod')}`;
    const first = await plan(options());
    expect(first.plan.changes.filter((c) => c.address.includes('/approval-topic/')).map((c) => c.action)).toEqual(['create']);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    const topics = sns.snsClient(settings, 'us-east-1');
    expect(await sns.topicTags(topics, topic)).toMatchObject({ 'charter:policy': 'petstore' });
    expect(await sns.listSubscriptions(topics, topic)).toEqual([expect.objectContaining({ protocol: 'email', endpoint: 'ops@example.com' })]);
    const main = await cp.getPipeline(cp.codePipelineClient(settings, 'us-east-1'), pipelineName('petstore', 'main'));
    expect(main!.declaration.stages!.find((s) => s.name === 'Prod')!.actions![0].configuration).toMatchObject({ NotificationArn: topic });
    expect((await plan(options())).plan.changes.map((c) => `${c.title}: ${c.reason}`)).toEqual([]);

    writeApprovalEmails(cwd, null);
    expect((await plan(options())).plan.changes.map((c) => [c.action, c.address.split('/')[2]])).toEqual([
      ['update', 'pipeline'],
      ['delete', 'approval-topic'],
    ]);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect(await sns.topicTags(topics, topic)).toBeUndefined();
    expect((await plan(options())).plan.changes).toEqual([]);
  }, 120_000);

  it('buildspec steps: Charter\'s tagged CodeBuild projects converge, and one no step uses any more goes', async () => {
    const settings = { endpoint: moto.url, credentials, maxAttempts: 1, requestsPerSecond: { codepipeline: 1000, codebuild: 1000, sns: 1000 } };
    const cwd = copyExamples();
    writeBuildspecSteps(cwd);
    const octokit = createGitHub({ token: 't', baseUrl: github.url });
    const options = (): PlanOptions => ({ cwd, paths: [EXAMPLE], providers, salt: {}, runtime: { ...awsRuntime(settings, quietLog), pollIntervalMs: 50, branches: githubBranchSource(octokit) } });
    const first = await plan(options());
    expect(first.plan.changes.filter((c) => c.address.includes('/codebuild/')).map((c) => c.action)).toEqual(['create', 'create', 'create']);
    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const builds = cb.codeBuildClient(settings, 'us-east-1');
    const projects = await cb.getProjects(builds, [buildProjectName('petstore'), cleanupProjectName('petstore')]);
    expect(projects.get(buildProjectName('petstore'))!.tags).toContainEqual({ key: 'charter:policy', value: 'petstore' });
    expect((await plan(options())).plan.changes.map((c) => `${c.title}: ${c.reason}`)).toEqual([]);

    // The cleanup back to the team's project: Charter's cleanup project goes (nothing runs it any more).
    const file = join(cwd, EXAMPLE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('    buildspec: buildspec-branch-cleanup.yml.hbs', '    project: petstore-destroy'));
    expect((await plan(options())).plan.changes.map((c) => [c.action, c.address.split('/')[2]])).toEqual([['delete', 'codebuild']]);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await cb.getProjects(builds, [cleanupProjectName('petstore')])).size).toBe(0);
    expect((await plan(options())).plan.changes).toEqual([]);
  }, 120_000);
});
