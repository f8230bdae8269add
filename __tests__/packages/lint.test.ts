import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { validate } from '../../src/core/engine.js';
import { pep503 } from '../../src/providers/packages/lint.js';
import { PIPELINE_INCOMPLETE } from '../../src/providers/packages/model.js';
import { providers } from '../../src/providers/index.js';
import { repoRoot } from '../helpers/aws.js';
import { policy, policyDir } from './helpers.js';

// Validation must never load the SDK clients or the provider's runtime.
vi.mock('@aws-sdk/client-codeartifact', () => {
  throw new Error('@aws-sdk/client-codeartifact loaded during validation');
});
vi.mock('@aws-sdk/client-codepipeline', () => {
  throw new Error('@aws-sdk/client-codepipeline loaded during validation');
});
vi.mock('../../src/providers/packages/runtime.js', () => {
  throw new Error('packages runtime loaded during validation');
});

async function lint(files: Record<string, string>) {
  const cwd = policyDir(files);
  const result = await validate({ cwd, paths: Object.keys(files), providers });
  return result.diagnostics.map((d) => ({ code: d.code, severity: d.severity, file: d.file, line: d.line, column: d.column, message: d.message }));
}

const at = (found: Awaited<ReturnType<typeof lint>>) => found.map((d) => `${d.code} ${d.severity} ${d.file}:${d.line}:${d.column}`);

describe('PackagePublishing lint', () => {
  it('the example lints clean', async () => {
    expect(await lint({ 'p.yml': readFileSync(join(repoRoot, 'policies/examples/package-publishing.yml'), 'utf8') })).toEqual([]);
  });

  it('regions, connection, package names and namespaces: every finding at its line and column', async () => {
    const spec = [
      '  format: pypi', // 6
      '  domain: pkgs', // 7
      '  repository: py', // 8
      '  primaryRegion: us-east-1', // 9
      '  replicaRegions:', // 10
      '    - us-east-1', // 11
      '    - us-west-2', // 12
      '    - us-west-2', // 13
      '  externalConnection: public:npmjs', // 14
      '  packages:', // 15
      '    - name: My_Package', // 16
      '    - name: ok', // 17
      '      namespace: acme', // 18
      '    - name: My_Package', // 19
      '  tags:', // 20
      '    charter:policy: mine', // 21
    ].join('\n');
    const found = await lint({ 'p.yml': policy('p', `${spec}\n`) });
    expect(at(found)).toEqual([
      'packages/codebuild-role-required error p.yml:5:1',
      'packages/replica-is-primary error p.yml:11:7',
      'packages/duplicate-replica-region error p.yml:13:7',
      'packages/connection-format-mismatch error p.yml:14:23',
      'packages/pypi-name-not-normalized error p.yml:16:13',
      'packages/namespace-not-supported error p.yml:18:18',
      'packages/duplicate-package error p.yml:19:13',
      'packages/pypi-name-not-normalized error p.yml:19:13',
      'packages/reserved-tag-key error p.yml:21:21',
    ]);
    expect(found[4].message).toBe('"My_Package" is not in PEP 503 normalized form; CodeArtifact lists it as "my-package"');
    expect(found[3].message).toBe('External connection public:npmjs serves npm packages, not pypi');
  });

  it('npm names and scopes, generic and maven namespaces', async () => {
    const npm = await lint({ 'n.yml': policy('n', '  format: npm\n  domain: pkgs\n  repository: js\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n  packages:\n    - name: Bad\n    - name: ok\n      namespace: "@acme"\n    - name: _private\n') });
    expect(at(npm)).toEqual(['packages/codebuild-role-required error n.yml:5:1', 'packages/npm-name-invalid error n.yml:12:13', 'packages/npm-scope-invalid error n.yml:14:18', 'packages/npm-name-invalid error n.yml:15:13']);
    const generic = await lint({ 'g.yml': policy('g', '  format: generic\n  domain: pkgs\n  repository: bin\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n  packages:\n    - name: agent\n') });
    expect(at(generic)).toEqual(['packages/namespace-required error g.yml:12:7']);
    const cargo = await lint({ 'c.yml': policy('c', '  format: cargo\n  domain: pkgs\n  repository: rs\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n  packages:\n    - name: serde\n') });
    expect(at(cargo)).toEqual(['packages/format-not-replicable error c.yml:11:3']);
  });

  it('pipeline: build source, missing template, artifact buckets per region, CodeBuild role', async () => {
    const spec = [
      '  format: pypi', // 6
      '  domain: pkgs', // 7
      '  repository: py', // 8
      '  primaryRegion: us-east-1', // 9
      '  replicaRegions: [us-west-2]', // 10
      '  pipeline:', // 11
      '    name: publish', // 12
      '    roleArn: arn:aws:iam::123456789012:role/p', // 13
      '    artifactBuckets:', // 14
      '      us-east-1: artifacts-east', // 15
      '      eu-west-1: artifacts-eu', // 16
      '    source:', // 17
      '      connectionArn: arn:aws:codestar-connections:us-east-1:123456789012:connection/abc-123', // 18
      '      repository: acme/py', // 19
      '      branch: main', // 20
      '    build:', // 21
      '      buildspec: buildspec-build-rust.yml.hbs', // 22
      '      project: existing', // 23
    ].join('\n');
    const found = await lint({ 'p.yml': policy('p', `${spec}\n`) });
    expect(at(found)).toEqual([
      'packages/codebuild-role-required error p.yml:5:1',
      'packages/artifact-bucket-missing error p.yml:14:5',
      'packages/artifact-bucket-unused warning p.yml:16:18',
      'packages/build-source error p.yml:21:5',
      'packages/buildspec-template-missing error p.yml:22:18',
    ]);
    expect(found.find((d) => d.code === 'packages/artifact-bucket-missing')?.message).toBe('The pipeline runs an action in us-west-2 and has no artifact bucket there');
  });

  it('a pipeline named only (what charter import starts from) is a positioned error naming what is missing', async () => {
    const spec = '  format: generic\n  domain: pkgs\n  repository: bin\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n  codeBuildRoleArn: arn:aws:iam::123456789012:role/b\n  pipeline:\n    name: publish\n';
    const found = await lint({ 'p.yml': policy('p', spec) });
    expect(at(found)).toEqual(['packages/pipeline-incomplete error p.yml:13:11']);
    expect(found[0].message).toBe('The pipeline needs roleArn, artifactBuckets, source, build');
  });

  it('schema: domain, repository, region, role ARN and pipeline name patterns are positioned errors', async () => {
    const found = await lint({
      'p.yml': policy('p', '  format: generic\n  domain: Bad_Domain\n  repository: -x\n  primaryRegion: us-east\n  replicaRegions: [eu-west-1]\n  codeBuildRoleArn: arn:aws:iam::1:role/x\n'),
    });
    expect(found.map((d) => `${d.code} ${d.line}`)).toEqual(expect.arrayContaining(['schema/invalid-format 7', 'schema/invalid-format 8', 'schema/invalid-format 9', 'schema/invalid-format 11']));
  });

  it('the same repository in the same region from two policies', async () => {
    const spec = '  format: generic\n  domain: pkgs\n  repository: bin\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n';
    expect(at(await lint({ 'a.yml': policy('a', spec), 'b.yml': policy('b', spec) }))).toEqual(['packages/duplicate-repository error b.yml:9:18', 'packages/duplicate-repository error b.yml:10:20']);
  });

  it('pep503 normalizes runs of separators linearly', () => {
    expect(pep503('Friendly-_.Bard')).toBe('friendly-bard');
    expect(pep503('a'.repeat(100_000) + '_'.repeat(100_000))).toHaveLength(100_001);
  });

  it('every packages/* code the provider raises is documented in docs/diagnostics-packages.md', () => {
    const source = ['lint.ts', 'runtime.ts'].map((f) => readFileSync(join(repoRoot, 'src/providers/packages', f), 'utf8')).join('\n');
    const codes = [...new Set([...source.matchAll(/'(packages\/[a-z-]+)'/g)].map((m) => m[1]))];
    codes.push(PIPELINE_INCOMPLETE);
    expect(codes.length).toBeGreaterThan(15);
    const docs = readFileSync(join(repoRoot, 'docs/diagnostics-packages.md'), 'utf8');
    for (const code of codes) expect(docs, code).toContain(`\`${code}\``);
  });
});
