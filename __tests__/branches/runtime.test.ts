import { afterEach, describe, expect, it } from 'vitest';
import { awsRuntime } from '../../src/aws/settings.js';
import * as cp from '../../src/aws/codepipeline.js';
import { apply, plan, type PlanOptions } from '../../src/core/engine.js';
import { createGitHub } from '../../src/github/client.js';
import { githubBranchSource } from '../../src/github/branches.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { copyExamples, quietLog } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { EXAMPLE } from './helpers.js';

let sb: Sandbox | undefined;
let gh: FakeGitHub | undefined;
afterEach(async () => {
  await sb?.close();
  await gh?.close();
  sb = gh = undefined;
});

const PROJECT = (name: string) => ({ region: 'us-east-1', name, config: { environment: {} }, tags: {} });

async function setup(branches: string[], outcomes: Record<string, string[]> = {}) {
  sb = await startSandbox({ state: { codebuild: { projects: [PROJECT('petstore-destroy')], outcomes } } as never });
  gh = await startFakeGitHub({ token: 't', repos: [{ fullName: 'acme/petstore', defaultBranch: 'main', branches }] });
  const cwd = copyExamples();
  const octokit = createGitHub({ token: 't', baseUrl: gh.url });
  const options = (): PlanOptions => ({
    cwd,
    paths: [EXAMPLE],
    providers,
    salt: {},
    runtime: { ...awsRuntime({ endpoint: sb!.endpoint, requestsPerSecond: { codepipeline: 1000, codebuild: 1000 } }, quietLog), branches: githubBranchSource(octokit) },
  });
  const client = cp.codePipelineClient({ endpoint: sb.endpoint, requestsPerSecond: { codepipeline: 1000 } }, 'us-east-1');
  return { options, client, gh: gh!, sb: sb! };
}

describe('BranchPipelines on the sandbox', () => {
  it('the four-environment example converges: plan, apply, re-plan empty; a deleted branch is cleaned up and its pipeline deleted', async () => {
    const branches = ['feature/a', 'feature-a', 'fix-ü', `feature/${'x'.repeat(242)}`, 'experiment'];
    const { options, client, gh: github, sb: sandbox } = await setup(branches);
    const first = await plan(options());
    expect(first.plan.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    // main, feature/a, fix-ü and the 250-character branch; feature-a and experiment match no include pattern.
    expect(first.plan.changes.map((c) => c.action)).toEqual(['create', 'create', 'create', 'create']);
    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const main = await cp.getPipeline(client, pipelineName('petstore', 'main'));
    expect(main?.declaration.stages?.map((s) => s.name)).toEqual(['Source', 'Build', 'Alpha', 'Beta', 'Gamma', 'Prod']);
    const feature = await cp.getPipeline(client, pipelineName('petstore', 'feature/a'));
    expect(feature?.declaration.stages?.map((s) => s.name)).toEqual(['Source', 'Build', 'Alpha', 'Beta']);
    expect(await cp.listTags(client, feature!.arn)).toMatchObject({ 'charter:branch': 'feature/a', 'charter:policy': 'petstore', team: 'petstore' });

    sandbox.stats.reset();
    const second = await plan(options());
    expect(second.plan.changes).toEqual([]);
    // Converged: no GetPipeline at all, one ListTagsForResource per pipeline.
    expect(sandbox.stats.count('codepipeline', 'GetPipeline')).toBe(0);

    // The branch is deleted (a missed delete event, or the event itself): the orphan is a safe delete.
    github.state.repo('acme/petstore').branches = github.state.repo('acme/petstore').branches.filter((b) => b !== 'feature/a');
    const third = await plan(options());
    expect(third.plan.changes.map((c) => [c.action, c.risk, c.title])).toEqual([['delete', 'safe', `Pipeline ${pipelineName('petstore', 'feature/a')} (branch feature/a)`]]);
    const deleted = await apply({ ...options(), allowDestructive: false });
    expect(deleted.ok).toBe(true);
    expect(await cp.getPipeline(client, pipelineName('petstore', 'feature/a'))).toBeUndefined();
    const build = (sandbox.state as unknown as { codebuild: { builds: Array<{ projectName?: string; project?: string; environmentVariables?: unknown; environmentVariablesOverride?: unknown }> } }).codebuild.builds;
    expect(JSON.stringify(build)).toContain('feature/a');
    expect((await plan(options())).plan.changes).toEqual([]);
  });

  it('a failing cleanup build keeps the pipeline and reports the failure', async () => {
    const { options, client, gh: github } = await setup(['feature/b'], { 'petstore-destroy': ['FAILED'] });
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    github.state.repo('acme/petstore').branches = ['main'];
    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.ok).toBe(false);
    expect(report.results[0].error).toMatch(/Cleanup build .* \(petstore-destroy, BRANCH=feature\/b\) ended FAILED: pipeline petstore-feature-b-[0-9a-f]{8} is kept/);
    expect(await cp.getPipeline(client, pipelineName('petstore', 'feature/b'))).toBeDefined();
  });

  it('drift: an edited pipeline is read and its diff named per action; untagged pipelines are never touched', async () => {
    const { options, client } = await setup([]);
    await apply({ ...options(), allowDestructive: false });
    const live = (await cp.getPipeline(client, pipelineName('petstore', 'main')))!;
    const stages = live.declaration.stages!;
    stages[2].actions![0].configuration!.StackName = 'hand-edited';
    await cp.updatePipeline(client, live.declaration);
    const stranger = { ...live.declaration, name: pipelineName('petstore', 'gone-branch') };
    await cp.createPipeline(client, stranger, {});
    const p = await plan(options());
    expect(p.plan.changes).toHaveLength(1);
    expect(p.plan.changes[0].reason).toMatch(/^1 difference\(s\): stage Alpha \/ action Deploy: StackName hand-edited → petstore-main-[0-9a-f]{8}-alpha$/);
    expect(p.plan.diagnostics.map((d) => d.code)).toContain('branches/pipelines-left-alone');
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect(await cp.getPipeline(client, stranger.name!)).toBeDefined();
    expect((await plan(options())).plan.changes).toEqual([]);
  });
});
