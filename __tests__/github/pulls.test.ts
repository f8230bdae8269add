import { afterEach, describe, expect, it } from 'vitest';
import { createGitHub } from '../../src/github/client.js';
import { findMergedPullRequest, pullRequestLabels } from '../../src/github/pulls.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const repo = { owner: 'acme', repo: 'infra' };
const MERGE = 'c0ffee0000000000000000000000000000000001';

describe('merged pull request lookup', () => {
  let fake: FakeGitHub;
  afterEach(() => fake.close());

  async function start(pulls: Parameters<typeof startFakeGitHub>[0]) {
    fake = await startFakeGitHub(pulls);
    return createGitHub({ token: 't', baseUrl: fake.url });
  }

  it('prefers the merged pull request whose merge commit is the sha', async () => {
    const gh = await start({
      repos: [
        {
          fullName: 'acme/infra',
          pulls: [
            { number: 3, mergedAt: '2024-05-01T10:00:00Z', mergeCommitSha: 'd'.repeat(40), commits: [MERGE] },
            {
              number: 4,
              labels: ['charter:allow-destructive', 'dns'],
              headSha: 'e'.repeat(40),
              mergedAt: '2024-05-02T10:00:00Z',
              mergeCommitSha: MERGE,
            },
            { number: 5, commits: [MERGE] },
          ],
        },
      ],
    });
    expect(await findMergedPullRequest(gh, repo, MERGE)).toEqual({
      number: 4,
      labels: ['charter:allow-destructive', 'dns'],
      headSha: 'e'.repeat(40),
      mergedAt: '2024-05-02T10:00:00Z',
    });
    expect(fake.requests.map((r) => r.url)).toEqual([`/repos/acme/infra/commits/${MERGE}/pulls?per_page=100`]);
  });

  it('falls back to the only merged pull request (rebase merges), and ignores open ones', async () => {
    const gh = await start({
      repos: [
        {
          fullName: 'acme/infra',
          pulls: [
            { number: 8, mergedAt: '2024-05-03T10:00:00Z', mergeCommitSha: 'f'.repeat(40), commits: [MERGE] },
            { number: 9, commits: [MERGE] },
          ],
        },
      ],
    });
    expect(await findMergedPullRequest(gh, repo, MERGE)).toMatchObject({ number: 8 });
  });

  it('returns undefined when no merged pull request, or several and none made the commit', async () => {
    const gh = await start({
      repos: [
        {
          fullName: 'acme/infra',
          pulls: [
            { number: 1, mergedAt: '2024-05-01T10:00:00Z', mergeCommitSha: '1'.repeat(40), commits: [MERGE] },
            { number: 2, mergedAt: '2024-05-01T11:00:00Z', mergeCommitSha: '2'.repeat(40), commits: [MERGE] },
            { number: 6, commits: ['3'.repeat(40)] },
          ],
          commits: ['4'.repeat(40)],
        },
      ],
    });
    expect(await findMergedPullRequest(gh, repo, MERGE)).toBeUndefined();
    expect(await findMergedPullRequest(gh, repo, '3'.repeat(40))).toBeUndefined();
    expect(await findMergedPullRequest(gh, repo, '4'.repeat(40))).toBeUndefined();
    // A SHA the repository does not have: GitHub answers 422, and so does the lookup.
    await expect(findMergedPullRequest(gh, repo, '5'.repeat(40))).rejects.toMatchObject({ status: 422 });
  });

  it('reads all labels of a pull request, across pages', async () => {
    const labels = Array.from({ length: 130 }, (_, i) => `label-${String(i).padStart(3, '0')}`);
    const gh = await start({ repos: [{ fullName: 'acme/infra', pulls: [{ number: 12, labels }] }] });
    expect(await pullRequestLabels(gh, repo, 12)).toEqual(labels);
    expect(fake.requests.map((r) => r.query.page)).toEqual([undefined, '2']);
  });
});
