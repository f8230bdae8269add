import { describe, expect, it } from 'vitest';
import { desiredPipeline, pipelineView } from '../../src/providers/branches/desired.js';
import { diffPipeline, normalizeLive } from '../../src/providers/branches/diff.js';
import { branchHash } from '../../src/providers/branches/names.js';
import { exampleSpec } from './helpers.js';

describe('the desired pipeline', () => {
  it('the default branch gets all four environments, Prod with its approval before the deployment', () => {
    const p = desiredPipeline(exampleSpec(), 'petstore', 'main', 'main');
    expect(p.name).toBe(`petstore-main-${branchHash('main')}`);
    expect(p.declaration.stages.map((s) => s.name)).toEqual(['Source', 'Build', 'Alpha', 'Beta', 'Gamma', 'Prod']);
    const prod = p.declaration.stages[5];
    expect(prod.actions.map((a) => [a.name, a.runOrder])).toEqual([
      ['Approval', 1],
      ['Deploy', 2],
    ]);
    expect(prod.actions[0].configuration).toEqual({ NotificationArn: 'arn:aws:sns:us-east-1:123456789012:petstore-prod-approvals', CustomData: 'Approve the release of the pet store API to production.' });
    expect(prod.actions[1]).toMatchObject({ roleArn: 'arn:aws:iam::444444444444:role/ChildAccountDeployerRole', configuration: { StackName: 'petstore-prod', ActionMode: 'CREATE_UPDATE', TemplatePath: 'BuildOutput::template.yml' } });
    // Beta's two tests run in parallel (same runOrder) after the deployment.
    expect(p.declaration.stages[3].actions.map((a) => [a.name, a.runOrder])).toEqual([
      ['Deploy', 1],
      ['ApiTests', 2],
      ['LoadTests', 2],
    ]);
    // Tests from another repository get their own source action and artifact.
    expect(p.declaration.stages[0].actions.map((a) => a.configuration.FullRepositoryId)).toEqual(['acme/petstore', 'acme/petstore-tests', 'acme/petstore-tests']);
    expect(p.declaration.artifactStore).toEqual({ type: 'S3', location: 'petstore-artifacts-123456789012', encryptionKey: { id: 'arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', type: 'KMS' } });
    expect(p.tags).toEqual({ team: 'petstore', 'charter:policy': 'petstore', 'charter:branch': 'main' });
  });

  it('a feature branch skips the default-branch-only environments and deploys its own stacks', () => {
    const p = desiredPipeline(exampleSpec(), 'petstore', 'feature/login', 'main');
    expect(p.declaration.stages.map((s) => s.name)).toEqual(['Source', 'Build', 'Alpha', 'Beta']);
    expect(p.declaration.stages[0].actions[0].configuration.BranchName).toBe('feature/login');
    expect(p.declaration.stages[2].actions[0].configuration.StackName).toBe(`petstore-feature-login-${branchHash('feature/login')}-alpha`);
    expect(JSON.parse(p.declaration.stages[1].actions[0].configuration.EnvironmentVariables)).toEqual([
      { name: 'BRANCH', value: 'feature/login', type: 'PLAINTEXT' },
      { name: 'BUILD_IMAGE', value: 'aws/codebuild/standard:7.0', type: 'PLAINTEXT' },
    ]);
  });

  it('uses one artifact store per region when an environment runs elsewhere', () => {
    const spec = exampleSpec();
    spec.artifactStores['eu-west-1'] = { bucket: 'petstore-artifacts-eu', kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' };
    spec.stages.environments![1].region = 'eu-west-1';
    const p = desiredPipeline(spec, 'petstore', 'feature/x', 'main');
    expect(p.declaration.artifactStore).toBeUndefined();
    expect(Object.keys(p.declaration.artifactStores!)).toEqual(['eu-west-1', 'us-east-1']);
    expect(p.declaration.stages[3].actions.every((a) => a.region === 'eu-west-1')).toBe(true);
  });

  it('the view is one readable line per action', () => {
    const lines = pipelineView(desiredPipeline(exampleSpec(), 'petstore', 'main', 'main').declaration) as string[];
    expect(lines).toContain('Prod / Approval: manual approval, notifying arn:aws:sns:us-east-1:123456789012:petstore-prod-approvals ("Approve the release of the pet store API to production.") [runOrder 1]');
    expect(lines[0]).toBe('Source / Source: GitHub acme/petstore branch main [runOrder 1]');
  });
});

describe('the pipeline diff', () => {
  const want = () => desiredPipeline(exampleSpec(), 'petstore', 'main', 'main').declaration;
  /** The declaration as GetPipeline returns it: JSON with CodePipeline's own additions. */
  const asLive = (d: unknown): ReturnType<typeof want> => ({ ...(JSON.parse(JSON.stringify(d)) as ReturnType<typeof want>), version: 3, executionMode: 'SUPERSEDED' }) as ReturnType<typeof want>;

  it('a pipeline read back as written has no differences', () => {
    expect(diffPipeline(normalizeLive(asLive(want())), want())).toEqual({ lines: [], risk: 'safe' });
  });

  it('reads per stage and action', () => {
    const live = asLive(want());
    live.stages[2].actions[0].configuration.StackName = 'petstore-hand-edited';
    live.stages[5].actions = live.stages[5].actions.filter((a) => a.name !== 'Approval');
    live.stages[5].actions[0].runOrder = 1;
    live.stages.push({ name: 'Manual', actions: [{ ...live.stages[4].actions[0], name: 'Extra' }] });
    const d = diffPipeline(normalizeLive(live), want());
    expect(d.lines).toEqual([
      `stage Alpha / action Deploy: StackName petstore-hand-edited → petstore-main-${branchHash('main')}-alpha`,
      'stage Prod / action Approval: added',
      'stage Prod / action Deploy: runOrder 1 → 2',
      'stage Manual: removed, with Extra',
    ]);
    expect(d.risk).toBe('disruptive');
  });

  it('a removed test action is disruptive, an added one safe', () => {
    const live = asLive(want());
    live.stages[3].actions.pop();
    expect(diffPipeline(normalizeLive(live), want())).toEqual({ lines: ['stage Beta / action LoadTests: added'], risk: 'safe' });
    expect(diffPipeline(want(), normalizeLive(live))).toEqual({ lines: ['stage Beta / action LoadTests: removed'], risk: 'disruptive' });
  });
});
