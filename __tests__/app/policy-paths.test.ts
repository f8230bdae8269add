/**
 * Policy paths in the app (issue 15, item 1): paths a repository names in `.github/charter.yml` that match
 * nothing are an error on the check run, naming the path; the app's own default paths matching nothing
 * (an org-wide installation covers many repositories without policies) are skipped quietly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import type { GitHubMock, MockRepo } from './github-mock.js';
import { BASE_SHA, fixturePolicies, loadApp, mockGitHub, pullRequestEvent, REPO, restoreNetwork, sha, testConfig } from './harness.js';

let sandbox: Sandbox;
let github: GitHubMock;
let repo: MockRepo;
let probot: Probot;
let charter: CharterApp;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = mockGitHub();
  repo = github.repo(REPO);
  ({ probot, charter } = await loadApp(testConfig(sandbox)));
});
afterEach(async () => {
  await charter.stop();
  restoreNetwork();
  await sandbox.close();
});

async function planPull(number: number, files: Map<string, Buffer>): Promise<void> {
  github.commit(REPO, sha(number), new Map([...repo.commits.get(BASE_SHA)!, ...files]));
  repo.pulls.push({ number, state: 'open', headSha: sha(number), labels: [], mergeCommitSha: null, mergedAt: null });
  await probot.receive({ id: `plan-${number}`, name: 'pull_request', payload: pullRequestEvent('opened', { number, headSha: sha(number), labels: [] }) } as never);
  await charter.drained();
}

describe('the app: policy paths', () => {
  it('a path .github/charter.yml names that matches nothing fails the plan check run, naming the path; nothing is read', async () => {
    github.commit(REPO, sha(90), new Map([...repo.commits.get(BASE_SHA)!, ['.github/charter.yml', Buffer.from('policies: [polcies/]\n')]]), 'master');
    await planPull(5, fixturePolicies());
    const [run] = github.checkRuns(REPO, 'Charter plan');
    expect(run.conclusion).toBe('failure');
    expect(JSON.stringify(run.output)).toContain('polcies/ matches no policy file');
    expect(github.comments(REPO, 5)[0].body).toContain('policy/path-matches-nothing');
    expect(sandbox.stats.count()).toBe(0);
  });

  it('a repository without .github/charter.yml and without policy files is skipped quietly', async () => {
    await planPull(6, new Map([['src/index.js', Buffer.from('console.log(1)\n')]]));
    expect(github.checkRuns(REPO, 'Charter plan')).toEqual([]);
    expect(github.comments(REPO, 6)).toEqual([]);
    expect(sandbox.stats.count()).toBe(0);
  });
});
