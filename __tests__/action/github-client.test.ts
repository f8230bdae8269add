/**
 * The Action's GitHub client (@actions/github's getOctokit with the retry and throttling plugins), as a
 * process against the loopback fake named by GITHUB_API_URL: a 5xx on the comment write is retried, and a
 * secondary rate limit is waited out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { pullRequestEvent, runAction, TEST_PULL } from '../helpers/action.js';
import { copyExamples, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const { repository: REPO, headSha: HEAD_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';
const COMMENTS = `/repos/${REPO}/issues/2/comments`;

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
  github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA }] }] });
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

const plan = () =>
  runAction({
    workspace,
    githubUrl: github.url,
    awsEndpoint: sandbox.endpoint,
    repository: REPO,
    eventName: 'pull_request',
    event: pullRequestEvent({ labels: [] }),
    inputs: { 'github-token': TOKEN, policies: 'policies/examples/protection-groups.yml' },
    sha: HEAD_SHA,
    ref: 'refs/pull/2/merge',
  });

const posts = () => github.requests.filter((r) => r.method === 'POST' && r.path === COMMENTS);

describe("the Action's GitHub client", () => {
  it('retries a 5xx on the comment write; one comment is written', async () => {
    github.state.fail({ method: 'POST', path: COMMENTS, status: 502, message: 'Bad Gateway', times: 2 });
    const run = await plan();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(posts()).toHaveLength(3);
    expect(github.state.commentsOn(REPO, 2)).toHaveLength(1);
    // Every request went to GITHUB_API_URL (the fake), with the token.
    expect(github.requests.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('waits the retry-after of a secondary rate limit (403) and retries', async () => {
    github.state.fail({
      method: 'POST',
      path: COMMENTS,
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '2' },
    });
    const run = await plan();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(posts()).toHaveLength(2);
    expect(run.stdout).toMatch(/secondary rate limit on POST [^\n]*comments; retrying in 2 s/);
    expect(github.state.commentsOn(REPO, 2)).toHaveLength(1);
  });
});
