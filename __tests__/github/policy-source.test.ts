import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../src/core/engine.js';
import { MAX_POLICY_FILE_BYTES } from '../../src/core/load.js';
import { createGitHub } from '../../src/github/client.js';
import { fetchPolicyFiles, mapLimit, policyPrefixes } from '../../src/github/policy-source.js';
import { providers } from '../../src/providers/index.js';
import { API, type GitHubMock } from '../app/github-mock.js';
import { fixturePolicies, mockGitHub, REPO, restoreNetwork, sha } from '../app/harness.js';

describe('policyPrefixes', () => {
  it('keeps the directory part of each path, before any glob, and drops nested ones', () => {
    expect(policyPrefixes([])).toEqual(['policies']);
    expect(policyPrefixes(['./policies/', 'policies/email/**/*.yml', 'infra/mail/brand.yaml'])).toEqual(['policies', 'infra/mail']);
    expect(policyPrefixes(['policies/**/*.yml', 'policies-extra'])).toEqual(['policies', 'policies-extra']);
    expect(policyPrefixes(['**/*.yml', 'policies'])).toEqual(['']);
  });

  it('refuses paths outside the repository', () => {
    expect(() => policyPrefixes(['../elsewhere'])).toThrow(/relative to the repository root/);
    expect(() => policyPrefixes(['/etc'])).toThrow(/relative to the repository root/);
    expect(() => policyPrefixes(['policies/../../x'])).toThrow(/relative to the repository root/);
  });
});

describe('mapLimit', () => {
  it('keeps the order of results and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });
});

describe('fetchPolicyFiles', () => {
  let github: GitHubMock;
  const gh = () => createGitHub({ token: 'ghs_test', baseUrl: API });
  const repoRef = { owner: 'Codertocat', repo: 'Hello-World' };
  beforeEach(() => {
    github = mockGitHub();
  });
  afterEach(restoreNetwork);

  it('writes the files under the policy paths, assets included, and nothing else', async () => {
    const files = new Map([...fixturePolicies(), ['src/app.yml', Buffer.from('not: a policy\n')], ['README.md', Buffer.from('hi')]]);
    github.commit(REPO, sha(1), files);
    const fetched = await fetchPolicyFiles(gh(), repoRef, sha(1), ['policies']);
    try {
      expect(fetched.files).toEqual(['policies/assets/logo.svg', 'policies/assets/vmc.pem', 'policies/enforce-with-bimi.yml', 'policies/testing-mode.yml']);
      expect(fetched.policyFiles).toBe(2);
      expect(await readFile(join(fetched.dir, 'policies/assets/logo.svg'))).toEqual(files.get('policies/assets/logo.svg'));
      // The engine reads the directory like a checkout: both examples are valid, assets found.
      const result = await validate({ cwd: fetched.dir, paths: ['policies'], providers });
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.documents).toHaveLength(2);
      expect(github.requests.some((r) => r.path.includes('/contents/'))).toBe(false);
    } finally {
      await fetched.dispose();
    }
    await expect(stat(fetched.dir)).rejects.toThrow();
  });

  it('does not download a policy file over 1 MiB: a placeholder of its size makes the engine report it', async () => {
    const big = Buffer.alloc(MAX_POLICY_FILE_BYTES + 1, 'a');
    github.commit(REPO, sha(2), new Map([...fixturePolicies(), ['policies/huge.yml', big]]));
    const fetched = await fetchPolicyFiles(gh(), repoRef, sha(2), ['policies/**/*.yml']);
    try {
      expect((await stat(join(fetched.dir, 'policies/huge.yml'))).size).toBe(big.length);
      const blobRequests = github.requests.filter((r) => r.path.includes('/git/blobs/'));
      expect(blobRequests).toHaveLength(4);
      const result = await validate({ cwd: fetched.dir, paths: ['policies/**/*.yml'], providers });
      expect(result.diagnostics).toContainEqual(expect.objectContaining({ code: 'policy/file-too-large', file: 'policies/huge.yml' }));
    } finally {
      await fetched.dispose();
    }
  });

  it('walks the tree directory by directory when the recursive listing is truncated', async () => {
    github.commit(REPO, sha(3), new Map([...fixturePolicies(), ['docs/a/b.md', Buffer.from('x')], ['other/c.yml', Buffer.from('x: 1')]]));
    github.truncateRecursiveTrees = true;
    const fetched = await fetchPolicyFiles(gh(), repoRef, sha(3), ['policies']);
    try {
      expect(fetched.files).toEqual(['policies/assets/logo.svg', 'policies/assets/vmc.pem', 'policies/enforce-with-bimi.yml', 'policies/testing-mode.yml']);
      // Only the root and the directories on the way to the policies were listed.
      const listings = github.requests.filter((r) => r.path.includes('/git/trees/'));
      expect(listings).toHaveLength(4); // recursive (truncated), root, policies, policies/assets
    } finally {
      await fetched.dispose();
    }
  });

  it('reports no policy files when there are none under the paths', async () => {
    github.commit(REPO, sha(4), new Map([['README.md', Buffer.from('hi')]]));
    const fetched = await fetchPolicyFiles(gh(), repoRef, sha(4), ['policies']);
    expect(fetched.policyFiles).toBe(0);
    expect(fetched.files).toEqual([]);
    await fetched.dispose();
  });
});
