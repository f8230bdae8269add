import { afterEach, describe, expect, it } from 'vitest';
import * as cb from '../../src/aws/codebuild.js';
import * as cp from '../../src/aws/codepipeline.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { credentials, errorOf } from './helpers.js';

const waits = { pollIntervalMs: 1, waitTimeoutMs: 5000 };
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const settings = (s: Sandbox) => ({ endpoint: s.endpoint, credentials, maxAttempts: 1, requestsPerSecond: { codepipeline: 1000, codebuild: 1000 } });

function declaration(name: string, extra: Record<string, unknown> = {}): cp.PipelineDeclaration {
  return {
    name,
    roleArn: 'arn:aws:iam::123456789012:role/pipeline',
    pipelineType: 'V2',
    artifactStores: { 'us-east-1': { type: 'S3', location: 'art-use1' }, 'us-west-2': { type: 'S3', location: 'art-usw2' } },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'GitHub',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            configuration: { ConnectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc', FullRepositoryId: 'acme/pkg', BranchName: 'main' },
            outputArtifacts: [{ name: 'src' }],
          },
        ],
      },
      {
        name: 'Publish',
        actions: ['us-east-1', 'us-west-2'].map((region) => ({
          name: `Publish-${region}`,
          region,
          runOrder: 1,
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
          configuration: { ProjectName: 'publish' },
          inputArtifacts: [{ name: 'src' }],
        })),
      },
    ],
    ...extra,
  } as cp.PipelineDeclaration;
}

describe('sandbox CodePipeline', () => {
  it('creates, reads, updates (version bumps), tags, lists across pages and deletes V2 pipelines per region', async () => {
    sb = await startSandbox();
    const c = cp.codePipelineClient(settings(sb), 'us-east-1');
    await cp.createPipeline(c, declaration('packages'), { 'charter:policy': 'pkg' });
    const live = await cp.getPipeline(c, 'packages');
    expect(live?.declaration.version).toBe(1);
    expect(live?.arn).toBe('arn:aws:codepipeline:us-east-1:123456789012:packages');
    expect(await cp.listTags(c, live!.arn)).toEqual({ 'charter:policy': 'pkg' });
    await cp.updatePipeline(c, { ...live!.declaration, stages: live!.declaration.stages });
    expect((await cp.getPipeline(c, 'packages'))?.declaration.version).toBe(2);
    await cp.tagPipeline(c, live!.arn, { team: 'a' });
    await cp.untagPipeline(c, live!.arn, ['charter:policy']);
    expect(await cp.listTags(c, live!.arn)).toEqual({ team: 'a' });
    // Regional: another region does not see it.
    expect(await cp.getPipeline(cp.codePipelineClient(settings(sb), 'us-west-2'), 'packages')).toBeUndefined();
    for (let i = 0; i < 4; i++) await cp.createPipeline(c, declaration(`p${i}`), {});
    const { ListPipelinesCommand } = await import('@aws-sdk/client-codepipeline');
    const first = await c.send(new ListPipelinesCommand({ maxResults: 2 }));
    expect(first.pipelines?.map((p) => p.name)).toEqual(['p0', 'p1']);
    expect(first.nextToken).toBeDefined();
    expect((await cp.listPipelines(c)).map((p) => p.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'packages']);
    await cp.deletePipeline(c, 'packages');
    expect(await cp.getPipeline(c, 'packages')).toBeUndefined();
  });

  it('answers the documented errors', async () => {
    sb = await startSandbox({ state: { settings: { codepipeline: { maxPipelinesPerRegion: 1 } } } });
    const c = cp.codePipelineClient(settings(sb), 'us-east-1');
    expect((await errorOf(cp.createPipeline(c, declaration('bad name!'), {}))).name).toBe('ValidationException');
    expect((await errorOf(cp.createPipeline(c, declaration('x'.repeat(101)), {}))).name).toBe('ValidationException');
    expect((await errorOf(cp.createPipeline(c, declaration('x', { roleArn: 'role' }), {}))).name).toBe('ValidationException');
    expect((await errorOf(cp.createPipeline(c, declaration('x', { stages: declaration('x').stages!.slice(0, 1) }), {}))).name).toBe('InvalidStructureException');
    expect((await errorOf(cp.createPipeline(c, declaration('x', { artifactStore: { type: 'S3', location: 'b' } }), {}))).name).toBe('InvalidStructureException');
    await cp.createPipeline(c, declaration('one'), {});
    expect((await errorOf(cp.createPipeline(c, declaration('one'), {}))).name).toBe('PipelineNameInUseException');
    expect((await errorOf(cp.createPipeline(c, declaration('two'), {}))).name).toBe('LimitExceededException');
    expect((await errorOf(cp.updatePipeline(c, declaration('none')))).name).toBe('PipelineNotFoundException');
    expect((await errorOf(cp.listTags(c, 'arn:aws:codepipeline:us-east-1:123456789012:none'))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(cp.listTags(c, 'not-an-arn'))).name).toBe('InvalidArnException');
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect((await errorOf(cp.tagPipeline(c, 'arn:aws:codepipeline:us-east-1:123456789012:one', tooMany))).name).toBe('TooManyTagsException');
  });

  it('runs executions to the outcome the settings give', async () => {
    sb = await startSandbox({ state: { settings: { codepipeline: { executionCompleteAfterPolls: 2, executionOutcome: 'Failed' } } } });
    const c = cp.codePipelineClient(settings(sb), 'us-east-1');
    await cp.createPipeline(c, declaration('packages'), {});
    const id = await cp.startExecution(c, 'packages');
    expect(await cp.waitForExecution(c, 'packages', id, waits)).toBe('Failed');
    expect((await cp.listExecutions(c, 'packages')).map((e) => e.pipelineExecutionId)).toEqual([id]);
    expect((await errorOf(cp.startExecution(c, 'nope'))).name).toBe('PipelineNotFoundException');
  });
});

describe('sandbox CodeBuild', () => {
  const project = (name: string): cb.CreateProjectCommandInput => ({
    name,
    source: { type: 'NO_SOURCE', buildspec: 'version: 0.2' },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL', environmentVariables: [{ name: 'FORMAT', value: 'pypi', type: 'PLAINTEXT' }] },
    serviceRole: 'arn:aws:iam::123456789012:role/build',
    tags: [{ key: 'charter:policy', value: 'pkg' }],
  });

  it('manages projects and runs builds whose outcome the state drives, with environment overrides', async () => {
    sb = await startSandbox({ state: { codebuild: { outcomes: { replicate: ['FAILED'] } } } });
    const c = cb.codeBuildClient(settings(sb), 'us-east-2');
    await cb.createProject(c, project('replicate'));
    expect((await errorOf(cb.createProject(c, project('replicate')))).name).toBe('ResourceAlreadyExistsException');
    expect((await errorOf(cb.createProject(c, project('-bad')))).name).toBe('InvalidInputException');
    expect((await errorOf(cb.updateProject(c, project('missing')))).name).toBe('ResourceNotFoundException');
    await cb.updateProject(c, { ...project('replicate'), description: 'copies versions' });
    const got = await cb.getProjects(c, ['replicate', 'missing']);
    expect([...got.keys()]).toEqual(['replicate']);
    expect(got.get('replicate')?.description).toBe('copies versions');
    expect(await cb.listProjectNames(c)).toEqual(['replicate']);

    const failed = await cb.startBuild(c, 'replicate', { VERSION: '1.1.0' });
    const ok = await cb.startBuild(c, 'replicate', { VERSION: '1.2.0' });
    const result = await cb.waitForBuilds(c, [failed, ok], waits);
    expect(result.get(failed)).toBe('FAILED');
    expect(result.get(ok)).toBe('SUCCEEDED');
    const build = sb.state.codebuild.builds.find((b) => b.id === ok);
    expect(build?.environmentVariables).toEqual([
      { name: 'FORMAT', value: 'pypi', type: 'PLAINTEXT' },
      { name: 'VERSION', value: '1.2.0', type: 'PLAINTEXT' },
    ]);
    expect((await errorOf(cb.startBuild(c, 'nope', {}))).name).toBe('ResourceNotFoundException');
    await cb.deleteProject(c, 'replicate');
    expect((await cb.getProjects(c, ['replicate'])).size).toBe(0);
  });

  it('rejects a bad state file with every problem', async () => {
    await expect(startSandbox({ state: { codebuild: { outcomes: { p: ['MAYBE'] } }, settings: { codepipeline: { executionOutcome: 'Meh' } } } })).rejects.toThrow(/codebuild\.outcomes\.p\[0\][\s\S]*executionOutcome|executionOutcome[\s\S]*codebuild\.outcomes\.p\[0\]/);
  });
});
