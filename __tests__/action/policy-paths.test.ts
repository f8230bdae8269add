/**
 * Policy paths in the Action (issue 15, item 1), run as the runner runs it: a path the `policies` input
 * names that matches nothing fails the run naming the path, and a drift run that read no policy never
 * closes the open drift issue; reading no policy is fine only with `allow-no-policies: true`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRIFT_ISSUE_TITLE } from '../../src/github/flows.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runAction, TEST_PULL, webhookExample } from '../helpers/action.js';
import { copyExamples, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const { repository: REPO, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';

let sandbox: Sandbox;
let github: FakeGitHub;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = await startFakeGitHub({
    token: TOKEN,
    repos: [{ fullName: REPO, defaultBranch: 'master', issues: [{ number: 7, title: DRIFT_ISSUE_TITLE, body: 'drift', labels: ['charter:drift'], state: 'open' }] }],
  });
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

function drift(workspace: string, inputs: Record<string, string>) {
  return runAction({
    workspace,
    githubUrl: github.url,
    awsEndpoint: sandbox.endpoint,
    repository: REPO,
    eventName: 'workflow_dispatch',
    event: webhookExample('workflow_dispatch'),
    inputs: { 'github-token': TOKEN, ...inputs },
    sha: MERGE_SHA,
    ref: 'refs/heads/master',
  });
}

const driftIssueStates = () => github.state.repo(REPO).issues.map((i) => i.state);

describe('the Action: policy paths', () => {
  it('a mistyped policies input fails the drift run naming the path, and the open drift issue stays open', async () => {
    const run = await drift(copyExamples(), { policies: 'polcies/' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('polcies/ matches no policy file');
    expect(run.outputs['failure-reason']).toMatch(/policy error/);
    expect(driftIssueStates()).toEqual(['open']);
    expect(sandbox.stats.count()).toBe(0);
  });

  it('validate with a mistyped path among good ones fails too', async () => {
    const run = await drift(copyExamples(), { mode: 'validate', policies: 'policies/examples, policies/exampels/*.yml' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('policies/exampels/*.yml matches no policy file');
  });

  it('no policy file under the default paths fails unless allow-no-policies; even then the drift issue is left open', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'charter-no-policies-'));
    const plain = await drift(empty, {});
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('policy/no-files');
    expect(driftIssueStates()).toEqual(['open']);

    const allowed = await drift(empty, { 'allow-no-policies': 'true' });
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('no policies were read; the drift issue is left as it is');
    expect(driftIssueStates()).toEqual(['open']);
    // A named path matching nothing stays an error with allow-no-policies.
    expect((await drift(empty, { 'allow-no-policies': 'true', policies: 'nowhere' })).code).toBe(1);
  });
});
