import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../src/core/engine.js';
import { MAX_POLICY_FILE_BYTES } from '../../src/core/load.js';
import { createGitHub } from '../../src/github/client.js';
import { mapLimit } from '../../src/core/concurrency.js';
import { fetchPolicyFiles, MAX_FETCH_POLICY_FILES, policyPrefixes } from '../../src/github/policy-source.js';
import { providers } from '../../src/providers/index.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { fixturePolicies, REPO, sha, startGitHub } from '../app/harness.js';

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

  it('starts nothing after the first failure and rejects only once the running tasks have settled', async () => {
    const started: number[] = [];
    let running = 0;
    const failed = mapLimit([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      running++;
      await new Promise((r) => setTimeout(r, n === 0 ? 5 : 40));
      running--;
      if (n === 0) throw new Error('first failed');
      return n;
    });
    await expect(failed).rejects.toThrow('first failed');
    expect(running).toBe(0);
    expect(started).toEqual([0, 1]);
  });
});

describe('fetchPolicyFiles', () => {
  let github: FakeGitHub;
  const gh = () => createGitHub({ token: 'ghs_test', baseUrl: github.url });
  const repoRef = { owner: 'Codertocat', repo: 'Hello-World' };
  beforeEach(async () => {
    github = await startGitHub();
  });
  afterEach(() => github.close());

  it('writes the files under the policy paths, assets included, and nothing else', async () => {
    const files = new Map([...fixturePolicies(), ['src/app.yml', Buffer.from('not: a policy\n')], ['README.md', Buffer.from('hi')]]);
    github.state.commit(REPO, sha(1), files);
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

  it('hostile (issue 11): 4,990 one-byte files cost no downloads, 4,990 YAML files are refused after one listing', async () => {
    const junk = new Map([...fixturePolicies()]);
    for (let i = 0; i < 4990; i++) junk.set(`policies/junk/f${i}.txt`, Buffer.from('x'));
    github.state.commit(REPO, sha(7), junk);
    const fetched = await fetchPolicyFiles(gh(), repoRef, sha(7), ['policies']);
    try {
      // The tree once, the two policies, and the two assets they name: nothing else.
      expect(github.requests.filter((r) => r.path.includes('/git/blobs/'))).toHaveLength(4);
      expect(github.requests.length).toBeLessThanOrEqual(6);
      expect(fetched.files).toEqual(['policies/assets/logo.svg', 'policies/assets/vmc.pem', 'policies/enforce-with-bimi.yml', 'policies/testing-mode.yml']);
    } finally {
      await fetched.dispose();
    }
    const yaml = new Map([...fixturePolicies()]);
    for (let i = 0; i < 4990; i++) yaml.set(`policies/junk/f${i}.yml`, Buffer.from('x'));
    github.state.commit(REPO, sha(8), yaml);
    const before = github.requests.length;
    await expect(fetchPolicyFiles(gh(), repoRef, sha(8), ['policies'])).rejects.toThrow(`at most ${MAX_FETCH_POLICY_FILES} are fetched per run`);
    expect(github.requests.length - before).toBe(1);
  });

  it('does not download a policy file over 1 MiB: a placeholder of its size makes the engine report it', async () => {
    const big = Buffer.alloc(MAX_POLICY_FILE_BYTES + 1, 'a');
    github.state.commit(REPO, sha(2), new Map([...fixturePolicies(), ['policies/huge.yml', big]]));
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
    github.state.commit(REPO, sha(3), new Map([...fixturePolicies(), ['docs/a/b.md', Buffer.from('x')], ['other/c.yml', Buffer.from('x: 1')]]));
    github.state.truncateRecursiveTrees = true;
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

  it('removes its temporary directory when a download fails, after the other downloads have stopped', async () => {
    const files = new Map(fixturePolicies());
    for (let i = 0; i < 30; i++) files.set(`policies/more/p${i}.yml`, Buffer.from(`# ${i}\n`));
    github.state.commit(REPO, sha(5), files);
    github.state.fail({ method: 'GET', path: /\/git\/blobs\//, status: 502 });
    const previous = process.env.TMPDIR;
    const scratch = await mkdtemp(join(tmpdir(), 'charter-test-tmp-'));
    process.env.TMPDIR = scratch;
    try {
      // Without retries, so the one failure is final (retries are tested in comment.test.ts).
      const noRetry = createGitHub({ token: 'ghs_test', baseUrl: github.url, retries: 0 });
      await expect(fetchPolicyFiles(noRetry, repoRef, sha(5), ['policies'])).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 200)); // any download still running would write by now
      expect(await readdir(scratch)).toEqual([]);
      // The failure stopped the rest: far fewer than 34 blobs were requested.
      expect(github.requests.filter((r) => r.path.includes('/git/blobs/')).length).toBeLessThan(20);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('treats an empty repository (409 "Git Repository is empty.") as one without policy files', async () => {
    github.state.addRepo({ fullName: 'acme/empty', installation: 1, defaultBranch: 'main', empty: true });
    const fetched = await fetchPolicyFiles(gh(), { owner: 'acme', repo: 'empty' }, 'main', ['policies']);
    expect(fetched.policyFiles).toBe(0);
    await fetched.dispose();
    github.state.fail({ method: 'GET', path: /\/git\/trees\//, status: 409, message: 'Conflict' });
    github.state.commit(REPO, sha(6), fixturePolicies());
    expect((await fetchPolicyFiles(gh(), repoRef, sha(6), ['policies'])).policyFiles).toBe(0);
  });

  it('skips symbolic links and submodules, and never writes a tree path outside its directory', async () => {
    const blob = (text: string) => ({ content: Buffer.from(text).toString('base64'), encoding: 'base64', size: text.length });
    const tree = (entries: Array<{ path: string; mode: string; type: string }>) => {
      const requested: string[] = [];
      const gh = {
        rest: {
          git: {
            getTree: async () => ({ status: 200, headers: {}, data: { sha: 't', truncated: false, tree: entries.map((e, i) => ({ ...e, sha: `${i}`.padStart(40, '0'), size: 10 })) } }),
            getBlob: async ({ file_sha }: { file_sha: string }) => {
              requested.push(entries[Number(file_sha)].path);
              return { status: 200, headers: {}, data: blob('kind: x\n') };
            },
          },
        },
      } as unknown as Parameters<typeof fetchPolicyFiles>[0];
      return { gh, requested };
    };
    const linked = tree([
      { path: 'policies/a.yml', mode: '100644', type: 'blob' },
      { path: 'policies/link.yml', mode: '120000', type: 'blob' },
      { path: 'policies/vendored', mode: '160000', type: 'commit' },
    ]);
    const fetched = await fetchPolicyFiles(linked.gh, repoRef, sha(7), ['policies']);
    expect(fetched.files).toEqual(['policies/a.yml']);
    expect(linked.requested).toEqual(['policies/a.yml']);
    await fetched.dispose();

    const escaping = tree([{ path: 'policies/../../escape.yml', mode: '100644', type: 'blob' }]);
    await expect(fetchPolicyFiles(escaping.gh, repoRef, sha(8), ['policies'])).rejects.toThrow(/outside the policy directory/);
    expect(escaping.requested).toEqual([]);
  });

  it('reports no policy files when there are none under the paths', async () => {
    github.state.commit(REPO, sha(4), new Map([['README.md', Buffer.from('hi')]]));
    const fetched = await fetchPolicyFiles(gh(), repoRef, sha(4), ['policies']);
    expect(fetched.policyFiles).toBe(0);
    expect(fetched.files).toEqual([]);
    await fetched.dispose();
  });
});
