import { describe, expect, it } from 'vitest';
import { desiredPipeline } from '../../src/providers/branches/desired.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { appliedTag, branchSelected, planPolicy, quotaProblem, type LivePipeline } from '../../src/providers/branches/reconcile.js';
import { doc, exampleSpec } from './helpers.js';

const listing = (...branches: string[]) => ({ defaultBranch: 'main', branches: ['main', ...branches] });

/** A pipeline as Charter left it after apply: tags (with the applied tag) and its version. */
function applied(branch: string, version = 1): LivePipeline {
  const p = desiredPipeline(exampleSpec(), 'petstore', branch, 'main');
  return { name: p.name, version, tags: { ...p.tags, 'charter:applied': appliedTag(version, p.digest) } };
}

describe('branch filters', () => {
  const spec = exampleSpec();
  it.each([
    ['main', true],
    ['feature/a/b', true],
    ['release/1.0', true],
    ['release/1.0/hotfix', false],
    ['fix-typo', true],
    ['experiment', false],
    ['dependabot/npm/x', false],
  ])('%s → %s', (branch, expected) => expect(branchSelected(spec, branch, 'main')).toBe(expected));

  it('the default branch is always selected, even when excluded', () => {
    expect(branchSelected({ branches: { include: ['feature/*'], exclude: ['**'] } }, 'trunk', 'trunk')).toBe(true);
  });
});

describe('planPolicy', () => {
  it('creates a pipeline per matching branch, nothing for the others', () => {
    const out = planPolicy(doc(), listing('feature/a', 'feature-a', 'experiment'), []);
    expect(out.changes.map((c) => [c.action, c.title, c.risk])).toEqual([
      ['create', `Pipeline ${pipelineName('petstore', 'feature/a')} (branch feature/a)`, 'safe'],
      ['create', `Pipeline ${pipelineName('petstore', 'main')} (branch main)`, 'safe'],
    ]);
    expect(out.changes[0].address).toBe(`branches/petstore/pipeline/${pipelineName('petstore', 'feature/a')}`);
  });

  it('converged pipelines vouched for by the applied tag need no read and plan nothing', () => {
    const out = planPolicy(doc(), listing('feature/a'), [applied('main', 4), applied('feature/a')]);
    expect(out.changes).toEqual([]);
    expect(out.diagnostics).toEqual([]);
  });

  it('an orphan (branch gone) is a safe delete after the cleanup build; a filtered-out branch that still exists is destructive', () => {
    const orphan = applied('feature/gone');
    const filtered = applied('experiment');
    const out = planPolicy(doc(), listing('experiment'), [applied('main'), orphan, filtered]);
    expect(out.changes.map((c) => [c.action, c.risk, (c.data as { branch: string }).branch])).toEqual([
      ['delete', 'destructive', 'experiment'],
      ['delete', 'safe', 'feature/gone'],
    ]);
    expect(out.changes[1].reason).toBe('Branch feature/gone no longer exists (an orphaned pipeline); cleanup build petstore-destroy runs first with BRANCH=feature/gone, and the pipeline is kept if it fails');
    expect(out.changes[1].data).toMatchObject({ op: 'delete', cleanup: { project: 'petstore-destroy', timeoutMinutes: 30 } });
  });

  it('never touches pipelines without its tags: left alone, or an error when it needs the name', () => {
    const untaggedOrphan: LivePipeline = { name: pipelineName('petstore', 'someone-elses'), version: 1, tags: {} };
    const otherPolicy: LivePipeline = { name: pipelineName('petstore', 'x'), version: 1, tags: { 'charter:policy': 'other', 'charter:branch': 'x' } };
    const squatter: LivePipeline = { name: pipelineName('petstore', 'main'), version: 1, tags: { team: 'ops' } };
    const out = planPolicy(doc(), listing(), [untaggedOrphan, otherPolicy, squatter]);
    expect(out.changes).toEqual([]);
    expect(out.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['branches/name-taken', 'error'],
      ['branches/pipelines-left-alone', 'notice'],
    ]);
  });

  it('a pipeline edited since apply is read and diffed per action', () => {
    const main = applied('main', 2);
    const want = desiredPipeline(exampleSpec(), 'petstore', 'main', 'main');
    const live = JSON.parse(JSON.stringify(want.declaration));
    live.stages[5].actions[1].configuration.StackName = 'petstore-prod-old';
    const out = planPolicy(doc(), listing(), [{ ...main, version: 3, declaration: live }]);
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({ action: 'update', risk: 'safe', reason: '1 difference(s): stage Prod / action Deploy: StackName petstore-prod-old → petstore-prod' });
    expect((out.changes[0].before as string[]).find((l) => l.startsWith('Prod / Deploy'))).toMatch(/stack petstore-prod-old/);
  });

  it('tags the policy changed are set without touching the declaration', () => {
    const spec = exampleSpec();
    spec.tags = { team: 'pets' };
    const main = applied('main');
    const want = desiredPipeline(exampleSpec(), 'petstore', 'main', 'main');
    const out = planPolicy(doc(spec), listing(), [{ ...main, declaration: want.declaration }]);
    expect(out.changes.map((c) => [c.action, c.reason, (c.data as { op: string }).op])).toEqual([['update', '1 difference(s): tag team: petstore → pets', 'tags']]);
  });

  it('a branch name longer than a tag value is an error, not a silent skip', () => {
    const out = planPolicy(doc(), listing(`feature/${'x'.repeat(300)}`), [applied('main')]);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['branches/branch-name-too-long']);
  });
});

describe('the pipelines-per-region quota', () => {
  it('counts every pipeline of the region', () => {
    expect(quotaProblem(doc(), 990, 10, 0)).toBeUndefined();
    expect(quotaProblem(doc(), 990, 11, 0)?.message).toBe('The plan leaves 1001 pipelines in us-east-1 (990 now, 11 to create, 0 to delete); CodePipeline allows 1000 per region');
    expect(quotaProblem(doc(), 1000, 1, 1)).toBeUndefined();
  });
});
