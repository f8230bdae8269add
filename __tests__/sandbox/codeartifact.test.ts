import { createHash } from 'node:crypto';
import { PublishPackageVersionCommand, ListPackageVersionsCommand } from '@aws-sdk/client-codeartifact';
import { afterEach, describe, expect, it } from 'vitest';
import * as ca from '../../src/aws/codeartifact.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { credentials, errorOf } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const settings = (s: Sandbox) => ({ endpoint: s.endpoint, credentials, maxAttempts: 1, requestsPerSecond: { codeartifact: 1000 } });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('sandbox CodeArtifact', () => {
  it('manages domains, repositories, external connections and tags per region, with the documented errors', async () => {
    sb = await startSandbox();
    const east = ca.codeArtifactClient(settings(sb), 'us-east-1');
    const west = ca.codeArtifactClient(settings(sb), 'us-west-2');
    await ca.createDomain(east, 'packages', { 'charter:policy': 'pkg' });
    expect((await errorOf(ca.createDomain(east, 'packages', {}))).name).toBe('ConflictException');
    expect((await errorOf(ca.createDomain(east, 'Bad_Domain', {}))).name).toBe('ValidationException');
    expect(await ca.describeDomain(west, 'packages')).toBeUndefined();
    const domainArn = await ca.describeDomain(east, 'packages');
    expect(domainArn).toBe('arn:aws:codeartifact:us-east-1:123456789012:domain/packages');
    expect(await ca.listTags(east, domainArn!)).toEqual({ 'charter:policy': 'pkg' });

    await ca.createRepository(east, 'packages', 'pypi-store', 'Python packages', {});
    expect((await errorOf(ca.createRepository(east, 'nope', 'r1', '', {}))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(ca.createRepository(east, 'packages', '-x', '', {}))).name).toBe('ValidationException');
    await ca.associateExternalConnection(east, 'packages', 'pypi-store', 'public:pypi');
    expect((await errorOf(ca.associateExternalConnection(east, 'packages', 'pypi-store', 'public:npmjs'))).name).toBe('ServiceQuotaExceededException');
    expect(await ca.describeRepository(east, 'packages', 'pypi-store')).toEqual({
      arn: 'arn:aws:codeartifact:us-east-1:123456789012:repository/packages/pypi-store',
      description: 'Python packages',
      externalConnections: ['public:pypi'],
    });
    await ca.disassociateExternalConnection(east, 'packages', 'pypi-store', 'public:pypi');
    await ca.updateRepositoryDescription(east, 'packages', 'pypi-store', 'changed');
    expect((await ca.describeRepository(east, 'packages', 'pypi-store'))?.description).toBe('changed');
    expect((await errorOf(ca.deleteDomain(east, 'packages'))).name).toBe('ConflictException');
    await ca.deleteRepository(east, 'packages', 'pypi-store');
    await ca.deleteDomain(east, 'packages');
    expect(await ca.describeDomain(east, 'packages')).toBeUndefined();
    for (let i = 0; i < 10; i++) await ca.createDomain(west, `d${i}x`, {});
    expect((await errorOf(ca.createDomain(west, 'd10x', {}))).name).toBe('ServiceQuotaExceededException');
  });

  it('lists 300 Published INTERNAL versions across pages and skips other statuses and origins', async () => {
    const versions = Array.from({ length: 300 }, (_, i) => `1.0.${i}`);
    sb = await startSandbox({
      state: {
        codeartifact: {
          domains: [{ name: 'packages' }],
          repositories: [{ domain: 'packages', name: 'store' }],
          packages: [
            {
              domain: 'packages',
              repository: 'store',
              format: 'pypi',
              name: 'mypippackage',
              versions: [...versions, { version: '9.9.9', status: 'Unlisted' }, { version: '0.0.1', originType: 'EXTERNAL' }],
            },
          ],
        },
      },
    });
    const c = ca.codeArtifactClient(settings(sb), 'us-east-1');
    const ref = { domain: 'packages', repository: 'store', format: 'pypi', name: 'mypippackage' };
    sb.stats.reset();
    expect(await ca.listPublishedVersions(c, ref)).toEqual(versions);
    expect(sb.stats.count('codeartifact', 'ListPackageVersions')).toBe(1);
    const first = await c.send(new ListPackageVersionsCommand({ domain: 'packages', repository: 'store', format: 'pypi', package: 'mypippackage', maxResults: 100 }));
    expect(first.versions).toHaveLength(100);
    expect(first.nextToken).toBeDefined();
    expect((await errorOf(c.send(new ListPackageVersionsCommand({ domain: 'packages', repository: 'store', format: 'pypi', package: 'x', maxResults: 1001 })))).name).toBe('ValidationException');
    expect(await ca.listPublishedVersions(c, { ...ref, name: 'unknown' })).toEqual([]);
  });

  it('publishes generic assets with the SHA-256 check and serves them byte for byte', async () => {
    sb = await startSandbox({ state: { codeartifact: { domains: [{ name: 'packages', region: 'us-east-2' }], repositories: [{ domain: 'packages', name: 'files', region: 'us-east-2' }] } } });
    const c = ca.codeArtifactClient(settings(sb), 'us-east-2');
    const ref = { domain: 'packages', repository: 'files', format: 'generic', namespace: 'tools', name: 'cli' };
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    expect(await ca.publishAsset(c, ref, '2.0.0', 'cli.bin', bytes, true)).toBe(sha256(bytes));
    expect(await ca.listPublishedVersions(c, ref)).toEqual([]);
    await ca.publishAsset(c, ref, '2.0.0', 'README', Buffer.from('read me'), false);
    expect(await ca.listPublishedVersions(c, ref)).toEqual(['2.0.0']);
    expect(await ca.getAsset(c, ref, '2.0.0', 'cli.bin')).toEqual(bytes);
    expect((await ca.listAssets(c, ref, '2.0.0')).map((a) => [a.name, a.sha256])).toEqual([
      ['cli.bin', sha256(bytes)],
      ['README', sha256(Buffer.from('read me'))],
    ]);
    const wrongHash = await errorOf(
      c.send(new PublishPackageVersionCommand({ domain: 'packages', repository: 'files', format: 'generic', namespace: 'tools', package: 'cli', packageVersion: '3.0.0', assetName: 'a', assetContent: Buffer.from('x'), assetSHA256: sha256(Buffer.from('y')) })),
    );
    expect(wrongHash.name).toBe('ValidationException');
    expect((await errorOf(ca.publishAsset(c, ref, '2.0.0', 'late', Buffer.from('z'), false))).name).toBe('ConflictException');
    const z = Buffer.from('z');
    const pypi = c.send(new PublishPackageVersionCommand({ domain: 'packages', repository: 'files', format: 'pypi', package: 'cli', packageVersion: '1.0', assetName: 'x', assetContent: z, assetSHA256: sha256(z) }));
    expect((await errorOf(pypi)).name).toBe('ValidationException');
    expect((await errorOf(ca.getAsset(c, ref, '9.9.9', 'cli.bin'))).name).toBe('ResourceNotFoundException');
  });
});

describe('sandbox state file with the new sections', () => {
  it('saves and reloads CodeArtifact, CodePipeline and CodeBuild state unchanged', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadSandboxState } = await import('../../src/sandbox/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'charter-sections-'));
    try {
      const file = join(dir, 'account.json');
      sb = await startSandbox({ stateFile: file, persist: true });
      const c = ca.codeArtifactClient(settings(sb), 'us-west-2');
      await ca.createDomain(c, 'packages', { 'charter:policy': 'pkg' });
      await ca.createRepository(c, 'packages', 'files', 'generic files', {});
      await ca.publishAsset(c, { domain: 'packages', repository: 'files', format: 'generic', namespace: 'n', name: 'p' }, '1.0.0', 'a.bin', Buffer.from([1, 2, 3]), false);
      sb.state.codebuild.outcomes.replicate = ['FAILED'];
      await sb.save();
      const reloaded = await loadSandboxState(file);
      expect(reloaded.codeartifact).toEqual(sb.state.codeartifact);
      expect(reloaded.codebuild).toEqual(sb.state.codebuild);
      expect(reloaded.codepipeline).toEqual(sb.state.codepipeline);
      expect(Object.keys(reloaded).slice(-4)).toEqual(['codepipeline', 'codebuild', 'codeartifact', 'counters']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
