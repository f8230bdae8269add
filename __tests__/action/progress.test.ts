import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { mergePull, pullRequestEvent, pullTouchesWorkspace, pushEvent, runAction, TEST_PULL } from '../helpers/action.js';
import { copyExamples, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const { repository: REPO, headSha: HEAD_SHA, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
  github = await startFakeGitHub({
    token: TOKEN,
    repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA, labels: [] }] }],
  });
  // The pull request adds the example policies: under scope changed (the default on pull requests) all are planned.
  pullTouchesWorkspace(github, workspace);
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

const common = () => ({ workspace, githubUrl: github.url, awsEndpoint: sandbox.endpoint, repository: REPO });

describe('Action apply progress', () => {
  it('prints each change as it starts, and each ended change as a log group, while the apply still runs', async () => {
    const inputs = { 'github-token': TOKEN, policies: 'policies/examples/testing-mode.yml', concurrency: '2' };
    const planned = await runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent({ labels: [] }), inputs, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    mergePull(github);
    // Route 53 changes stay PENDING for 1.5 s: the apply cannot end before that.
    sandbox.state.settings.route53.changeInsyncAfterPolls = 1_000_000;
    sandbox.state.settings.route53.changeInsyncAfterMs = 1_500;
    let seenWhileRunning: boolean | undefined;
    const applied = await runAction({
      ...common(),
      eventName: 'push',
      event: pushEvent(),
      inputs,
      sha: MERGE_SHA,
      ref: 'refs/heads/master',
      onStdout: (stdout, exited) => {
        if (seenWhileRunning === undefined && /::group::✓ .*: applied in/.test(stdout)) seenWhileRunning = !exited;
      },
    });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(seenWhileRunning).toBe(true);
    expect(applied.stdout).toMatch(/^… TXT _mta-sts\.example\.net\. \(email\/[^)]+\): create started$/m);
    // The group holds where the change comes from and what AWS said, and is closed.
    expect(applied.stdout).toMatch(/^::group::✓ TXT _mta-sts\.example\.net\.: applied in \d+\.\d s\n[^\n]*testing-mode\.yml:\d+:\d+[^\n]*\nRoute 53 change \S+ INSYNC\n::endgroup::$/m);
    // Every start is before the report, every change has its group, and groups never nest.
    const starts = applied.stdout.match(/^… .* started$/gm) ?? [];
    const groups = applied.stdout.match(/^::group::/gm) ?? [];
    expect(starts.length).toBeGreaterThan(1);
    expect(groups.length).toBeGreaterThanOrEqual(starts.length);
    expect(applied.stdout).not.toMatch(/::group::[^\n]*\n(?:(?!::endgroup::)[^\n]*\n)*::group::/);
  }, 60_000);

  it('refuses a concurrency input that is not a whole number from 1 to 64, before anything runs', async () => {
    for (const value of ['0', '65', 'two', '1.5']) {
      const run = await runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent({ labels: [] }), inputs: { 'github-token': TOKEN, policies: 'policies/examples/testing-mode.yml', concurrency: value }, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::error::Charter failed: Input concurrency must be a whole number from 1 to 64, got "${value}"`);
      expect(github.state.commentsOn(REPO, 2)).toHaveLength(0);
    }
  }, 60_000);
});
