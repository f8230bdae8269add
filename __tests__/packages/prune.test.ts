/**
 * PackagePublishing pruning beyond a renamed repository, and adoption, against the sandbox through the real
 * SDK clients: a region dropped from replicaRegions loses Charter's repository, projects and (when Charter
 * created it and it is left empty) domain, behind the risk gate; a removed pruning policy's repositories
 * are deleted by a pruning policy of the same domain; nothing without Charter's tags is touched, and no
 * package version is ever deleted on its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/core/engine.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { repoRoot } from '../helpers/aws.js';
import { calls, packagesOptions, policy, policyDir } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const pypiExample = readFileSync(join(repoRoot, 'policies/examples/package-publishing.yml'), 'utf8').split(/^---$/m)[0];
const pruning = pypiExample.replace('  domain: package-domain', '  prune: true\n  domain: package-domain');
const withoutWest = pruning.replace('replicaRegions: [us-east-2, us-west-2]', 'replicaRegions: [us-east-2]').replace(/^ {6}us-west-2: package-pipeline-artifacts-us-west-2\n/m, '');
const short = (address: string) => address.replace(/^packages\/[^/]+\//, '');
const deletes = (s: Sandbox) => s.stats.calls().filter((c) => /^Delete/.test(c.operation)).map((c) => `${c.service}:${c.operation}`).sort();

async function converged(files: Record<string, string>) {
  sb = await startSandbox();
  const cwd = policyDir(files);
  const opts = packagesOptions(sb, cwd, Object.keys(files));
  const first = await apply({ ...opts, allowDestructive: false });
  expect(first.results.every((r) => r.status === 'applied'), JSON.stringify(first.results)).toBe(true);
  expect((await plan(opts)).plan.changes).toEqual([]);
  sb.stats.reset();
  // Pruning a region or a policy deletes much of what a policy owns: past the change threshold (issue 15,
  // item 8), so these runs are forced; the first test checks that an unforced plan is refused.
  return { s: sb, cwd, opts: { ...opts, safety: { force: true } }, unforced: opts };
}

describe('PackagePublishing prune', () => {
  it('a region dropped from replicaRegions: its repository, Charter\'s projects and the domain Charter created go, behind the risk gate; re-plan is empty', async () => {
    const { s, cwd, opts, unforced } = await converged({ 'p.yml': pruning });
    // The primary records the replica regions it must remember.
    const primary = s.state.codeartifact.repositories.find((r) => r.region === 'us-east-1')!;
    expect(primary.tags).toEqual(expect.arrayContaining([{ key: 'charter:replicas', value: 'us-east-2 us-west-2' }, { key: 'charter:prune', value: 'true' }]));
    s.state.codeartifact.packages.push({ region: 'us-west-2', domain: 'package-domain', repository: 'package-artifact-repo', format: 'pypi', name: 'mypippackage', versions: [] });

    writeFileSync(join(cwd, 'p.yml'), withoutWest);
    expect((await plan(unforced)).plan.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'plan/change-threshold-exceeded', severity: 'error' })]));
    const p = (await plan(opts)).plan;
    expect(p.changes.map((c) => [c.action, short(c.address), c.risk])).toEqual([
      ['update', 'us-east-1/codepipeline/packagePipeline', 'disruptive'],
      ['delete', 'us-west-2/codebuild/charter-package-domain-package-artifact-repo-replicate', 'safe'],
      ['delete', 'us-west-2/codebuild/packagePipeline-publish', 'safe'],
      ['delete', 'us-west-2/repository/package-artifact-repo', 'destructive'],
      ['delete', 'us-west-2/domain', 'destructive'],
      ['update', 'us-east-1/repository/replicas', 'safe'],
    ]);
    expect(p.changes[0].reason).toContain('- Publish/Publish-us-west-2');
    expect(p.changes[3].reason).toContain('us-west-2 is no longer in replicaRegions, with prune: true');
    expect(p.changes[5].after).toEqual({ 'charter:replicas': 'us-east-2' });

    const refused = await apply({ ...opts, allowDestructive: false });
    expect(refused.refused).toBeDefined();
    expect(s.state.codeartifact.repositories.filter((r) => r.region === 'us-west-2')).toHaveLength(1);
    const applied = await apply({ ...opts, allowDestructive: true });
    expect(applied.results.map((r) => r.status), JSON.stringify(applied.results)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
    expect(s.state.codeartifact.repositories.map((r) => r.region).sort()).toEqual(['us-east-1', 'us-east-2']);
    expect(s.state.codeartifact.domains.map((d) => d.region).sort()).toEqual(['us-east-1', 'us-east-2']);
    expect(s.state.codebuild.projects.filter((x) => x.region === 'us-west-2')).toEqual([]);
    expect(deletes(s)).toEqual(['codeartifact:DeleteDomain', 'codeartifact:DeleteRepository', 'codebuild:DeleteProject']);
    expect((await plan(opts)).plan.changes).toEqual([]);
  });

  it('a dropped region whose domain holds another repository keeps the domain and that repository; a failed delete keeps the region recorded for the next plan', async () => {
    const { s, cwd, opts } = await converged({ 'p.yml': pruning });
    s.state.codeartifact.repositories.push({ region: 'us-west-2', domain: 'package-domain', name: 'hand-made', arn: 'arn:aws:codeartifact:us-west-2:123456789012:repository/package-domain/hand-made', description: '', externalConnections: [], createdTime: new Date().toISOString(), tags: [] });
    writeFileSync(join(cwd, 'p.yml'), withoutWest);
    s.faults.throttle('codeartifact', 'DeleteRepository', 1000, 'us-west-2');
    const failed = await apply({ ...packagesOptions(s, cwd, ['p.yml'], 1), allowDestructive: true });
    const status = Object.fromEntries(failed.results.map((r) => [short(r.address), r.status]));
    expect(status).toEqual({
      'us-east-1/codepipeline/packagePipeline': 'applied',
      'us-west-2/codebuild/charter-package-domain-package-artifact-repo-replicate': 'applied',
      'us-west-2/codebuild/packagePipeline-publish': 'applied',
      'us-west-2/repository/package-artifact-repo': 'failed',
      // Recording the shorter list waits for the prune of us-west-2: it stays recorded.
      'us-east-1/repository/replicas': 'not-attempted',
    });
    s.faults.reset();
    const next = (await plan(opts)).plan;
    expect(next.changes.map((c) => [c.action, short(c.address)])).toEqual([
      ['delete', 'us-west-2/repository/package-artifact-repo'],
      ['update', 'us-east-1/repository/replicas'],
    ]);
    const applied = await apply({ ...opts, allowDestructive: true });
    expect(applied.ok).toBe(true);
    expect(s.state.codeartifact.repositories.filter((r) => r.region === 'us-west-2').map((r) => r.name)).toEqual(['hand-made']);
    expect(s.state.codeartifact.domains.filter((d) => d.region === 'us-west-2')).toHaveLength(1);
    expect((await plan(opts)).plan.changes).toEqual([]);
  });

  it('a dropped region\'s repository Charter does not own is left alone, with a notice', async () => {
    const { s, cwd, opts } = await converged({ 'p.yml': pruning });
    const west = s.state.codeartifact.repositories.find((r) => r.region === 'us-west-2')!;
    west.tags = west.tags.filter((t) => t.key !== 'charter:policy');
    writeFileSync(join(cwd, 'p.yml'), withoutWest);
    const p = (await plan(opts)).plan;
    expect(p.changes.filter((c) => c.address.includes('us-west-2/repository') || c.address.endsWith('us-west-2/domain'))).toEqual([]);
    expect(p.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'packages/repository-left-alone', message: expect.stringContaining('dropped from replicaRegions') })]));
  });

  it('a removed policy\'s repositories are deleted by a pruning policy of the same domain only when that policy pruned; others\' and untagged ones stay', async () => {
    const spec = (repository: string, prune: boolean) => `  format: generic\n  domain: shared-domain\n  repository: ${repository}\n  prune: ${prune}\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n`;
    const { s, opts } = await converged({
      'keep.yml': policy('keep', spec('kept', true)),
      'gone.yml': policy('gone', spec('gone-repo', true)),
      'gone-no-prune.yml': policy('gone-no-prune', spec('gone-unpruned', false)),
    });
    s.state.codeartifact.repositories.push({ region: 'us-east-1', domain: 'shared-domain', name: 'untagged', arn: 'arn:aws:codeartifact:us-east-1:123456789012:repository/shared-domain/untagged', description: '', externalConnections: [], createdTime: new Date().toISOString(), tags: [] });
    // Scope changed (a pull request touching keep.yml only): the others are read and left out of the plan,
    // not removed, so nothing of theirs is deleted.
    const scoped = (await plan({ ...opts, changedFiles: ['keep.yml'] })).plan;
    expect(scoped.scope?.skipped).toEqual(['PackagePublishing/gone', 'PackagePublishing/gone-no-prune']);
    expect(scoped.changes).toEqual([]);
    // Both removed from the repository; keep.yml is planned alone.
    const only = { ...opts, paths: ['keep.yml'] };
    const p = (await plan(only)).plan;
    expect(p.changes.map((c) => [c.action, c.address, c.risk])).toEqual([
      ['delete', 'packages/keep/eu-west-1/repository/gone-repo', 'destructive'],
      ['delete', 'packages/keep/us-east-1/repository/gone-repo', 'destructive'],
    ]);
    expect(p.changes[0].reason).toContain('Created by PackagePublishing policy gone (charter:policy=gone, charter:prune=true), which is no longer in the repository');
    // The run's other policies are not orphans: planned together, nothing is deleted.
    expect((await plan(opts)).plan.changes).toEqual([]);
    const applied = await apply({ ...only, allowDestructive: true });
    expect(applied.ok).toBe(true);
    expect(s.state.codeartifact.repositories.map((r) => `${r.region}/${r.name}`).sort()).toEqual(['eu-west-1/gone-unpruned', 'eu-west-1/kept', 'us-east-1/gone-unpruned', 'us-east-1/kept', 'us-east-1/untagged']);
    expect(deletes(s)).toEqual(['codeartifact:DeleteRepository']);
    expect((await plan(only)).plan.changes).toEqual([]);
  });

  it('prune on marks the repositories charter:prune=true; off again marks them false (a removed policy is then not pruned), and nothing is listed', async () => {
    const { s, cwd, opts } = await converged({ 'p.yml': pypiExample });
    writeFileSync(join(cwd, 'p.yml'), pruning);
    expect((await apply({ ...opts, allowDestructive: false })).ok).toBe(true);
    writeFileSync(join(cwd, 'p.yml'), pypiExample);
    const off = (await plan(opts)).plan;
    expect(off.changes.map((c) => [short(c.address), c.after])).toEqual(['us-east-1', 'us-east-2', 'us-west-2'].map((r) => [`${r}/repository/tags`, { 'charter:prune': 'false' }]));
    expect((await apply({ ...opts, allowDestructive: false })).ok).toBe(true);
    expect((await plan(opts)).plan.changes).toEqual([]);
    // Only the apply with prune on listed the domain's repositories (once per region).
    expect(calls(s)['codeartifact:ListRepositoriesInDomain']).toBe(3);
  });
});

describe('PackagePublishing adopt', () => {
  it('adopt: true tags an untagged repository, project and pipeline (safe changes); a resource owned by another policy stays left alone', async () => {
    const { s, cwd, opts } = await converged({ 'p.yml': pypiExample });
    for (const r of [...s.state.codeartifact.repositories, ...s.state.codebuild.projects, ...s.state.codepipeline.pipelines]) r.tags = r.tags.filter((t) => t.key !== 'charter:policy');
    const east2 = s.state.codeartifact.repositories.find((r) => r.region === 'us-east-2')!;
    east2.tags.push({ key: 'charter:policy', value: 'someone-else' });
    // Without adopt: nothing changes, everything is left alone.
    const leftAlone = (await plan(opts)).plan;
    expect(leftAlone.changes).toEqual([]);
    expect(leftAlone.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['packages/repository-left-alone', 'packages/project-left-alone', 'packages/pipeline-left-alone']));
    writeFileSync(join(cwd, 'p.yml'), pypiExample.replace('  domain: package-domain', '  adopt: true\n  domain: package-domain'));
    const p = (await plan(opts)).plan;
    expect(p.changes.every((c) => c.action === 'update' && c.risk === 'safe' && c.reason.startsWith('Adopts the '))).toBe(true);
    expect(p.changes.map((c) => short(c.address))).not.toContain('us-east-2/repository/tags');
    expect(p.changes.map((c) => short(c.address))).toEqual(expect.arrayContaining(['us-east-1/repository/tags', 'us-west-2/repository/tags', 'us-east-1/codepipeline/packagePipeline/tags', 'us-east-2/codebuild/packagePipeline-publish/tags']));
    expect(p.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'packages/repository-left-alone', message: expect.stringContaining('owned by policy someone-else') })]));
    expect((await apply({ ...opts, allowDestructive: false })).ok).toBe(true);
    expect(calls(s)['codebuild:UpdateProject']).toBeGreaterThan(0);
    expect(calls(s)['codepipeline:TagResource']).toBe(1);
    expect(s.state.codeartifact.repositories.find((r) => r.region === 'us-east-2')!.tags).toEqual(expect.arrayContaining([{ key: 'charter:policy', value: 'someone-else' }]));
    expect((await plan(opts)).plan.changes).toEqual([]);
  });
});
