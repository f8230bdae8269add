/**
 * The pipeline half of the sandbox against an independent simulator: the same calls through Charter's SDK
 * wrappers go to moto_server (moto 5) and to the sandbox, and the answers Charter relies on must agree.
 * Skipped with a notice where moto_server is absent, unless CHARTER_REQUIRE_ALL=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cb from '../../src/aws/codebuild.js';
import * as cp from '../../src/aws/codepipeline.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { hasMoto, requireMotoOrSkip, startMoto, type Moto } from '../helpers/moto.js';
import { credentials } from './helpers.js';

requireMotoOrSkip('the CodePipeline/CodeBuild differential test');

const declaration = (name: string): cp.PipelineDeclaration =>
  ({
    name,
    roleArn: 'arn:aws:iam::123456789012:role/pipeline',
    pipelineType: 'V2',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'GitHub',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            configuration: { ConnectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc', FullRepositoryId: 'acme/pkg', BranchName: 'main' },
            outputArtifacts: [{ name: 'src' }],
            runOrder: 1,
          },
        ],
      },
      {
        name: 'Publish',
        actions: ['a', 'b'].map((n) => ({
          name: `Publish-${n}`,
          runOrder: 1,
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
          configuration: { ProjectName: `publish-${n}` },
          inputArtifacts: [{ name: 'src' }],
        })),
      },
    ],
  }) as cp.PipelineDeclaration;

/** The action fields CodePipeline fills in (runOrder 1, empty artifact lists) compared as AWS returns them. */
function actionsOf(d: cp.PipelineDeclaration | undefined): unknown {
  return d?.stages?.map((s) => [s.name, s.actions?.map((a) => [a.name, a.runOrder ?? 1, a.actionTypeId?.category])]);
}

/** What Charter reads back, in a form both simulators must agree on. */
async function scenario(endpoint: string): Promise<unknown> {
  const settings = { endpoint, credentials, maxAttempts: 1, requestsPerSecond: { codepipeline: 1000, codebuild: 1000 } };
  const pipes = cp.codePipelineClient(settings, 'us-east-1');
  const builds = cb.codeBuildClient(settings, 'us-east-1');
  const out: Record<string, unknown> = {};
  await cp.createPipeline(pipes, declaration('packages'), { 'charter:policy': 'pkg' });
  const created = await cp.getPipeline(pipes, 'packages');
  out.created = { version: created?.declaration.version, stages: actionsOf(created?.declaration) };
  out.tags = await cp.listTags(pipes, created!.arn);
  const changed = declaration('packages');
  changed.stages![1].actions!.push({ ...changed.stages![1].actions![0], name: 'Publish-c', configuration: { ProjectName: 'publish-c' } });
  await cp.updatePipeline(pipes, changed);
  const updated = await cp.getPipeline(pipes, 'packages');
  out.updated = { version: updated?.declaration.version, actions: updated?.declaration.stages?.[1].actions?.map((a) => a.name) };
  await cp.tagPipeline(pipes, created!.arn, { team: 'a' });
  await cp.untagPipeline(pipes, created!.arn, ['charter:policy']);
  out.retagged = await cp.listTags(pipes, created!.arn);
  out.listed = (await cp.listPipelines(pipes)).map((p) => p.name);
  out.missing = await cp.getPipeline(pipes, 'nope');
  await cp.deletePipeline(pipes, 'packages');
  out.afterDelete = (await cp.listPipelines(pipes)).map((p) => p.name);

  await cb.createProject(builds, {
    name: 'replicate',
    // moto wants a source location for every type (AWS only for S3 and repositories), so both get one.
    source: { type: 'S3', location: 'sources/pkg.zip', buildspec: 'version: 0.2' },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
    serviceRole: 'arn:aws:iam::123456789012:role/build',
  });
  const projects = await cb.getProjects(builds, ['replicate', 'absent']);
  out.projects = [...projects.values()].map((p) => [p.name, p.environment?.image]);
  out.projectNames = await cb.listProjectNames(builds);
  out.duplicate = await cb.createProject(builds, { name: 'replicate', source: { type: 'S3', location: 'sources/pkg.zip' }, artifacts: { type: 'NO_ARTIFACTS' }, environment: { type: 'LINUX_CONTAINER', image: 'i', computeType: 'BUILD_GENERAL1_SMALL' }, serviceRole: 'arn:aws:iam::123456789012:role/build' }).then(
    () => 'created',
    (e: Error) => e.name,
  );
  await cb.deleteProject(builds, 'replicate');
  out.projectsAfterDelete = await cb.listProjectNames(builds);
  return out;
}

describe.skipIf(!hasMoto)('sandbox and moto_server agree on the pipeline calls', () => {
  let moto: Moto | undefined;
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    // moto (like AWS) checks that CodePipeline and CodeBuild may assume the role; the sandbox has no IAM.
    await moto.createRole('pipeline', 'codepipeline');
    await moto.createRole('build', 'codebuild');
    sb = await startSandbox();
  }, 30_000);
  afterAll(async () => {
    await moto?.close();
    await sb?.close();
  });

  it('create, read, update, tag, list and delete give the same answers', async () => {
    const fromMoto = await scenario(moto!.url);
    const fromSandbox = await scenario(sb!.endpoint);
    expect(fromSandbox).toEqual(fromMoto);
  }, 60_000);
});
