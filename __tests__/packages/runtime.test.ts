/**
 * PackagePublishing against the sandbox through the real SDK clients: the three-region example converges,
 * replica gaps are found (exact versions) and repaired (byte copy for generic, one replicate build per
 * version otherwise), pagination, ownership and one failing region. Plan call counts are stated exactly.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as ca from '../../src/aws/codeartifact.js';
import { apply, plan } from '../../src/core/engine.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { repoRoot } from '../helpers/aws.js';
import { calls, packagesOptions, policy, policyDir } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const example = readFileSync(join(repoRoot, 'policies/examples/package-publishing.yml'), 'utf8');
const [pypiExample, genericExample] = example.split(/^---$/m);
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const REPLICATE = 'charter-package-domain-package-artifact-repo-replicate';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function converged(files: Record<string, string>) {
  sb = await startSandbox();
  const cwd = policyDir(files);
  const opts = packagesOptions(sb, cwd, Object.keys(files));
  const first = await apply({ ...opts, allowDestructive: false });
  expect(first.refused).toBeUndefined();
  expect(first.results.every((r) => r.status === 'applied'), JSON.stringify(first.results)).toBe(true);
  sb.stats.reset();
  return { sb, cwd, opts };
}

/** Versions the pipeline "published" to one region (as the account file holds them). */
function published(s: Sandbox, region: string, name: string, versions: string[]) {
  s.state.codeartifact.packages.push({
    region,
    domain: 'package-domain',
    repository: 'package-artifact-repo',
    format: 'pypi',
    name,
    versions: versions.map((v) => {
      const content = Buffer.from(`${name}-${v} wheel`).toString('base64');
      return { version: v, revision: createHash('sha256').update(content).digest('base64'), status: 'Published', originType: 'INTERNAL', assets: [{ name: `${name}-${v}-py3-none-any.whl`, content }] };
    }),
  });
}

const writes = (s: Sandbox, region: string, service = 'codeartifact') =>
  s.stats
    .regionCalls()
    .filter((c) => c.region === region && c.service === service && !/^(Describe|List|Get|BatchGet)/.test(c.operation))
    .reduce((n, c) => n + c.count, 0);

describe('PackagePublishing plan and apply', () => {
  it('the three-region pypi example converges: domain, repository, connection and publish project per region, one pipeline publishing in parallel; re-plan is empty at the API floor', async () => {
    sb = await startSandbox();
    const cwd = policyDir({ 'p.yml': pypiExample });
    const opts = packagesOptions(sb, cwd, ['p.yml']);
    const first = await plan(opts);
    expect(first.plan.diagnostics).toEqual([]);
    const addresses = first.plan.changes.map((c) => `${c.action} ${c.address.replace('packages/python-packages/', '')}`);
    for (const region of REGIONS) {
      expect(addresses).toEqual(expect.arrayContaining([`create ${region}/domain`, `create ${region}/repository`, `create ${region}/repository/external-connection`, `create ${region}/codebuild/packagePipeline-publish`]));
    }
    expect(addresses).toEqual(expect.arrayContaining(['create us-east-1/codebuild/packagePipeline-build', `create us-east-2/codebuild/${REPLICATE}`, `create us-west-2/codebuild/${REPLICATE}`, 'create us-east-1/codepipeline/packagePipeline']));
    expect(addresses).toHaveLength(16);
    // Empty account: per region DescribeDomain, DescribeRepository, BatchGetProjects; GetPipeline in the primary.
    expect(calls(sb)).toEqual({ 'codeartifact:DescribeDomain': 3, 'codeartifact:DescribeRepository': 3, 'codebuild:BatchGetProjects': 3, 'codepipeline:GetPipeline': 1 });
    const pipelineChange = first.plan.changes.find((c) => c.address.endsWith('codepipeline/packagePipeline'))!;
    expect(pipelineChange.after).toMatchObject({
      'Publish/Publish-us-east-1': 'Build/AWS/CodeBuild@1 in us-east-1, runOrder 1; ProjectName=packagePipeline-publish; in BuildOutput',
      'Publish/Publish-us-west-2': 'Build/AWS/CodeBuild@1 in us-west-2, runOrder 1; ProjectName=packagePipeline-publish; in BuildOutput',
      'Source/Source': expect.stringContaining('FullRepositoryId=acme/mypippackage'),
    });

    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.results.map((r) => r.status)).toEqual(Array(16).fill('applied'));
    const pipeline = sb.state.codepipeline.pipelines[0];
    expect(pipeline.region).toBe('us-east-1');
    expect(pipeline.tags).toContainEqual({ key: 'charter:policy', value: 'python-packages' });
    const publish = (pipeline.declaration.stages as Array<{ name: string; actions: Array<{ region: string; runOrder: number }> }>).find((s) => s.name === 'Publish')!;
    expect(publish.actions.map((a) => [a.region, a.runOrder])).toEqual(REGIONS.map((r) => [r, 1]));
    for (const region of REGIONS) {
      const repo = sb.state.codeartifact.repositories.find((r) => r.region === region)!;
      expect(repo.externalConnections).toEqual(['public:pypi']);
      expect(repo.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'platform' }, { key: 'charter:policy', value: 'python-packages' }]));
      const project = sb.state.codebuild.projects.find((p) => p.region === region && p.name === 'packagePipeline-publish')!;
      expect(String((project.config.source as { buildspec: string }).buildspec)).toContain('aws codeartifact login --tool twine --domain "$CODEARTIFACT_DOMAIN"');
    }

    sb.stats.reset();
    const again = await plan(opts);
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.diagnostics).toEqual([]);
    // Converged, one watched package: per region 3 CodeArtifact reads + 1 ListPackageVersions + 1 BatchGetProjects; the pipeline and its tags in the primary.
    expect(calls(sb)).toEqual({
      'codeartifact:DescribeDomain': 3,
      'codeartifact:DescribeRepository': 3,
      'codeartifact:ListTagsForResource': 3,
      'codeartifact:ListPackageVersions': 3,
      'codebuild:BatchGetProjects': 3,
      'codepipeline:GetPipeline': 1,
      'codepipeline:ListTagsForResource': 1,
    });
  });

  it('a replica missing 1.1.0 is drift naming that version; apply runs one replicate build per missing version and reports each outcome', async () => {
    const { sb: s, opts } = await converged({ 'p.yml': pypiExample });
    published(s, 'us-east-1', 'mypippackage', ['1.0.0', '1.1.0']);
    published(s, 'us-east-2', 'mypippackage', ['1.0.0', '1.1.0']);
    published(s, 'us-west-2', 'mypippackage', ['1.0.0']);
    const p = await plan(opts);
    expect(p.plan.changes).toEqual([
      expect.objectContaining({ action: 'run', address: 'packages/python-packages/us-west-2/versions/mypippackage', before: { missing: ['1.1.0'] }, line: 20, column: 7, risk: 'safe' }),
    ]);
    expect(p.plan.changes[0].reason).toContain(`(1.1.0): one build of ${REPLICATE} per version`);

    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.results).toEqual([expect.objectContaining({ status: 'applied', detail: `replicated mypippackage to us-west-2 with ${REPLICATE}: 1.1.0 SUCCEEDED` })]);
    const builds = s.state.codebuild.builds.filter((b) => b.projectName === REPLICATE);
    expect(builds.map((b) => b.region)).toEqual(['us-west-2']);
    expect(Object.fromEntries(builds[0].environmentVariables.map((v) => [v.name, v.value]))).toMatchObject({ PACKAGE_NAME: 'mypippackage', PACKAGE_VERSION: '1.1.0', SOURCE_REGION: 'us-east-1', PACKAGE_FORMAT: 'pypi' });

    // A failing build is reported per version and fails the change.
    s.state.codebuild.outcomes[REPLICATE] = ['FAILED'];
    const failed = await apply({ ...opts, allowDestructive: false });
    expect(failed.ok).toBe(false);
    expect(failed.results[0]).toMatchObject({ status: 'failed', error: 'replicate builds of mypippackage in us-west-2: 1.1.0 FAILED' });
  });

  it('a generic package is repaired byte for byte: the replica gets the same assets with the same SHA-256, and re-plan is empty', async () => {
    const { sb: s, opts } = await converged({ 'g.yml': genericExample });
    const settings = { endpoint: s.endpoint, requestsPerSecond: { codeartifact: 10_000 } };
    const east = ca.codeArtifactClient(settings, 'us-east-1');
    const ref = { domain: 'release-domain', repository: 'release-artifacts', format: 'generic', namespace: 'acme', name: 'agent' };
    const binary = Buffer.from([0, 255, 1, 254, 0x1f, 0x8b, 8, 0, ...Buffer.from('tarball')]);
    await ca.publishAsset(east, ref, '1.0.0', 'agent-1.0.0.tar.gz', binary, true);
    await ca.publishAsset(east, ref, '1.0.0', 'agent-1.0.0.sha256', Buffer.from(sha256(binary)), false);
    await ca.publishAsset(east, ref, '2.0.0', 'agent-2.0.0.tar.gz', Buffer.from('two'), false);
    s.stats.reset();

    const p = await plan(opts);
    expect(p.plan.changes.map((c) => [c.address, c.before])).toEqual([['packages/release-artifacts/eu-west-1/versions/acme/agent', { missing: ['1.0.0', '2.0.0'] }]]);
    expect(p.plan.changes[0].reason).toContain('byte for byte');
    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.results[0]).toMatchObject({ status: 'applied', detail: 'copied agent to eu-west-1: 1.0.0 (2 assets, SHA-256 verified), 2.0.0 (1 asset, SHA-256 verified)' });
    const west = ca.codeArtifactClient(settings, 'eu-west-1');
    expect(await ca.getAsset(west, ref, '1.0.0', 'agent-1.0.0.tar.gz')).toEqual(binary);
    for (const version of ['1.0.0', '2.0.0']) expect(await ca.listAssets(west, ref, version)).toEqual(await ca.listAssets(east, ref, version));
    expect(await ca.listPublishedVersions(west, ref)).toEqual(['1.0.0', '2.0.0']);
    expect((await plan(opts)).plan.changes).toEqual([]);
  });

  it('2,100 versions across three pages: the gaps on the first and last page are found with three ListPackageVersions calls per region', async () => {
    const { sb: s, opts } = await converged({ 'g.yml': genericExample });
    const versions = Array.from({ length: 2100 }, (_, i) => `1.${i}.0`);
    const record = (region: string, list: string[]) => ({
      region,
      domain: 'release-domain',
      repository: 'release-artifacts',
      format: 'generic' as const,
      namespace: 'acme',
      name: 'agent',
      versions: list.map((v) => {
        const content = Buffer.from(`agent ${v}`).toString('base64');
        return { version: v, revision: createHash('sha256').update(content).digest('base64'), status: 'Published', originType: 'INTERNAL' as const, assets: [{ name: `agent-${v}.tgz`, content }] };
      }),
    });
    s.state.codeartifact.packages.push(record('us-east-1', versions), record('eu-west-1', versions.filter((v) => v !== '1.5.0' && v !== '1.2099.0')));
    const p = await plan(opts);
    expect(p.plan.changes.map((c) => c.before)).toEqual([{ missing: ['1.5.0', '1.2099.0'] }]);
    expect(s.stats.regionCalls().filter((c) => c.operation === 'ListPackageVersions').map((c) => [c.region, c.count])).toEqual([
      ['eu-west-1', 3],
      ['us-east-1', 3],
    ]);
    await apply({ ...opts, allowDestructive: false });
    expect((await plan(opts)).plan.changes).toEqual([]);
  });

  it('a same-named repository and pipeline Charter does not own are reported and left alone; nothing is written there', async () => {
    sb = await startSandbox({
      state: {
        accountId: '123456789012',
        codeartifact: {
          domains: REGIONS.map((region) => ({ region, name: 'package-domain' })),
          repositories: [
            { region: 'us-east-1', domain: 'package-domain', name: 'package-artifact-repo', description: 'Internal Python packages, replicated to every region we deploy in.', externalConnections: ['public:pypi'], tags: [{ key: 'team', value: 'platform' }, { key: 'charter:policy', value: 'python-packages' }] },
            { region: 'us-east-2', domain: 'package-domain', name: 'package-artifact-repo', description: 'hand-made', tags: [{ key: 'owner', value: 'someone' }] },
          ],
          packages: [],
        },
      } as never,
    });
    sb.state.codepipeline.pipelines.push({ region: 'us-east-1', arn: 'arn:aws:codepipeline:us-east-1:123456789012:packagePipeline', declaration: { name: 'packagePipeline', version: 3, roleArn: 'arn:aws:iam::123456789012:role/x', artifactStore: { type: 'S3', location: 'b' }, stages: [] }, created: new Date().toISOString(), updated: new Date().toISOString(), tags: [], executions: [] });
    published(sb, 'us-east-1', 'mypippackage', ['1.0.0']);
    const cwd = policyDir({ 'p.yml': pypiExample });
    const opts = packagesOptions(sb, cwd, ['p.yml']);
    const p = await plan(opts);
    expect(p.plan.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([
      ['packages/repository-left-alone', 'notice', 17],
      ['packages/replica-gap', 'warning', 20],
      ['packages/pipeline-left-alone', 'warning', 25],
    ]);
    expect(p.plan.changes.some((c) => c.address.includes('/us-east-2/repository') || c.address.includes('codepipeline') || c.address.includes('/us-east-2/versions'))).toBe(false);
    expect(p.plan.changes.some((c) => c.address.endsWith('/domain'))).toBe(false);
    await apply({ ...opts, allowDestructive: false });
    expect(writes(sb, 'us-east-2')).toBe(0);
    expect(sb.state.codeartifact.repositories.find((r) => r.region === 'us-east-2')).toMatchObject({ description: 'hand-made', externalConnections: [], tags: [{ key: 'owner', value: 'someone' }] });
    expect(sb.state.codepipeline.pipelines[0].declaration.version).toBe(3);
    // us-west-2 got its copy of 1.0.0 (a replicate build), us-east-2 did not.
    expect(sb.state.codebuild.builds.map((b) => b.region)).toEqual(['us-west-2']);
  });

  it('one region failing (throttled past retries) is a warning for that region; the other regions are planned and applied', async () => {
    sb = await startSandbox();
    sb.faults.throttle('codeartifact', '*', 1000, 'us-west-2');
    const cwd = policyDir({ 'p.yml': pypiExample });
    const opts = packagesOptions(sb, cwd, ['p.yml'], 2);
    const p = await plan(opts);
    expect(p.plan.diagnostics).toEqual([expect.objectContaining({ code: 'packages/region-failed', severity: 'warning', line: 17, message: expect.stringContaining('us-west-2 could not be read (ThrottlingException') })]);
    expect(p.plan.changes.some((c) => c.address.includes('us-west-2'))).toBe(false);
    expect(p.plan.changes.filter((c) => c.address.endsWith('/repository')).map((c) => c.address)).toEqual(['packages/python-packages/us-east-1/repository', 'packages/python-packages/us-east-2/repository']);
    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.ok).toBe(true);
    expect(sb.state.codeartifact.repositories.map((r) => r.region).sort()).toEqual(['us-east-1', 'us-east-2']);
    sb.faults.reset();
    const healed = await plan(opts);
    expect(healed.plan.changes.map((c) => c.address).every((a) => a.includes('us-west-2') || a.includes('codepipeline'))).toBe(true);
    expect(healed.plan.changes.some((c) => c.address === 'packages/python-packages/us-west-2/repository')).toBe(true);
  });

  it('one region failing during apply: its later changes and the pipeline publishing there are not attempted, the other regions are applied', async () => {
    sb = await startSandbox();
    // Reads succeed everywhere; creating the repository in us-east-2 is throttled past the retries.
    sb.faults.throttle('codeartifact', 'CreateRepository', 1000, 'us-east-2');
    const cwd = policyDir({ 'p.yml': pypiExample });
    const opts = packagesOptions(sb, cwd, ['p.yml'], 2);
    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.ok).toBe(false);
    const status = Object.fromEntries(applied.results.map((r) => [r.address.replace('packages/python-packages/', ''), r.status]));
    expect(status['us-east-2/domain']).toBe('applied');
    expect(status['us-east-2/repository']).toBe('failed');
    expect(applied.results.find((r) => r.address.endsWith('us-east-2/repository'))!.error).toContain('ThrottlingException');
    expect(status['us-east-2/repository/external-connection']).toBe('not-attempted');
    expect(status['us-east-2/codebuild/packagePipeline-publish']).toBe('not-attempted');
    expect(Object.entries(status).filter(([a]) => a.includes('codepipeline')).map(([, s]) => s)).toEqual(['not-attempted']);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(Object.entries(status).filter(([a]) => a.startsWith(`${region}/`) && !a.includes('codepipeline')).every(([, s]) => s === 'applied'), JSON.stringify(status)).toBe(true);
    }
    expect(sb.state.codeartifact.repositories.map((r) => r.region).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect([...new Set(sb.state.codebuild.projects.map((p) => p.region))].sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(sb.state.codepipeline.pipelines).toEqual([]);
    // Once the region answers again, the next apply finishes what was left.
    sb.faults.reset();
    const healed = await apply({ ...opts, allowDestructive: false });
    expect(healed.results.every((r) => r.status === 'applied'), JSON.stringify(healed.results)).toBe(true);
    expect(healed.results.every((r) => r.address.includes('us-east-2') || r.address.includes('codepipeline'))).toBe(true);
    expect((await plan(opts)).plan.changes).toEqual([]);
  });

  it('prune: a repository this policy created and no longer declares is deleted behind the risk gate; repositories it does not own stay; off, nothing is read for it', async () => {
    const { sb: s, cwd } = await converged({ 'p.yml': pypiExample });
    const add = (name: string, tags: Array<{ key: string; value: string }>) =>
      s.state.codeartifact.repositories.push({ region: 'us-east-2', domain: 'package-domain', name, arn: `arn:aws:codeartifact:us-east-2:123456789012:repository/package-domain/${name}`, description: '', externalConnections: [], createdTime: new Date().toISOString(), tags });
    add('old-repo', [{ key: 'charter:policy', value: 'python-packages' }]);
    add('other-policy-repo', [{ key: 'charter:policy', value: 'someone-else' }]);
    add('hand-made', []);
    const opts = packagesOptions(s, cwd, ['p.yml']);
    // prune off: the policy plans nothing and lists no repositories.
    expect((await plan(opts)).plan.changes).toEqual([]);
    expect(calls(s)['codeartifact:ListRepositoriesInDomain']).toBeUndefined();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'p.yml'), pypiExample.replace('  domain: package-domain', '  prune: true\n  domain: package-domain'));
    const p = await plan(opts);
    // Turning prune on marks the repositories (charter:prune) and records the replica regions on the primary.
    expect(p.plan.changes.map((c) => [c.action, c.address.replace('packages/python-packages/', ''), c.risk])).toEqual([
      ['update', 'us-east-1/repository/tags', 'safe'],
      ['update', 'us-east-2/repository/tags', 'safe'],
      ['update', 'us-west-2/repository/tags', 'safe'],
      ['delete', 'us-east-2/repository/old-repo', 'destructive'],
      ['update', 'us-east-1/repository/replicas', 'safe'],
    ]);
    expect(p.plan.changes[0].after).toEqual({ 'charter:prune': 'true' });
    expect(p.plan.changes[4].after).toEqual({ 'charter:replicas': 'us-east-2 us-west-2' });
    const refused = await apply({ ...opts, allowDestructive: false });
    expect(refused.refused).toBeDefined();
    expect(s.state.codeartifact.repositories.some((r) => r.name === 'old-repo')).toBe(true);
    const applied = await apply({ ...opts, allowDestructive: true });
    expect(applied.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(s.state.codeartifact.repositories.filter((r) => r.region === 'us-east-2').map((r) => r.name).sort()).toEqual(['hand-made', 'other-policy-repo', 'package-artifact-repo']);
    expect(s.state.codeartifact.domains.filter((d) => d.name === 'package-domain')).toHaveLength(3);
    expect(s.stats.calls().some((c) => c.service === 'codeartifact' && /^Delete(Package|Domain)/.test(c.operation))).toBe(false);
    expect((await plan(opts)).plan.changes).toEqual([]);
  });

  it('drift: description, tags, external connection and the pipeline are shown per field and per action, and repaired', async () => {
    const { sb: s, cwd, opts } = await converged({ 'p.yml': pypiExample });
    const repo = s.state.codeartifact.repositories.find((r) => r.region === 'us-east-2')!;
    repo.description = 'edited by hand';
    repo.tags = repo.tags.map((t) => (t.key === 'team' ? { key: 'team', value: 'someone-else' } : t));
    repo.externalConnections = ['public:npmjs'];
    const edited = pypiExample.replace('branch: main', 'branch: release').replace('us-west-2: package-pipeline-artifacts-us-west-2', 'us-west-2: other-bucket-us-west-2');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'p.yml'), edited);
    const p = await plan(opts);
    const byAddress = Object.fromEntries(p.plan.changes.map((c) => [c.address.replace('packages/python-packages/', ''), c]));
    expect(Object.keys(byAddress).sort()).toEqual(['us-east-1/codepipeline/packagePipeline', 'us-east-2/repository/description', 'us-east-2/repository/external-connection', 'us-east-2/repository/tags']);
    expect(byAddress['us-east-2/repository/external-connection']).toMatchObject({ risk: 'disruptive', before: 'public:npmjs', after: 'public:pypi' });
    expect(byAddress['us-east-2/repository/tags']).toMatchObject({ before: { team: 'someone-else' }, after: { team: 'platform' } });
    const pipeline = byAddress['us-east-1/codepipeline/packagePipeline'];
    expect(pipeline.reason).toContain('~ Source/Source: ');
    expect(pipeline.reason).toContain('BranchName=main');
    expect(pipeline.reason).toContain('~ artifactStore us-west-2: S3 package-pipeline-artifacts-us-west-2 → S3 other-bucket-us-west-2');
    expect(Object.keys(pipeline.before as object).sort()).toEqual(['Source/Source', 'artifactStore us-west-2']);
    expect(pipeline.risk).toBe('safe');
    // 4 updates of the 13 things the policy owns are over the change threshold (30 %): repairing this much drift is forced.
    expect((await apply({ ...opts, allowDestructive: true })).refused).toMatch(/Over the change threshold: PackagePublishing\/python-packages updates 4 \(31 %\)/);
    expect((await apply({ ...opts, safety: { force: true }, allowDestructive: false })).refused).toMatch(/destructive or disruptive/);
    const applied = await apply({ ...opts, safety: { force: true }, allowDestructive: true });
    expect(applied.ok).toBe(true);
    expect((await plan(opts)).plan.changes).toEqual([]);
  });
});

describe('PackagePublishing policy files', () => {
  it('two policies plan side by side', async () => {
    sb = await startSandbox();
    const opts = packagesOptions(sb, policyDir({ 'a.yml': policy('a', '  format: generic\n  domain: d-one\n  repository: r1\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n') }), ['a.yml']);
    const p = await plan(opts);
    expect(p.plan.changes.map((c) => c.address)).toEqual(['packages/a/eu-west-1/domain', 'packages/a/us-east-1/domain', 'packages/a/eu-west-1/repository', 'packages/a/us-east-1/repository']);
  });
});
