/**
 * The app's GitHub clients with Probot's retry plugin on (as in production): a 5xx on the comment write is
 * retried and the comment is written once; a secondary rate limit (403 with retry-after) is waited out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProbotOctokit, type Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, checkRuns, fixturePolicies, loadApp, pullRequestEvent, REPO, sha, startGitHub, testConfig } from './harness.js';

let sandbox: Sandbox;
let github: FakeGitHub;
let repo: FakeRepo;
let probot: Probot;
let charter: CharterApp;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = await startGitHub();
  repo = github.state.repo(REPO);
  // Production's retry plugin, with its growing wait shortened (10 ms, 40 ms, 90 ms).
  ({ probot, charter } = await loadApp(testConfig(sandbox), github, ProbotOctokit.defaults({ retry: { retryAfterBaseValue: 10 } })));
});
afterEach(async () => {
  await charter.stop();
  await github.close();
  await sandbox.close();
});

async function plan(number: number): Promise<void> {
  github.state.commit(REPO, sha(number), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]));
  github.state.addPull(REPO, { number, headSha: sha(number), labels: [] });
  await probot.receive({ id: `plan-${number}`, name: 'pull_request', payload: pullRequestEvent('opened', { number, headSha: sha(number), labels: [] }) } as never);
  await charter.drained();
}

const commentPosts = (number: number) => github.requests.filter((r) => r.method === 'POST' && r.path === `/repos/${REPO}/issues/${number}/comments`);

describe('the GitHub App: retries', () => {
  it('retries a 5xx on the comment write; the plan is commented once', async () => {
    github.state.fail({ method: 'POST', path: /\/issues\/\d+\/comments$/, status: 502, message: 'Bad Gateway', times: 2 });
    await plan(5);
    expect(commentPosts(5)).toHaveLength(3);
    expect(github.state.commentsOn(REPO, 5)).toHaveLength(1);
    expect(checkRuns(github, 'Charter plan')[0].conclusion).not.toBe('failure');
  });

  it('waits out a secondary rate limit (403, retry-after) and retries the comment write', async () => {
    github.state.fail({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '1' },
    });
    const started = Date.now();
    await plan(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(commentPosts(6)).toHaveLength(2);
    expect(github.state.commentsOn(REPO, 6)).toHaveLength(1);
  });
});
